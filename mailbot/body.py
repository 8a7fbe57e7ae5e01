"""A message's text: which parts make it, and why it is missing when it is.

The text is the plain part, else the HTML part as text, else (Outlook's "Rich Text" mail)
the letter inside winmail.dat; then the mail passed on as attachments, laid out as
forwards (mailbot.attached_mail). Inline PGP armour is cut out. body_note says why a
message has no readable text, so the officer opens the original and the classifier does
not guess from a subject line alone.
"""

from __future__ import annotations

import email.message
import re

from mailbot.attached_mail import Attached, attached_mail, file_name, forwards_text, own_parts
from mailbot.model import NotRead, ParsedMessage, UnreadAttachment
from mailbot.plaintext import decode_part, html_to_text
from mailbot.quoting import is_device_footer
from mailbot.tnef import UNREADABLE_WINMAIL, RtfBudget, Winmail, read_winmail

MAX_TEXT_CHARS = 200_000  # enough for any human letter; stops pathological bodies
# A plain text part is decoded only this far: MAX_TEXT_CHARS at four bytes a character at
# most. (Not an HTML part: a picture pasted into it, megabytes of data: URI, may come first.)
MAX_PLAIN_BYTES = 4 * MAX_TEXT_CHARS


def body_text(
    msg: email.message.Message,
    content_types: list[str],
    attachment_types: list[str],
    unread: list[UnreadAttachment],
) -> str:
    """The message's text, its attached mail included. The type of each of its own parts
    is added to content_types, and of those sent as attachments to attachment_types; mail
    passed on that could not be, or was not, read (at any depth) to unread. All the RTF
    in it is read from one RtfBudget, its own letter's first."""
    return _body_text(msg, content_types, attachment_types, unread, RtfBudget(), 0)


def _body_text(
    msg: email.message.Message,
    content_types: list[str],
    attachment_types: list[str],
    unread: list[UnreadAttachment],
    rtf: RtfBudget,
    depth: int,
) -> str:
    """body_text for a message `depth` forwards deep, its RTF read from `rtf`."""
    plain: list[str] = []
    html: list[str] = []
    attached: list[Attached] = []
    winmail: list[email.message.Message] = []
    for part in own_parts(msg):
        ctype = part.get_content_type()
        content_types.append(ctype)
        if _is_attachment(part):
            attachment_types.append(ctype)
        passed_on = attached_mail(part, ctype, unread)
        if passed_on is not None:
            attached.extend(passed_on)
            continue
        if ctype in TNEF_TYPES:
            winmail.append(part)
            continue
        if part.is_multipart() or _is_attachment(part):
            continue
        if ctype == "text/plain":
            text = _without_uuencoded_files(decode_part(part, MAX_PLAIN_BYTES), content_types)
            plain.append(_without_pgp_blocks(text, content_types))
        elif ctype == "text/html":
            html.append(_without_pgp_blocks(decode_part(part), content_types))
    if any(p.strip() for p in plain):
        text = "\n".join(plain)
    elif any(h.strip() for h in html):
        text = "\n".join(html_to_text(h) for h in html)
    else:  # Outlook's "Rich Text" mail: the letter is inside winmail.dat, if anywhere
        text = ""
    # Read for its item class and the mail inside it even when the letter came as text.
    outlook = _read_winmail(winmail[0], rtf, with_text=not text) if winmail else Winmail("", "")
    if winmail:
        unread.extend(_unread_in_winmail(winmail[0], outlook))
    content_types.extend(_outlook_item_types(outlook.message_class))
    text = text or outlook.text

    def attached_body(inner: email.message.Message, inner_depth: int) -> str:
        return _body_text(inner, [], [], unread, rtf, inner_depth)

    text += forwards_text(attached, depth, attached_body, unread, rtf)
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


def _read_winmail(part: email.message.Message, rtf: RtfBudget, *, with_text: bool) -> Winmail:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: nothing to read
        return UNREADABLE_WINMAIL
    if not isinstance(data, bytes):
        return UNREADABLE_WINMAIL
    return read_winmail(data, html_to_text, rtf, with_text=with_text)


def _unread_in_winmail(part: email.message.Message, outlook: Winmail) -> list[UnreadAttachment]:
    """What of the winmail.dat in `part` is missing from the text: all of it if it cannot
    be read, the letter's RTF past the mail's budget, and the emails attached inside it."""
    name = file_name(part) or "winmail.dat"
    found = [UnreadAttachment(name)] if not outlook.readable else []
    if outlook.rtf_cut_short:
        found.append(UnreadAttachment(name, NotRead.TOO_MUCH_RTF))
    return found + [UnreadAttachment(inner, NotRead.IN_WINMAIL) for inner in outlook.attached_mail]


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


def _is_attachment(part: email.message.Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment")


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


# A file attached the pre-MIME way, inside the text ("begin 644 photo.png" ... "end"), as
# Outlook in plain-text mode and some scanners still send it.
# Its lines hold only the characters uuencoding writes (space to backquote, no lower case),
# so a "begin" in a person's text never reaches further than its own file.
UUENCODED = re.compile(
    r"^begin [0-7]{3,4} [^\n]+\n(?:[\x20-\x60]{0,80}\n)*?end[ \t]*$", re.MULTILINE
)


def _without_uuencoded_files(text: str, content_types: list[str]) -> str:
    """The text with uuencoded files cut out: to a reader they are pages of "M`"; each is
    listed as an attachment, as a MIME one would be."""
    if "begin " not in text:
        return text
    cut, found = UUENCODED.subn("", text.replace("\r\n", "\n"))
    if not found:
        return text
    content_types.extend(["application/octet-stream"] * found)
    return cut


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
    if _has_words(message.text):
        return None
    if types & TNEF_TYPES:
        return OUTLOOK_ONLY
    if message.attachment_types or types - {"text/plain", "text/html"} - _CONTAINERS:
        return ATTACHMENTS_ONLY
    return SUBJECT_ONLY


def _has_words(text: str) -> bool:
    """Text a person wrote: a photo sent from a phone carries only its mail app's footer
    ("Sent from my iPhone"), and one sent from Windows ("Send to > Mail recipient") only
    Windows' note and the file names, which say nothing about the case."""
    lines = [line for line in text.splitlines() if line.strip()]
    if any(_WINDOWS_SEND_TO.search(line) for line in lines):
        lines = [ln for ln in lines if not _WINDOWS_SEND_TO.search(ln) and not _FILE_NAME.match(ln)]
    return any(not is_device_footer(line) for line in lines)


_WINDOWS_SEND_TO = re.compile(
    r"\byour message is ready to be sent with the following file or link attachments\b"
    r"|\bto protect against computer viruses, e-?mail programs may prevent sending\b"
    r"|\bcheck your e-?mail security settings to determine how attachments are handled\b",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"^\s*[^\n]{1,120}\.[A-Za-z0-9]{2,5}\s*$")


_CONTAINERS = frozenset({
    "multipart/mixed", "multipart/alternative", "multipart/related", "multipart/signed",
    "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature",
})
