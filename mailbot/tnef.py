"""The text inside Outlook's winmail.dat (application/ms-tnef).

Outlook sends "Rich Text" mail to some servers as TNEF: the letter itself is inside the
winmail.dat attachment, often only as compressed RTF, and mail clients other than Outlook
show an empty message. tnefparse reads the TNEF structure, unpack_rtf unpacks the RTF
and striprtf turns it into text (including Outlook's HTML-in-RTF). The RTF read for one
mail, in all its winmail.dat and .msg attachments, comes from one RtfBudget.

Never raises: a winmail.dat that cannot be read gives "", and the officer is told to
open the original (mailbot.body.body_note).
"""

from __future__ import annotations

import contextlib
import logging
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from compressed_rtf.compressed_rtf import INIT_DICT, INIT_DICT_SIZE, MAX_DICT_SIZE
from striprtf.striprtf import rtf_to_text
from tnefparse import TNEF
from tnefparse.mapi import decode_mapi

# A broken winmail.dat is the sender's problem, not an error of ours: we note it ourselves.
logging.getLogger("tnefparse").setLevel(logging.CRITICAL)

MAX_TNEF_BYTES = 20_000_000  # a winmail.dat with large attachments still has a small body
MAX_OBJECTS = 200  # attributes before the first attachment; a letter has about twenty
# Compressed or not, for one RTF body and for all of one mail's together: a human letter
# in RTF is far smaller. striprtf takes most of a second to read a megabyte.
MAX_RTF_BYTES = 1_000_000
_SIGNATURE = 0x223E9F78
_HEADER = 6  # signature (4) and key (2)
_OBJECT_OVERHEAD = 11  # level (1), id (4), length (4), checksum (2)
_ATTACHMENT_LEVEL = 2


@dataclass(frozen=True)
class Winmail:
    text: str  # the letter, or "" if it cannot be read
    # Outlook's item class: "IPM.Note" for a letter, "IPM.Schedule.Meeting.Request" for a
    # meeting request, "REPORT.IPM.Note.IPNRN" for a read receipt ...; "" if unknown
    message_class: str
    # False if this is not a winmail.dat mailbot can read (broken, too large, not TNEF):
    # whatever it holds is missing from the text, and the officer is told which file.
    readable: bool = True
    # Emails attached inside the winmail.dat (a saved .eml or .msg, or an Outlook item
    # embedded as a message), by name: mailbot does not open them, so the officer is told.
    attached_mail: tuple[str, ...] = ()
    # True if the letter is RTF and more of it than the mail's RtfBudget had left: it was
    # read only in part (the text ends with "…") or not at all, so the officer is told.
    rtf_cut_short: bool = False


UNREADABLE_WINMAIL = Winmail("", "", readable=False)


class RtfBudget:
    """What is left of MAX_RTF_BYTES, the RTF read for one mail. Every RTF body in it (its
    own winmail.dat, those in the mail it passes on, the .msg items attached) is read from
    this one allowance, in the order read, so six bombs in one mail cost what one does."""

    def __init__(self, left: int = MAX_RTF_BYTES) -> None:
        self.left = left


@dataclass(frozen=True)
class BodyText:
    """An Outlook item's body as text: plain, HTML as text, or RTF as text."""

    text: str  # "" if there is none, it cannot be read, or no RTF was left to read it
    rtf_cut_short: bool = False  # more RTF than was left to read: read in part, or not at all


def read_winmail(
    data: bytes, html_to_text: Callable[[str], str], budget: RtfBudget, *, with_text: bool = True
) -> Winmail:
    """The body of the message in a winmail.dat (plain, else HTML as text, else RTF as
    text from `budget`; not read unless `with_text`) and what kind of Outlook item it is."""
    try:
        message = _message_part(data)
        if not message:
            return UNREADABLE_WINMAIL
        tnef = TNEF(message, do_checksum=False)
    except Exception:  # noqa: BLE001 - any malformed winmail.dat: no text, and the note says so
        return UNREADABLE_WINMAIL
    attached = _attached_mail(data, len(message))
    body = _body(tnef, html_to_text, budget) if with_text else BodyText("")
    return Winmail(body.text, _message_class(tnef), attached_mail=attached,
                   rtf_cut_short=body.rtf_cut_short)


def tnef_text(data: bytes, html_to_text: Callable[[str], str]) -> str:
    """The letter in a winmail.dat read on its own, as the only one in its mail."""
    return read_winmail(data, html_to_text, RtfBudget()).text


