"""A two-stage complaints procedure (the SPSO model: stage 1 in 5 working days, stage 2 in
20), written `reopened = 20` in the Scottish council's pack: the member who writes again
after the stage 1 answer is told the stage 2 date, the officer is mailed and reminded to
it, and the case row and `mailbot case` say the same. Dates counted by hand on a calendar
across St Andrew's Day, Christmas, the council's festive closure and New Year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

from mailbot import reminders
from mailbot.console import describe_case
from mailbot.model import CaseStatus

DATA = Path(__file__).resolve().parents[1] / "data"
SCOTTISH = DATA / "pack_scotland_foisa_two_stage_complaints.toml"
JO = "jo@strathmore.gov.scot"
ALI = "complaints@strathmore.gov.scot"  # the pack's complaints route
# Mon 23 Nov 2026 (London is on UTC): the complaint; Wed 25: answered; Thu 26: not satisfied.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
# Stage 1, 5 working days from Mon 23 Nov: Tue 24, Wed 25, Thu 26, Fri 27, (Mon 30 Nov is
# St Andrew's Day) Tue 1 Dec.
STAGE_1 = date(2026, 12, 1)
# Stage 2, 20 working days from Thu 26 Nov: Fri 27 (1), St Andrew's Day skipped, Tue 1 Dec
# to Fri 4 (2-5), 7-11 Dec (6-10), 14-18 Dec (11-15), Mon 21 to Thu 24 Dec (16-19); then
# Christmas Day, Boxing Day's substitute (Mon 28), the closure 29-31 Dec, New Year's Day and
# 2 January's substitute (Mon 4 Jan) are skipped: Tue 5 Jan 2027 (20).
STAGE_2 = date(2027, 1, 5)
# Today's count would be a fresh 5: Fri 27 Nov, Tue 1 to Fri 4 Dec.
FRESH_STAGE_1 = date(2026, 12, 4)


def text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def strathmore(home: Path, pack: Path) -> Council:
    return Council(
        home, name="Strathmore and Glen Council", policy=str(pack),
        mailbox="memberenquiries@strathmore.gov.scot",
        members=[("Cllr Jo Bloggs", JO, "Glen", "en")],
        officers=[("Ali Khan", ALI, "Complaints", "", "")],
    )


def not_satisfied(it: Council) -> dict[str, EmailMessage]:
    """Jo complains, Ali answers (DONE), Jo asks for stage 2: what left at that last step."""
    left = it.deliver(it.mail(
        f"Cllr Jo Bloggs <{JO}>", "Complaint about missed bins",
        "I wish to make a formal complaint: my bins were missed three weeks running and "
        "nobody replied to my reports.", date=MONDAY), MONDAY)
    ack = by_recipient(left)[JO]
    assert it.case().response_due == STAGE_1
    it.deliver(it.mail(f"Ali Khan <{ALI}>", f"RE: Complaint [{it.case().ref}]", "DONE",
                       date=WEDNESDAY), WEDNESDAY)
    assert it.case().status == CaseStatus.RESPONDED
    return by_recipient(it.deliver(it.reply(
        ack, f"Cllr Jo Bloggs <{JO}>",
        "I am not satisfied with the answer; please take my complaint to stage 2.",
        date=THURSDAY), THURSDAY))


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with strathmore(tmp_path, SCOTTISH) as it:
        yield it


def test_a_reopened_complaint_gets_the_stage_2_date(council: Council) -> None:
    left = not_satisfied(council)
    ref = council.case().ref
    assert ("We have reopened it, and Ali Khan (Complaints) will respond by Tuesday "
            "5 January 2027.") in text(left[JO])
    officer = text(left[ALI])
    assert "the case is open again with a new response date" in officer
    assert "Reply by: Tuesday 5 January 2027" in officer
    case = council.case()
    assert (case.status, case.response_due, case.responded_at) == (
        CaseStatus.OPEN, STAGE_2, None)
    [reopened] = council.events("reopened")
    assert reopened.detail == f"the member wrote again; new response date {STAGE_2}"
    shown = describe_case(council.app, ref) or ""
    assert "Response: 5 working days (" in shown and "; 20 working days once reopened)." in shown
    assert "a fresh 20 working days counted from Thu 26 Nov 2026." in shown
    assert "Due: Tue 5 Jan 2027 (working day 20 after Thu 26 Nov 2026)." in shown


def test_the_officer_is_reminded_to_the_stage_2_date_not_stage_1s(council: Council) -> None:
    not_satisfied(council)
    # Stage 1's fresh date passes with nothing sent: not due, not overdue.
    the_day_after = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    reminders.sweep(council.app, the_day_after)
    assert council.flush(the_day_after) == []
    # Two working days before Tue 5 Jan (Mon 4 Jan, Fri 1 Jan, the closure 29-31 Dec, Mon 28
    # and Fri 25 Dec are days off): Thu 24 Dec is one, Wed 23 Dec the second.
    before = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
    reminders.sweep(council.app, before)
    [reminder] = council.flush(before)
    assert str(reminder["To"]) == ALI
    assert "Tuesday 5 January 2027" in text(reminder)


def test_without_the_key_a_reopened_case_gets_the_first_time_again(tmp_path: Path) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text(SCOTTISH.read_text(encoding="utf-8").replace("reopened = 20\n", ""),
                    encoding="utf-8")
    with strathmore(tmp_path / "home", pack) as it:
        left = not_satisfied(it)
        assert it.case().response_due == FRESH_STAGE_1
    assert "will respond by Friday 4 December 2026." in text(left[JO])
    assert "Reply by: Friday 4 December 2026" in text(left[ALI])
