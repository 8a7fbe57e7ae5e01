"""Mail passed on as an attachment, read as the forward it is.

A councillor passes a resident's email on as an attached message (message/rfc822, which
some gateways send base64 encoded), as a saved .eml file, or as an Outlook item dragged
into a new mail (a .msg file, mailbot.outlook_msg). Each is laid out as a forward is
(marker, From/Date/Subject lines, body), so the officer and the classifier see it as
someone else's mail. The first few attached messages, a few levels deep, are read; the
rest are listed as not read, with the reason, so the officer opens the original for them.
"""

from __future__ import annotations

import binascii
import contextlib
import email
import email.message
import email.utils
from collections.abc import Callable

from mailbot.lost_boundary import recovered_parts
from mailbot.mime_feed import message_from_bytes
from mailbot.model import NotRead, UnreadAttachment
from mailbot.outlook_msg import OutlookItem, is_outlook_item, read_outlook_item
from mailbot.plaintext import clean_header, decode_bytes, eight_bit_text, html_to_text
from mailbot.tnef import RtfBudget

MAX_ATTACHED_MESSAGES = 5  # attached messages read per message
MAX_FORWARD_DEPTH = 3  # a forward of a forward of ...: the first few say enough

# Mail passed on as an attachment: (True, the .msg part) for an Outlook item saved as a
# file, (False, the message) for an attached message/rfc822 or a saved .eml file; then the
# part's file name ("" if it has none).
Attached = tuple[bool, email.message.Message, str]
# The text of an attached message's own body at a forward depth (mailbot.body reads it,
# and the mail attached to it in turn through this module).
ReadBody = Callable[[email.message.Message, int], str]


def attached_mail(
    part: email.message.Message, ctype: str, unread: list[UnreadAttachment]
) -> list[Attached] | None:
    """The mail this part passes on, or None if the part is not mail passed on as an
    attachment. One that cannot be read gives none, and its file name goes to `unread`."""
    name = file_name(part)
    if ctype == "message/rfc822":
        found = [(False, p, name) for p in _attached_messages(part)]
    elif _has_file_name(part, ctype, ".eml"):
        found = [(False, p, name) for p in _eml_file(part)]
    elif _is_outlook_item(part, ctype):
        return [(True, part, name)]  # read, or found unreadable, by forwards_text
    else:
        return None
    if not found:
        unread.append(UnreadAttachment(name))
    return found


def forwards_text(
    attached: list[Attached],
    depth: int,
    read_body: ReadBody,
    unread: list[UnreadAttachment],
    rtf: RtfBudget,
) -> str:
    """The attached mail laid out as forwards, the first MAX_ATTACHED_MESSAGES of them, or
    "" once `depth` forwards deep; an Outlook item's RTF is read from the mail's `rtf`
    budget. An Outlook item that cannot be read, or not all of, and the mail past these
    limits, go to `unread`."""
    if depth >= MAX_FORWARD_DEPTH:
        unread.extend(_not_read(found, NotRead.TOO_DEEP) for found in attached)
        return ""
    text = ""
    for is_outlook, inner, _ in attached[:MAX_ATTACHED_MESSAGES]:
        if is_outlook:
            text += _outlook_forward(inner, depth + 1, read_body, unread, rtf)
        else:
            text += _as_forward(inner, depth + 1, read_body)
    unread.extend(_not_read(found, NotRead.TOO_MANY) for found in attached[MAX_ATTACHED_MESSAGES:])
    return text


def _not_read(attached: Attached, why: NotRead) -> UnreadAttachment:
    """Attached mail left unread, named as the officer finds it in the original: by its
    file name, else (an attached email, which mail clients list by its subject) its subject."""
    is_outlook, inner, name = attached
    if not name and not is_outlook:
        with contextlib.suppress(Exception):  # an undecodable subject: no name
            name = clean_header(eight_bit_text(str(inner.get("Subject", ""))))
    return UnreadAttachment(name, why)


def file_name(part: email.message.Message) -> str:
    """The part's file name as one safe line, "" if it has none or it cannot be decoded."""
    try:
        return clean_header(part.get_filename() or "")
    except Exception:  # noqa: BLE001 - an undecodable file name is no name
        return ""


def own_parts(msg: email.message.Message) -> list[email.message.Message]:
    """Every part of this message, in order, without going inside an attached message
    (Outlook's "forward as attachment", the original in a bounce). A multipart the parser
    could not divide is divided on the boundary its body uses (mailbot.lost_boundary)."""
    parts = [msg]
    if msg.is_multipart() and msg.get_content_type() != "message/rfc822":
        children = [c for c in _payload_list(msg) if isinstance(c, email.message.Message)]
    else:
        children = recovered_parts(msg)
    for child in children:
        parts.extend(own_parts(child))
    return parts


