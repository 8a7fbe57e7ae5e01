"""A complaint naming both the complaints route and the default officer is given to
nobody (routing.route_complaint). Mail about it afterwards (the member writing again, a
recall) goes to whoever settles cases nobody holds, the stand-in (case_notice): that must
never be an officer the complaint is about, who would otherwise be sent the member's
follow-up on the complaint against them. The next in line (an administrator) is told, or
nobody, with the timeline saying so."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from complaint_council import JO_NAME, at, complain, words
from helpers import PLAIN_UTF8, Council, rows

from mailbot.store.tables import CaseRow, OutboxRow

SAM, LEE, PAT, CLERK = at("sam"), at("lee"), at("pat"), at("clerk")
JO = at("jo")
LATER = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
ABOUT_BOTH = ("I wish to make a formal complaint about Pat Moss and Lee Wong, who both "
              "ignored my constituent's letters about the flooding for three months.")


def _council(home: Path, admins: Sequence[str]) -> Council:
    """Pat Moss heads the line and is the complaints route (complaints about an officer go
    by it); Lee Wong is the default officer. A complaint naming both has no one to go to."""
    return Council(
        home, name="Wiltshire Council", mailbox=at("memberenquiries"), policy="wiltshire",
        members=[(JO_NAME, JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                  ("Lee Wong", LEE, "Highways", PAT, ""),
                  ("Pat Moss", PAT, "Place", "", "")],
        admins=admins, threshold=0.0, mail_headers=PLAIN_UTF8,
        config=(f'[routing]\ndefault_officer = "{LEE}"\n'
                f'[policy.routing]\ncomplaints = "{PAT}"\nabout_an_officer = "complaints"\n'),
    )


def _follow_up(council: Council) -> list[EmailMessage]:
    """The complaint, then Jo writing again on it: the follow-up's notice, if one went."""
    complain(council, "Complaint about two officers", ABOUT_BOTH)
    case = council.case()
    assert case.officer_email is None
    council.left()
    raw = council.mail(f"{JO_NAME} <{JO}>", f"RE: Complaint about two officers [{case.ref}]",
                       "They have still not replied to her this week either.", date=LATER)
    return council.deliver(raw, LATER)


def test_the_follow_up_goes_to_the_admin_not_the_default_officer_complained_about(
    tmp_path: Path,
) -> None:
    with _council(tmp_path, (CLERK,)) as council:
        told = _follow_up(council)
        everything = [r.recipients for r in rows(council.app, OutboxRow)]
    assert [str(m["To"]) for m in told] == [CLERK]
    assert "This case has no officer yet" in words(told[0])
    assert "still not replied to her" in words(told[0])
    assert not any(LEE in to or PAT in to for to in everything), everything


def test_with_only_officers_complained_about_to_tell_nobody_is_sent_it(
    tmp_path: Path,
) -> None:
    with _council(tmp_path, ()) as council:
        told = _follow_up(council)
        everything = [r.recipients for r in rows(council.app, OutboxRow)]
        case = rows(council.app, CaseRow)[0]
        nobody = council.events("nobody told")
    assert told == []  # Lee, the default officer, is complained about
    assert not any(LEE in to or PAT in to for to in everything), everything
    assert [event.case_id for event in nobody] == [case.id]
