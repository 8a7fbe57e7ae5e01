"""The loop guard's rule table and detect_automatic(): the rules are checked in order on
the subject without gateway tags; the first that matches decides, and its name is the
recorded reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mailbot.loops.content import subject_and_body
from mailbot.loops.headers import (
    auto_submitted,
    autoreply_headers,
    mailing_list,
    our_own_mail,
    precedence,
)
from mailbot.loops.invitations import calendar_item
from mailbot.loops.reports import (
    daemon_sender,
    delivery_report,
    disposition_notification,
    empty_return_path,
    failed_recipients,
)
from mailbot.loops.subjects import without_gateway_tags
from mailbot.model import Automatic, ParsedMessage


@dataclass(frozen=True)
class Verdict:
    automatic: Automatic
    reason: str


Rule = Callable[[ParsedMessage], Automatic | None]

RULES: tuple[tuple[str, Rule], ...] = (
    ("our own mail came back (loop header)", our_own_mail),
    ("calendar item", calendar_item),
    ("delivery or read report (multipart/report)", delivery_report),
    ("X-Failed-Recipients header", failed_recipients),
    ("disposition notification", disposition_notification),
    ("mailer-daemon sender", daemon_sender),
    ("Auto-Submitted header", auto_submitted),
    ("X-Autoreply/X-Autorespond header", autoreply_headers),
    ("Precedence header", precedence),
    ("mailing-list headers", mailing_list),
    ("empty Return-Path", empty_return_path),
    ("subject or body pattern", subject_and_body),
)


# Outlook and phones type "I’m" and "o’r" with a curly apostrophe; the patterns are written
# with a straight one.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _plain_apostrophes(text: str) -> str:
    return text.translate(_APOSTROPHES)


def detect_automatic(msg: ParsedMessage) -> Verdict | None:
    """Why this message is automatic, or None if a person wrote it."""
    msg = replace(
        msg,
        subject=_plain_apostrophes(without_gateway_tags(msg.subject)),
        text=_plain_apostrophes(msg.text),
    )
    for reason, rule in RULES:
        found = rule(msg)
        if found is not None:
            return Verdict(found, reason)
    return None
