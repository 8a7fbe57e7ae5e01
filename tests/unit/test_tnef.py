"""Outlook's winmail.dat: the letter inside it is what the officer reads and what the
classifier judges; a winmail.dat that cannot be read leaves a note instead, quickly."""

from __future__ import annotations

import base64
import struct
import time

import pytest
from compressed_rtf import compress
from helpers import SAM, AppFactory, body_text, eml, rows, run, sent_to

from mailbot.model import ParsedMessage
from mailbot.parse import OUTLOOK_ONLY, body_note, html_to_text, parse_message
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
    return struct.pack("<IH", 0x223E9F78, 0x0B2C) + _object(
        1, 0x9006, 0x0008, struct.pack("<I", 0x00010000)
    ) + b"".join(objects)


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
     "Please look at the **pothole**."),
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
