"""A member copies the officer they complain about into the complaint, and that officer
writes back to the member in its thread ("I am sorry you feel that way, but I was not
rude"). That is not the council's response to the complaint, which the head of their line
has (Wiltshire 16.2): the case stays open with its reminders, and the Director is told
the officer wrote to the member. Another officer's reply still answers it. Read as the
case row and the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from complaint_council import at, complain, complaint_council, words
from helpers import Council

MAILBOX, JO, SAM, PAT = at("memberenquiries"), at("jo"), at("sam"), at("pat")
REPLIED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _council(home: Path) -> Council:
    return complaint_council(home, officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                                             ("Pat Moss", PAT, "Place", "", "")])


def _reply_to_member(council: Council, sender: str, text: str) -> list[EmailMessage]:
    raw = council.mail(sender, "RE: Complaint about Sam Patel", text,
                       in_reply_to="<t1@test.example>", extra=f"Cc: {MAILBOX}",
                       date=REPLIED).replace(f"To: {MAILBOX}".encode(), f"To: {JO}".encode())
    return council.deliver(raw, REPLIED)


def _complain(council: Council) -> None:
    complain(council, "Complaint about Sam Patel",
             "I wish to make a formal complaint about Sam Patel, who was rude to my "
             "constituent.", cc=SAM)
    assert council.case().officer_email == PAT


def test_the_officer_complained_about_writing_to_the_member_does_not_answer_it(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        _complain(council)
        out = _reply_to_member(council, f"Sam Patel <{SAM}>",
                               "Dear Cllr Bloggs, I am sorry you feel that way, but I was "
                               "not rude.")
        case = council.case()
    assert (case.status, case.responded_at) == ("open", None)
    assert SAM not in [m["To"] for m in out]
    [told] = [m for m in out if m["To"] == PAT]
    text = words(told)
    assert "Sam Patel, whom this complaint is about, has written to the member" in text
    assert "not taken it as the response" in text


def test_the_directors_reply_answers_it(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        _complain(council)
        _reply_to_member(council, f"Pat Moss <{PAT}>",
                         "Dear Cllr Bloggs, I have looked into your complaint and ...")
        case = council.case()
    assert case.status == "responded"


def test_an_officer_it_may_be_about_writing_to_the_member_does_not_answer_it(
    tmp_path: Path,
) -> None:
    """'Mr Patel' of two Patels: the complaints team has it, and Raj Patel, whom it may be
    about, writes back to the member. That is not the response either."""
    raj, complaints = at("raj"), at("complaints")
    with complaint_council(tmp_path, officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                                               ("Raj Patel", raj, "Housing", PAT, ""),
                                               ("Pat Moss", PAT, "Place", "", "")]) as council:
        complain(council, "Complaint about Mr Patel",
                 "I wish to make a formal complaint about Mr Patel, who was rude to my "
                 "constituent.", cc=raj)
        assert council.case().officer_email == complaints
        out = _reply_to_member(council, f"Raj Patel <{raj}>",
                               "Dear Cllr Bloggs, I am sorry you feel that way, but I was "
                               "not rude.")
        case = council.case()
    assert (case.status, case.responded_at) == ("open", None)
    assert raj not in [m["To"] for m in out]
    [told] = [m for m in out if m["To"] == complaints]
    text = words(told)
    assert "Raj Patel, whom this complaint may be about, has written to the member" in text
    assert "not taken it as the response" in text
