"""Rendered text → an RFC 5322 message we can send, threaded and marked as automatic."""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, make_msgid
from io import BytesIO
from secrets import token_hex
from typing import Any, cast

from mailbot.addresses import ascii_address
from mailbot.loops.outgoing import outgoing_headers
from mailbot.loops.subjects import GATEWAY_TAG, REPLY_OR_FORWARD_SUBJECT
from mailbot.plaintext import header_safe
from mailbot.refs import REF_TAG
from mailbot.render import Rendered

_SPACES = re.compile(r"\s{2,}")


class _SmtpCompat32(Compat32):
    """compat32 that writes a short ASCII header line as it is. The stock policy sends every
    header through email.header.Header to fold it, which is most of the cost of a small
    message; a line that fits needs no folding, and anything else still gets it."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value:
            if len(name) + len(value) + 2 <= (self.max_line_length or 998):
                return f"{name}: {value}{self.linesep}"
            if name.lower() in _MESSAGE_ID_HEADERS:
                return self._fold_ids(name, value.split())
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded

    def _fold_ids(self, name: str, ids: list[str]) -> str:
        """Message IDs folded between IDs only, the first on the header's own line. The stock
        folding put an Outlook ID (some 70 characters) alone on a continuation line under an
        empty "In-Reply-To: ", which reads back as a value with a leading space."""
        limit = self.max_line_length or 998
        lines = [f"{name}: {ids[0]}"] if ids else [f"{name}:"]
        for message_id in ids[1:]:
            if len(lines[-1]) + 1 + len(message_id) <= limit:
                lines[-1] += f" {message_id}"
            else:
                lines.append(f" {message_id}")
        return self.linesep.join(lines) + self.linesep


# A Message-ID cannot be broken, so these fold between IDs (RFC 5322 3.6.4), never before one.
_MESSAGE_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})


SMTP_COMPAT = _SmtpCompat32(linesep="\r\n", max_line_length=78)

_LINE_END = re.compile(r"\r\n|\r|\n")  # what the stdlib generator splits a body's lines at


class _Generator(BytesGenerator):
    """The stdlib's BytesGenerator, writing a body's lines in one piece. The stock one
    splits a part's text into lines and writes (and encodes) each line and each line end
    apart, about a tenth of the cost of composing a letter. Replacing every line end at
    once gives the same bytes."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(_LINE_END.sub(self._NL, lines))  # type: ignore[attr-defined]


def _as_bytes(msg: Message) -> bytes:
    """What msg.as_bytes(policy=SMTP_COMPAT) gives, through _Generator."""
    out = BytesIO()
    _Generator(out, mangle_from_=False, policy=SMTP_COMPAT).flatten(msg, unixfrom=False)
    return out.getvalue()


