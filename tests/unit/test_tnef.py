"""Outlook's winmail.dat: the letter inside it is what the officer reads and what the
classifier judges; a winmail.dat that cannot be read leaves a note instead, quickly."""

from __future__ import annotations

import base64

import pytest
from compressed_rtf import compress, decompress
from helpers import JO, SAM, AppFactory, body_text, eml, rows, run, sent_to
from hostile_mail import rtf_bombs_forwarded, winmail_of_empty_objects
from tnef_file import expanding_rtf, mapi_props, message_class, rtf_letter, tnef_object, winmail

from mailbot.body import OUTLOOK_ONLY, body_note
from mailbot.loops import detect_automatic
from mailbot.model import Automatic, NotRead, ParsedMessage, UnreadAttachment
from mailbot.parse import parse_message
from mailbot.plaintext import html_to_text
from mailbot.store.tables import CaseRow
from mailbot.tnef import (
    MAX_RTF_BYTES,
    BodyText,
    RtfBudget,
    compressed_rtf_text,
    tnef_text,
    unpack_rtf,
)

WINMAIL_ONLY = "member_outlook_rich_text_winmail_dat_only.eml"


HTML_IN_RTF = (
    r"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}"
    r"{\*\htmltag19 <html>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 "
    r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Could someone check the drains on Bryn Road?"
    r"\htmlrtf\par}\htmlrtf0{\*\htmltag72 </p>}"
    r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Diolch yn fawr \'96 Rhian\htmlrtf\par}\htmlrtf0"
    r"{\*\htmltag72 </p>}{\*\htmltag58 </body>}}"
)


@pytest.mark.parametrize(("data", "expected"), [
    (winmail(mapi_props(0x0102, 0x1009, compress(HTML_IN_RTF.encode("ascii")))),
     "Could someone check the drains on Bryn Road?\nDiolch yn fawr – Rhian"),
    (winmail(mapi_props(0x001F, 0x1000, "Mae'r golau stryd wedi torri.\0".encode("utf-16-le"))),
     "Mae'r golau stryd wedi torri."),
    (winmail(mapi_props(0x0102, 0x1013, b"<p>Please look at the <b>pothole</b>.</p>")),
     "Please look at the pothole."),
])
def test_the_body_is_read_from_rtf_plain_or_html(data: bytes, expected: str) -> None:
    assert tnef_text(data, html_to_text).strip() == expected