def _payload_list(part: email.message.Message) -> list[object]:
    payload = part.get_payload()
    return list(payload) if isinstance(payload, list) else []


def _as_forward(inner: email.message.Message, depth: int, read_body: ReadBody) -> str:
    """An attached message's text, laid out as a forward is (marker, From/Subject lines,
    body): readers of the text then see it as someone else's mail, as with an inline one."""
    headers = []
    for name in ("From", "Date", "Subject"):
        with contextlib.suppress(Exception):
            headers.append((name, eight_bit_text(str(inner.get(name, "")))))
    return _forward_block(headers, read_body(inner, depth))


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
    with no headers, and the officer would read a block of base64. It is decoded here.
    None if there is no message: no headers and no text, or base64 that does not decode
    to one (cut short by a gateway's size limit, say)."""
    found = [p for p in _payload_list(part) if isinstance(p, email.message.Message)]
    if len(found) != 1 or found[0].keys():
        return found
    encoded = found[0].get_payload()
    if not isinstance(encoded, str):
        return found
    if not encoded.strip():
        return []
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding != "base64":
        return found  # text with no header block: still someone's words, shown as they are
    decoded = _message_from(_base64(encoded))
    return [decoded] if decoded is not None else []


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
    found = message_from_bytes(data)
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


def _outlook_forward(
    part: email.message.Message,
    depth: int,
    read_body: ReadBody,
    unread: list[UnreadAttachment],
    rtf: RtfBudget,
) -> str:
    """The Outlook item's text laid out as an attached message's is. If it cannot be read,
    or none of its text can (a broken body stream leaves the subject), its file name goes
    to `unread` so the officer is told to open it; so it does, with the reason, if its RTF
    was past what was left of the mail's `rtf` budget. Some programs save a mail as a .msg
    file in its Internet form: that is read as an attached message."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: nothing to read
        data = None
    if isinstance(data, bytes) and not is_outlook_item(data):
        saved = _message_from(data, saved_file=True)
        if saved is not None:
            return _as_forward(saved, depth, read_body)
    item = None
    if isinstance(data, bytes):
        item = read_outlook_item(data, html_to_text, decode_bytes, rtf)
    if item is None or not (_has_text(item) or _rtf_cut_short(item)):
        unread.append(UnreadAttachment(file_name(part)))
    if item is not None and item.rtf_cut_short:
        unread.append(UnreadAttachment(file_name(part), NotRead.TOO_MUCH_RTF))
    return "" if item is None else _item_forward(item, depth, unread)


def _has_text(item: OutlookItem) -> bool:
    """Whether the item, or an item attached to it, has a body."""
    return bool(item.text.strip()) or any(_has_text(inner) for inner in item.attached)


def _rtf_cut_short(item: OutlookItem) -> bool:
    """Whether the item's RTF, or an attached item's, was past the mail's RTF budget."""
    return item.rtf_cut_short or any(_rtf_cut_short(inner) for inner in item.attached)


def _item_forward(item: OutlookItem, depth: int, unread: list[UnreadAttachment]) -> str:
    """An Outlook item and the items attached to it, each laid out as a forward; those
    past the limits, and attached ones whose RTF was past the mail's budget, go to
    `unread`, by subject."""
    sent = email.utils.format_datetime(item.sent) if item.sent else ""
    headers = [("From", item.sender), ("Date", sent), ("Subject", item.subject)]
    text = _forward_block(headers, item.text)
    unread.extend(UnreadAttachment("", why) for why in item.not_read)
    if depth >= MAX_FORWARD_DEPTH:
        unread.extend(_item_not_read(inner, NotRead.TOO_DEEP) for inner in item.attached)
        return text
    for inner in item.attached[:MAX_ATTACHED_MESSAGES]:
        if inner.rtf_cut_short:
            unread.append(_item_not_read(inner, NotRead.TOO_MUCH_RTF))
        text += _item_forward(inner, depth + 1, unread)
    unread.extend(
        _item_not_read(inner, NotRead.TOO_MANY) for inner in item.attached[MAX_ATTACHED_MESSAGES:]
    )
    return text


def _item_not_read(item: OutlookItem, why: NotRead) -> UnreadAttachment:
    """An attached Outlook item left unread, named by its subject as Outlook lists it."""
    try:
        return UnreadAttachment(clean_header(item.subject), why)
    except Exception:  # noqa: BLE001 - an odd subject: no name
        return UnreadAttachment("", why)
