"""Raw bytes → ParsedMessage. Never raises: what cannot be understood becomes a ParseFailure.

The stdlib compat32 parser is used because it tolerates broken MIME without raising;
headers and bodies are then decoded defensively, one at a time, so a single lying
charset or malformed header costs that field and not the message.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.policy import compat32

import html2text

from mailbot.model import Address, ParsedMessage

MAX_TEXT_CHARS = 200_000  # enough for any human letter; stops pathological bodies
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ParseFailure:
    message_id: str
    reason: str


def synthetic_message_id(raw: bytes) -> str:
    """A stable Message-ID for mail that has none, so the ledger can still dedup it."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@mailbot.invalid>"


def message_id_of(raw: bytes) -> str:
    """The Message-ID the ledger keys on: the header if usable, else a hash of the bytes."""
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        found = _MSGID_RE.search(clean_header(msg.get("Message-ID", "")))
    except Exception:  # noqa: BLE001 - any parser failure means "no usable header"
        found = None
    return found.group(0) if found else synthetic_message_id(raw)


def parse_message(raw: bytes) -> ParsedMessage | ParseFailure:
    message_id = message_id_of(raw)
    if not raw.strip():
        return ParseFailure(message_id, "empty message")
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        return _build(msg, message_id)
    except Exception as exc:  # noqa: BLE001 - never raise: quarantine with the reason
        return ParseFailure(message_id, f"cannot parse: {type(exc).__name__}: {exc}"[:500])


def _build(msg: email.message.Message, message_id: str) -> ParsedMessage:
    headers = {name.lower(): clean_header(value) for name, value in _raw_headers(msg)}
    senders = _addresses(headers.get("from", ""))
    if not senders:
        senders = _addresses(headers.get("sender", "")) or _addresses(headers.get("reply-to", ""))
    content_types: list[str] = []
    text = _body_text(msg, content_types)
    return ParsedMessage(
        message_id=message_id,
        subject=headers.get("subject", ""),
        sender=senders[0] if senders else None,  # the pipeline quarantines sender-less mail
        to=_addresses(headers.get("to", "")),
        cc=_addresses(headers.get("cc", "")),
        date=_date(headers.get("date", "")),
        in_reply_to=_first_msgid(headers.get("in-reply-to", "")),
        references=_MSGID_RE.findall(headers.get("references", "")),
        text=text,
        headers=headers,
        content_types=content_types,
        defects=[type(d).__name__ for d in msg.defects],
    )


def _raw_headers(msg: email.message.Message) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for name, value in msg.items():
        key = name.lower()
        if key not in seen:  # first value wins, like most clients display
            seen.add(key)
            out.append((name, value if isinstance(value, str) else str(value)))
    return out


def clean_header(value: object) -> str:
    """Decode RFC 2047 words and drop CR/LF and control characters."""
    text = value if isinstance(value, str) else str(value)
    with contextlib.suppress(Exception):  # a broken encoded-word keeps its raw form
        text = str(make_header(decode_header(text)))
    text = text.replace("\r", " ").replace("\n", " ")
    return _CONTROL_RE.sub("", text).strip()


_ADDR_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _addresses(value: str) -> list[Address]:
    out = []
    for name, addr in email.utils.getaddresses([value]):
        addr = addr.strip().lower()
        if _ADDR_RE.fullmatch(addr):
            out.append(Address(name=_CONTROL_RE.sub("", name).strip(), email=addr))
    if not out:  # "From: Big Bug bb@bug.com" and other RFC-breaking forms clients still send
        found = _ADDR_RE.search(value)
        if found:
            out.append(Address(name="", email=found.group(0).lower()))
    return out


def _first_msgid(value: str) -> str | None:
    found = _MSGID_RE.search(value)
    return found.group(0) if found else None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body_text(msg: email.message.Message, content_types: list[str]) -> str:
    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        content_types.append(ctype)
        if part.is_multipart() or _is_attachment(part):
            continue
        if ctype == "text/plain":
            plain.append(decode_part(part))
        elif ctype == "text/html":
            html.append(decode_part(part))
    if any(p.strip() for p in plain):
        text = "\n".join(plain)
    elif html:
        text = "\n".join(html_to_text(h) for h in html)
    else:
        text = ""
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


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
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")


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


def _strip_active_content(html: str) -> str:
    return _ACTIVE_RE.sub(" ", html)


def header_safe(value: str, limit: int = 200) -> str:
    """A value fit for a header we write: one line, no control characters, bounded."""
    flat = _CONTROL_RE.sub("", value.replace("\r", " ").replace("\n", " "))
    flat = re.sub(r"\s+", " ", flat).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
