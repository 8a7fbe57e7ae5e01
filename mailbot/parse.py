"""Raw bytes → ParsedMessage. Never raises: what cannot be understood becomes a ParseFailure.

The stdlib compat32 parser is used because it tolerates broken MIME without raising;
headers and bodies are then decoded defensively, one at a time, so a single lying
charset or malformed header costs that field and not the message.
"""

from __future__ import annotations

import binascii
import codecs
import contextlib
import email
import email.message
import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header
from email.parser import BytesHeaderParser
from email.policy import compat32

import html2text

from mailbot.model import Address, ParsedMessage
from mailbot.outlook_msg import OutlookItem, is_outlook_item, read_outlook_item
from mailbot.tnef import Winmail, read_winmail

MAX_TEXT_CHARS = 200_000  # enough for any human letter; stops pathological bodies
_MSGID_RE = re.compile(r"<[^<>\s]+>")
# Longer Message-IDs are legal but break what we build from them: the ledger column
# (VARCHAR 998 on PostgreSQL), outbox dedup keys (200), our References lines (998).
MAX_MESSAGE_ID = 180
# Control characters, C1 controls, and the bidirectional embeddings, overrides and isolates
# that reorder how a line is shown: in a header they can make a subject read as something
# else ("Trojan Source"), in what we display and in the subject of our reply.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class ParseFailure:
    message_id: str
    reason: str


def synthetic_message_id(raw: bytes) -> str:
    """A stable Message-ID for mail that has none, so the ledger can still dedup it."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@mailbot.invalid>"


def message_id_of(raw: bytes) -> str:
    """The Message-ID the ledger keys on: the header if usable, else a hash of the bytes.
    Reads the header block only; the body is not needed to find it."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001 - any parser failure means "no usable header"
        return synthetic_message_id(raw)
    return _message_id(headers, raw)


def _message_id(msg: email.message.Message, raw: bytes) -> str:
    try:
        found = _MSGID_RE.search(clean_header(msg.get("Message-ID", "")))
    except Exception:  # noqa: BLE001 - an undecodable header is no usable header
        found = None
    return bounded_message_id(found.group(0)) if found else synthetic_message_id(raw)


def bounded_message_id(message_id: str) -> str:
    """The ID itself, or for an over-long one a short stand-in derived from it, the same
    wherever that ID appears (its Message-ID, a reply's In-Reply-To or References), so
    duplicates are still caught and replies still thread."""
    if len(message_id) <= MAX_MESSAGE_ID:
        return message_id
    digest = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return f"<{digest}@long-id.mailbot.invalid>"


def parse_message(raw: bytes) -> ParsedMessage | ParseFailure:
    if not raw.strip():
        return ParseFailure(message_id_of(raw), "empty message")
    message_id = ""
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        message_id = _message_id(msg, raw)
        return _build(msg, message_id)
    except Exception as exc:  # noqa: BLE001 - never raise: quarantine with the reason
        reason = f"cannot parse: {type(exc).__name__}: {exc}"[:500]
        return ParseFailure(message_id or message_id_of(raw), reason)


def _build(msg: email.message.Message, message_id: str) -> ParsedMessage:
    raw = _raw_headers(msg)
    headers = {name: clean_header(value) for name, value in raw.items()}
    repeated = _repeated_headers(msg)
    senders = _addresses(raw.get("from", ""))
    if not senders:
        senders = _addresses(raw.get("sender", "")) or _addresses(raw.get("reply-to", ""))
    content_types: list[str] = []
    attachment_types: list[str] = []
    text = without_gateway_banners(_body_text(msg, content_types, attachment_types))
    return ParsedMessage(
        message_id=message_id,
        subject=headers.get("subject", ""),
        sender=senders[0] if senders else None,  # the pipeline quarantines sender-less mail
        to=_addresses(raw.get("to", "")),
        cc=_addresses(raw.get("cc", "")),
        date=_date(headers.get("date", "")),
        in_reply_to=_first_msgid(headers.get("in-reply-to", "")),
        references=_message_ids(headers.get("references", "")),
        text=text,
        headers=headers,
        repeated_headers=repeated,
        content_types=content_types,
        attachment_types=attachment_types,
        delivery_actions=_delivery_actions(msg),
        defects=[type(d).__name__ for d in msg.defects],
    )