def _body(tnef: TNEF, html_to_text: Callable[[str], str], budget: RtfBudget) -> BodyText:
    try:
        if tnef.body:
            return BodyText(_text(tnef.body))
        if tnef.htmlbody:
            return BodyText(html_to_text(_text(tnef.htmlbody)))
        # The raw property: the public rtfbody decompresses without a size limit.
        compressed = tnef._rtfbody
    except Exception:  # noqa: BLE001 - a broken body property: no text, and the note says so
        return BodyText("")
    if not isinstance(compressed, bytes):
        return BodyText("")
    return compressed_rtf_text(compressed, budget)


def compressed_rtf_text(compressed: bytes, budget: RtfBudget) -> BodyText:
    """Outlook's compressed RTF (PR_RTF_COMPRESSED, in winmail.dat or a .msg file) as text,
    including the HTML Outlook wraps in RTF, read as far as `budget` has left and taken
    from it. Both the compressed size and the RTF unpacked are bounded, so the work is
    too. RTF past what was left is not read, and the text says so (rtf_cut_short, "…")."""
    if not compressed:
        return BodyText("")
    allowed = min(MAX_RTF_BYTES, budget.left)
    if len(compressed) > MAX_RTF_BYTES or allowed <= 0:
        return BodyText("", rtf_cut_short=True)
    try:  # one byte more than is read, to know whether there is more
        rtf = unpack_rtf(compressed + b"\x00", allowed + 1)  # as tnefparse passes it
    except Exception:  # noqa: BLE001 - not compressed RTF: no text
        return BodyText("")
    budget.left -= min(len(rtf), allowed)
    cut_short = len(rtf) > allowed
    try:
        text = str(rtf_to_text(rtf[:allowed].decode("cp1252", "replace"), errors="replace"))
    except Exception:  # noqa: BLE001 - broken RTF or the like: no text
        return BodyText("", cut_short)
    return BodyText(text.rstrip() + "…" if cut_short and text.strip() else text, cut_short)


_RTF_HEADER = struct.Struct("<II4sI")  # compressed size, raw size, kind, CRC


def unpack_rtf(data: bytes, limit: int) -> bytes:
    """The first `limit` bytes of compressed RTF unpacked (MS-OXRTFCP), stopping there.
    compressed_rtf.decompress unpacks all of it first: a crafted megabyte, each two bytes
    saying "copy 17", becomes 8 MB and costs a second and a half of pure Python, though
    only the first megabyte is read. Raises ValueError for what is not compressed RTF."""
    if len(data) < _RTF_HEADER.size:
        raise ValueError("compressed RTF: shorter than its header")
    size, _raw_size, kind, crc = _RTF_HEADER.unpack_from(data)
    body = data[_RTF_HEADER.size : _RTF_HEADER.size + max(size - 12, 0)]
    if kind == b"MELA":  # stored uncompressed
        return body[:limit]
    # The CRC is CRC-32 without zlib's initial and final inversion.
    if kind != b"LZFu" or zlib.crc32(body, 0xFFFFFFFF) ^ 0xFFFFFFFF != crc:
        raise ValueError("compressed RTF: not LZFu, or its CRC does not match")
    window = bytearray(INIT_DICT + b" " * (MAX_DICT_SIZE - INIT_DICT_SIZE))
    write, out, i = INIT_DICT_SIZE, bytearray(), 0
    while i < len(body) and len(out) < limit:
        control, i = body[i], i + 1
        for bit in range(8):
            if not control & (1 << bit):  # a literal byte
                if i >= len(body):
                    break
                out.append(body[i])
                window[write], write, i = body[i], (write + 1) % MAX_DICT_SIZE, i + 1
                continue
            if i + 2 > len(body):
                break
            token, i = (body[i] << 8) | body[i + 1], i + 2
            offset = token >> 4
            if offset == write:  # the end marker
                return bytes(out[:limit])
            write = _copy(window, offset, write, (token & 0xF) + 2, out)
    return bytes(out[:limit])


