"""Mail passed on as an attachment that mailbot reads (an Outlook .msg, an attached email,
winmail.dat) but cannot, under a covering note from the member: the officer's assignment
names the file and says to open the original, since the note quoted may be all they see.
Every assertion is on the assignment that left, decoded as a mail client would."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient
from outlook_msg_file import outlook_msg

from mailbot.model import ParsedMessage
from mailbot.parse import parse_message

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Siân Evans", SIAN, "Llandaf", "cy")]
OFFICERS = [("Sam Patel", SAM, "Highways", "", "")]
NOTE = "Please see the email below from a resident about the streetlight."
LETTER = "The streetlight on Bryn Road has been out for three weeks."
GOOD_MSG = outlook_msg(subject="Streetlight", body=LETTER)
RESIDENTS_MAIL = (
    "From: Pat Resident <pat@example.net>\nSubject: Streetlight\n"
    f"Date: Mon, 23 Nov 2026 08:00:00 +0000\n\n{LETTER}\n"
).encode()


def _part(headers: str, payload: bytes) -> str:
    return f"--b1\r\n{headers}\r\n\r\n{payload.decode('ascii')}\r\n"


def msg_part(item: bytes, name: str = "Streetlight.msg") -> str:
    """An Outlook item dragged into a new mail, as Outlook attaches it."""
    return _part(
        f'Content-Type: application/vnd.ms-outlook; name="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{name}"',
        base64.encodebytes(item),
    )


def rfc822_part(encoded: bytes) -> str:
    """An attached email as some gateways send it, base64 encoded (against RFC 2046)."""
    return _part(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment",
        encoded,
    )


# A gateway's size limit cut the attached email off in the middle of its base64.
CUT_RFC822 = base64.encodebytes(RESIDENTS_MAIL)[:45]


def mail(council: Council, sender: str, *parts: str, note: str = NOTE) -> bytes:
    body = _part('Content-Type: text/plain; charset="utf-8"', note.encode()) + "".join(parts)
    return council.mail(
        sender, "Streetlight on Bryn Road", body + "--b1--", cc=SAM,
        extra='MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"',
    )


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(tmp_path / "w", mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
                 threshold=0.0) as made:
        yield made


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[Council]:
    with Council(tmp_path / "c", name="Cyngor Caerdydd", policy="cardiff", mailbox=MAILBOX,
                 members=MEMBERS, officers=OFFICERS, threshold=0.0) as made:
        yield made


def assignment(council: Council, raw: bytes) -> tuple[str, str]:
    """The officer's assignment for this mail: its plain text (unwrapped) and its HTML."""
    sent = by_recipient(council.deliver(raw))[SAM]
    return " ".join(body_text(sent, "plain").split()), " ".join(body_text(sent, "html").split())


OPEN_IT = f"Open the original in the shared mailbox ({MAILBOX}) to read it."


def test_a_broken_msg_under_a_covering_note_is_named_to_the_officer(council: Council) -> None:
    text, html = assignment(council, mail(council, JO, msg_part(GOOD_MSG[: len(GOOD_MSG) // 2])))
    assert (
        'mailbot could not read the attachment "Streetlight.msg", so it is missing from this'
        " email and the member's message quoted here may be only a covering note. " + OPEN_IT
    ) in text
    assert "mailbot could not read the attachment &ldquo;Streetlight.msg&rdquo;" in html
    assert NOTE in text  # the covering note is still quoted


def test_a_cut_attached_email_is_named_and_its_base64_not_quoted(council: Council) -> None:
    text, _ = assignment(council, mail(council, JO, rfc822_part(CUT_RFC822)))
    assert "mailbot could not read an attached email, so it is missing" in text
    assert OPEN_IT in text
    assert CUT_RFC822.decode().strip()[:20] not in text  # no block of base64 for the officer


def test_what_was_read_is_quoted_and_what_was_not_is_named(council: Council) -> None:
    text, _ = assignment(council, mail(
        council, JO, msg_part(GOOD_MSG, "Good.msg"), msg_part(b"%PDF-1.7 " * 50, "Bad.msg"),
    ))
    assert LETTER in text
    assert 'mailbot could not read the attachment "Bad.msg", so it is missing' in text
    assert "Good.msg" not in text


def test_attachments_that_were_read_give_no_such_line(council: Council) -> None:
    text, _ = assignment(council, mail(
        council, JO, msg_part(GOOD_MSG), rfc822_part(base64.encodebytes(RESIDENTS_MAIL)),
    ))
    assert text.count(LETTER) == 2
    assert "could not read" not in text and "shared mailbox (" not in text


def test_the_welsh_part_names_the_attachment_too(cardiff: Council) -> None:
    text, html = assignment(cardiff, mail(
        cardiff, SIAN, rfc822_part(CUT_RFC822), msg_part(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk"),
        note="Gweler yr e-bost isod gan breswylydd.",
    ))
    assert (
        'Ni allai mailbot ddarllen e-bost atodedig, yr atodiad "Streetlight.msg", felly maen nhw'
        " ar goll o'r e-bost hwn, ac efallai mai dim ond nodyn eglurhaol yw neges yr aelod a"
        f" ddyfynnir yma. Agorwch y neges wreiddiol yn y blwch post a rennir ({MAILBOX}) i'w"
        " darllen."
    ) in text
    assert "e-bost atodedig, yr atodiad &ldquo;Streetlight.msg&rdquo;, felly maen nhw" in html
    assert (
        'mailbot could not read an attached email, the attachment "Streetlight.msg", so they'
        " are missing from this email"
    ) in text


def test_an_unreadable_winmail_dat_beside_the_text_is_named() -> None:
    raw = (
        "From: Jo <jo@council.gov.uk>\nSubject: Bins\nMessage-ID: <w@x>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain\n\nThe bins were not emptied.\n"
        "--b1\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{base64.b64encode(b'not TNEF at all').decode()}\n--b1--\n"
    ).encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.text.strip() == "The bins were not emptied."
    assert message.unread_attachments == ["winmail.dat"]
