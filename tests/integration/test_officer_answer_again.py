"""An officer writing to the member again about a case already answered (a second answer,
"one more thing"), copying in the shared mailbox: the first answer stands (its time and
its one `responded` row), the case's timeline shows the later reply, what the ledger says
of the message is what happened, and nobody is written to. After the member writes again
and the case reopens, the next reply is an answer again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, council_with_a_pothole, rows
from sqlalchemy import select

from mailbot import jobs
from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
FIRST = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
SECOND = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    officers = [("Sam Patel", SAM, "Highways", "", "")]
    # Cllr Bloggs's mail is <t1@test.example>
    with council_with_a_pothole(tmp_path / "council", officers) as made:
        yield made


def _reply_to_member(number: int, at: datetime, body: str) -> bytes:
    """Sam's Outlook reply to all in the member's thread: To her, the mailbox in Cc."""
    headers = [
        f'From: "Patel, Sam" <{SAM}>',
        f"To: Cllr Jo Bloggs <{JO}>",
        f"Cc: Member Enquiries <{MAILBOX}>",
        "Subject: RE: Pothole on Castle Road [MB-2026-00001]",
        f"Date: {at.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"Message-ID: <LO4P265MB7777ANS{number}@LO4P265MB7777.GBRP265.PROD.OUTLOOK.COM>",
        "In-Reply-To: <t1@test.example>",
        "References: <t1@test.example>",
        "Thread-Topic: Pothole on Castle Road",
        *PLAIN_UTF8,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n\r\nSam Patel\r\n").encode()


def _ledger_reason(council: Council, number: int) -> str:
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains(f"ANS{number}@"))
    return row.reason


def test_a_second_reply_to_the_member_keeps_the_first_answer_and_is_on_the_timeline(
    council: Council,
) -> None:
    council.deliver(_reply_to_member(1, FIRST, "Dear Cllr Bloggs,\r\n\r\nFilled on Friday."))
    out = council.deliver(_reply_to_member(
        2, SECOND, "Dear Cllr Bloggs,\r\n\r\nOne more thing: the lining is booked too."), LATER)
    assert out == []
    case = council.case()
    assert (case.status, case.responded_at) == ("responded", FIRST)
    assert [e.actor for e in council.events("responded")] == [SAM]
    assert _ledger_reason(council, 1) == "response to the member recorded"
    assert _ledger_reason(council, 2) == (
        "another reply to the member; the case was answered already"
    )
    [again] = council.events("replied again")
    assert (again.actor, again.case_id, again.at) == (SAM, case.id, SECOND)
    assert again.detail == (
        "another reply to the member; the case stays answered as of 2026-11-25 11:00"
    )
    jobs.send_reminders(council.app, datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    assert council.flush(datetime(2026, 12, 7, 9, 5, tzinfo=UTC)) == []


def test_after_the_member_reopens_the_case_the_next_reply_is_an_answer_again(
    council: Council,
) -> None:
    council.deliver(_reply_to_member(1, FIRST, "Dear Cllr Bloggs,\r\n\r\nFilled on Friday."))
    council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "RE: Pothole on Castle Road [MB-2026-00001]",
        "It is still not filled, and the hole is bigger now.",
        in_reply_to="<LO4P265MB7777ANS1@LO4P265MB7777.GBRP265.PROD.OUTLOOK.COM>",
        date=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    ), LATER)
    assert council.case().status == "open"
    council.deliver(_reply_to_member(2, SECOND, "Dear Cllr Bloggs,\r\n\r\nRefilled today."), LATER)
    case = council.case()
    assert (case.status, case.responded_at) == ("responded", SECOND)
    assert [e.at for e in council.events("responded")] == [FIRST, SECOND]
    assert _ledger_reason(council, 2) == "response to the member recorded"
    assert council.events("replied again") == []


def test_a_reply_to_the_member_of_a_closed_case_leaves_it_closed(council: Council) -> None:
    """mailbot itself never closes a case; one closed in the database (an old version's
    data, an administrator) is finished as an answered one is: a reply leaves it so."""
    with council.app.store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        case.status = "closed"
    council.deliver(_reply_to_member(1, FIRST, "Dear Cllr Bloggs,\r\n\r\nFilled on Friday."))
    case = council.case()
    assert (case.status, case.responded_at) == ("closed", None)
    assert council.events("responded") == []
    assert [e.actor for e in council.events("replied again")] == [SAM]
    assert _ledger_reason(council, 1) == (
        "another reply to the member; the case was answered already"
    )
