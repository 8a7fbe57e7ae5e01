"""An officer forwarding a member's mail from Outlook when the member wrote from Gmail or a
phone: the forward names neither the member's Message-ID nor the case's [MB-] reference,
and, the member's mail having no Thread-Index, Outlook starts a conversation of its own.
What ties it to the case is what it forwards: the member's mail, under its own From: line.

What is checked is the case rows, the timeline and what left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, rows

from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@gmail.com"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
HEDGE = ("The hedge outside 14 Elm Road has grown right across the pavement and people "
         "with buggies are walking in the road. Could it be cut back please?")


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    """Cllr Bloggs's hedge enquiry, sent from her phone's Gmail, is open with Sam."""
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        made.deliver(made.mail(f"Jo Bloggs <{JO}>", "Hedge on Elm Road",
                               f"{HEDGE}\r\n\r\nJo\r\n\r\nSent from my iPhone", cc=SAM))
        made.left()
        yield made


def _forward(*, to: str = f"Lee Wong <{LEE}>", subject: str = "FW: Hedge on Elm Road",
             quoted_from: str = f"Jo Bloggs <{JO}>", words: str = HEDGE) -> bytes:
    """Sam's Outlook forward of the member's mail, with the shared mailbox copied."""
    headers = [
        f'From: "Patel, Sam" <{SAM}>', f"To: {to}", f"Cc: Member Enquiries <{MAILBOX}>",
        f"Subject: {subject}", "Date: Wed, 25 Nov 2026 11:30:00 +0000",
        "Message-ID: <LO4P265MB7777FW01@LO4P265MB7777.GBRP265.PROD.OUTLOOK.COM>",
        "Thread-Topic: Hedge on Elm Road",
        "Thread-Index: AdtfCxssnz5KW2x9jp+gscLT5PUGFw==",  # Outlook's own new conversation
        *PLAIN_UTF8,
    ]
    body = (
        "Lee, this one is on your patch - can you arrange the cut?\r\n\r\nSam\r\n\r\n"
        f"From: {quoted_from}\r\nSent: 23 November 2026 09:12\r\n"
        f"To: Member Enquiries <{MAILBOX}>\r\nCc: Patel, Sam <{SAM}>\r\n"
        "Subject: Hedge on Elm Road\r\n\r\n"
        f"{words}\r\n\r\nJo\r\n\r\nSent from my iPhone\r\n"
    )
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def _forward_row(council: Council) -> MessageRow:
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains("FW01"))
    return row


@pytest.mark.parametrize("quoted_from", [f"Jo Bloggs <{JO}>", "Cllr Jo Bloggs"])
def test_a_forward_of_the_members_mail_stays_on_its_case(
    council: Council, quoted_from: str
) -> None:
    # Before: the forward opened a second case, in Sam's name, in triage.
    out = council.deliver(_forward(quoted_from=quoted_from))
    [case] = rows(council.app, CaseRow)
    assert case.status == "open"
    assert _forward_row(council).case_id == case.id
    assert "this one is on your patch" in council.events("officer note")[0].detail
    assert [m["To"] for m in out] == [SAM]  # how to pass the case on or close it


def test_a_forward_with_other_words_under_the_same_subject_is_another_matter(
    council: Council,
) -> None:
    council.deliver(_forward(words="The hedge by the school on Elm Road needs cutting too."))
    assert len(rows(council.app, CaseRow)) == 2


def test_a_forward_of_someone_elses_mail_under_the_same_subject_is_another_matter(
    council: Council,
) -> None:
    council.deliver(_forward(quoted_from="Pat Resident <pat@example.net>"))
    assert len(rows(council.app, CaseRow)) == 2
