"""The two classifiers behind one interface: rules only, and rules + trained textcat.

Both take ParsedMessages and return Classifications; neither decides `automatic` (the
loop guard does). Confidence is the probability of the chosen kind, capped low when
there is too little recognisable text to judge (empty, image-only, foreign language).

The daemon classifies for months in one process. spaCy keeps every new word it tokenizes
(a resident's name, a reference number, a URL) in its vocabulary for good, so both
classifiers do their work inside a spaCy memory zone: what a message added is dropped
when its batch is done, and only the Classifications, plain values, leave it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from mailbot.classify import rules as R
from mailbot.classify.features import Prepared, prepare
from mailbot.classify.other_requests import only_own_data, other_requests
from mailbot.model import Classification, Kind, ParsedMessage, Priority

UNUSABLE_CONFIDENCE = 0.2  # too little text: a person should look
KIND_LABELS = tuple(k.value for k in Kind)
CONFIDENTIAL = "confidential"
IMPORTANT = "important"
FLAG_LABELS = (CONFIDENTIAL, IMPORTANT)
BATCH_SIZE = 256
WARM_WORDS = 9_000  # the tokenizer caches at most 10,000 pieces of text
# Flag thresholds chosen by 5-fold cross-validation on train+dev (F1 is flat from 0.4 to
# 0.5, peak 0.45 for important; confidential is flat there too). Strong rules and headers
# add recall on top.
DEFAULT_THRESHOLDS = {CONFIDENTIAL: 0.45, IMPORTANT: 0.45}
# An FOI request taken for something else starts no statutory clock, the costliest
# mistake here. When the model still gives foi this much while choosing another kind,
# the confidence is held below the default triage threshold (0.6) so a person decides.
# On the test split, dev and a 181-mail blind set (832 mails) this sent 2 confident foi
# misses and 5 right answers to triage; at 0.2 it was 2 and 14.
FOI_DOUBT = 0.25
# A request for a person's own data whose other words, read alone, are an FOI request at
# least this likely is a mixed request: FOI (other_requests.py; the rest of a subject
# access request alone scored 0.06 to 0.23 in the trained model, of a mixed one 0.93 to
# 1.00; an own-data clause the signals miss, "the emails between officers about her", 0.42,
# so other_requests leaves such clauses out too).
ALSO_RECORDS = 0.6
DOUBTFUL_CONFIDENCE = 0.5


class Classifier(Protocol):
    """What the pipeline needs. Both classifiers here also offer classify_many(messages)."""

    def classify(self, message: ParsedMessage) -> Classification: ...


def classify_all(classifier: Classifier, messages: Sequence[ParsedMessage]) -> list[Classification]:
    """Batched when the classifier can batch, else one at a time."""
    many = getattr(classifier, "classify_many", None)
    if many is not None:
        return list(many(messages))
    return [classifier.classify(m) for m in messages]


@contextmanager
def _forgetting_new_words(nlp: Language, lock: threading.RLock) -> Iterator[None]:
    """A block whose new vocabulary (strings and lexemes) is freed when it ends. No Doc or
    Token made in it may be used afterwards. One block at a time per pipeline: while a
    zone is open, every string added to the shared vocabulary, from any thread, is freed
    at its end, and spaCy zones must not nest (a call from inside one joins it)."""
    with lock:
        if nlp.vocab.in_memory_zone:  # type: ignore[attr-defined]  # not in spaCy's stubs
            yield
            return
        with nlp.memory_zone():
            yield


def warm_tokenizer(nlp: Language) -> None:
    """Fill the tokenizer's cache with the words the pipeline already knows for good (the
    training vocabulary, the pattern words) and common function words. Inside a memory
    zone spaCy caches nothing, so without this every word of every message would be
    split afresh, at about half the speed. Outside a zone, the words stay known."""
    known = [text for text in list(nlp.vocab.strings) if text.islower() and text.isprintable()
             and " " not in text]
    words = dict.fromkeys([*sorted(R.EN_STOP_WORDS | R.CY_STOP_WORDS), *known])
    nlp.make_doc(" ".join(list(words)[:WARM_WORDS]))


def _rules_kind(p: Prepared, also_records: bool = False) -> tuple[Kind, float]:
    """`also_records`: a request for the person's own data asks for other records too."""
    c = p.counts
    # The FOI team named in a formal complaint ('a formal complaint about the FOI Team')
    # is whom it is about; named alone, it is an FOI request's.
    if c[R.FOI] or (c[R.FOI_TEAM] and not c[R.COMPLAINT]):
        return Kind.FOI, 0.75  # with a subject access request too: mixed, FOI
    if R.asks_for_own_data(c) and not c[R.COMPLAINT] and c[R.COMPLAINT_HINT] < 2:
        if also_records:
            return Kind.FOI, 0.6  # mixed: the other records' part is FOI's
        return Kind.ENQUIRY, 0.75  # the law is data protection's, not FOI's
    if c[R.COMPLAINT] or c[R.COMPLAINT_HINT] >= 2:
        return Kind.COMPLAINT, 0.7 if c[R.COMPLAINT] else 0.55
    asks_privacy = c[R.CONFIDENTIAL] or c[R.CONF_QUESTION]
    if asks_privacy and p.words <= 80 and not c[R.FOI_HINT] and not c[R.COMPLAINT_HINT]:
        return Kind.CONFIDENTIALITY, 0.55
    if c[R.FOI_HINT] >= 2:
        return Kind.FOI, 0.55
    return Kind.ENQUIRY, 0.5