@dataclass(frozen=True)
class Envelope:
    sender: str  # the shared mailbox address
    sender_name: str
    to: Sequence[str]
    cc: Sequence[str] = ()
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    instance: str = "mailbot"
    # To an officer about their case: their out-of-office and their server's bounce are
    # what tells mailbot they are away or gone (absence.py), so those are asked for.
    hear_absence: bool = False


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML part (e.g. the digest's chart), referenced there as
    `<img src="cid:CID">`; it travels in a multipart/related part with the HTML."""

    cid: str  # without angle brackets
    data: bytes
    subtype: str = "png"
    filename: str = "image.png"


def new_message_id(mailbox_address: str) -> str:
    domain = ascii_domain(mailbox_address).rpartition("@")[2]
    return make_msgid(idstring="mailbot", domain=domain if domain.isascii() else "mailbot.invalid")


def ascii_domain(address: str) -> str:
    """The address with its domain in ASCII (IDNA) form, as the SMTP envelope has it, for
    our headers: an address on a domain such as caerdydd-ŵ.cymru made every mail from that
    mailbox fail to compose (formataddr takes ASCII only), and a recipient's was written as
    an RFC 2047 encoded word, which an address may never be. A mailbox name that is not
    ASCII, or a domain IDNA cannot write, is left as it is."""
    return ascii_address(address)


MAX_TAGGED_SUBJECT = 2_000  # the most of a subject looked at for case tags to remove


def reply_subject(original: str, ref: str) -> str:
    """'Re: <original> [MB-2026-00042]', one line, bounded, without a doubled Re: or tag."""
    # Every case tag goes, not just this case's: a stranger's reply carrying a member's
    # [MB-] tag, or a follow-up opening a linked case, must come back with one tag, ours,
    # or their next reply would name the other case first. The tags go before the subject
    # is cut to length: a subject of twenty tags cut first left half a tag and no subject.
    # (It is made one line first, its runs of spaces one space each, so REF_TAG, which
    # tries every space of a run in turn, reads a bounded line in linear time.)
    tagged = header_safe(original, limit=MAX_TAGGED_SUBJECT)
    untagged = REF_TAG.sub("", tagged)
    subject = _SPACES.sub(" ", header_safe(untagged, limit=150)).strip()
    subject = _one_reply_prefix(untagged_subject(subject))
    if not subject and untagged != tagged:
        # Titled with a reference alone ("[MB-2026-00042]", as the digest's links start
        # a manager's command): the reference is its subject, not "(no subject)".
        return f"Re: [{ref}]"
    subject = subject or "(no subject)"
    if not subject.lower().startswith(("re:", "re :")):
        subject = f"Re: {subject}"
    return f"{subject} [{ref}]"


# A reply prefix in the languages member mail arrives in (not Fwd:, which says something).
_REPLY_PREFIX = re.compile(r"\s*(?:re|aw|sv|vs|odp|antw|ynt|ateb|atb)\s*(?:\[\d+\])?\s*:", re.I)


def _one_reply_prefix(subject: str) -> str:
    """The subject with a run of reply prefixes at its start cut to the first one, as the
    member wrote it: a reply to a reply ("RE: Re: Bins") answered as "RE: Re: Bins" grows
    a prefix with every round, and the member reads the clutter before their subject."""
    first = _REPLY_PREFIX.match(subject)
    if first is None:
        return subject
    rest = subject[first.end() :]
    while (more := _REPLY_PREFIX.match(rest)) is not None:
        rest = rest[more.end() :]
    rest = rest.strip()
    return f"{first.group(0).strip()} {rest}" if rest else ""


def untagged_subject(subject: str) -> str:
    """The member's subject without the tags their mail gateway put in front of it
    ("[EXTERNAL] ", "RE: [EXTERNAL] ", "*EXTERNAL* FW: "), for the subjects of the mail we
    write: the tag warned the council about mail from outside, and on our mail to a member
    or an officer it is untrue and crowds out the subject. Re:/Fwd: and the rest are kept
    as they were; "" if nothing but tags and Re:/Fwd: is left."""
    prefixes: list[str] = []
    rest, found = subject, False
    while True:
        tag = GATEWAY_TAG.match(rest)
        if tag and tag.end():
            rest, found = rest[tag.end() :], True
            continue
        prefix = REPLY_OR_FORWARD_SUBJECT.match(rest)
        if not prefix:
            break
        prefixes.append(prefix.group(0).strip())
        rest = rest[prefix.end() :]
    if not found:
        return subject
    return " ".join([*prefixes, rest.strip()]) if rest.strip() else ""


def _header(value: str) -> str:
    """ASCII stays as it is; anything else becomes RFC 2047 encoded words. (A compat32
    message takes a Header object as a value and folds it itself; typeshed says str.)"""
    return value if value.isascii() else cast(str, Header(value, "utf-8"))


def _multipart(subtype: str, parts: Sequence[Message]) -> MIMEMultipart:
    # A random boundary of our own: the generator would otherwise compile a fresh regex
    # per message to search the body for a clash, which 96 random bits make moot.
    return MIMEMultipart(subtype, boundary=f"=_mailbot_{token_hex(12)}", _subparts=parts)


def _text_part(text: str, subtype: str) -> Message:
    """UTF-8, quoted-printable (it keeps the source readable), encoded by binascii's C
    codec: the email package's own encoder is pure Python and several times slower."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part


def compose(
    rendered: Rendered,
    envelope: Envelope,
    *,
    message_id: str,
    now: datetime,
    inline_images: Sequence[InlineImage] = (),
) -> bytes:
    """Build the MIME with the stdlib's compat32 classes: an order of magnitude faster than
    EmailMessage's header registry, which matters when a poll acknowledges thousands."""
    html: Message = _text_part(rendered.html, "html")
    if inline_images:
        related = _multipart("related", [html])
        for image in inline_images:
            picture = MIMEImage(image.data, image.subtype)
            picture["Content-ID"] = f"<{image.cid}>"
            picture.add_header("Content-Disposition", "inline", filename=image.filename)
            related.attach(picture)
        html = related
    msg = _multipart("alternative", [_text_part(rendered.text, "plain"), html])
    msg["From"] = _from_header(header_safe(envelope.sender_name), ascii_domain(envelope.sender))
    msg["To"] = ", ".join(map(ascii_domain, envelope.to))
    if envelope.cc:
        msg["Cc"] = ", ".join(map(ascii_domain, envelope.cc))
    msg["Subject"] = _header(header_safe(rendered.subject, limit=250))
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    in_reply_to = envelope.in_reply_to if _sent_by_someone(envelope.in_reply_to) else None
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    references = [r for r in envelope.references if _sent_by_someone(r)]
    if in_reply_to and in_reply_to not in references:
        references.append(in_reply_to)
    if references:
        msg["References"] = " ".join(references[-20:])  # Outlook threads on the last few
    for name, value in _marks(envelope).items():
        msg[name] = value
    return _as_bytes(msg)


def _from_header(name: str, address: str) -> str:
    if address.isascii():
        return formataddr((name, address), "utf-8")
    return _header(address)  # a mailbox name beyond ASCII: sent rather than not at all


def _sent_by_someone(message_id: str | None) -> bool:
    """Whether a Message-ID is one a mail client wrote, not a ledger key mailbot made up for
    mail with none, an over-long one or a reused one (parse.synthetic_message_id,
    bounded_message_id, ledger): in In-Reply-To or References such a key names a mail the
    member never had, so their client cannot thread on it."""
    return bool(message_id) and not str(message_id).rstrip(">").endswith("mailbot.invalid")


# Receipts and rule-made auto-replies are still refused; out-of-office notes and
# non-delivery reports are not (MS-OXCMAIL 2.1.3.2.20).
ABSENCE_WANTED = "DR, RN, NRN, AutoReply"


def _marks(envelope: Envelope) -> dict[str, str]:
    """The headers that mark our mail. "X-Auto-Response-Suppress: All" stops Exchange
    sending an officer's out-of-office and a dead address's bounce, and Auto-Submitted or
    Precedence stop RFC 3834 responders: mail whose answer mailbot needs asks for them.
    What comes back is still recognised as automatic and never answered (mailbot/loops/)."""
    headers = outgoing_headers(envelope.instance)
    if envelope.hear_absence:
        headers["X-Auto-Response-Suppress"] = ABSENCE_WANTED
        headers.pop("Auto-Submitted", None)
        headers.pop("Precedence", None)
    return headers