@pytest.mark.parametrize(("what", "data"), [
    ("not TNEF at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    ("cut short", winmail(mapi_props(0x0102, 0x1009, compress(HTML_IN_RTF.encode())))[:40]),
    ("garbage compressed RTF", winmail(mapi_props(0x0102, 0x1009, b"LZFu" + b"\xff" * 40))),
    # bench/bench_hostile_mail.py times this one: 20 MB of empty objects, for each of which
    # the parser would copy the rest of the stream (a quarter of an hour)
    ("a stream of tiny objects", winmail(*[tnef_object(1, 0x7777, 0x0002, b"")] * 1_800_000)),
])
def test_a_winmail_dat_that_cannot_be_read_gives_no_text(what: str, data: bytes) -> None:
    assert tnef_text(data, html_to_text) == "", what


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


@pytest.mark.parametrize(("item_class", "plain", "expected"), [
    ("IPM.Schedule.Meeting.Request", "When: 3 December 2026 19:00-20:30\nWhere: Castle Library",
     Automatic.CALENDAR),
    ("IPM.Schedule.Meeting.Resp.Pos", "", Automatic.CALENDAR),
    ("REPORT.IPM.Note.IPNRN", "", Automatic.RECEIPT),
    ("REPORT.IPM.Note.NDR", "", Automatic.BOUNCE),
])
def test_outlook_items_in_winmail_dat_are_known_for_what_they_are(
    item_class: str, plain: str, expected: Automatic
) -> None:
    """Exchange sends these as winmail.dat to some servers: with no text/calendar or report
    part, the meeting request read as a member's enquiry about the meeting."""
    body = mapi_props(0x001F, 0x1000, "Castle ward surgery\0".encode("utf-16-le"))
    raw = as_mail(winmail(message_class(item_class), body), "Castle ward surgery", plain)
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    verdict = detect_automatic(message)
    assert verdict is not None and verdict.automatic == expected


def test_an_outlook_letter_in_winmail_dat_is_not_automatic() -> None:
    body = mapi_props(0x001F, 0x1000, "Could someone fix the streetlight?\0".encode("utf-16-le"))
    raw = as_mail(winmail(message_class("IPM.Note"), body), "Streetlight")
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert detect_automatic(message) is None
    assert message.text.strip() == "Could someone fix the streetlight?"


def test_compressed_rtf_is_unpacked_only_as_far_as_it_is_read() -> None:
    """A megabyte in which every two bytes say "copy 17 bytes": 8.5 MB if unpacked in full."""
    bomb = expanding_rtf(990_000)
    assert len(unpack_rtf(bomb + b"\0", MAX_RTF_BYTES)) == MAX_RTF_BYTES
    assert len(unpack_rtf(bomb + b"\0", 1000)) == 1000


def test_compressed_rtf_unpacks_as_the_reference_decoder_does() -> None:
    """Runs copied a slice at a time, and runs that overlap what they write or wrap round
    the window a byte at a time, give the bytes compressed_rtf.decompress gives."""
    words = [rb"{\rtf1", rb"\par ", b"Bryn Road ", rb"\b ", b"}", b"pothole ", b"a", b"aa"]
    for n in range(60):
        text = b"".join(words[(n * 7 + i * i) % len(words)] for i in range(40 * n + 1))
        packed = compress(text, compressed=True)
        assert unpack_rtf(packed + b"\0", 10**7) == decompress(packed) == text, n
    bomb = expanding_rtf(20_000)
    assert unpack_rtf(bomb + b"\0", 10**7) == decompress(bomb)


def test_mail_of_rtf_that_unpacks_eightfold_is_read(app_factory: AppFactory) -> None:
    """Six such winmail.dat files in attached mail (8 MB): bench/bench_hostile_mail.py times
    the poll against ordinary mail of the same size."""
    app, server = app_factory()
    server.deliver(rtf_bombs_forwarded())
    run(app)
    [case] = rows(app, CaseRow)
    assert (case.subject, case.kind, case.status) == ("Letters passed on", "enquiry", "open")
    [(acknowledgement, _)] = sent_to(server, JO[1])
    assert case.ref in str(acknowledgement["Subject"])


def test_six_rtf_bombs_in_one_mail_are_read_from_one_budget() -> None:
    """The first megabyte of the first is read, the others not at all: each is named to
    the officer as not read in full."""
    message = parse_message(rtf_bombs_forwarded())
    assert isinstance(message, ParsedMessage)
    assert message.text.startswith("Please see these.")
    assert len(message.text) <= MAX_RTF_BYTES
    not_all_read = UnreadAttachment("winmail.dat", NotRead.TOO_MUCH_RTF)
    assert message.unread_attachments == [not_all_read] * 6


def test_the_rtf_in_one_mail_is_read_from_one_budget() -> None:
    """Two letters of 400 KB are read in full, the third as far as the budget goes (its text
    ends with "…"), the fourth not at all; each past the budget says so."""
    budget = RtfBudget()
    first, second, third, fourth = (compressed_rtf_text(rtf_letter(n, 400_000), budget)
                                    for n in (1, 2, 3, 4))
    for n, letter in ((1, first), (2, second)):
        assert not letter.rtf_cut_short
        assert " ".join(letter.text.split()) == (
            f"Letter {n}: the bins on Bryn Road were not emptied. End of letter {n}.")
    assert third.rtf_cut_short and third.text.endswith("…")
    assert "Letter 3: the bins" in third.text and "End of letter 3." not in third.text
    assert fourth == BodyText("", rtf_cut_short=True)
    assert budget.left == 0


def test_an_ordinary_rtf_letter_reads_as_it_did_alone() -> None:
    """A letter far under the budget: all of it, nothing said about a limit, and the rest
    of the budget left for the mail's other letters."""
    budget = RtfBudget()
    letter = compressed_rtf_text(compress(HTML_IN_RTF.encode("ascii"), compressed=True), budget)
    assert letter.text.strip() == (
        "Could someone check the drains on Bryn Road?\nDiolch yn fawr – Rhian")
    assert not letter.rtf_cut_short
    assert budget.left == MAX_RTF_BYTES - len(HTML_IN_RTF)


def test_mail_with_a_winmail_dat_of_empty_objects_is_read(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(winmail_of_empty_objects())
    run(app)
    [case] = rows(app, CaseRow)
    assert case.subject == "Email from a resident"
    [(acknowledgement, _)] = sent_to(server, JO[1])
    assert case.ref in str(acknowledgement["Subject"])
