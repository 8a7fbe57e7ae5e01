"""The subject access mark set or cleared by hand when the classifier got it wrong:
`mailbot subject-access REF` marks an enquiry or FOI request as a subject access request,
`--not` clears the mark. The case stays with its officer, the timeline says who and when,
the member is sent nothing, and the law's reminders follow the mark
(mailbot/access_request_reminder.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import Council, rows
from test_subject_access_reminders import (
    BEFORE,
    MONTH,
    SAR,
    at_ten,
    council,
    sar_reminders,
    text_of,
)
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.store.tables import OutboxRow

SENT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday: the law's date is 29 December
MISSED = (
    "Mrs Jane Smith of Castle Road would like to see everything the council has on file "
    "about her and her family from the housing team. Can you help her?"
)


def run(place: Council, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])
    return result.exit_code, result.output


def test_an_enquiry_marked_by_hand_gets_the_law_s_reminders(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mrs Smith's file",
                                 MISSED, date=SENT), SENT)
        case = place.case()
        if case.subject_access:  # the rules found it after all: take the mark off first
            assert run(place, "subject-access", case.ref, "--not")[0] == 0
        assert not place.case().subject_access
        holder = place.case().officer_email

        code, output = run(place, "subject-access", case.ref, "--by", "Dee Okafor")
        assert code == 0, output
        assert (f"{case.ref} is now marked as a subject access request: data protection "
                f"law's one calendar month ends {MONTH}") in output
        assert f"it stays with {holder}, who is sent a notice of the change" in output
        assert "the member is sent nothing" in output
        assert place.case().subject_access
        [marked] = place.events("subject access marked")
        assert marked.actor == "Dee Okafor"
        assert f"by hand; the law's date is {MONTH}" in marked.detail
        # The member is written nothing more; the officer who holds it is told at once
        # (mailbot/access_request_notice.py; the CLI marks at the real clock's now).
        out = place.flush(datetime.now(UTC) + timedelta(minutes=1))
        assert {m["To"] for m in out} == {holder}  # (a notice of the first --not too)
        assert out[-1]["Subject"] == (
            f"Now a subject access request: Mrs Smith's file [{case.ref}]")
        code, shown = run(place, "case", case.ref)
        assert ("subject access request (UK GDPR Article 15): data protection law's one "
                f"calendar month ends {MONTH}") in shown
        assert "subject access marked" in shown

        [before] = sar_reminders(place, BEFORE, BEFORE)[BEFORE]
        assert before["To"] == holder

        # Marked twice: nothing changes.
        code, output = run(place, "subject-access", case.ref)
        assert code == 0 and "nothing changed" in output
        assert len(place.events("subject access marked")) == 1


def test_a_mark_cleared_by_hand_stops_the_reminders(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mrs Smith's records",
                                 SAR, date=SENT), SENT)
        case = place.case()
        assert case.subject_access
        # The sweep queues the first reminder; the mark is cleared before it goes.
        jobs.send_reminders(place.app, at_ten(BEFORE))
        code, output = run(place, "subject-access", case.ref, "--not")
        assert code == 0, output
        assert f"{case.ref} is no longer marked as a subject access request" in output
        assert (f"it stays with {place.case().officer_email}, who is sent a notice of the "
                "change") in output
        assert not place.case().subject_access
        [cleared] = place.events("subject access unmarked")
        assert cleared.actor.startswith("admin:")
        out = place.flush(at_ten(BEFORE) + timedelta(minutes=5))
        assert not any(str(m["Subject"]).startswith("Subject access") for m in out)
        [withdrawn] = rows(place.app, OutboxRow,
                           OutboxRow.purpose == "access_request_reminder")
        assert withdrawn.status == "withdrawn"
        assert "no longer marked" in (withdrawn.last_error or "")
        assert sar_reminders(place, date(2026, 12, 21), date(2027, 1, 8)) == {}
        code, shown = run(place, "case", case.ref)
        assert "calendar month ends" not in shown and "subject access unmarked" in shown


def test_a_complaint_cannot_be_marked(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Formal complaint",
                                 "I wish to make a formal complaint about how the council "
                                 "handled my resident's housing repair.", date=SENT), SENT)
        case = place.case()
        assert case.kind == "complaint"
        code, output = run(place, "subject-access", case.ref)
        assert code == 2
        assert f"{case.ref} is a complaint" in output
        assert not place.case().subject_access
        assert run(place, "subject-access", "MB-2026-09999")[0] == 2


def test_a_case_marked_after_its_acknowledgement_is_not_said_to_have_told_the_member(
    tmp_path: Path,
) -> None:
    # Found in a trial: marked by hand after the member's acknowledgement (which gave only
    # the protocol's date), then passed to the DPO, whose assignment said 'The member has
    # been told it goes there and has that date.'
    missed = ("Mr Brown would like to see whatever the council has written about him over "
              "the years in his housing file. His consent is attached.")
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mr Brown",
                                       missed, date=SENT), SENT)
        case = place.case()
        assert not case.subject_access
        assert MONTH not in text_of(next(m for m in out if m["To"] == "ann@wiltshire.gov.uk"))
        assignment = next(m for m in out if m["To"] == "sam@wiltshire.gov.uk")
        assert run(place, "subject-access", case.ref)[0] == 0
        later = SENT + timedelta(days=3)
        out = place.deliver(place.reply(assignment, "sam@wiltshire.gov.uk",
                                        "REASSIGN dpo@wiltshire.gov.uk", date=later), later)
        text = text_of(next(m for m in out if m["To"] == "dpo@wiltshire.gov.uk"))
        assert f"by {MONTH}" in text
        assert "The member has been told it goes there" not in text
        assert ("mailbot has not told the member this date or that it goes to the data "
                "protection officer: it was marked a subject access request after their "
                "acknowledgement") in text
        # Marked when it came in: the acknowledgement said so, and a reassignment says that.
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mrs Smith",
                                       SAR, date=later), later)
        assert place.case().subject_access
        assignment = next(m for m in out if m["To"] != "ann@wiltshire.gov.uk")
        out = place.deliver(place.reply(assignment, str(assignment["To"]),
                                        "REASSIGN dpo@wiltshire.gov.uk", date=later), later)
        text = text_of(next(m for m in out if m["To"] == "dpo@wiltshire.gov.uk"))
        assert "The member has been told it goes there and has that date." in text
        assert "mailbot has not told the member" not in text