def _subject_access(p: Prepared, kind: Kind) -> bool:
    """The subject access mark: a request for the person's own data that is an enquiry, or
    an FOI request that also asks for the council's general records. A complaint about
    how a subject access request was handled is a complaint, unmarked."""
    return R.asks_for_own_data(p.counts) and kind in (Kind.ENQUIRY, Kind.FOI)


def _rule_confidential(p: Prepared) -> bool:
    """Sensitivity header, CONFIDENTIAL subject, or an explicit request for privacy."""
    return p.flags.confidential or bool(p.counts[R.CONFIDENTIAL])


def _rule_important(p: Prepared) -> bool:
    """Importance/X-Priority headers or plain, un-negated urgency words."""
    return p.flags.important or bool(p.counts[R.URGENT])


def _says_urgency(p: Prepared) -> bool:
    """Some urgency wording, strong or weak, is in the text.

    "Plain urgency in the text" is a matter of words. Without any, a high probability from
    the bag-of-words model comes from the topic (housing repairs, care, waste), which in
    the training data happens to go with urgent mail; that would shorten the clock of
    ordinary casework, so the model alone does not make a message important.
    """
    return bool(p.counts[R.URGENT] or p.counts[R.URGENT_HINT])


def _says_privacy(p: Prepared) -> bool:
    """Some privacy wording, strong or weak, is in the text.

    The confidential flag is the sender asking for privacy, which is a matter of words.
    Without any, the model's probability comes from the topic (a complaint about staff,
    a family's circumstances), and a flag it raises alone was wrong every time on the held-
    out mail (3 of 3): it hides the case's subject from the digest and the managers for
    nothing. Headers and the strong rules raise the flag without the model.
    """
    return bool(p.counts[R.CONFIDENTIAL] or p.counts[R.CONF_HINT] or p.counts[R.CONF_QUESTION])


def _capped(p: Prepared, confidence: float) -> float:
    return round(confidence if p.usable else min(confidence, UNUSABLE_CONFIDENCE), 4)


class _ZonedClassifier:
    """What both classifiers share: the pipeline and its pattern rules, a warmed tokenizer,
    and every batch classified inside a memory zone (one at a time per pipeline)."""

    def __init__(self, nlp: Language, patterns: list[dict[str, object]]) -> None:
        self.nlp = nlp
        self.rules = R.Rules(nlp, patterns)
        self._zone = threading.RLock()
        warm_tokenizer(self.nlp)

    def classify(self, message: ParsedMessage) -> Classification:
        return self.classify_many([message])[0]

    def classify_many(self, messages: Sequence[ParsedMessage]) -> list[Classification]:
        with _forgetting_new_words(self.nlp, self._zone):
            return self._classify(messages)

    def _classify(self, messages: Sequence[ParsedMessage]) -> list[Classification]:
        raise NotImplementedError


