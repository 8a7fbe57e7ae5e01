"""Mail built to be slow to read: each kind once held a poll for seconds, minutes or hours.
The tests check that each is read correctly; bench/bench_hostile_mail.py times each through
a poll against an ordinary member email of the same size.

Every mail is from Cllr Jo Bloggs to the test council's shared mailbox (tests/helpers.py)."""

from __future__ import annotations

import base64
from collections.abc import Callable

from outlook_msg_file import compound_file, outlook_msg, outlook_msg_streams
from tnef_file import expanding_rtf, mapi_props, tnef_object, winmail

FROM_JO = (
    b"From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
    b"To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
    b"Date: Wed, 25 Nov 2026 09:14:00 +0000\r\nMIME-Version: 1.0\r\n"
)


def _mail(message_id: str, subject: str, content_type: str, body: bytes) -> bytes:
    return (
        FROM_JO
        + f"Message-ID: <{message_id}@wiltshire.gov.uk>\r\nSubject: {subject}\r\n".encode()
        + f"Content-Type: {content_type}\r\n\r\n".encode()
        + body
    )


def _with_attachment(message_id: str, ctype: str, name: str, data: bytes) -> bytes:
    parts = (
        b"--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlease see attached.\r\n"
        + f'--b1\r\nContent-Type: {ctype}; name="{name}"\r\n'.encode()
        + f'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="{name}"\r\n\r\n'.encode()  # noqa: E501
        + base64.encodebytes(data) + b"--b1--\r\n"
    )
    return _mail(message_id, "Email from a resident", 'multipart/mixed; boundary="b1"', parts)


def ordinary(size: int) -> bytes:
    """A member's plain-text enquiry of about `size` bytes: the baseline for the others."""
    line = b"The streetlight on Bryn Road has been out since Monday; could someone look?\r\n"
    body = line * (max(size - 400, len(line)) // len(line) + 1)
    return _mail("ordinary-1", "Streetlight on Bryn Road", "text/plain; charset=us-ascii", body)


def winmail_of_empty_objects() -> bytes:
    """20 MB of empty TNEF objects: the parser copies the rest of the stream for each one."""
    data = winmail(*[tnef_object(1, 0x7777, 0x0002, b"")] * 1_800_000)
    return _with_attachment("tnef-objects-1", "application/ms-tnef", "winmail.dat", data)


def rtf_bombs_forwarded() -> bytes:
    """Six winmail.dat files, each a megabyte of compressed RTF that unpacks eightfold, in
    mail attached to mail attached to the member's (8 MB)."""
    bomb = base64.encodebytes(winmail(mapi_props(0x0102, 0x1009, expanding_rtf(990_000))))
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
        b"From: r@example.net\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="I"\r\n\r\n' + inner + b"--I--\r\n"
        for _ in range(2)
    )
    note = b"--O\r\nContent-Type: text/plain\r\n\r\nPlease see these.\r\n"
    body = note + forwarded + b"--O--\r\n"
    return _mail("rtf-bombs", "Letters passed on", 'multipart/mixed; boundary="O"', body)


def long_lines() -> bytes:
    """Fifty lines of 20,000 characters and one of 200,000 (the classifier's patterns)."""
    body = (("abc " * 5_000 + "\r\n") * 50 + "y" * 200_000 + "\r\n").encode()
    return _mail("long-lines-1", "abc", "text/plain; charset=us-ascii", body)


def msg_with_looping_fat() -> bytes:
    """An Outlook .msg whose first FAT sector's chains point at themselves."""
    broken = bytearray(outlook_msg(subject="Streetlight", body="The streetlight is out."))
    broken[512:1024] = b"\x01\x00\x00\x00" * 128
    return _with_attachment("msg-fat-1", "application/vnd.ms-outlook", "Streetlight.msg",
                            bytes(broken))


def msg_nested_nine_deep() -> bytes:
    """An Outlook item with an item attached, with an item attached ... nine deep."""
    item = outlook_msg_streams(subject="Level 9", body="deepest", embedded=True)
    for level in range(8, 0, -1):
        item = outlook_msg_streams(subject=f"Level {level}", body=f"text {level}",
                                   embedded=True, attached=(item,))
    top = outlook_msg(subject="Level 0", body="top", attached=(item,))
    return _with_attachment("msg-deep-1", "application/vnd.ms-outlook", "Level 0.msg", top)


def word_document_named_msg() -> bytes:
    """A compound file that is not an Outlook item (a Word document) named .msg."""
    data = compound_file({"WordDocument": b"\xec\xa5" * 3000})
    return _with_attachment("msg-word-1", "application/vnd.ms-outlook", "Report.msg", data)


def huge_html() -> bytes:
    """20 MB of newsletter-like HTML, with a photo pasted above the question as a data: URI
    (html2text alone took about 15 s)."""
    photo = "data:image/jpeg;base64," + "/9j/4AAQSkZJRgABAQ" * 200_000
    row = '<tr><td style="padding:4px"><p>Fly-tipping on <b>Castle Street</b> &amp; more.</p>'
    html = (f'<html><body><p>Photo:</p><img src="{photo}"><p>Could someone look at the '
            f'fly-tipping on Castle Street?</p><table>{row * 200_000}</table></body></html>')
    return _mail("huge-html-1", "Fly-tipping", "text/html; charset=utf-8", html.encode())


def subject_of_spaces(space: str = "\u00a0", count: int = 40_000) -> bytes:
    """A subject with a long run of Unicode spaces: the case tag patterns tried each one
    (80 KB held the poll 15 s)."""
    subject = f"Pothole{space * count}on Castle Road".encode()
    return (
        FROM_JO + b"Message-ID: <spaces-1@wiltshire.gov.uk>\r\nSubject: " + subject
        + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA deep pothole.\r\n"
    )


def nested_lists(depth: int = 16_000) -> bytes:
    """HTML lists nested thousands deep (16,000 in 128 KB took 48 s to turn into text)."""
    html = "<p>A deep pothole on Castle Road.</p>" + "<ul><li>deeper" * depth
    return _mail("lists-1", "Pothole", "text/html; charset=utf-8", html.encode())


HOSTILE: dict[str, Callable[[], bytes]] = {
    "winmail.dat of 1.8 million empty objects": winmail_of_empty_objects,
    "six RTF bombs in forwarded mail": rtf_bombs_forwarded,
    "lines of 20,000 and 200,000 characters": long_lines,
    ".msg with its FAT chains in a loop": msg_with_looping_fat,
    ".msg items attached nine deep": msg_nested_nine_deep,
    "a Word document named .msg": word_document_named_msg,
    "20 MB of HTML with a pasted photo": huge_html,
    "a subject of 40,000 no-break spaces": subject_of_spaces,
    "HTML lists nested 16,000 deep": nested_lists,
}
