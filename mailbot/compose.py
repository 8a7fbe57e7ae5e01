"""Rendered text → an RFC 5322 message we can send, threaded and marked as automatic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from mailbot.loops import outgoing_headers
from mailbot.parse import header_safe
from mailbot.render import Rendered


@dataclass(frozen=True)
class Envelope:
    sender: str  # the shared mailbox address
    sender_name: str
    to: Sequence[str]
    cc: Sequence[str] = ()
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    instance: str = "mailbot"


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML part (e.g. the digest's chart), referenced there as
    `<img src="cid:CID">`; it travels in a multipart/related part with the HTML."""

    cid: str  # without angle brackets
    data: bytes
    subtype: str = "png"
    filename: str = "image.png"


def new_message_id(mailbox_address: str) -> str:
    domain = mailbox_address.rpartition("@")[2] or "mailbot.invalid"
    return make_msgid(idstring="mailbot", domain=domain)


def reply_subject(original: str, ref: str) -> str:
    """'Re: <original> [MB-2026-00042]', one line, bounded, without a doubled Re: or tag."""
    subject = header_safe(original, limit=150) or "(no subject)"
    if f"[{ref}]" in subject:
        subject = subject.replace(f"[{ref}]", "").strip()
    if not subject.lower().startswith(("re:", "re :")):
        subject = f"Re: {subject}"
    return f"{subject} [{ref}]"


def compose(
    rendered: Rendered,
    envelope: Envelope,
    *,
    message_id: str,
    now: datetime,
    inline_images: Sequence[InlineImage] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr((header_safe(envelope.sender_name), envelope.sender))
    msg["To"] = ", ".join(envelope.to)
    if envelope.cc:
        msg["Cc"] = ", ".join(envelope.cc)
    msg["Subject"] = header_safe(rendered.subject, limit=250)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    if envelope.in_reply_to:
        msg["In-Reply-To"] = envelope.in_reply_to
    references = [r for r in envelope.references if r]
    if envelope.in_reply_to and envelope.in_reply_to not in references:
        references.append(envelope.in_reply_to)
    if references:
        msg["References"] = " ".join(references[-20:])  # Outlook threads on the last few
    for name, value in outgoing_headers(envelope.instance).items():
        msg[name] = value
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if inline_images:
        html_part = msg.get_payload()[1]  # type: ignore[index]
        for image in inline_images:
            html_part.add_related(
                image.data,
                maintype="image",
                subtype=image.subtype,
                cid=f"<{image.cid}>",
                filename=image.filename,
                disposition="inline",
            )
    return msg.as_bytes(policy=SMTP)