class RulesClassifier(_ZonedClassifier):
    """Patterns and headers only: the fallback before a model is trained."""

    def __init__(self, patterns: list[dict[str, object]]) -> None:
        super().__init__(spacy.blank("en"), patterns)

    def _classify(self, messages: Sequence[ParsedMessage]) -> list[Classification]:
        out = []
        for message in messages:
            p = prepare(self.nlp, self.rules, message)
            kind, confidence = _rules_kind(p, self._also_records(message, p))
            # asking for privacy is what a confidentiality request is
            confidential = _rule_confidential(p) or kind == Kind.CONFIDENTIALITY
            important = _rule_important(p)
            out.append(
                Classification(
                    kind=kind,
                    confidential=confidential,
                    priority=Priority.IMPORTANT if important else Priority.NORMAL,
                    confidence=_capped(p, confidence),
                    subject_access=_subject_access(p, kind),
                )
            )
        return out

    def _also_records(self, message: ParsedMessage, p: Prepared) -> bool:
        """Whether a request for the person's own data asks for other records too: what
        is left without it has FOI's signals."""
        if not only_own_data(p.counts):
            return False
        rest = other_requests(self.nlp, self.rules, message)
        if rest is None:
            return False
        counts = prepare(self.nlp, self.rules, rest).counts
        return bool(counts[R.FOI] or counts[R.FOI_HINT] >= 2)


class SpacyClassifier(_ZonedClassifier):
    """Rules as features, a textcat for kind and a textcat_multilabel for the flags.

    Header flags are definitions and override the model; everything else is the model's
    call, made with the rule signals in view.
    """

    def __init__(
        self,
        nlp: Language,
        patterns: list[dict[str, object]],
        thresholds: dict[str, float] | None = None,
    ) -> None:
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
        super().__init__(nlp, patterns)

    def _classify(self, messages: Sequence[ParsedMessage]) -> list[Classification]:
        prepared = [prepare(self.nlp, self.rules, m) for m in messages]
        cats = self._cats([p.doc for p in prepared])
        also = self._also_records(messages, prepared)
        return [self._decide(p, found, also_records=number in also)
                for number, (p, found) in enumerate(zip(prepared, cats, strict=True))]

    def _cats(self, docs: list[Doc]) -> list[dict[str, float]]:
        for _name, proc in self.nlp.pipeline:
            docs = list(proc.pipe(docs, batch_size=BATCH_SIZE))  # type: ignore[attr-defined]
        return [doc.cats for doc in docs]

    def _also_records(
        self, messages: Sequence[ParsedMessage], prepared: list[Prepared]
    ) -> set[int]:
        """Which of the messages ask for the person's own data and for other records too
        (other_requests): the rest, classified alone, is an FOI request."""
        rests = {
            number: rest
            for number, (message, p) in enumerate(zip(messages, prepared, strict=True))
            if only_own_data(p.counts)
            and (rest := other_requests(self.nlp, self.rules, message)) is not None
        }
        if not rests:
            return set()
        cats = self._cats([prepare(self.nlp, self.rules, rest).doc for rest in rests.values()])
        return {number for number, found in zip(rests, cats, strict=True)
                if found.get(Kind.FOI.value, 0.0) >= ALSO_RECORDS}

    def _decide(
        self, p: Prepared, cats: dict[str, float], *, also_records: bool = False
    ) -> Classification:
        kind_label = max(KIND_LABELS, key=lambda k: cats.get(k, 0.0))
        confidential = (
            _rule_confidential(p)
            or kind_label == Kind.CONFIDENTIALITY.value  # a request for privacy is private
            or (_says_privacy(p) and cats.get(CONFIDENTIAL, 0.0) >= self.thresholds[CONFIDENTIAL])
        )
        important = _rule_important(p) or (
            _says_urgency(p) and cats.get(IMPORTANT, 0.0) >= self.thresholds[IMPORTANT]
        )
        confidence = float(cats.get(kind_label, 0.0))
        own_data = R.asks_for_own_data(p.counts)
        if own_data and kind_label in (Kind.ENQUIRY.value, Kind.FOI.value):
            # Which of the two the law decides: a subject access request is an enquiry,
            # unless the mail names FOI too or asks for other records (mixed).
            mixed = p.counts[R.FOI] or also_records
            kind_label = Kind.FOI.value if mixed else Kind.ENQUIRY.value
            confidence = cats.get(Kind.ENQUIRY.value, 0.0) + cats.get(Kind.FOI.value, 0.0)
        elif kind_label != Kind.FOI.value and cats.get(Kind.FOI.value, 0.0) >= FOI_DOUBT:
            confidence = min(confidence, DOUBTFUL_CONFIDENCE)
        kind = Kind(kind_label)
        return Classification(
            kind=kind,
            confidential=confidential,
            priority=Priority.IMPORTANT if important else Priority.NORMAL,
            confidence=_capped(p, float(confidence)),
            subject_access=_subject_access(p, kind),
        )
