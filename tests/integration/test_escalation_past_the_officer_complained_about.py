"""An overdue complaint is escalated to its officer's manager, who may be an officer the
complaint is about: Lee Wong, the complaints route, holds a complaint about Pat Moss, Lee's
own Director, and Sam Patel. Pat must not be sent the escalation of the complaint against
them (naming it, with the member's words). Escalation passes over such a manager: to
whoever stands in (an admin), else the officer's overdue reminders simply go on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

from complaint_council import RECEIVED, at, complain, lees_council, swept_daily, words
from helpers import Council, rows

from mailbot.store.tables import OutboxRow

SAM, LEE, PAT, CLERK, JO = at("sam"), at("lee"), at("pat"), at("clerk"), at("jo")
ABOUT_PAT = ("I wish to make a formal complaint about Pat Moss and Sam Patel, who both "
             "ignored my constituent's letters about the flooding for three months.")


def _council(home: Path, admins: Sequence[str]) -> Council:
    return lees_council(home, admins=admins)


def _swept(council: Council) -> list[EmailMessage]:
    """The complaint, given to Lee, then a reminder sweep each morning for six weeks: what
    the sweeps sent."""
    complain(council, "Complaint about two officers", ABOUT_PAT)
    assert council.case().officer_email == LEE
    council.left()
    return swept_daily(council, date(2026, 12, 14), 9, 5)


def test_the_escalation_goes_to_the_admin_not_the_director_complained_about(
    tmp_path: Path,
) -> None:
    with _council(tmp_path, (CLERK,)) as council:
        sent = _swept(council)
        recipients = [r.recipients for r in rows(council.app, OutboxRow)]
    assert not any(PAT in to or SAM in to for to in recipients), recipients
    escalations = [m for m in sent if "Escalation" in str(m["Subject"])]
    assert escalations and {str(m["To"]) for m in escalations} == {CLERK}
    assert any("Overdue by" in str(m["Subject"]) and str(m["To"]) == LEE for m in sent)


def test_with_nobody_else_the_officer_alone_is_reminded(tmp_path: Path) -> None:
    with _council(tmp_path, ()) as council:
        sent = _swept(council)
        recipients = [r.recipients for r in rows(council.app, OutboxRow)]
    assert not any(PAT in to or SAM in to for to in recipients), recipients
    assert {str(m["To"]) for m in sent} == {LEE, JO}  # Jo: the member's late notice
    assert any("Overdue by" in str(m["Subject"]) for m in sent)


def test_the_director_complained_about_cannot_close_the_complaint(tmp_path: Path) -> None:
    """Pat, Lee's manager, may command Lee's cases, but not the complaint about Pat: DONE
    is refused, the case stays open, and Pat is told why (not told to ask for it)."""
    with _council(tmp_path, (CLERK,)) as council:
        complain(council, "Complaint about two officers", ABOUT_PAT)
        case = council.case()
        council.left()
        later = RECEIVED + timedelta(days=1)
        raw = council.mail(f"Pat Moss <{PAT}>", f"[{case.ref}] Complaint about two officers",
                           "DONE\n\nPat", date=later)
        out = council.deliver(raw, later)
        status = council.case().status
        refused = council.events("command refused")
    assert status == "open"
    assert [str(m["To"]) for m in out] == [PAT]
    text = words(out[0])
    assert f"DONE was not applied to {case.ref}" in text
    assert "this complaint is about you" in text
    assert "REASSIGN" not in text
    assert [event.actor for event in refused] == [PAT]
    assert "the complaint is about them" in refused[0].detail
