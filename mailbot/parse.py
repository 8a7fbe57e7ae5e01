"""Raw bytes → ParsedMessage. Never raises: what cannot be understood becomes a ParseFailure.

The stdlib compat32 parser is used because it tolerates broken MIME without raising;
headers and bodies are then decoded defensively, one at a time, so a single lying
charset or malformed header costs that field and not the message. The body's text is
read by mailbot.body (mail passed on as attachments by mailbot.attached_mail), and the
gateway banners on it are cut by mailbot.banners.
"""

from __future__ import annotations

import email
import email.message
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.errors import MissingHeaderBodySeparatorDefect
from email.parser import BytesHeaderParser
from email.policy import compat32

from mailbot.addresses import same_address
from mailbot.attached_files import attached_files
from mailbot.attached_mail import own_parts
from mailbot.banners import without_gateway_banners
from mailbot.body import body_text
from mailbot.mime_feed import header_block, message_from_bytes
from mailbot.model import Address, ParsedMessage, UnreadAttachment
from mailbot.plaintext import clean_header, eight_bit_text, unfold

_MSGID_RE = re.compile(r"<[^<>\s]+>")
# Longer Message-IDs are legal but break what we build from them: the ledger column
# (VARCHAR 998 on PostgreSQL), outbox dedup keys (200), our References lines (998).
MAX_MESSAGE_ID = 180


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
        headers = BytesHeaderParser(policy=compat32).parsebytes(header_block(raw))
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
        msg = message_from_bytes(raw)
        message_id = _message_id(msg, raw)  # as the ledger keys it (message_id_of)
        mended = _mended_header_block(raw) if _header_block_broken(msg) else None
        if mended is not None:
            msg = message_from_bytes(mended)
        return _build(msg, message_id)
    except RecursionError:  # the stdlib parser recurses once per nested part
        return ParseFailure(message_id or message_id_of(raw), TOO_DEEP)
    except MemoryError:
        # Kept and quarantined like any mail mailbot cannot read; the poll goes on.
        return ParseFailure(message_id or message_id_of(raw), too_big(len(raw)))
    except Exception as exc:  # noqa: BLE001 - never raise: quarantine with the reason
        reason = f"cannot parse: {type(exc).__name__}: {exc}"[:500]
        return ParseFailure(message_id or message_id_of(raw), reason)


def _header_block_broken(msg: email.message.Message) -> bool:
    return any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects)


_HEADER_END_RE = re.compile(rb"\r?\n[ \t]*\r?\n")  # a line of spaces ends it too
_HEADER_LINE_RE = re.compile(rb"^(?:[!-9;-~]+:|[ \t]|From )")


def _mended_header_block(raw: bytes) -> bytes | None:
    """The raw bytes with a header value that was wrapped without indentation (a relay
    that folds long Exchange diagnostics badly) joined back to its header, or None if
    the header block is not broken that way. The stdlib parser ends the headers at such a
    line, and every header below it, Content-Type, Subject and Precedence among them,
    would be read as body text. A line is taken for a broken fold only when every line
    after it up to the blank line is a header (or another broken fold): a message that
    starts its text with no blank line under the headers is left as it is."""
    end = _HEADER_END_RE.search(raw)
    if end is None:
        return None
    lines = raw[: end.start()].split(b"\n")
    if not _HEADER_LINE_RE.match(lines[0]) or lines[0][:1].isspace():
        return None  # no header block at all, broken or not
    mended, headers_after = False, False
    for i in range(len(lines) - 1, 0, -1):  # from the bottom: is the rest all headers?
        if _HEADER_LINE_RE.match(lines[i]):
            headers_after = headers_after or not lines[i][:1].isspace()
            continue
        if not headers_after:
            return None
        lines[i] = b" " + lines[i]
        mended = True
    return b"\n".join(lines) + raw[end.start():] if mended else None


