"""The letter inside an Outlook item saved as a .msg file and attached to a mail.

Councillors pass a resident's email on by dragging it from Outlook into a new mail: it
travels as a .msg attachment (application/vnd.ms-outlook, or application/octet-stream
with a .msg name), an OLE2 compound file whose MAPI properties are each a stream named
__substg1.0_<property id><type>. olefile reads the compound file; the few properties a
reader needs (subject, sender, date, body) are read here.

Never raises: an item that cannot be read gives None and the message is read without it.
The work is bounded by the size of the file: olefile is made strict, so a sector chain
longer than its stream, a stream claimed larger than the file or two streams sharing
sectors stop the read instead of going round a loop.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import olefile

from mailbot.model import NotRead
from mailbot.tnef import BodyText, RtfBudget, compressed_rtf_text

# A broken .msg is the sender's problem, not an error of ours: it just adds no text.
logging.getLogger("olefile").setLevel(logging.CRITICAL)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# As large as an item attached to a mail a server accepts (35 MB as base64): only the small
# streams with the text are read, so an item's photos cost almost nothing.
MAX_MSG_BYTES = 30_000_000
MAX_TEXT_STREAM_BYTES = 4_000_000  # one property read; the text kept is much less
# All properties read from one file, attached items included: streams can share sectors,
# so the file's size alone does not bound what reading them costs.
MAX_READ_BYTES = 8_000_000
MAX_TEXT_CHARS = 200_000
MAX_HEADER_CHARS = 500

# MAPI property ids (MS-OXPROPS) and types (MS-OXCDATA).
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065
PR_SENDER_NAME = 0x0C1A
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_BODY = 0x1000
PR_RTF_COMPRESSED = 0x1009
PR_HTML = 0x1013
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02
PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_STRING8 = 0x001E  # 8-bit, in the item's code page
PT_UNICODE = 0x001F  # UTF-16LE
PT_BINARY = 0x0102

_PROPERTIES = "__properties_version1.0"
_TOP_LEVEL_HEADER = 32  # reserved (8), next ids (8), counts (8), reserved (8)
_EMBEDDED_HEADER = 24  # an attached item's: the same without the last reserved 8
_ATTACHMENT_PREFIX = "__attach_version1.0_#"
STORAGE = olefile.STGTY_STORAGE
_EMBEDDED_ITEM = "__substg1.0_3701000D"  # PR_ATTACH_DATA_OBJ holding an attached item
MAX_ATTACHED_ITEMS = 5  # attached items read per item
MAX_ITEM_DEPTH = 3  # an item attached to an item attached to ...: the first few say enough
_ENTRY = 16  # tag (4), flags (4), value (8)
_MAX_ENTRIES = 10_000
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

# Windows code page numbers as the names Python's codecs know.
_CODE_PAGES = {
    65001: "utf-8", 1200: "utf-16-le", 20127: "ascii", 28591: "iso-8859-1",
    28592: "iso-8859-2", 28605: "iso-8859-15", 50220: "iso-2022-jp", 51932: "euc-jp",
    936: "gbk", 54936: "gb18030", 20866: "koi8-r", 21866: "koi8-u",
}

Decode = Callable[[bytes, "str | None"], str]


@dataclass(frozen=True)
class OutlookItem:
    subject: str
    sender: str  # "Name <address>", the address alone, the name alone, or ""
    sent: datetime | None
    text: str  # the body: plain, else HTML as text, else RTF as text; "" if none
    # Outlook items attached to this one (a resident's email the councillor had been sent
    # as an attachment), in order, read the same way.
    attached: tuple[OutlookItem, ...] = ()
    # Why each attached item that was not read was left (past the limits above): the
    # officer is told to open the original for them.
    not_read: tuple[NotRead, ...] = ()
    # True if the body is RTF and more of it than the mail's RtfBudget had left: it was
    # read only in part (the text ends with "…") or not at all, so the officer is told.
    rtf_cut_short: bool = False


def is_outlook_item(data: bytes) -> bool:
    return data[:8] == OLE_SIGNATURE


def read_outlook_item(
    data: bytes, html_to_text: Callable[[str], str], decode: Decode, rtf: RtfBudget
) -> OutlookItem | None:
    """The subject, sender, date and body of the item in a .msg file; None if this is not
    one or it cannot be read. `decode` turns bytes in a named charset into text as the rest
    of the message's parts are decoded; an RTF body is read from the mail's `rtf` budget."""
    if not is_outlook_item(data) or len(data) > MAX_MSG_BYTES:
        return None
    try:
        with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            item = _item(_Reader(ole, len(data), decode, _Budget()), html_to_text, rtf, 0)
    except Exception:  # noqa: BLE001 - any malformed compound file: it adds no text
        return None
    # Another kind of compound file (a Word document named .msg) has none of these.
    return item if item.subject or item.sender or item.text.strip() else None


class _Budget:
    """What is left of MAX_READ_BYTES for one file."""

    def __init__(self) -> None:
        self.left = MAX_READ_BYTES


class _Reader:
    """The properties of one item in a .msg (the file's own, or an attached item's, whose
    streams are in its storage `path`), each bounded."""

    def __init__(
        self,
        ole: olefile.OleFileIO,
        file_size: int,
        decode: Decode,
        budget: _Budget,
        path: tuple[str, ...] = (),
    ) -> None:
        self._ole = ole
        self._file_size = file_size
        self._decode = decode
        self._budget = budget
        self.path = path
        header = _EMBEDDED_HEADER if path else _TOP_LEVEL_HEADER
        self._fixed = _fixed_properties(self._stream(_PROPERTIES), header)
        self.codepage = _codepage(self._fixed.get((PR_MESSAGE_CODEPAGE, PT_LONG)))
        self.internet_codepage = _codepage(self._fixed.get((PR_INTERNET_CPID, PT_LONG)))

    def _stream(self, name: str) -> bytes:
        """The stream's bytes, or b"" if it is absent or larger than a text can be (a
        stream claimed larger than the file would otherwise be read round a loop)."""
        path = [*self.path, name]
        if not self._ole.exists(path) or self._ole.get_type(path) != olefile.STGTY_STREAM:
            return b""
        size = self._ole.get_size(path)
        if size > min(self._file_size, MAX_TEXT_STREAM_BYTES, self._budget.left):
            return b""
        self._budget.left -= size
        with self._ole.openstream(path) as stream:
            found: bytes = stream.read(size)
        return found

    def string(self, prop_id: int) -> str:
        unicode = self._stream(f"__substg1.0_{prop_id:04X}{PT_UNICODE:04X}")
        if unicode:
            return unicode.decode("utf-16-le", "replace").replace("\x00", "")
        eight_bit = self._stream(f"__substg1.0_{prop_id:04X}{PT_STRING8:04X}")
        return self._decode(eight_bit, self.codepage).replace("\x00", "") if eight_bit else ""

    def binary(self, prop_id: int) -> bytes:
        return self._stream(f"__substg1.0_{prop_id:04X}{PT_BINARY:04X}")

    def html(self) -> str:
        """PR_HTML is usually binary, in the item's internet code page."""
        data = self.binary(PR_HTML)
        if data:
            return self._decode(data, self.internet_codepage or self.codepage)
        return self.string(PR_HTML)

    def attached_items(self) -> tuple[list[_Reader], int]:
        """Readers for the first MAX_ATTACHED_ITEMS Outlook items attached to this one, in the
        order attached, and how many more there are (counted, not read)."""
        node = self._ole.root
        for name in self.path:
            node = next(kid for kid in node.kids if kid.name.lower() == name.lower())
        storages = sorted(
            kid.name for kid in node.kids
            if kid.entry_type == olefile.STGTY_STORAGE and kid.name.startswith(_ATTACHMENT_PREFIX)
        )
        found: list[_Reader] = []
        more = 0
        for storage in storages:
            path = (*self.path, storage, _EMBEDDED_ITEM)
            if not (self._ole.exists(list(path)) and self._ole.get_type(list(path)) == STORAGE):
                continue
            if len(found) == MAX_ATTACHED_ITEMS:
                more += 1
                continue
            found.append(_Reader(self._ole, self._file_size, self._decode, self._budget, path))
        return found, more

    def time(self, prop_id: int) -> datetime | None:
        value = self._fixed.get((prop_id, PT_SYSTIME))
        if value is None:
            return None
        ticks = struct.unpack("<Q", value)[0]  # 100 ns since 1601
        try:
            return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None


