"""Officers' Outlook mail in a member's conversation that names neither the member's
Message-ID nor the case's [MB-] reference: only Outlook's Thread-Index (whose first 22
bytes name the conversation, and each reply adds 5) ties it to the member's mail. So it
is for an Outlook forward (FW: carries no In-Reply-To or References), and for a reply whose
References were dropped on the way (a phone, a gateway, Outlook itself after a move).
Councillors write from the council's Outlook, so their mail carries a Thread-Index too.

What is checked is the case rows, the timeline and what left."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, rows

from mailbot import pipeline
from mailbot.model import FetchedMessage
from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
ALI = "ali.khan@council.gov.uk"
# The 22-byte head of a conversation's Thread-Index: a reserved byte, 5 of the time it
# began, 16 of its GUID.
POTHOLE = bytes.fromhex("01db5f0a1b2c") + bytes.fromhex("9f3e4a5b6c7d8e9fa0b1c2d3e4f50617")
LIGHT = bytes.fromhex("01db5f0a2c3d") + bytes.fromhex("1a2b3c4d5e6f708192a3b4c5d6e7f809")


def _thread_index(conversation: bytes, replies: int = 0) -> str:
    return base64.b64encode(conversation + bytes.fromhex("00012f3a4b") * replies).decode()


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    """Cllr Bloggs has two open cases with Sam, each begun from her Outlook."""
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Ali Khan", ALI, "Harbour", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        for subject, conversation in (("Pothole on Castle Road", POTHOLE),
                                      ("Street light out on Mill Lane", LIGHT)):
            made.deliver(made.mail(
                f"Cllr Jo Bloggs <{JO}>", subject, f"About the {subject.lower()}.", cc=SAM,
                extra=f"Thread-Topic: {subject}\r\nThread-Index: {_thread_index(conversation)}",
            ))
        made.left()
        yield made


def _outlook(*, sender: str = f'"Patel, Sam" <{SAM}>', to: str = f"Cllr Jo Bloggs <{JO}>",
             cc: str = f"Member Enquiries <{MAILBOX}>",
             subject: str = "RE: Pothole on Castle Road",
             body: str = "Dear Cllr Bloggs,\r\n\r\nThe crew fills it on Friday.") -> bytes:
    """Sam's Outlook mail in the pothole conversation, with no In-Reply-To or References."""
    headers = [
        f"From: {sender}", f"To: {to}", *([f"Cc: {cc}"] if cc else []),
        f"Subject: {subject}", "Date: Wed, 25 Nov 2026 11:30:00 +0000",
        "Message-ID: <LO4P265MB5555CV01@LO4P265MB5555.GBRP265.PROD.OUTLOOK.COM>",
        "Thread-Topic: Pothole on Castle Road",
        f"Thread-Index: {_thread_index(POTHOLE, replies=1)}",
        "Content-Language: en-GB", *PLAIN_UTF8,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n\r\nSam Patel\r\n").encode()


def _statuses(council: Council) -> dict[str, str]:
    return {case.ref: case.status for case in rows(council.app, CaseRow)}


def test_a_reply_with_its_references_dropped_answers_the_case_of_its_conversation(
    council: Council,
) -> None:
    # Before: Sam holds two open cases for Cllr Bloggs, so mailbot asked him which one.
    assert council.deliver(_outlook()) == []
    assert _statuses(council) == {"MB-2026-00001": "responded", "MB-2026-00002": "open"}
    assert council.case("MB-2026-00001").responded_at == datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    assert [e.detail for e in council.events("responded")] == ["reply to the member seen"]


def test_a_sent_item_with_its_references_dropped_answers_the_case_of_its_conversation(
    council: Council,
) -> None:
    # Before: "sent item not about a case", and the clock ran on.
    raw = _outlook(sender=f"Member Enquiries <{MAILBOX}>", cc="")
    with council.app.store.transaction() as session:
        outcome = pipeline.process(
            council.app, session, FetchedMessage(ref="sent-1", raw=raw, folder="sent"), NOW
        )
    assert outcome.reason == "response to the member recorded"
    assert _statuses(council) == {"MB-2026-00001": "responded", "MB-2026-00002": "open"}


def test_an_outlook_forward_to_a_colleague_stays_on_its_case_and_answers_nobody(
    council: Council,
) -> None:
    # Before: the forward opened a third case, Sam's, in triage.
    out = council.deliver(_outlook(
        to=f"Lee Wong <{LEE}>", subject="FW: Pothole on Castle Road",
        body="Lee, can you look at this one? It is on your patch.",
    ))
    assert _statuses(council) == {"MB-2026-00001": "open", "MB-2026-00002": "open"}
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains("CV01"))
    assert row.case_id == council.case("MB-2026-00001").id
    assert council.events("responded") == []
    assert "Lee, can you look at this one?" in council.events("officer note")[0].detail
    assert [m["To"] for m in out] == [SAM]  # how to pass the case on or close it


def test_a_members_mail_in_the_conversation_is_not_matched_by_it(council: Council) -> None:
    """Only staff's mail is tied to a case by its Thread-Index: a member's new mail that
    Outlook counts in an old conversation is theirs to have read as they wrote it."""
    council.deliver(_outlook(
        sender=f"Cllr Jo Bloggs <{JO}>", to=f"Member Enquiries <{MAILBOX}>", cc="",
        subject="Bins not collected on Castle Road", body="The bins were missed again.",
    ))
    assert len(rows(council.app, CaseRow)) == 3


def test_a_forward_in_one_members_conversation_to_another_member_answers_theirs(
    council: Council,
) -> None:
    """Sam answers Cllr Khan's case by forwarding her ward colleague's report to her: the
    conversation is Cllr Bloggs's, but the mail is not to her, and it is to another member;
    it is read as a new mail to Cllr Khan (her one open case with Sam is answered)."""
    council.deliver(council.mail(f"Cllr Ali Khan <{ALI}>", "Potholes in Harbour ward",
                                 "Several potholes near the school.", cc=SAM))
    council.left()
    assert council.deliver(_outlook(
        to=f"Cllr Ali Khan <{ALI}>", subject="FW: Pothole on Castle Road",
        body="Dear Cllr Khan,\r\n\r\nThe crew does both roads on Friday.",
    )) == []
    assert _statuses(council) == {
        "MB-2026-00001": "open", "MB-2026-00002": "open", "MB-2026-00003": "responded",
    }
    assert council.events("officer note") == []
