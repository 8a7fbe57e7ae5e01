"""An officer answered a councillor from their own mailbox without copying the shared
one, and the councillor's thank-you goes to both ("Re: ..." in that thread). mailbot has no
case for the thread, but a thank-you is not an enquiry: it opens no case, so the member is
not told "Thank you for your enquiry ... will respond by" and no officer gets a case with
a clock. A new mail whose ask is in its subject, signed "Thanks", is still an enquiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, council_with_sam, rows

from mailbot.store.tables import CaseRow, MessageRow

SENT = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
READ = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
SAMS_ANSWER = "<sam-answer@wiltshire.gov.uk>"
# Outlook's reply: the thanks, then the officer's answer under a From/Sent block.
OUTLOOK_HISTORY = (
    "\r\n\r\nFrom: Sam Patel <sam@wiltshire.gov.uk>\r\n"
    "Sent: 20 November 2026 10:00\r\n"
    "To: Bloggs, Jo (Cllr) <jo@wiltshire.gov.uk>\r\n"
    "Subject: RE: Pothole outside 14 Mill Lane\r\n\r\n"
    "Dear Cllr Bloggs, the pothole was repaired this morning.\r\nSam\r\n"
)


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        yield it


@pytest.mark.parametrize("thanks", [
    "Thanks Sam, much appreciated.\r\n\r\nJo",
    "Thank you\r\n\r\nSent from my iPhone",
])
def test_thanks_in_a_thread_mailbot_never_saw_opens_no_case(
    wiltshire: Council, thanks: str
) -> None:
    raw = wiltshire.mail(JO, "RE: Pothole outside 14 Mill Lane", thanks + OUTLOOK_HISTORY,
                         in_reply_to=SAMS_ANSWER, date=SENT)

    assert wiltshire.deliver(raw, READ) == []

    assert rows(wiltshire.app, CaseRow) == []
    [message] = rows(wiltshire.app, MessageRow)
    assert message.status == "ignored"
    assert "thank" in message.reason


@pytest.mark.parametrize(("subject", "body", "in_reply_to"), [
    # The ask is the subject; "Thanks" is the sign-off.
    ("Bins not collected on Oak Road again", "Thanks\r\n\r\nJo", ""),
    # More than thanks, in the thread mailbot never saw.
    ("RE: Pothole outside 14 Mill Lane",
     "Thanks Sam. Could you also look at the drain outside number 9?", SAMS_ANSWER),
])
def test_an_ask_is_still_an_enquiry(
    wiltshire: Council, subject: str, body: str, in_reply_to: str
) -> None:
    raw = wiltshire.mail(JO, subject, body, in_reply_to=in_reply_to, date=SENT)

    left = wiltshire.deliver(raw, READ)

    assert sorted(str(m["To"]) for m in left) == ["jo@wiltshire.gov.uk", "sam@wiltshire.gov.uk"]
    assert [case.kind for case in rows(wiltshire.app, CaseRow)] == ["enquiry"]


def test_thanks_over_an_attached_photo_is_still_an_enquiry(wiltshire: Council) -> None:
    """'Thanks!' over a photo is the file's covering note: the file is the message."""
    raw = (
        f"From: {JO}\r\nTo: {wiltshire.mailbox}\r\nSubject: RE: Pothole outside 14 Mill Lane\r\n"
        "Date: Mon, 23 Nov 2026 09:12:00 +0000\r\nMessage-ID: <photo@wiltshire.gov.uk>\r\n"
        f"In-Reply-To: {SAMS_ANSWER}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n"
        "--b\r\nContent-Type: image/jpeg\r\n"
        'Content-Disposition: attachment; filename="IMG_0042.jpg"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQ==\r\n--b--\r\n"
    ).encode()

    left = wiltshire.deliver(raw, READ)

    assert len(left) == 2
    assert len(rows(wiltshire.app, CaseRow)) == 1


def test_thanks_to_a_resident_with_the_mailbox_copied_is_still_an_enquiry(
    wiltshire: Council,
) -> None:
    """The councillor answers a resident's mail ("Thanks Pat, I'll pass this on") and
    copies the shared mailbox so that officers act on it: the resident's words below are
    the enquiry."""
    resident = (
        "\r\n\r\nFrom: Pat Resident <pat.resident@example.net>\r\n"
        "Sent: 22 November 2026 21:00\r\nTo: Bloggs, Jo (Cllr) <jo@wiltshire.gov.uk>\r\n"
        "Subject: Noise from the pub\r\n\r\n"
        "Dear Cllr Bloggs, the Red Lion plays loud music until 2am every weekend.\r\n"
    )
    raw = wiltshire.mail(JO, "RE: Noise from the pub", "Thanks Pat, I'll pass this on." + resident,
                         cc=wiltshire.mailbox, in_reply_to="<pat@example.net>", date=SENT)
    to_pat = b"To: Pat Resident <pat.resident@example.net>"
    raw = raw.replace(f"To: {wiltshire.mailbox}".encode(), to_pat, 1)

    left = wiltshire.deliver(raw, READ)

    assert sorted(str(m["To"]) for m in left) == ["jo@wiltshire.gov.uk", "sam@wiltshire.gov.uk"]
    assert len(rows(wiltshire.app, CaseRow)) == 1
