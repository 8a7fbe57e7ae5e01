"""The files a member attached to a message, named and sized for the officer's mail.

Only parts sent as attachments (Content-Disposition: attachment) are listed: a picture in
a signature or pasted into the text is sent inline and is not. Mail passed on as an
attachment is quoted in the text (or named as unread), winmail.dat is Outlook's own
wrapping and a detached signature is not a file the member chose: none is listed.
"""

from __future__ import annotations

import email.message

from mailbot.attached_mail import attached_mail, file_name, own_parts
from mailbot.model import AttachedFile

MAX_FILES_LISTED = 20
NOT_FILES = frozenset({
    "application/ms-tnef", "application/vnd.ms-tnef",
    "application/pkcs7-signature", "application/x-pkcs7-signature",
    "application/pgp-signature",
})


def attached_files(msg: email.message.Message) -> list[AttachedFile]:
    """The message's own attached files, in order, at most MAX_FILES_LISTED."""
    found: list[AttachedFile] = []
    for part in own_parts(msg)[1:]:
        ctype = part.get_content_type()
        disposition = str(part.get("Content-Disposition", "")).lower()
        if not disposition.startswith("attachment") or ctype in NOT_FILES:
            continue
        if part.get_content_maintype() in {"message", "multipart"}:
            continue
        if attached_mail(part, ctype, []) is not None:  # a .eml or .msg: quoted in the text
            continue
        found.append(AttachedFile(file_name(part)[:100], _size(part)))
    return found[:MAX_FILES_LISTED]


def _size(part: email.message.Message) -> int:
    """The file's size, reckoned from its encoded text rather than by decoding it: a big
    attachment decoded here would hold a second copy of it in memory, for one figure the
    officer reads rounded ("2.4 MB"). Base64 carries 3 bytes in every 4 characters."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        lines = payload.count("\n")
        return max(0, (len(payload) - lines - payload.count("\r")) * 3 // 4)
    return len(payload)


def readable_size(size: int) -> str:
    """"2 MB", "1.5 MB", "340 KB"; "" when unknown."""
    if size <= 0:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
