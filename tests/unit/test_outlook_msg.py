"""An Outlook item attached as a .msg file (a resident's email a councillor dragged into a
new mail): its subject, sender, date and body are read into the message text as an
attached message's are; one that cannot be read adds nothing, quickly, and never costs
the message."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from compressed_rtf import compress
from helpers import AppFactory, body_text, eml, rows, run, sent_to
from outlook_msg_file import compound_file, outlook_msg, outlook_msg_streams

from mailbot.body import ATTACHMENTS_ONLY, body_note
from mailbot.model import ParsedMessage
from mailbot.outlook_msg import MAX_MSG_BYTES, read_outlook_item
from mailbot.parse import parse_message
from mailbot.plaintext import html_to_text
from mailbot.store.tables import CaseRow
from mailbot.tnef import RtfBudget

MSG_MAIL = "member_forwards_resident_foi_as_outlook_msg.eml"
FOI_TEAM = "foi@wiltshire.example"  # where the test council routes FOI requests
LETTER = "please provide the number of potholes on Castle Street reported to the council"


def as_mail(item: bytes, *, ctype: str = "application/vnd.ms-outlook",
            name: str = "Streetlight.msg", note: str = "Please see attached.") -> bytes:
    """How Outlook sends a mail with an item attached: the member's note, then the file."""
    note_part = (
        f'--b1\nContent-Type: text/plain; charset="us-ascii"\n\n{note}\n\n' if note else ""
    )
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\n"
        "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\n"
        "Subject: Email from a resident\nDate: Wed, 25 Nov 2026 09:14:03 +0000\n"
        "Message-ID: <msg-item-1@wiltshire.gov.uk>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        f"{note_part}--b1\n"
        f'Content-Type: {ctype}; name="{name}"\n'
        "Content-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="{name}"\n\n'
    ).encode() + base64.encodebytes(item) + b"--b1--\n"


def parsed(raw: bytes) -> ParsedMessage:
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    return message


def test_the_residents_letter_is_read_with_who_sent_it_and_when() -> None:
    message = parsed(eml(MSG_MAIL))
    assert message.text.startswith("Please see attached.")
    assert "---------- Forwarded message ----------" in message.text
    assert "From: Pat Resident <pat.resident@example.net>" in message.text
    assert "Date: Mon, 23 Nov 2026 18:40:00 +0000" in message.text
    assert "Subject: Potholes on Castle Street - request for information" in message.text
    assert LETTER in message.text
    assert body_note(message) is None


HTML_IN_RTF = (
    r"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}"
    r"{\*\htmltag19 <html>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 "
    r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 The streetlight on Bryn Road is out."
    r"\htmlrtf\par}\htmlrtf0{\*\htmltag72 </p>}{\*\htmltag58 </body>}}"
)


@pytest.mark.parametrize(("what", "item"), [
    ("plain", outlook_msg(subject="Streetlight", body="The streetlight on Bryn Road is out.")),
    ("HTML only, in the internet code page", outlook_msg(
        subject="Streetlight", html="<p>The streetlight on Bryn Road is out – 3rd time.</p>"
        .encode(), internet_codepage=65001)),
    ("RTF only", outlook_msg(subject="Streetlight",
                             rtf_compressed=compress(HTML_IN_RTF.encode("ascii")))),
    ("8-bit strings in the item's code page", outlook_msg(
        string8={0x0037: b"Streetlight", 0x1000: b"The streetlight on Bryn Road is out \x96 "
                 b"caf\xe9 side."}, codepage=1252)),
])
def test_the_body_is_read_plain_else_html_else_rtf(what: str, item: bytes) -> None:
    text = parsed(as_mail(item)).text
    assert "Subject: Streetlight" in text, what
    assert "The streetlight on Bryn Road is out" in text, what
    assert "<p>" not in text and "\\rtf" not in text, what
    assert "Ã" not in text and "â€" not in text, what  # "–" and "é" as written


def test_an_exchange_senders_x500_path_is_not_shown_as_their_address() -> None:
    item = outlook_msg(subject="Streetlight", body="Out again.", sender_name="Sam Patel",
                       sender_email="/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=SAM")
    text = parsed(as_mail(item)).text
    assert "From: Sam Patel\n" in text and "EXCHANGELABS" not in text


def test_a_msg_sent_as_a_generic_file_is_read_by_its_name() -> None:
    item = outlook_msg(subject="Streetlight", body="The streetlight on Bryn Road is out.")
    text = parsed(as_mail(item, ctype="application/octet-stream")).text
    assert "The streetlight on Bryn Road is out." in text
    # Any other file is still not read.
    other = parsed(as_mail(item, ctype="application/octet-stream", name="scan.pdf")).text
    assert "Bryn Road" not in other


GOOD = outlook_msg(subject="Streetlight", body="The streetlight on Bryn Road is out.")


def _cyclic_fat(data: bytes) -> bytes:
    """The first FAT sector's chains pointing at themselves, and a directory claiming a
    4 GB stream: read naively, a loop that never ends or eats the memory."""
    broken = bytearray(data)
    broken[512:1024] = b"\x01\x00\x00\x00" * 128
    return bytes(broken)