def _raw_headers(msg: email.message.Message) -> dict[str, str]:
    """Lower-cased name → the undecoded value, 8-bit bytes made text; first value wins,
    as most clients display it."""
    out: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in out:
            out[key] = _eight_bit_text(value if isinstance(value, str) else str(value))
    return out


MAX_REPEATS = 20  # values kept per repeated header; Received lines are not wanted here


def _repeated_headers(msg: email.message.Message) -> dict[str, list[str]]:
    """Lower-cased name → every cleaned value, for headers written more than once."""
    values: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key in ("received", "dkim-signature", "arc-seal", "arc-message-signature"):
            continue
        values.setdefault(key, []).append(value if isinstance(value, str) else str(value))
    return {
        key: [clean_header(_eight_bit_text(v)) for v in found[:MAX_REPEATS]]
        for key, found in values.items()
        if len(found) > 1
    }


def _eight_bit_text(value: str) -> str:
    """Headers sent as raw 8-bit (against RFC 5322, but common): UTF-8 if it is, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_FOLD_RE = re.compile(r"\r?\n[ \t]+|\r\n|[\r\n]")
_SPACES_RE = re.compile(r"[ \t]{2,}")


def clean_header(value: object) -> str:
    """Unfold, decode RFC 2047 words (trusting their charset only as far as it decodes),
    and drop CR/LF and control characters: the result is always one safe line."""
    text = _FOLD_RE.sub(" ", value if isinstance(value, str) else str(value))
    text = _UNTERMINATED_WORD_RE.sub(r"\g<0>?=", text)
    try:
        text = _decode_all(text)
    except Exception:  # noqa: BLE001 - one broken word: decode the others one by one
        text = _ENCODED_WORDS_RE.sub(_decode_run, text)
    text = _CONTROL_RE.sub("", text.replace("\r", " ").replace("\n", " "))
    return _SPACES_RE.sub(" ", text).strip()


# A subject cut short by a broken client or gateway ends inside an encoded word.
_UNTERMINATED_WORD_RE = re.compile(r"=\?[\w.:*-]+\?[QqBb]\?[^?\s]*$")
# Adjacent encoded words with the whitespace between them (RFC 2047 6.2 drops it).
_ONE_WORD = r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?="
_ONE_WORD_RE = re.compile(_ONE_WORD)
_ENCODED_WORDS_RE = re.compile(rf"{_ONE_WORD}(?:\s+{_ONE_WORD})*")


def _decode_all(text: str) -> str:
    return "".join(_decode_word(part, charset) for part, charset in decode_header(text))


def _decode_run(run: re.Match[str]) -> str:
    """Encoded words that decode are decoded; one that does not is dropped: its raw form
    ("=?utf-8?B?x?=") means nothing to a reader and must not reach an acknowledgement."""
    out = []
    for word in _ONE_WORD_RE.findall(run.group(0)):
        with contextlib.suppress(Exception):  # broken base64 or the like
            out.append(_decode_all(word))
    return "".join(out)


def _decode_word(part: bytes | str, charset: str | None) -> str:
    if isinstance(part, str):
        return part
    return _decode_bytes(part, charset)


# Western single-byte labels that clients and gateways put on UTF-8 text (an old default
# left in a template, a "Latin-1" relay): every byte string decodes in them, so a lie is
# never caught and "dŵr" becomes "dÅµr". Text really in these charsets is practically never
# valid UTF-8 once it has a byte above 0x7F, so such bytes are read as UTF-8.
_WESTERN_SINGLE_BYTE = frozenset({"cp1252", "iso8859-15", "latin-1", "iso8859-1"})


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset (under the name Python knows it by), else UTF-8,
    else Windows-1252, which decodes anything."""
    declared = _codec_name(charset)
    if declared and not data.isascii() and _codec_family(declared) in _WESTERN_SINGLE_BYTE:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("utf-8")
    for candidate in (declared, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return _line_by_line(data)


def _line_by_line(data: bytes) -> str:
    """Text that is neither its declared charset nor UTF-8 throughout: often both, as when
    a member's UTF-8 note sits above a Windows-1252 letter pasted in. Each line is UTF-8 if
    it is valid UTF-8, else Windows-1252, which decodes anything."""
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "".join(out)


# Labels mail clients write that Python's codecs do not know, or know as something else.
_CHARSET_ALIASES = {
    # Outlook writes ISO-8859-1 for Windows-1252 text: its curly quotes and dashes
    # (0x80-0x9F) would otherwise become invisible control characters (as browsers do).
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6", "iso-8859-8-e": "iso-8859-8",
    "windows-874": "cp874", "unicode-1-1-utf-8": "utf-8", "utf8": "utf-8",
    "mac-ce": "mac-latin2", "sjis": "shift_jis", "ms932": "cp932",
    "unknown-8bit": "", "user-defined": "", "unknown": "",
}


def _codec_family(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _codec_name(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    if name.startswith("x-"):
        name = name[2:]
    name = _CHARSET_ALIASES.get(name, name)
    if name.startswith("cp-"):
        name = "cp" + name[3:]
    return name


_ADDR_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _addresses(value: str) -> list[Address]:
    """Split the undecoded header first, then decode only the names: an encoded-word in a
    display name must never be able to smuggle in an address of its own."""
    unfolded = _FOLD_RE.sub(" ", value)
    out = []
    for name, addr in email.utils.getaddresses([unfolded]):
        addr = addr.strip().lower()
        if _ADDR_RE.fullmatch(addr):
            out.append(Address(name=clean_header(name), email=addr))
    if not out:  # "From: Big Bug bb@bug.com" and other RFC-breaking forms clients still send
        found = _ADDR_RE.search(unfolded)
        if found:
            out.append(Address(name="", email=found.group(0).lower()))
    return out


def _message_ids(value: str) -> list[str]:
    return [bounded_message_id(found) for found in _MSGID_RE.findall(value)]


def _first_msgid(value: str) -> str | None:
    found = _MSGID_RE.search(value)
    return bounded_message_id(found.group(0)) if found else None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body_text(
    msg: email.message.Message,
    content_types: list[str],
    attachment_types: list[str],
    depth: int = 0,
) -> str:
    plain: list[str] = []
    html: list[str] = []
    # Mail passed on as an attachment, in order: (True, the .msg part) for an Outlook item
    # saved as a file, (False, the message) for an attached message/rfc822.
    attached: list[tuple[bool, email.message.Message]] = []
    winmail: list[email.message.Message] = []
    for part in _own_parts(msg):
        ctype = part.get_content_type()
        content_types.append(ctype)
        if _is_attachment(part):
            attachment_types.append(ctype)
        if ctype == "message/rfc822":
            attached.extend((False, p) for p in _attached_messages(part))
            continue
        if _has_file_name(part, ctype, ".eml"):
            attached.extend((False, p) for p in _eml_file(part))
            continue
        if _is_outlook_item(part, ctype):
            attached.append((True, part))
            continue
        if ctype in TNEF_TYPES:
            winmail.append(part)
            continue
        if part.is_multipart() or _is_attachment(part):
            continue
        if ctype == "text/plain":
            plain.append(_without_pgp_blocks(decode_part(part), content_types))
        elif ctype == "text/html":
            html.append(_without_pgp_blocks(decode_part(part), content_types))
    outlook = _read_winmail(winmail[0]) if winmail else Winmail("", "")
    content_types.extend(_outlook_item_types(outlook.message_class))
    if any(p.strip() for p in plain):
        text = "\n".join(plain)
    elif any(h.strip() for h in html):
        text = "\n".join(html_to_text(h) for h in html)
    else:  # Outlook's "Rich Text" mail: the letter is inside winmail.dat, if anywhere
        text = outlook.text
    if depth < MAX_FORWARD_DEPTH:
        for is_outlook, inner in attached[:MAX_ATTACHED_MESSAGES]:
            text += _outlook_forward(inner, depth + 1) if is_outlook else _as_forward(
                inner, depth + 1
            )
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


def _read_winmail(part: email.message.Message) -> Winmail:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: nothing to read
        return Winmail("", "")
    return read_winmail(data, html_to_text) if isinstance(data, bytes) else Winmail("", "")


def _outlook_item_types(message_class: str) -> list[str]:
    """The MIME part an Outlook item in winmail.dat stands for, as a mail sent as MIME would
    carry it: a meeting request or response is calendar traffic, a read or delivery report a
    receipt, a non-delivery report a bounce (the loop guard reads these)."""
    found = message_class.lower()
    if found.startswith("ipm.schedule.meeting."):
        return ["text/calendar"]
    if found.startswith("report.") and found.endswith(".ndr"):
        return ["message/delivery-status"]
    if found.startswith("report."):
        return ["message/disposition-notification"]
    return []


MAX_ATTACHED_MESSAGES = 5  # attached messages read per message
MAX_FORWARD_DEPTH = 3  # a forward of a forward of ...: the first few say enough


_ACTION_RE = re.compile(r"^action:[ \t]*([\w-]+)", re.IGNORECASE | re.MULTILINE)


def _delivery_actions(msg: email.message.Message) -> list[str]:
    """The Action of each recipient in a delivery report (RFC 3464), lower-cased."""
    actions: list[str] = []
    for part in _own_parts(msg):
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # one header block per recipient, parsed for us
            blocks = [b for b in payload if isinstance(b, email.message.Message)]
            actions += [clean_header(b.get("Action", "")).lower() for b in blocks]
        elif isinstance(payload, str):
            actions += [a.lower() for a in _ACTION_RE.findall(payload)]
    return [a for a in actions if a]


def _own_parts(msg: email.message.Message) -> list[email.message.Message]:
    """Every part of this message, in order, without going inside an attached message
    (Outlook's "forward as attachment", the original in a bounce)."""
    parts = [msg]
    if msg.is_multipart() and msg.get_content_type() != "message/rfc822":
        for child in _payload_list(msg):
            if isinstance(child, email.message.Message):
                parts.extend(_own_parts(child))
    return parts


def _payload_list(part: email.message.Message) -> list[object]:
    payload = part.get_payload()
    return list(payload) if isinstance(payload, list) else []


def _as_forward(inner: email.message.Message, depth: int) -> str:
    """An attached message's text, laid out as a forward is (marker, From/Subject lines,
    body): readers of the text then see it as someone else's mail, as with an inline one."""
    headers = []
    for name in ("From", "Date", "Subject"):
        with contextlib.suppress(Exception):
            headers.append((name, _eight_bit_text(str(inner.get(name, "")))))
    return _forward_block(headers, _body_text(inner, [], [], depth))


def _forward_block(headers: list[tuple[str, str]], body: str) -> str:
    lines = ["", "", "---------- Forwarded message ----------"]
    for name, value in headers:
        with contextlib.suppress(Exception):
            cleaned = clean_header(value)
            if cleaned:
                lines.append(f"{name}: {cleaned}")
    return "\n".join(lines) + "\n\n" + body


def _attached_messages(part: email.message.Message) -> list[email.message.Message]:
    """The message inside a message/rfc822 part. Some clients and gateways send it base64
    encoded, which RFC 2046 forbids: the parser then takes the base64 text for a message
    with no headers, and the officer would read a block of base64. It is decoded here."""
    found = [p for p in _payload_list(part) if isinstance(p, email.message.Message)]
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding != "base64" or len(found) != 1 or found[0].keys():
        return found
    encoded = found[0].get_payload()
    if not isinstance(encoded, str):
        return found
    decoded = _message_from(_base64(encoded))
    return [decoded] if decoded is not None else found


def _eml_file(part: email.message.Message) -> list[email.message.Message]:
    """A saved email attached as a generic file (application/octet-stream, "letter.eml"),
    read as the attached message it is."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: nothing to read
        return []
    decoded = _message_from(data, saved_file=True) if isinstance(data, bytes) else None
    return [decoded] if decoded is not None else []


def _base64(text: str) -> bytes:
    try:
        return binascii.a2b_base64(text.encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return b""


_MAIL_HEADERS = ("from", "subject", "date", "message-id", "to")


def _message_from(data: bytes, *, saved_file: bool = False) -> email.message.Message | None:
    """The message in these bytes, or None if they do not start with a header. A file
    known only by its name must have a header that mail has (From, Subject ...)."""
    if not data.strip():
        return None
    found = email.message_from_bytes(data, policy=compat32)
    if saved_file:
        return found if any(found.get(name) for name in _MAIL_HEADERS) else None
    return found if found.keys() else None


# Outlook's own type for a saved item; other clients and gateways send it as a generic file.
OUTLOOK_ITEM_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})


def _is_outlook_item(part: email.message.Message, ctype: str) -> bool:
    """An Outlook item saved as a .msg file (a resident's email dragged into a new mail)."""
    return ctype in OUTLOOK_ITEM_TYPES or _has_file_name(part, ctype, ".msg")


def _has_file_name(part: email.message.Message, ctype: str, extension: str) -> bool:
    """A file sent with a generic application/ type whose name ends in `extension`."""
    if not ctype.startswith("application/") or part.is_multipart():
        return False
    try:
        name = clean_header(part.get_filename() or "")
    except Exception:  # noqa: BLE001 - an undecodable file name: not known to be one
        return False
    return name.lower().endswith(extension)


def _outlook_forward(part: email.message.Message, depth: int) -> str:
    """The Outlook item's text laid out as an attached message's is; "" if it cannot be read
    (the officer's note then says what it says for any attachment). Some programs save
    a mail as a .msg file in its Internet form: that is read as an attached message."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: nothing to read
        return ""
    if not isinstance(data, bytes):
        return ""
    if not is_outlook_item(data):
        saved = _message_from(data, saved_file=True)
        return _as_forward(saved, depth) if saved is not None else ""
    item = read_outlook_item(data, html_to_text, _decode_bytes)
    return "" if item is None else _item_forward(item, depth)


def _item_forward(item: OutlookItem, depth: int) -> str:
    """An Outlook item and the items attached to it, each laid out as a forward."""
    sent = email.utils.format_datetime(item.sent) if item.sent else ""
    headers = [("From", item.sender), ("Date", sent), ("Subject", item.subject)]
    text = _forward_block(headers, item.text)
    if depth < MAX_FORWARD_DEPTH:
        for inner in item.attached[:MAX_ATTACHED_MESSAGES]:
            text += _item_forward(inner, depth + 1)
    return text


def _is_attachment(part: email.message.Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment")


def decode_part(part: email.message.Message) -> str:
    """The part's text, trusting its declared charset only as far as it decodes."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: fall back to the raw text
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return str(payload)
    return _decode_bytes(payload, part.get_content_charset())


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_links = True
    converter.body_width = 0
    try:
        return converter.handle(_strip_active_content(html))
    except Exception:  # noqa: BLE001 - malformed HTML: keep the words, drop the tags
        return re.sub(r"<[^>]*>", " ", html)


_ACTIVE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Pictures pasted into the body travel inside it as data: URIs, megabytes each.
_DATA_URI_RE = re.compile(r"""(["'(])data:[a-z]+/[\w.+-]+[;,][^"')]*""", re.IGNORECASE)
# HTML past this is not read: the text kept is at most MAX_TEXT_CHARS, and html2text takes
# about a second per megabyte (seven for a megabyte of entities), inside the poll.
MAX_HTML_CHARS = 1_000_000


def _strip_active_content(html: str) -> str:
    html = _DATA_URI_RE.sub(r"\1", html)[:MAX_HTML_CHARS]
    return _ACTIVE_RE.sub(" ", html)


# The warning a mail gateway puts on top of mail from outside the council ("CAUTION: This
# email originated from outside of the organisation. Do not click links or open attachments
# unless you recognise the sender and know the content is safe."), and Microsoft 365's
# first-contact tip. They are not the member's words: quoted to the officer they read as
# the member's, and they make a member's "Thanks Sam!" more than thanks (a reopened case).
_BANNER_ORIGIN = re.compile(
    r"\b(?:e-?mail|message)\s+(?:has\s+)?(?:originated|came|comes|was\s+sent|is)\s+from\s+"
    r"(?:outside|an?\s+external|external)"
    r"|\b(?:wedi\s+dod|yn\s+dod|daeth)\s+o['’]?r\s+tu\s+(?:allan|hwnt)",  # Welsh
    re.IGNORECASE,
)
_BANNER_ORGANISATION = re.compile(
    r"\boutside\s+(?:of\s+)?(?:the|your|our|this)\s+(?:organi[sz]ation|council|network|company)"
    r"|\btu\s+allan\s+i['’]?r\s+(?:sefydliad|cyngor|rhwydwaith)",
    re.IGNORECASE,
)
# What only such a banner says: about links, attachments and the sender of an email.
_BANNER_WARNING = re.compile(
    r"\bdo\s+not\s+click\s+(?:on\s+)?(?:any\s+)?links\b|\blinks\s+or\s+(?:open\s+)?attachments\b"
    r"|\bopen(?:ing)?\s+(?:any\s+)?attachments\b|\brecogni[sz]e\s+the\s+sender\b"
    r"|\bknow\s+the\s+content\s+is\s+safe\b"
    r"|\bpeidiwch\s+(?:â|a)\s+chlicio\b|\bagor\s+(?:unrhyw\s+)?atodiadau\b"
    r"|\badnabod\s+yr\s+anfonwr\b|\bcynnwys\s+yn\s+ddiogel\b",
    re.IGNORECASE,
)
_BANNER_TAG = re.compile(
    r"[\W_]{0,3}(?:caution|warning|attention|notice|rhybudd|allanol"
    r"|external(?:\s+(?:e-?mail|sender|message))?)"
    r"\b[\W_]",
    re.IGNORECASE,
)
# Microsoft 365's first-contact safety tip, as html2text or the plain part gives it.
_FIRST_CONTACT_TIP = re.compile(
    r"\bdon['’]?t\s+often\s+get\s+e-?mail\s+from\b[^\n]{0,200}?\blearn\s+why\s+this\s+is\s+important",
    re.IGNORECASE,
)
BANNER_START = 200  # a banner opens its paragraph
BANNER_CHARS = 600  # and is shorter than this
MAX_BANNERS = 10  # one per message in a thread is usual


def without_gateway_banners(text: str) -> str:
    """The text without the warnings mail gateways put on top of mail from outside, in the
    member's message and in the mail it quotes or forwards. A banner is recognised only at
    the start of a paragraph, by its own wording, and only its lines go."""
    if not any(p.search(text) for p in (_BANNER_WARNING, _BANNER_ORIGIN, _FIRST_CONTACT_TIP)):
        return text
    out: list[str] = []
    position = removed = 0
    for start, paragraph in _paragraphs(text):
        if removed >= MAX_BANNERS:
            break
        end = _banner_end(paragraph)
        if end and start >= position:
            out.append(text[position:start])
            position = _after_table_rules(text, start + end)
            removed += 1
    out.append(text[position:])
    return "".join(out)


def _after_table_rules(text: str, position: int) -> int:
    """Past the lines of "-", "|" and ":" that html2text leaves under a banner's table."""
    while position < len(text):
        line_end = _LINE_END_RE.search(text, position)
        end = line_end.end() if line_end else len(text)
        line = text[position:end].strip()
        if not line or line.strip("-|: \t"):
            break
        position = end
    return position


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each run of non-blank lines, found line by line (linear time)."""
    found: list[tuple[int, str]] = []
    start = offset = 0
    for line in [*text.splitlines(keepends=True), ""]:
        if not line.strip():
            if offset > start:
                found.append((start, text[start:offset]))
            start = offset + len(line)
        offset += len(line)
    return found


def _banner_end(paragraph: str) -> int:
    """Where the banner that opens this paragraph ends (the end of its last line), or 0.
    A banner says the mail came from outside and warns about links, attachments or the
    sender; or it opens with "CAUTION:"/"[EXTERNAL]" and gives two such warnings; or it is
    Microsoft's first-contact tip. A member's own "Warning: do not click links in that
    text" is one warning, and stays."""
    head = paragraph[:BANNER_CHARS]
    tip = _FIRST_CONTACT_TIP.search(head)
    origin = _BANNER_ORIGIN.search(head)
    warnings = list(_BANNER_WARNING.finditer(head))
    if tip and tip.start() < BANNER_START:
        found = tip.end()
    elif origin and origin.start() < BANNER_START and (
        warnings or _BANNER_ORGANISATION.search(head)
    ):
        found = max([origin.end()] + [w.end() for w in warnings])
    elif _BANNER_TAG.match(head) and len({w.group(0).lower() for w in warnings}) >= 2:
        found = warnings[-1].end()
    else:
        return 0
    line_end = _LINE_END_RE.search(paragraph, found)
    return line_end.end() if line_end else len(paragraph)


_LINE_END_RE = re.compile(r"\r\n|\r|\n")


# Why the text of a message is missing or cannot be read. The officer is told (so an
# empty quote is not taken for an empty message) and the classifier does not guess the
# case's kind from a subject line alone (mailbot.classify.features).
ENCRYPTED = "encrypted"  # S/MIME, PGP/MIME or inline PGP: only the recipient's key opens it
OUTLOOK_ONLY = "outlook_only"  # the text is inside Outlook's winmail.dat (TNEF)
ATTACHMENTS_ONLY = "attachments_only"  # no text, only files (a scanned letter, a photo)
SUBJECT_ONLY = "subject_only"  # nothing at all below the subject line
UNREADABLE = frozenset({ENCRYPTED, OUTLOOK_ONLY, ATTACHMENTS_ONLY})

# application/pkcs7-mime is S/MIME encrypted or opaque-signed: either way the text is
# inside the PKCS#7 blob. A detached signature (application/pkcs7-signature) leaves the
# text readable and is not listed.
ENCRYPTED_TYPES = frozenset({
    "multipart/encrypted", "application/pgp-encrypted",
    "application/pkcs7-mime", "application/x-pkcs7-mime",
})
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
PGP_BLOCK = re.compile(
    r"^[ \t]*-----BEGIN PGP MESSAGE-----.*?(?:-----END PGP MESSAGE-----[ \t]*$|\Z)",
    re.MULTILINE | re.DOTALL,
)


def _without_pgp_blocks(text: str, content_types: list[str]) -> str:
    """The text with inline PGP messages cut out: their armour means nothing to a reader or
    the classifier. The part is then listed as encrypted, as PGP/MIME's would be."""
    if "-----BEGIN PGP MESSAGE-----" not in text:
        return text
    cut, found = PGP_BLOCK.subn("", text.replace("\r\n", "\n"))
    if not found:  # only quoted ("> -----BEGIN"): the history of a reply, left as it is
        return text
    content_types.append("application/pgp-encrypted")
    return cut


def body_note(message: ParsedMessage) -> str | None:
    """Why the message's text is missing or unreadable, if it is: one of the names above."""
    types = set(message.content_types)
    if types & ENCRYPTED_TYPES:
        return ENCRYPTED
    if message.text.strip():
        return None
    if types & TNEF_TYPES:
        return OUTLOOK_ONLY
    if message.attachment_types or types - {"text/plain", "text/html"} - _CONTAINERS:
        return ATTACHMENTS_ONLY
    return SUBJECT_ONLY


_CONTAINERS = frozenset({
    "multipart/mixed", "multipart/alternative", "multipart/related", "multipart/signed",
    "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature",
})


def header_safe(value: str, limit: int = 200) -> str:
    """A value fit for a header we write: one line, no control characters, bounded."""
    flat = _CONTROL_RE.sub("", value.replace("\r", " ").replace("\n", " "))
    flat = re.sub(r"\s+", " ", flat).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
