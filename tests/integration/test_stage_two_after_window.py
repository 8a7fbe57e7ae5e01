"""A member who asks for stage 2 of a two-stage complaints procedure after the follow-up
window has closed (SPSO model: a customer may escalate within months of the stage 1
answer, and stage 2 is answered within 20 working days of the escalation) gets a new case
linked to the answered complaint, counted with the pack's `reopened` (stage 2) time, not
stage 1's again. A new complaint that does not follow up the answered one stays stage 1.
The letter, the officer's mail, the case row, `mailbot case` and the digest's figures
all give the same date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, by_recipient
from test_reopened_stage_two import (
    ALI,
    JO,
    MONDAY,
    SCOTTISH,
    WEDNESDAY,
    strathmore,
    text,
)

from mailbot import jobs
from mailbot.clock import case_deadlines
from mailbot.console import describe_case
from mailbot.model import CaseStatus, Kind, Priority

# The stage 1 answer was on Wed 25 Nov 2026; the window (5 working days, St Andrew's Day
# skipped) ran to Thu 3 Dec. Jo asks for stage 2 on Mon 7 Dec 2026.
LATE = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
# 20 working days from Mon 7 Dec: 8-11 Dec (1-4), 14-18 (5-9), 21-24 (10-13); Christmas
# Day, Boxing Day's substitute (Mon 28), the festive closure 29-31 Dec, New Year's Day and
# 2 January's substitute (Mon 4 Jan) skipped; 5-8 Jan (14-17), 11-13 Jan (18-20).
STAGE_2 = date(2027, 1, 13)
# Stage 1's 5 working days from Mon 7 Dec: Mon 14 Dec.
STAGE_1 = date(2026, 12, 14)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with strathmore(tmp_path, SCOTTISH) as it:
        yield it


def answered_complaint(it: Council) -> tuple[str, EmailMessage]:
    """Jo complains on Monday, Ali answers on Wednesday: the reference and Jo's ack."""
    left = it.deliver(it.mail(
        f"Cllr Jo Bloggs <{JO}>", "Complaint about missed bins",
        "I wish to make a formal complaint: my bins were missed three weeks running and "
        "nobody replied to my reports.", date=MONDAY), MONDAY)
    ref = it.case().ref
    it.deliver(it.mail(f"Ali Khan <{ALI}>", f"RE: Complaint [{ref}]", "DONE",
                       date=WEDNESDAY), WEDNESDAY)
    assert it.case(ref).status == CaseStatus.RESPONDED
    return ref, by_recipient(left)[JO]


def test_stage_2_asked_for_after_the_window_gets_the_stage_2_date(council: Council) -> None:
    first, ack = answered_complaint(council)
    left = by_recipient(council.deliver(council.reply(
        ack, f"Cllr Jo Bloggs <{JO}>",
        "I am not satisfied with the response to my complaint; please escalate it to "
        "stage 2.", date=LATE), LATE))
    case = council.case()
    assert case.ref != first and case.parent_id == council.case(first).id
    assert (case.kind, case.response_due) == (Kind.COMPLAINT.value, STAGE_2)
    assert "Wednesday 13 January 2027" in text(left[JO])
    assert "Reply by: Wednesday 13 January 2027" in text(left[ALI])
    shown = describe_case(council.app, case.ref) or ""
    assert "Due: Wed 13 Jan 2027 (working day 20 after Mon 7 Dec 2026)." in shown
    assert (f"(the member asked to take the answered complaint further ({first})): a fresh "
            "20 working days counted from Mon 7 Dec 2026.") in shown
    # Whatever the classifier made of the words alone, the timeline says why it is a
    # complaint's second stage.
    assert re.search(rf"classified (complaint \(\d\.\d\d\); asks to take complaint {first} "
                     rf"further\n|\w+ \(\d\.\d\d\); asks to take complaint {first} further, "
                     "so a complaint)", shown), shown
    # The answered stage 1 case is left as it was.
    assert council.case(first).status == CaseStatus.RESPONDED


def test_a_new_complaint_after_the_answer_is_stage_1(council: Council) -> None:
    answered_complaint(council)
    council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Complaint about the state of the park",
        "I wish to make a formal complaint about the broken swings in the park.",
        date=LATE), LATE)
    case = council.case()
    assert case.parent_id is None
    assert (case.kind, case.response_due) == (Kind.COMPLAINT.value, STAGE_1)
    assert case.response_due == case_deadlines(
        council.app.policy, Kind.COMPLAINT, Priority.NORMAL, case.received_at).response_due