def _claimed_size(data: bytes, size: int) -> bytes:
    """The body stream's directory entry saying it is `size` bytes long."""
    name = "__substg1.0_1000001F".encode("utf-16-le")
    entry = data.index(name)  # directory entries start with the name
    return data[: entry + 120] + size.to_bytes(8, "little") + data[entry + 128 :]


@pytest.mark.parametrize(("what", "item"), [
    ("not a compound file", b"%PDF-1.7\n" + b"\0" * 4000),
    ("cut short", GOOD[:1500]),
    ("cut in the middle", GOOD[: len(GOOD) // 2]),
    ("garbage after the signature", GOOD[:8] + bytes(range(256)) * 40),
    ("FAT chains in a loop", _cyclic_fat(GOOD)),
    ("a stream claimed larger than the file", _claimed_size(GOOD, 0x7FFF_FFFF)),
    ("a stream claimed larger than its chain", _claimed_size(GOOD, 5000)),
    ("an empty compound file", compound_file({})),
    ("a Word document named .msg", compound_file({"WordDocument": b"\xec\xa5" * 3000})),
])
def test_what_cannot_be_read_in_a_msg_adds_nothing(what: str, item: bytes) -> None:
    """A broken file adds nothing; a broken body leaves the item's other lines
    (bench/bench_hostile_mail.py times the worst of these)."""
    message = parsed(as_mail(item))
    assert message.text.startswith("Please see attached."), what
    assert "Bryn Road" not in message.text, what


def test_a_msg_larger_than_any_item_is_not_opened() -> None:
    huge = GOOD + b"\0" * MAX_MSG_BYTES
    assert read_outlook_item(huge, html_to_text, lambda data, _: "", RtfBudget()) is None


@pytest.mark.parametrize("item", [
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk",
    compound_file({"WordDocument": b"\xec\xa5" * 3000}),  # read, but not an Outlook item
])
def test_an_unreadable_msg_alone_is_named_as_an_attachment_to_the_officer(item: bytes) -> None:
    message = parsed(as_mail(item, note=""))
    assert message.text == "" and body_note(message) == ATTACHMENTS_ONLY


def test_the_date_and_sender_come_from_the_item_itself() -> None:
    item = outlook_msg(subject="Bins", body="Not emptied.", sender_name="Pat Resident",
                       sender_smtp="pat@example.net",
                       sent=datetime(2026, 11, 2, 7, 5, tzinfo=UTC))
    decode = lambda data, _: data.decode("cp1252")  # noqa: E731
    found = read_outlook_item(item, html_to_text, decode, RtfBudget())
    assert found is not None
    assert (found.sender, found.sent, found.text) == (
        "Pat Resident <pat@example.net>", datetime(2026, 11, 2, 7, 5, tzinfo=UTC), "Not emptied."
    )


def test_the_officer_reads_the_residents_words_and_the_case_is_an_foi(
    app_factory: AppFactory,
) -> None:
    """The member's own note says only "Please see attached."; the resident's letter inside
    the .msg is a Freedom of Information request, and the officer must see it."""
    app, server = app_factory()
    server.deliver(eml(MSG_MAIL))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.kind == "foi"
    [(assignment, _)] = sent_to(server, FOI_TEAM)
    text = " ".join(body_text(assignment, "plain").split())
    assert "> From: Pat Resident <pat.resident@example.net>" in text
    assert LETTER in text
    assert "shared mailbox (" not in text  # no "open the original" note: it was read


def test_an_item_attached_to_the_item_is_read_too() -> None:
    """A colleague's email with the resident's email attached to it, saved as one .msg."""
    resident = outlook_msg_streams(
        subject="Bins on Mill Lane", sender_name="Pat Resident",
        sender_smtp="pat.resident@example.net", body="The bins were missed again.",
        embedded=True,
    )
    colleague = outlook_msg(
        subject="FW: Bins on Mill Lane", sender_name="Cllr Ann Other",
        sender_smtp="ann.other@wiltshire.gov.uk", body="Jo, this is one for your ward.",
        attached=(resident,),
    )
    text = parsed(as_mail(colleague)).text
    first = text.index("From: Cllr Ann Other <ann.other@wiltshire.gov.uk>")
    second = text.index("From: Pat Resident <pat.resident@example.net>")
    assert first < text.index("Jo, this is one for your ward.") < second
    assert text.index("Subject: Bins on Mill Lane") > second
    assert text.rstrip().endswith("The bins were missed again.")


def test_items_attached_in_a_loop_of_depth_are_read_only_a_few_deep() -> None:
    item = outlook_msg_streams(subject="Level 9", body="deepest", embedded=True)
    for level in range(8, 0, -1):
        item = outlook_msg_streams(subject=f"Level {level}", body=f"text {level}",
                                   embedded=True, attached=(item,))
    text = parsed(as_mail(outlook_msg(subject="Level 0", body="top", attached=(item,)))).text
    assert "Subject: Level 0" in text and "Subject: Level 2" in text
    assert "Subject: Level 3" not in text
