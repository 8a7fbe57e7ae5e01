"""A councillor forwards a resident's mail ("FW: ..."), and later thanks us in that
thread from a phone: the subject is then "RE: FW: ...". That thank-you is a reply, not a
forward, so it is thanks like any other: an answered case stays answered (no "we have
reopened it" to the member, no new date), and a thank-you for the acknowledgement is
noted on the case without mail to the officer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, council_with_sam

from mailbot.store.tables import CaseRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 11, 25, 8, 40, tzinfo=UTC)
DOMAIN = "wiltshire.gov.uk"
JO = f"jo@{DOMAIN}"
SAM = f"sam@{DOMAIN}"

# Outlook's forward: the resident's mail under a "From: / Sent:" block.
FORWARD = (
    "Please can someone look at this.\r\n\r\nJo\r\n\r\n"
    "From: Mary Resident <mary.resident@gmail.com>\r\n"
    "Sent: 22 November 2026 19:02\r\n"
    f"To: Bloggs, Jo <{JO}>\r\n"
    "Subject: Dog fouling on the green\r\n\r\n"
    "Dear Cllr Bloggs, the green by the school is covered in dog mess again.\r\n"
    "Can the council put up signs?\r\nMary\r\n"
)
THANKS = "Thanks Sam, much appreciated.\r\n\r\nSent from my iPhone"


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        yield it


def _forwarded_case(it: Council, forward: str) -> CaseRow:
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"{forward} Dog fouling on the green",
                              FORWARD, date=MONDAY), MONDAY)
    assert sorted(str(m["To"]) for m in left) == sorted([JO, SAM])
    return it.case()


def _thanks(it: Council, subject: str) -> bytes:
    return it.mail(f"Jo Bloggs <{JO}>", subject, THANKS, date=WEDNESDAY,
                   in_reply_to="<t1@test.example>")


@pytest.mark.parametrize(("forward", "reply"), [
    ("FW:", "RE: FW:"), ("Fwd:", "Re: Fwd:"), ("Ymlaen:", "Ateb: Ymlaen:"),
])
def test_thanks_for_the_answer_to_a_forward_leaves_the_case_answered(
    wiltshire: Council, forward: str, reply: str
) -> None:
    case = _forwarded_case(wiltshire, forward)
    answer = (
        f"From: Sam Patel <{SAM}>\r\nTo: Cllr Jo Bloggs <{JO}>\r\n"
        f"Cc: {wiltshire.mailbox}\r\n"
        f"Subject: RE: {forward} Dog fouling on the green [{case.ref}]\r\n"
        "Date: Tue, 24 Nov 2026 11:00:00 +0000\r\nMessage-ID: <answer@wiltshire.gov.uk>\r\n"
        "In-Reply-To: <t1@test.example>\r\nReferences: <t1@test.example>\r\n\r\n"
        "Dear Cllr Bloggs, signs will go up this week.\r\nSam\r\n"
    ).encode()
    assert wiltshire.deliver(answer, TUESDAY) == []
    assert wiltshire.case(case.ref).status == "responded"

    left = wiltshire.deliver(
        _thanks(wiltshire, f"{reply} Dog fouling on the green [{case.ref}]"), WEDNESDAY)

    assert left == []  # no "we have reopened it" to Jo, no update to Sam
    after = wiltshire.case(case.ref)
    assert (after.status, after.response_due) == ("responded", case.response_due)
    assert len(wiltshire.events("thanks")) == 1


def test_thanks_for_the_acknowledgement_of_a_forward_is_not_sent_to_the_officer(
    wiltshire: Council,
) -> None:
    case = _forwarded_case(wiltshire, "FW:")

    left = wiltshire.deliver(
        _thanks(wiltshire, f"RE: FW: Dog fouling on the green [{case.ref}]"), WEDNESDAY)

    assert left == []
    assert wiltshire.case(case.ref).status == "open"