CHIEF = "chief.executive@strathmore.gov.scot"


def test_the_digest_lists_the_stage_2_date(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Strathmore and Glen Council", policy=str(SCOTTISH),
        mailbox="memberenquiries@strathmore.gov.scot",
        members=[("Cllr Jo Bloggs", JO, "Glen", "en")],
        officers=[("Ali Khan", ALI, "Complaints", "", "")],
        config=f'[digest]\nrecipients = ["{CHIEF}"]\nmanagers = false\n',
    ) as it:
        _, ack = answered_complaint(it)
        it.deliver(it.reply(ack, f"Cllr Jo Bloggs <{JO}>",
                            "I remain dissatisfied and ask that this goes to stage 2.",
                            date=LATE), LATE)
        ref = it.case().ref
        # Monday 11 Jan 2027, 08:00: stage 2 is due on Wednesday, so it is due this week and
        # not overdue (stage 1's date, 14 Dec, would have made it four weeks overdue).
        monday = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
        jobs.send_digests(it.app, monday)
        [digest] = [m for m in it.flush(monday) if str(m["To"]) == CHIEF]
    shown = text(digest)
    assert "Overdue (0)" in shown and "Due this week (1)" in shown, shown
    due_this_week = shown.split("Due this week (1)", 1)[1]
    assert ref in due_this_week and "Wed 13 Jan" in due_this_week, shown


def test_other_mail_in_the_complaints_thread_after_the_window_is_counted_afresh(
    council: Council,
) -> None:
    first, ack = answered_complaint(council)
    council.deliver(council.reply(
        ack, f"Cllr Jo Bloggs <{JO}>",
        "Thank you for sorting the bins. Could you also tell me when the new recycling "
        "boxes will be delivered to Glen Road?", date=LATE), LATE)
    case = council.case()
    assert case.parent_id == council.case(first).id
    assert case.kind == Kind.ENQUIRY.value
    assert case.response_due == case_deadlines(
        council.app.policy, Kind.ENQUIRY, Priority.NORMAL, case.received_at).response_due
    assert "further" not in (describe_case(council.app, case.ref) or "")


@pytest.mark.parametrize(("subject", "body"), [
    # A new mail, not a reply, with the reference in the subject and the request in it.
    ("Stage 2 please: Complaint about missed bins [{ref}]", "Please see the subject line."),
    # The request in the body, the subject the complaint's own.
    ("Complaint about missed bins [{ref}]", "I remain unhappy with the answer and would like "
     "my complaint taken further."),
])
def test_a_new_mail_naming_the_reference_asks_for_stage_2(
    council: Council, subject: str, body: str
) -> None:
    first, _ = answered_complaint(council)
    council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", subject.format(ref=first), body,
                                 date=LATE), LATE)
    case = council.case()
    assert case.parent_id == council.case(first).id
    assert (case.kind, case.response_due) == (Kind.COMPLAINT.value, STAGE_2)


def test_no_third_stage_after_the_stage_2_answer(council: Council) -> None:
    """The stage 2 case answered, the member writes again after its window, still not
    satisfied: the council has no third stage (the SPSO is next), so the new case is not
    given the stage 2 time again; it is counted afresh."""
    first, ack = answered_complaint(council)
    left = by_recipient(council.deliver(council.reply(
        ack, f"Cllr Jo Bloggs <{JO}>", "I am not satisfied; please escalate to stage 2.",
        date=LATE), LATE))
    second = council.case().ref
    answered = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
    council.deliver(council.mail(f"Ali Khan <{ALI}>", f"RE: Complaint [{second}]", "DONE",
                                 date=answered), answered)
    later = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)  # long after the window
    council.deliver(council.reply(
        left[JO], f"Cllr Jo Bloggs <{JO}>", "I am still not satisfied and want this escalated.",
        date=later), later)
    third = council.case()
    assert third.ref not in (first, second)
    assert third.response_due == case_deadlines(
        council.app.policy, Kind(third.kind), Priority.NORMAL, later).response_due
    assert "further" not in (describe_case(council.app, third.ref) or "")