# "maximum recursion depth exceeded" tells a person nothing: say what is wrong with the mail.
TOO_DEEP = (
    "cannot parse: its parts are nested too deeply to read (no mail client writes "
    "that: broken or hostile mail); open the original to see it"
)


def too_big(size: int) -> str:
    """The reason for mail this machine had not the memory to read."""
    return (
        f"cannot parse: not enough memory to read a message of {size / 1024 / 1024:.1f} MB "
        "(reading takes about three times its size); open the original to see it"
    )


# The sender was read from Sender or Reply-To because From named no address. DMARC checks
# only the From header, so such a sender is unchecked (mailbot.commands.authority).
NO_ADDRESS_IN_FROM = "NoAddressInFromDefect"
# From names more than one address, or is written twice: our gateway's DMARC check may have
# judged another address than the first, which mailbot takes for the sender.
AMBIGUOUS_FROM = "AmbiguousFromDefect"


def _build(msg: email.message.Message, message_id: str) -> ParsedMessage:
    charset = _text_charset(msg)
    raw = _raw_headers(msg, charset)
    headers = {name: clean_header(value) for name, value in raw.items()}
    repeated = _repeated_headers(msg, charset)
    senders = _addresses(raw.get("from", ""))
    defects = [type(d).__name__ for d in msg.defects]
    if not senders:
        senders = _addresses(raw.get("sender", "")) or _addresses(raw.get("reply-to", ""))
        if senders:
            defects.append(NO_ADDRESS_IN_FROM)
    elif (
        len(senders) > 1
        or len(msg.get_all("from") or []) > 1
        or (raw.get("from", "").count("@") > 1 and _mailboxes_written(raw["from"]) > 1)
    ):
        defects.append(AMBIGUOUS_FROM)
    content_types: list[str] = []
    attachment_types: list[str] = []
    unread: list[UnreadAttachment] = []
    text = without_gateway_banners(body_text(msg, content_types, attachment_types, unread))
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
        defects=defects,
        unread_attachments=[_short_name(found) for found in unread[:MAX_UNREAD_LISTED]],
        attached_files=attached_files(msg),
    )


def _text_charset(msg: email.message.Message) -> str | None:
    """The charset the message's first text part declares: the one its raw 8-bit headers
    are most likely in too (a Chinese client's GB2312 subject beside its GB2312 body)."""
    for part in own_parts(msg):
        if part.get_content_maintype() == "text":
            try:
                charset = part.get_content_charset()
            except Exception:  # noqa: BLE001 - an undecodable parameter is no charset
                charset = None
            # A wide charset (UTF-16) would "decode" any 8-bit header into nonsense
            if charset and not str(charset).lower().startswith(("utf-16", "utf-32")):
                return str(charset)
    return None


# Attached mail named as unread, at most: a message with thousands of attached emails would
# otherwise give the officer an assignment of thousands of names (half a megabyte for
# 3,000); the first few tell them to open the original just as well.
MAX_UNREAD_LISTED = 20
# A file name is cut to this: the officer is told each unread attachment's name, and twenty
# names of 200,000 characters each (a 4 MB mail) made an assignment of 8 MB, more than
# some mail servers take.
MAX_NAME_CHARS = 200


def _short_name(unread: UnreadAttachment) -> UnreadAttachment:
    if len(unread.name) <= MAX_NAME_CHARS:
        return unread
    return replace(unread, name=unread.name[: MAX_NAME_CHARS - 1].rstrip() + "…")


def _raw_headers(msg: email.message.Message, charset: str | None) -> dict[str, str]:
    """Lower-cased name → the undecoded value, 8-bit bytes made text; first value wins,
    as most clients display it."""
    out: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in out:
            out[key] = eight_bit_text(value if isinstance(value, str) else str(value), charset)
    return out


MAX_REPEATS = 20  # values kept per repeated header; Received lines are not wanted here


