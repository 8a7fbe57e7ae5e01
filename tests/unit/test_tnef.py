"""Outlook's winmail.dat: the letter inside it is what the officer reads and what the
classifier judges; a winmail.dat that cannot be read leaves a note instead, quickly."""

from __future__ import annotations

import base64
import struct
import time
import zlib

import pytest
from compressed_rtf import compress
from helpers import SAM, AppFactory, body_text, eml, rows, run, sent_to

from mailbot.body import OUTLOOK_ONLY, body_note
from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message
from mailbot.plaintext import html_to_text
from mailbot.store.tables import CaseRow
from mailbot.tnef import tnef_text

WINMAIL_ONLY = "member_outlook_rich_text_winmail_dat_only.eml"


def _object(level: int, name: int, kind: int, data: bytes) -> bytes:
    header = struct.pack("<BHHI", level, name, kind, len(data))
    return header + data + struct.pack("<H", sum(data) & 0xFFFF)


def _mapi(prop_type: int, prop_id: int, payload: bytes) -> bytes:
    """attMAPIProps holding one property."""
    padding = b"\0" * (-len(payload) % 4)
    prop = struct.pack("<HHII", prop_type, prop_id, 1, len(payload)) + payload + padding
    return _object(1, 0x9003, 0x0006, struct.pack("<I", 1) + prop)


def winmail(*objects: bytes) -> bytes:
    """A TNEF stream as Outlook starts one: version, then the OEM code page (1252)."""
    version = _object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    codepage = _object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    return struct.pack("<IH", 0x223E9F78, 0x0B2C) + version + codepage + b"".join(objects)


HTML_IN_RTF = (
    r"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}"
    r"{\*\htmltag19 <html>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 "
    r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Could someone check the drains on Bryn Road?"
    r"\htmlrtf\par}\htmlrtf0{\*\htmltag72 </p>}"
    r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Diolch yn fawr \'96 Rhian\htmlrtf\par}\htmlrtf0"
    r"{\*\htmltag72 </p>}{\*\htmltag58 </body>}}"
)


@pytest.mark.parametrize(("data", "expected"), [
    (winmail(_mapi(0x0102, 0x1009, compress(HTML_IN_RTF.encode("ascii")))),
     "Could someone check the drains on Bryn Road?\nDiolch yn fawr – Rhian"),
    (winmail(_mapi(0x001F, 0x1000, "Mae'r golau stryd wedi torri.\0".encode("utf-16-le"))),
     "Mae'r golau stryd wedi torri."),
    (winmail(_mapi(0x0102, 0x1013, b"<p>Please look at the <b>pothole</b>.</p>")),
     "Please look at the pothole."),
])
def test_the_body_is_read_from_rtf_plain_or_html(data: bytes, expected: str) -> None:
    assert tnef_text(data, html_to_text).strip() == expected


@pytest.mark.parametrize(("what", "data"), [
    ("not TNEF at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    ("cut short", winmail(_mapi(0x0102, 0x1009, compress(HTML_IN_RTF.encode())))[:40]),
    ("garbage compressed RTF", winmail(_mapi(0x0102, 0x1009, b"LZFu" + b"\xff" * 40))),
    # 20 MB of empty objects: the parser copies the rest of the stream for each one, which
    # would take a quarter of an hour
    ("a stream of tiny objects", winmail(*[_object(1, 0x7777, 0x0002, b"")] * 1_800_000)),
])
def test_a_winmail_dat_that_cannot_be_read_gives_no_text_quickly(what: str, data: bytes) -> None:
    started = time.monotonic()
    assert tnef_text(data, html_to_text) == "", what
    assert time.monotonic() - started < 1.0, what


def test_the_officer_reads_the_letter_inside_winmail_dat(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml(WINMAIL_ONLY))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "open"
    [(assignment, _)] = sent_to(server, SAM[1])
    text = body_text(assignment, "plain")
    assert "> The bus shelter on Mill Lane has been smashed again" in text
    assert "winmail.dat" not in text


def test_an_unreadable_winmail_dat_is_named_to_the_officer(app_factory: AppFactory) -> None:
    raw = eml(WINMAIL_ONLY)
    head, _, rest = raw.partition(b'filename="winmail.dat"\n\n')
    broken = head + b'filename="winmail.dat"\n\n' + base64.encodebytes(b"\x78\x9f\x3e\x22junk")
    broken += rest[rest.index(b"------_=_NextPart"):]
    message = parse_message(broken)
    assert isinstance(message, ParsedMessage) and body_note(message) == OUTLOOK_ONLY
    app, server = app_factory()
    server.deliver(broken)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "needs_triage"
    [(assignment, _)] = sent_to(server, SAM[1])
    text = " ".join(body_text(assignment, "plain").split())
    assert "came in Outlook's own format (an attachment called winmail.dat)" in text
    assert "Open the original in the shared mailbox" in text


def _message_class(name: str) -> bytes:
    return _object(1, 0x8008, 0x0007, name.encode("ascii") + b"\0")


def as_mail(data: bytes, subject: str, plain: str = "") -> bytes:
    """Outlook's MIME for a winmail.dat item: an optional text/plain part, then the file."""
    text_part = (
        f'------=_NextPart_001\nContent-Type: text/plain; charset="utf-8"\n\n{plain}\n'
        if plain else ""
    )
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\n"
        "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\n"
        f"Subject: {subject}\nDate: Wed, 25 Nov 2026 09:14:03 +0000\n"
        "Message-ID: <tnef-item-1@wiltshire.gov.uk>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="----=_NextPart_001"\n\n'
        f"{text_part}------=_NextPart_001\n"
        'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="winmail.dat"\n\n'
    ).encode() + base64.encodebytes(data) + b"------=_NextPart_001--\n"


