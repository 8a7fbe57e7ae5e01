"""An officer answering a member *as* the shared mailbox, from Outlook: From the shared
mailbox (Send As, or Send on Behalf with the officer in Sender), To the member. A Reply
All from the shared mailbox's own folder can leave the shared mailbox among the
recipients, so a copy of the answer also lands in its Inbox, besides the one in Sent Items.
Either copy is the answer: the clock stops once, and no reminder follows. What is checked
is the case row, its timeline and what left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, council_with_a_pothole, rows

from mailbot import jobs, pipeline
from mailbot.model import FetchedMessage
from mailbot.store.tables import MessageRow, OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
REMINDER_DAY = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # the Monday before the due date


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    officers = [("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")]
    # Cllr Bloggs's mail is <t1@test.example>
    with council_with_a_pothole(tmp_path / "council", officers) as made:
        yield made


def _answer_as_mailbox(*, to: str = f"Cllr Jo Bloggs <{JO}>",
                       cc: str = f"Sam Patel <{SAM}>, Member Enquiries <{MAILBOX}>",
                       subject: str = "RE: Pothole on Castle Road", on_behalf: bool = False,
                       body: str = "Dear Cllr Bloggs,\r\n\r\nFilled on Friday.") -> bytes:
    """Outlook's Reply All to the member's mail, sent from the shared mailbox: the member in
    To, the other recipients of her mail (Sam and the shared mailbox itself) in Cc."""
    headers = [
        f"From: Member Enquiries <{MAILBOX}>",
        *([f"Sender: Sam Patel <{SAM}>"] if on_behalf else []),
        f"To: {to}",
        f"Cc: {cc}",
        f"Subject: {subject}",
        "Date: Wed, 25 Nov 2026 11:00:00 +0000",
        "Message-ID: <LO2P265MB0001AS@LO2P265MB0001.GBRP265.PROD.OUTLOOK.COM>",
        "In-Reply-To: <t1@test.example>",
        "References: <t1@test.example>",
        "Thread-Topic: Pothole on Castle Road",
        "Thread-Index: AdtfAAECAwQFBgcICQoLDA0ODxAREg==",
        "Content-Language: en-GB",
        *PLAIN_UTF8,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\nSam Patel, Highways\r\n").encode()


def _sent_item(council: Council, raw: bytes) -> None:
    """The Sent Items copy, read with watch_sent on (after the Inbox, as the backends do)."""
    with council.app.store.transaction() as session:
        pipeline.process(
            council.app, session, FetchedMessage(ref="sent-1", raw=raw, folder="sent"), NOW
        )


def _no_reminder_after_the_answer(council: Council) -> None:
    jobs.send_reminders(council.app, REMINDER_DAY)
    assert council.flush(REMINDER_DAY) == []


@pytest.mark.parametrize("on_behalf", [False, True], ids=["send as", "send on behalf"])
def test_the_inbox_copy_of_an_answer_sent_as_the_mailbox_stops_the_clock(
    council: Council, on_behalf: bool
) -> None:
    # Without watch_sent the Inbox copy is all mailbot sees of the answer.
    assert council.deliver(_answer_as_mailbox(on_behalf=on_behalf)) == []
    case = council.case()
    assert case.status == "responded"
    assert case.responded_at == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert [e.detail for e in council.events("responded")] == ["reply to the member seen"]
    # Who answered: the officer named in Sender when it was sent on behalf; else (Send As
    # leaves no trace of them) the shared mailbox.
    assert [e.actor for e in council.events("responded")] == [SAM if on_behalf else MAILBOX]
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "ack") != []  # the member's, only
    assert {r.recipients for r in rows(council.app, OutboxRow)} == {JO, SAM}
    _no_reminder_after_the_answer(council)


def test_an_answer_in_both_the_inbox_and_sent_items_is_one_answer(council: Council) -> None:
    raw = _answer_as_mailbox()
    council.deliver(raw)
    _sent_item(council, raw)
    assert council.case().status == "responded"
    assert len(council.events("responded")) == 1
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains("LO2P265MB0001AS"))
    assert row.duplicates == 1
    _no_reminder_after_the_answer(council)


def test_a_sent_item_sent_on_behalf_is_the_officers_answer(council: Council) -> None:
    _sent_item(council, _answer_as_mailbox(cc=f"Sam Patel <{SAM}>", on_behalf=True))
    assert council.case().status == "responded"
    assert [e.actor for e in council.events("responded")] == [SAM]


def test_a_forward_as_the_mailbox_to_a_colleague_copying_the_mailbox_is_not_the_answer(
    council: Council,
) -> None:
    out = council.deliver(_answer_as_mailbox(
        to=f"Lee Wong <{LEE}>", cc=f"Member Enquiries <{MAILBOX}>",
        subject="FW: Pothole on Castle Road", body="Lee, can you look at this one?",
    ))
    assert out == []
    assert council.case().status == "open" and council.events("responded") == []


def test_mail_from_the_mailbox_about_no_case_is_still_ignored(council: Council) -> None:
    council.deliver(_answer_as_mailbox(subject="Councillor drop-in dates")
                    .replace(b"<t1@test.example>", b"<elsewhere@test.example>"))
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains("LO2P265MB0001AS"))
    assert (row.status, row.reason) == ("ignored", "sent from the shared mailbox itself")
    assert council.case().status == "open"