def _item(
    reader: _Reader, html_to_text: Callable[[str], str], rtf: RtfBudget, depth: int
) -> OutlookItem:
    # The item's own properties first: they are what the read budget is for.
    subject = reader.string(PR_SUBJECT)[:MAX_HEADER_CHARS]
    sender = _sender(reader)[:MAX_HEADER_CHARS]
    body = _body(reader, html_to_text, rtf)
    readers, more = reader.attached_items()
    attached: tuple[OutlookItem, ...] = ()
    not_read = (NotRead.TOO_MANY,) * more
    if depth + 1 < MAX_ITEM_DEPTH:
        attached = tuple(_item(r, html_to_text, rtf, depth + 1) for r in readers)
    else:
        not_read = (NotRead.TOO_DEEP,) * (len(readers) + more)
    return OutlookItem(
        subject=subject,
        sender=sender,
        sent=reader.time(PR_CLIENT_SUBMIT_TIME) or reader.time(PR_MESSAGE_DELIVERY_TIME),
        text=body.text[:MAX_TEXT_CHARS],
        attached=attached,
        not_read=not_read,
        rtf_cut_short=body.rtf_cut_short,
    )


def _sender(reader: _Reader) -> str:
    """Who wrote the item. An Exchange sender's PR_SENDER_EMAIL_ADDRESS is an X.500 path
    ("/O=EXCHANGELABS/OU=..."), meaningless to an officer, so only an address with an @ is
    used, the SMTP one first."""
    name = reader.string(PR_SENDER_NAME) or reader.string(PR_SENT_REPRESENTING_NAME)
    address = ""
    for prop_id in (
        PR_SENDER_SMTP_ADDRESS, PR_SENDER_EMAIL_ADDRESS,
        PR_SENT_REPRESENTING_SMTP_ADDRESS, PR_SENT_REPRESENTING_EMAIL_ADDRESS,
    ):
        candidate = reader.string(prop_id).strip()
        if "@" in candidate and not candidate.startswith("/"):
            address = candidate
            break
    name = name.strip()
    if name and address and name.lower() != address.lower():
        return f"{name} <{address}>"
    return address or name


