"""A member unhappy with an officer's answer complains about that officer in reply to it,
within the days in which writing again reopens the case (the pack's follow-up window).
That complaint is a complaint about an officer (Wiltshire 16.2): it goes to the head of
their line as a new complaint case, linked to the answered one, not back to the officer
as the reopened enquiry, with the member told the officer complained about will respond.
Other follow-ups in the window still reopen the case. Read as the mail that left and the
cases."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from complaint_council import RECEIVED, at, complaint_council, words
from helpers import Council, rows

from mailbot.store.tables import CaseRow

MAILBOX, JO, SAM, PAT, COMPLAINTS = (
    at("memberenquiries"), at("jo"), at("sam"), at("pat"), at("complaints"))
ANSWERED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
WROTE = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)  # two working days on: within the window


def _council(home: Path) -> Council:
    return complaint_council(home, default_officer=SAM,
                             officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                                       ("Pat Moss", PAT, "Place", "", "")])


def _answered_enquiry(council: Council) -> str:
    council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
        "Please could someone look at the deep pothole on Castle Road.", date=RECEIVED),
        RECEIVED)
    ref = council.case().ref
    answer = council.mail(
        f"Sam Patel <{SAM}>", f"RE: Pothole on Castle Road [{ref}]",
        "Dear Cllr Bloggs, it is not a priority and will not be repaired this year.",
        extra=f"Cc: {MAILBOX}", date=ANSWERED).replace(
            f"To: {MAILBOX}".encode(), f"To: {JO}".encode())
    council.deliver(answer, ANSWERED)
    assert council.case(ref).status == "responded"
    return ref


def _member_replies(council: Council, ref: str, text: str) -> list[EmailMessage]:
    return council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", f"RE: Pothole on Castle Road [{ref}]", text,
        in_reply_to="<t2@test.example>", date=WROTE), WROTE)


def test_a_complaint_about_the_officer_who_answered_goes_up_their_line(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        ref = _answered_enquiry(council)
        out = _member_replies(
            council, ref, "I wish to make a formal complaint about Sam Patel's response, "
            "which was dismissive and rude, and about how my residents have been treated.")
        enquiry, complaint = rows(council.app, CaseRow)
    assert enquiry.ref == ref and enquiry.status == "responded"
    assert (complaint.kind, complaint.officer_email) == ("complaint", PAT)
    assert complaint.parent_id == enquiry.id
    assert SAM not in [m["To"] for m in out]
    [ack] = [m for m in out if m["To"] == JO]
    assert "Pat Moss" in words(ack) and "Sam Patel (Highways) will respond" not in words(ack)


def test_another_follow_up_in_the_window_still_reopens_the_case(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        ref = _answered_enquiry(council)
        out = _member_replies(council, ref, "Could Sam Patel look again? It is getting worse.")
        [case] = rows(council.app, CaseRow)
    assert (case.ref, case.status, case.officer_email) == (ref, "open", SAM)
    assert SAM in [m["To"] for m in out]


def test_a_complaint_about_the_officer_of_an_open_case_goes_up_their_line(
    tmp_path: Path,
) -> None:
    # Not answered yet: the member complains in the enquiry's thread about Sam's delay.
    with _council(tmp_path) as council:
        council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
            "Please could someone look at the deep pothole on Castle Road.", date=RECEIVED),
            RECEIVED)
        ref = council.case().ref
        out = _member_replies(
            council, ref, "I have heard nothing. I wish to make a formal complaint about "
            "Sam Patel, who has ignored this and my residents' calls about it.")
        enquiry, complaint = rows(council.app, CaseRow)
    assert (enquiry.ref, enquiry.status, enquiry.officer_email) == (ref, "open", SAM)
    assert (complaint.kind, complaint.officer_email) == ("complaint", PAT)
    assert complaint.parent_id == enquiry.id
    assert SAM not in [m["To"] for m in out]
