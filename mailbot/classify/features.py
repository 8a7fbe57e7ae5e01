"""One message → one tokenized doc with its rule signals, shared by rules and model.

The model reads the subject and new text lower-cased, followed by one token per rule
signal and header flag ("rule_foi", "hdr_important"...). So the trained model learns how
far to trust each rule from the data, instead of us hard-coding weights.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from mailbot.body import UNREADABLE, body_note
from mailbot.classify.rules import HeaderFlags, Rules, header_flags, language_fit, word_count
from mailbot.classify.text import new_text
from mailbot.model import NotRead, ParsedMessage

# Attached mail left unread because it could not be read. Past the limits (more than five
# attached, more than three forwards deep) the first ones were read: the kind rests on them.
NOTE_ONLY = frozenset({NotRead.BROKEN, NotRead.IN_WINMAIL})
MIN_WORDS = 3  # fewer words than this: nothing to classify on
MIN_LANGUAGE_FIT = 0.1  # below this share of en/cy function words: unexpected language
MAX_SUBJECT_CHARS = 300


@dataclass(frozen=True)
class Prepared:
    doc: Doc  # subject + new text, lower-cased, then signal tokens
    counts: Counter[str]  # rule label -> matches
    flags: HeaderFlags
    words: int  # word tokens in the new text and subject
    language_fit: float
    forwarded: bool
    # False when the body is encrypted, in winmail.dat or only attachments: the words
    # counted are then the subject's, and the case's kind must not rest on them alone.
    body_readable: bool = True
    # True when mail the member passed on (an attached email, a .msg, winmail.dat) could
    # not be read: the words are then their covering note's, and what they pass on (a
    # resident's FOI request, a complaint) is what decides the kind, its clock and route.
    passed_on_unread: bool = False

    @property
    def usable(self) -> bool:
        """Enough recognisable words to classify with any confidence."""
        if not self.body_readable or self.passed_on_unread:
            return False
        return self.words >= MIN_WORDS and (self.language_fit >= MIN_LANGUAGE_FIT or self.words < 8)


def _length_token(words: int) -> str:
    """A coarse length: a short note that asks for privacy is usually only that."""
    if words < 40:
        return "len_short"
    return "len_medium" if words < 120 else "len_long"


def signal_tokens(
    counts: Counter[str], flags: HeaderFlags, forwarded: bool, words: int
) -> list[str]:
    tokens = [f"rule_{label.lower()}" for label in sorted(counts)] + [_length_token(words)]
    tokens += [f"rule_many_{label.lower()}" for label in sorted(counts) if counts[label] >= 2]
    if flags.confidential:
        tokens.append("hdr_confidential")
    if flags.important:
        tokens.append("hdr_important")
    if forwarded:
        tokens.append("msg_forwarded")
    return tokens


def _model_doc(nlp: Language, doc: Doc, names: list[tuple[int, int]], extra: list[str]) -> Doc:
    """``doc`` as the model reads it: each NAME span ("confidential waste", "private
    landlord") joined into one token, so the bag of words does not learn "confidential"
    or "private" from the name of a thing; then the ``extra`` signal tokens."""
    strings = nlp.vocab.strings
    words = [strings[orth] for orth in doc.to_array(ORTH)]
    for start, end in reversed(_longest_first(names)):  # from the end: indexes stay valid
        words[start:end] = ["name_" + "_".join(words[start:end])]
    return Doc(nlp.vocab, words=words + extra)


def _longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans in text order, the longer kept where two overlap
    ("private hire driver" over "private hire")."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)


def prepare(nlp: Language, rules: Rules, message: ParsedMessage) -> Prepared:
    """Clean, tokenize and match one message. Never raises on odd content."""
    subject = (message.subject or "")[:MAX_SUBJECT_CHARS]
    cleaned = new_text(message.text or "", subject)
    written = f"{subject}\n{cleaned.text}"
    text = written.lower()
    doc = nlp.make_doc(text)
    counts, names = rules.match(doc, written)
    flags = header_flags(message.headers or {}, subject)
    words = word_count(text)
    extra = signal_tokens(counts, flags, cleaned.forwarded, words)
    full = _model_doc(nlp, doc, names, extra) if extra or names else doc
    return Prepared(
        doc=full,
        counts=counts,
        flags=flags,
        words=words,
        language_fit=language_fit(text),
        forwarded=cleaned.forwarded,
        body_readable=body_note(message) not in UNREADABLE,
        passed_on_unread=any(a.why in NOTE_ONLY for a in message.unread_attachments),
    )