def _body(reader: _Reader, html_to_text: Callable[[str], str], rtf: RtfBudget) -> BodyText:
    plain = reader.string(PR_BODY)
    if plain.strip():
        return BodyText(plain)
    html = reader.html()
    if html.strip():
        return BodyText(html_to_text(html))
    return compressed_rtf_text(reader.binary(PR_RTF_COMPRESSED), rtf)


def _fixed_properties(data: bytes, header: int) -> dict[tuple[int, int], bytes]:
    """(property id, type) → the 8-byte value, for the fixed-size properties an item's
    properties stream holds inline (dates, code pages), after its `header` bytes."""
    found: dict[tuple[int, int], bytes] = {}
    count = min((len(data) - header) // _ENTRY, _MAX_ENTRIES)
    for index in range(max(count, 0)):
        offset = header + index * _ENTRY
        tag = struct.unpack_from("<I", data, offset)[0]
        found[(tag >> 16, tag & 0xFFFF)] = data[offset + 8 : offset + 16]
    return found


def _codepage(value: bytes | None) -> str | None:
    if value is None:
        return None
    number = struct.unpack_from("<I", value)[0]
    if number in _CODE_PAGES:
        return _CODE_PAGES[number]
    name = f"cp{number}"
    with contextlib.suppress(LookupError):
        codecs.lookup(name)
        return name
    return None