def _repeated_headers(msg: email.message.Message, charset: str | None) -> dict[str, list[str]]:
    """Lower-cased name → every cleaned value, for headers written more than once."""
    values: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key in ("received", "dkim-signature", "arc-seal", "arc-message-signature"):
            continue
        values.setdefault(key, []).append(value if isinstance(value, str) else str(value))
    return {
        key: [clean_header(eight_bit_text(v, charset)) for v in found[:MAX_REPEATS]]
        for key, found in values.items()
        if len(found) > 1
    }


_ADDR = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
_ADDR_RE = re.compile(_ADDR)
# An address standing on its own in a header no client wrote properly: not a piece of a
# longer one, such as the quoted local part of "jo@council.gov.uk"@evil.example (a mailbox
# at evil.example that the domain's owner may send from and pass DMARC with).
_LOOSE_ADDR_RE = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~@\"-])" + _ADDR + r"(?![\w@\"-]|\.[\w-])")


def _addresses(value: str) -> list[Address]:
    """Split the undecoded header first, then decode only the names: an encoded-word in a
    display name must never be able to smuggle in an address of its own."""
    unfolded = unfold(value)
    out = []
    for name, addr in _split_addresses(unfolded):
        addr = _as_written(addr)
        if _ADDR_RE.fullmatch(addr):
            out.append(Address(name=_own_name(clean_header(name), addr), email=addr))
    if not out:  # "From: Big Bug bb@bug.com" and other RFC-breaking forms clients still send
        found = _LOOSE_ADDR_RE.search(unicodedata.normalize("NFC", unfolded))
        if found:
            out.append(Address(name="", email=_as_written(found.group(0))))
    return out


def _as_written(addr: str) -> str:
    """The address in lower case, its letters composed (an RFC 6532 header may write ŵ as
    w and a combining circumflex), its domain in the form the sender wrote: compared by
    mailbot.addresses.address_key, which takes either form of a domain."""
    return unicodedata.normalize("NFC", addr.strip()).lower()


# A display name is cut to this: a stranger's name of 300,000 words reached the officer's
# assignment several times over (3.7 MB) and the case row whole.
MAX_DISPLAY_NAME = 200


def _own_name(name: str, addr: str) -> str:
    """The display name, cut to MAX_DISPLAY_NAME, or "" if it names another address
    ("jo.bloggs@council.gov.uk" <mallory@evil.example>): officers' mail would call the
    sender by it, and tell them to reply to it."""
    if "@" in name and any(not same_address(found, addr) for found in _ADDR_RE.findall(name)):
        return ""
    return name if len(name) <= MAX_DISPLAY_NAME else name[: MAX_DISPLAY_NAME - 1].rstrip() + "…"


def _mailboxes_written(value: str) -> int:
    """How many addresses a header holds, those mailbot cannot take as one included."""
    return sum(1 for _, addr in _split_addresses(unfold(value)) if "@" in addr)


def _split_addresses(unfolded: str) -> list[tuple[str, str]]:
    """(name, address) pairs; for a header the stdlib cannot split (it recurses once per
    junk token, and a To line of thousands of them exhausts the stack), the bare addresses
    in it: a broken To or Cc costs the names in it, not the message."""
    try:
        return email.utils.getaddresses([unfolded])
    except RecursionError:
        return [("", found) for found in _ADDR_RE.findall(unfolded)]


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


_ACTION_RE = re.compile(r"^action:[ \t]*([\w-]+)", re.IGNORECASE | re.MULTILINE)


def _delivery_actions(msg: email.message.Message) -> list[str]:
    """The Action of each recipient in a delivery report (RFC 3464), lower-cased."""
    actions: list[str] = []
    for part in own_parts(msg):
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # one header block per recipient, parsed for us
            blocks = [b for b in payload if isinstance(b, email.message.Message)]
            actions += [clean_header(b.get("Action", "")).lower() for b in blocks]
        elif isinstance(payload, str):
            actions += [a.lower() for a in _ACTION_RE.findall(payload)]
    return [a for a in actions if a]
