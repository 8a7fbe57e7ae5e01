"""An officer who writes a command as a new mail, not as a reply to the case's
assignment or reminder and with no case reference in the subject, has named no case.
mailbot must not open a case for it as if the officer were a member asking something
(with a clock, reminders to the officer about their own command, a line in the digest),
and must not leave the officer believing the command was applied: they are told which
case mail to reply to, or to put the reference in the subject."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, rows

from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"


def _council(home: Path) -> Council:
    return Council(
        home, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


@pytest.mark.parametrize("command", ["DONE", "EXTEND 5 \"waiting for the contractor\"",
                                     "Hi,\n\nPAUSE \"waiting for Cllr Bloggs\""])
def test_a_command_in_a_new_mail_opens_no_case_and_says_it_named_none(
    tmp_path: Path, command: str
) -> None:
    with _council(tmp_path / "council") as council:
        by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")))
        before = [(c.ref, c.status, c.response_due) for c in rows(council.app, CaseRow)]
        out = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "Castle Road pothole", f"{command}\n\nSam"))
        after = [(c.ref, c.status, c.response_due) for c in rows(council.app, CaseRow)]
        last = rows(council.app, MessageRow)[-1]
    assert after == before  # no new case, and the member's case is untouched
    assert [m["To"] for m in out] == [SAM]
    for text in (body_text(out[0], "plain"), body_text(out[0], "html")):
        text = " ".join(text.split())
        assert "names no case" in text
        assert "reply to the assignment or reminder" in text
        assert "[MB-2026-00001]" not in text  # it does not guess which case was meant
    assert last.status == "ignored" and last.case_id is None


def test_help_in_a_new_mail_gets_the_list_of_commands_and_no_case(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        out = council.deliver(council.mail(f"Sam Patel <{SAM}>", "help", "HELP"))
        assert rows(council.app, CaseRow) == []
    assert [m["To"] for m in out] == [SAM]
    text = " ".join(body_text(out[0], "plain").split())
    assert "DONE" in text and "CONFIDENTIAL NO" in text
    assert "did not find a command" not in text and "names no case" not in text


def test_help_in_reply_to_an_assignment_is_not_told_it_was_no_command(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        assignment = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")))[SAM]
        out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", "HELP"))
    assert [m["To"] for m in out] == [SAM]
    text = " ".join(body_text(out[0], "plain").split())
    assert "REASSIGN" in text and "did not find a command" not in text


def test_an_officer_forwarding_a_members_mail_still_opens_a_case(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "Fw: Overgrown hedge on Mill Lane",
            "Passing this on from a resident: the hedge on Mill Lane blocks the pavement."))
        opened = rows(council.app, CaseRow)
    assert len(opened) == 1
