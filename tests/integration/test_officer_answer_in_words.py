"""An officer's real answer to the member whose words sound like a robot's: "I am out of
the office until Monday, but ...", "your enquiry has been received and logged; ...".
Nothing else about it is automatic (no Auto-Submitted, no "Automatic reply:" subject),
and it is Sam's reply to all in the member's thread, the shared mailbox copied in: a
robot answers the sender alone. It was dropped as an auto-reply or a receipt, so the
case's clock ran on and Sam was reminded of a case he had answered. Mail that says it is
automatic in its headers or subject, or that is not to the member, still is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, council_with_a_pothole, rows

from mailbot import jobs
from mailbot.store.tables import MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REMINDER_DAY = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # the Monday before the due date
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    officers = [("Sam Patel", SAM, "Highways", "", LEE), ("Lee Wong", LEE, "Highways", "", "")]
    # Cllr Bloggs's mail is <t1@test.example>
    with council_with_a_pothole(tmp_path / "council", officers) as made:
        yield made


def _sams_mail(body: str, *, subject: str = "RE: Pothole on Castle Road",
               to: str = f"Cllr Jo Bloggs <{JO}>", extra: tuple[str, ...] = ()) -> bytes:
    headers = [
        f'From: "Patel, Sam" <{SAM}>', f"To: {to}", f"Cc: Member Enquiries <{MAILBOX}>",
        f"Subject: {subject}", "Date: Wed, 25 Nov 2026 11:00:00 +0000",
        "Message-ID: <LO4P265MB9999WD01@LO4P265MB9999.GBRP265.PROD.OUTLOOK.COM>",
        "In-Reply-To: <t1@test.example>", "References: <t1@test.example>",
        "Thread-Topic: Pothole on Castle Road", "Content-Language: en-GB", *extra, *PLAIN_UTF8,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n\r\nSam Patel\r\n").encode()


def _status_of_sams_mail(council: Council) -> str:
    [row] = rows(council.app, MessageRow, MessageRow.message_id.contains("WD01"))
    return row.status


@pytest.mark.parametrize("body", [
    "Dear Cllr Bloggs,\r\n\r\nI am out of the office until Monday, but I have asked the "
    "crew to fill the pothole on Friday.",
    "Dear Cllr Bloggs,\r\n\r\nThis is to confirm that your enquiry has been received and "
    "logged. The crew will fill the pothole on Friday.",
], ids=["out of the office, but", "received and logged"])
def test_an_answer_that_sounds_automatic_is_still_the_answer(council: Council, body: str) -> None:
    assert council.deliver(_sams_mail(body)) == []
    assert _status_of_sams_mail(council) == "processed"
    case = council.case()
    assert (case.status, case.responded_at, case.officer_email) == (
        "responded", datetime(2026, 11, 25, 11, 0, tzinfo=UTC), SAM
    )
    assert [e.actor for e in council.events("responded")] == [SAM]
    jobs.send_reminders(council.app, REMINDER_DAY)
    assert council.flush(REMINDER_DAY) == []


@pytest.mark.parametrize(("subject", "to", "extra"), [
    ("RE: Pothole on Castle Road", f"Cllr Jo Bloggs <{JO}>", ("Auto-Submitted: auto-replied",)),
    ("Automatic reply: Pothole on Castle Road", f"Cllr Jo Bloggs <{JO}>", ()),
    ("RE: Pothole on Castle Road", f"Lee Wong <{LEE}>", ()),
], ids=["Auto-Submitted", "Automatic reply subject", "not to the member"])
def test_mail_that_says_it_is_automatic_or_is_not_to_the_member_still_is(
    council: Council, subject: str, to: str, extra: tuple[str, ...]
) -> None:
    council.deliver(_sams_mail(
        "I am out of the office until Monday with no access to email.",
        subject=subject, to=to, extra=extra,
    ))
    assert _status_of_sams_mail(council) == "automatic"
    assert council.case().status == "open" and council.events("responded") == []
