"""What else a subject access request asks for: a mixed request.

A mail asking for a person's own data is a subject access request, an enquiry under data
protection law. One that also asks for the council's other records ("... and the minutes
of the licensing sub-committee") is an FOI request as well, whose part the statutory clock
must cover, though it may never say "FOI". So the mail is read again without its
sentences and clauses about the person's own data (those the subject access signals
match, and those about the person's own records in other words), and classified on what
is left: that rest, if it reads as an FOI request, makes
the whole mail one (marked subject access too).

On the subject access examples of tests/unit/test_classify_subject_access.py the rest is
a signature, an authority or "who should he send his ID to?" (foi 0.06 to 0.23 in the
trained model); on mixed requests it is the other request (0.93 to 1.00).
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language

from mailbot.classify import rules as R
from mailbot.classify.features import prepare
from mailbot.classify.rules import Rules
from mailbot.classify.text import new_text
from mailbot.model import ParsedMessage

# Sentences, paragraphs, and clauses joined by "; " or ", and ".
_PIECES = re.compile(r"(?<=[.!?])\s+|\n\s*\n|;\s+|,\s+and\s+")
MIN_REST_WORDS = 4  # fewer ("Thanks, Ann") asks nothing
# A piece about the person's own records in words the signals do not know: "the emails
# between officers about her", "the notes of his phone calls", "my housing file".
_ABOUT_THEM = re.compile(
    r"\b(?:about|concerning|regarding)\s+(?:me|him|her|them|myself|himself|herself)\b"
    r"|\b(?:my|his|her|their)\s+(?:\w+\s+){0,2}?(?:file|files|records?|data|details|notes"
    r"|calls|emails|letters|correspondence|case|account|history)\b",
    re.IGNORECASE,
)


def only_own_data(counts: Counter[str]) -> bool:
    """A request for the person's own data that does not name FOI itself (one that does
    is taken for a mixed request as it is)."""
    return R.asks_for_own_data(counts) and not counts[R.FOI]


def other_requests(nlp: Language, rules: Rules, message: ParsedMessage) -> ParsedMessage | None:
    """The mail's own words without the pieces about the person's own data, as a message
    to classify; None when too little is left to ask anything."""
    kept = []
    for piece in _PIECES.split(new_text(message.text or "", message.subject or "").text):
        if not piece or not piece.strip():
            continue
        if _ABOUT_THEM.search(piece):
            continue
        counts = prepare(nlp, rules, _text_only(piece)).counts
        if not (counts[R.SAR] or counts[R.DP_LAW] or counts[R.DATA_COPY]):
            kept.append(piece.strip())
    rest = " ".join(kept)
    return _text_only(rest) if len(rest.split()) >= MIN_REST_WORDS else None


def _text_only(text: str) -> ParsedMessage:
    return ParsedMessage(message_id="", subject="", sender=None, text=text)