def _copy(window: bytearray, offset: int, write: int, length: int, out: bytearray) -> int:
    """Copy `length` bytes from the window at `offset` to its end at `write` and to `out`;
    the new end. A run that neither wraps nor overlaps what it writes is one slice; one
    that does is copied a byte at a time, each byte read after the one before is written."""
    end = offset + length
    if end <= MAX_DICT_SIZE and write + length <= MAX_DICT_SIZE and (
        end <= write or write + length <= offset
    ):
        run = window[offset:end]
        window[write : write + length] = run
        out += run
        return (write + length) % MAX_DICT_SIZE
    for step in range(length):
        char = window[(offset + step) % MAX_DICT_SIZE]
        out.append(char)
        window[write], write = char, (write + 1) % MAX_DICT_SIZE
    return write


_ATT_MESSAGE_CLASS = 0x8008
_PR_MESSAGE_CLASS = 0x001A


def _message_class(tnef: TNEF) -> str:
    found = [o.data for o in tnef.msgprops if o.name == _ATT_MESSAGE_CLASS]
    with contextlib.suppress(Exception):  # an odd property value: look no further
        found += [p.data for p in tnef.mapiprops if p.name == _PR_MESSAGE_CLASS]
    for value in found:
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00 ")
    return ""


def _message_part(data: bytes) -> bytes:
    """The TNEF stream up to its first attachment: the message's own attributes, where the
    body is. Walking the object headers first bounds the work: the parser copies the rest
    of the stream for every object it reads, so a stream of many tiny objects would take
    hours. Empty if this is not TNEF or has too many objects."""
    if len(data) > MAX_TNEF_BYTES or len(data) < _HEADER + _OBJECT_OVERHEAD:
        return b""
    if struct.unpack_from("<I", data, 0)[0] != _SIGNATURE:
        return b""
    offset, count = _HEADER, 0
    while offset + _OBJECT_OVERHEAD <= len(data):
        if data[offset] == _ATTACHMENT_LEVEL:
            break
        count += 1
        if count > MAX_OBJECTS:
            return b""
        length = struct.unpack_from("<I", data, offset + 5)[0]
        offset += _OBJECT_OVERHEAD + length
    return data[: min(offset, len(data))]


MAX_ATTACHMENT_OBJECTS = 2_000  # after the message's own: about six per attachment
_ATT_ATTACH_REND_DATA = 0x9002  # the first object of each attachment
_ATT_ATTACH_TITLE = 0x8010  # its file name
_ATT_ATTACHMENT = 0x9005  # its MAPI properties
_PR_ATTACH_METHOD = 0x3705
_ATTACH_EMBEDDED_MSG = 5  # an Outlook item attached as an item, not as a file
_MAIL_FILES = (".eml", ".msg")


def _attached_mail(data: bytes, offset: int) -> tuple[str, ...]:
    """The names of the emails attached inside the TNEF stream, from `offset` (where its
    attachments begin). Only object headers are walked, and at most MAX_ATTACHMENT_OBJECTS
    of them, so a stream of many tiny objects costs no more than the message part does."""
    attachments: list[tuple[str, bool]] = []  # each one's title, and if embedded as an item
    for _ in range(MAX_ATTACHMENT_OBJECTS):
        if offset + _OBJECT_OVERHEAD > len(data):
            break
        level, name = data[offset], struct.unpack_from("<H", data, offset + 1)[0]
        length = struct.unpack_from("<I", data, offset + 5)[0]
        value = data[offset + 9 : offset + 9 + length]
        offset += _OBJECT_OVERHEAD + length
        if level != _ATTACHMENT_LEVEL:
            continue
        if name == _ATT_ATTACH_REND_DATA:
            attachments.append(("", False))
        elif attachments and name == _ATT_ATTACH_TITLE:
            title = value.split(b"\0")[0].decode("cp1252", "replace").strip()
            attachments[-1] = (title, attachments[-1][1])
        elif attachments and name == _ATT_ATTACHMENT:
            embedded = _attach_method(value) == _ATTACH_EMBEDDED_MSG
            attachments[-1] = (attachments[-1][0], embedded)
    return tuple(t for t, embedded in attachments if embedded or t.lower().endswith(_MAIL_FILES))


def _attach_method(properties: bytes) -> int | None:
    """PR_ATTACH_METHOD from an attachment's MAPI properties, None if absent or unreadable."""
    try:
        for prop in decode_mapi(properties):
            if prop.name == _PR_ATTACH_METHOD and isinstance(prop.data, int):
                return prop.data
    except Exception:  # noqa: BLE001 - broken properties: not known to be an email
        return None
    return None


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8").replace("\x00", "")
        except UnicodeDecodeError:
            return value.decode("cp1252", "replace").replace("\x00", "")
    return ""
