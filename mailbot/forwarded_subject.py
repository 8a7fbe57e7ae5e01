"""What a case is called when the member forwarded mail under an empty subject.

A councillor forwarding a resident's mail that had no subject (or clearing the subject
line first) sends "FW:" (Outlook), "Fwd:" (Gmail, phones), "Fwd: " or "RE: FW:": nothing a
person can tell the case by in the acknowledgement, the officer's mail, the reminders or
the digest. Such a case takes, in turn:

1. the forwarded mail's own subject, from the header block a forward puts in the body
   (Outlook's From/Sent/To/Subject, Gmail's "Forwarded message"; a message attached as
   message/rfc822 or .eml is laid out so too, mailbot/attached_mail.py);
2. the first words of the member's own text above it;
3. nothing (""), which the mail we write shows as "(no subject)" in a subject line and
   leaves out of a letter's body.

Reply and forward prefixes ("Fwd:", "RE: FW:", in the member's client's language) and a
mail gateway's "[EXTERNAL]" are taken off what is found. Any other subject is the
member's own and is kept as they wrote it.

A confidential case takes nothing from the body for a subject line the member is sent:
its acknowledgement, and every later letter to them (letter_subject), say "(no subject)".
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.loops.subjects import FORWARD_SUBJECT, GATEWAY_TAG, REPLY_OR_FORWARD_SUBJECT
from mailbot.member_cases import shown_as_confidential
from mailbot.model import ParsedMessage
from mailbot.quoting import history_head, is_device_footer, own_text
from mailbot.store.tables import CaseRow, MessageRow

FIRST_WORDS = 10  # of the member's own text, when nothing else names the case
MAX_FIRST_CHARS = 80
# A forwarded header block's subject line, in the languages HEADER_LINE reads (quoting.py),
# "*Subject:*" and "**Subject:**" as HTML clients' bold comes through.
_SUBJECT_LINE = re.compile(
    r"^\s*\*{0,2}(?:subject|pwnc|betreff|objet|asunto|assunto|oggetto|temat|subiect|tema)"
    r"\*{0,2}\s*:\**\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
# A greeting line alone ("Hi,", "Dear Highways team,", "Bore da"): not what the mail is about.
_GREETING = re.compile(
    r"^(?:hi|hello|hiya|dear|good (?:morning|afternoon|evening)|morning|afternoon|all"
    r"|bore da|prynhawn da|noswaith dda|annwyl|helo|shwmae)\b[^.?!]{0,40}[,:!]?$",
    re.IGNORECASE,
)


def bare_subject(subject: str) -> str:
    """The subject without the reply/forward prefixes and gateway tags in front of it."""
    rest = subject
    while True:
        found = GATEWAY_TAG.match(rest) or REPLY_OR_FORWARD_SUBJECT.match(rest)
        if found is None or not found.end():
            return " ".join(rest.split())
        rest = rest[found.end() :]


def _empty_forward(subject: str) -> bool:
    """Only prefixes, one of them a forward's ("FW:", "RE: FW:", "Fwd: ")."""
    if bare_subject(subject):
        return False
    rest = subject
    while rest.strip():
        if FORWARD_SUBJECT.match(rest):
            return True
        found = GATEWAY_TAG.match(rest) or REPLY_OR_FORWARD_SUBJECT.match(rest)
        if found is None or not found.end():
            return False
        rest = rest[found.end() :]
    return False


def case_subject(message: ParsedMessage, *, private: bool = False) -> str:
    """The subject a case opened by `message` is known by (see the module's docstring).
    `private`: for a subject line a confidential case's member is sent, where nothing
    of the body may be shown ("" for an empty forward, "(no subject)" in the line)."""
    if not _empty_forward(message.subject):
        return message.subject
    if private:
        return ""
    return forwarded_subject(message.text) or first_words(message.text)


def letter_subject(session: Session, case: CaseRow) -> str:
    """The subject a letter to the member replies under, as their acknowledgement did
    (case_subject's `private`): a confidential case opened by an empty forward, "" (the
    line says "(no subject)"), not the words the case took from the body."""
    if not shown_as_confidential(case):
        return case.subject
    opened = session.scalar(
        select(MessageRow.subject).where(MessageRow.message_id == case.root_message_id)
    )
    return "" if opened is not None and _empty_forward(opened) else case.subject


def forwarded_subject(text: str) -> str:
    """The subject in the first forwarded (or quoted) header block of `text`, bare."""
    for line in history_head(text).splitlines():
        found = _SUBJECT_LINE.match(line)
        if found is not None:
            return bare_subject(found["value"].strip("*"))
    return ""


def first_words(text: str) -> str:
    """The first words of the sender's own text, past a greeting; "..." if cut short."""
    lines = [ln.strip() for ln in own_text(text).text.splitlines()]
    words: list[str] = []
    for line in lines:
        if not line or is_device_footer(line) or (not words and _GREETING.match(line)):
            if words:
                break  # the first paragraph only
            continue
        words.extend(line.split())
        if len(words) > FIRST_WORDS:
            break
    if not words:
        return ""
    whole = " ".join(words)
    shown = " ".join(words[:FIRST_WORDS])[:MAX_FIRST_CHARS].rstrip(" ,;:-")
    return shown if shown == whole else shown + "..."