@pytest.mark.parametrize(("message_class", "plain", "expected"), [
    ("IPM.Schedule.Meeting.Request", "When: 3 December 2026 19:00-20:30\nWhere: Castle Library",
     Automatic.CALENDAR),
    ("IPM.Schedule.Meeting.Resp.Pos", "", Automatic.CALENDAR),
    ("REPORT.IPM.Note.IPNRN", "", Automatic.RECEIPT),
    ("REPORT.IPM.Note.NDR", "", Automatic.BOUNCE),
])
def test_outlook_items_in_winmail_dat_are_known_for_what_they_are(
    message_class: str, plain: str, expected: Automatic
) -> None:
    """Exchange sends these as winmail.dat to some servers: with no text/calendar or report
    part, the meeting request read as a member's enquiry about the meeting."""
    body = _mapi(0x001F, 0x1000, "Castle ward surgery\0".encode("utf-16-le"))
    raw = as_mail(winmail(_message_class(message_class), body), "Castle ward surgery", plain)
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    verdict = detect_automatic(message)
    assert verdict is not None and verdict.automatic == expected


def test_an_outlook_letter_in_winmail_dat_is_not_automatic() -> None:
    body = _mapi(0x001F, 0x1000, "Could someone fix the streetlight?\0".encode("utf-16-le"))
    raw = as_mail(winmail(_message_class("IPM.Note"), body), "Streetlight")
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert detect_automatic(message) is None
    assert message.text.strip() == "Could someone fix the streetlight?"


def _expanding_rtf(size: int) -> bytes:
    """Compressed RTF of about `size` bytes in which every two bytes say "copy 17 bytes
    from the window": it unpacks to eight and a half times its size."""
    body, write = bytearray(), 207
    while len(body) < size:
        body.append(0xFF)
        for _ in range(8):
            body += struct.pack(">H", (((write + 100) % 4096) << 4) | 0xF)
            write = (write + 17) % 4096
    crc = zlib.crc32(bytes(body), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return struct.pack("<II4sI", len(body) + 12, 8_500_000, b"LZFu", crc) + bytes(body)


def test_rtf_that_unpacks_eightfold_is_read_only_as_far_as_it_is_used(
    app_factory: AppFactory,
) -> None:
    """Six such winmail.dat files in attached mail (8 MB of mail): the poll takes seconds
    (ten when each was unpacked in full)."""
    bomb = base64.encodebytes(winmail(_mapi(0x0102, 0x1009, _expanding_rtf(990_000))))
    started = time.monotonic()
    tnef_text(winmail(_mapi(0x0102, 0x1009, _expanding_rtf(990_000))), html_to_text)
    assert time.monotonic() - started < 1.0  # 1.5 s when all 8 MB were unpacked
    inner = b"".join(
        b"--I\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: r@example.net\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="W"\r\n\r\n--W\r\n'
        b"Content-Type: application/ms-tnef\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + bomb + b"--W--\r\n"
        for _ in range(3)
    )
    forwarded = b"".join(
        b"--O\r\nContent-Type: message/rfc822\r\n\r\n"
        b'From: r@example.net\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="I"\r\n\r\n'  # noqa: E501
        + inner + b"--I--\r\n"
        for _ in range(2)
    )
    raw = (
        b"From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
        b"To: memberenquiries@wiltshire.gov.uk\r\nSubject: Letters passed on\r\n"
        b"Message-ID: <rtf-bombs@example.net>\r\nDate: Wed, 25 Nov 2026 09:14:00 +0000\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="O"\r\n\r\n'
        b"--O\r\nContent-Type: text/plain\r\n\r\nPlease see these.\r\n" + forwarded + b"--O--\r\n"
    )
    app, server = app_factory()
    server.deliver(raw)
    started = time.monotonic()
    run(app)
    assert time.monotonic() - started < 5.0
    [case] = rows(app, CaseRow)
    assert case.subject == "Letters passed on"
