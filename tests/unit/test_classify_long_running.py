"""The daemon classifies for months in one process: what it learns of each message's words
(names, reference numbers, URLs) must not stay in spaCy's vocabulary for good, and
forgetting them must change no classification."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from helpers import JO, AppFactory, rows, run
from spacy.vocab import Vocab

from mailbot.classify import SpacyClassifier, rules_classifier
from mailbot.classify.classifier import Classifier
from mailbot.classify.data import find_classifiers_dir, read_split
from mailbot.classify.model import fit
from mailbot.classify.rules import load_patterns
from mailbot.model import Classification, ParsedMessage
from mailbot.store.tables import CaseRow

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fe", "gi", "ho", "ju")


def _novel(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(4)) + str(rng.randint(0, 10**9))


def members_mail(count: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(subject, body) of member's mail in which every name, number and link is new."""
    rng = random.Random(seed)
    for _ in range(count):
        name, ref, link = _novel(rng).title(), f"REF-{rng.randint(10**7, 10**8)}", _novel(rng)
        yield (
            f"Pothole outside {rng.randint(1, 999)} {_novel(rng).title()} Road ({ref})",
            f"Dear officers, my resident {name} asks when the pothole will be repaired; "
            f"their reference is {ref}, photos at https://{link}.example.org/{_novel(rng)}. "
            f"Could you please reply to {_novel(rng)}@example.net? Thanks, Jo",
        )


def vocabulary(vocab: Vocab) -> tuple[int, int]:
    """Strings and lexemes held. (len(vocab) counts every lexeme ever made, freed or not.)"""
    return len(vocab.strings), sum(1 for _ in vocab)


def _message(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<m@example.org>", subject=subject, sender=None, text=text)


KNOWN = [
    _message("FOI request", "Under the Freedom of Information Act please send me the costs."),
    _message("Urgent: no heating", "My resident has no heating, please help today. Private."),
    _message("Complaint", "I wish to make a formal complaint about how my case was handled."),
]


@pytest.fixture(scope="module")
def small_model() -> SpacyClassifier:
    """A trained pipeline (textcat and all), fitted on a small part of the data: fast."""
    mails = read_split(find_classifiers_dir() / "data" / "train")[::8]
    patterns = load_patterns(find_classifiers_dir() / "patterns")
    return SpacyClassifier(fit(mails, patterns), patterns)


@pytest.mark.parametrize("which", ["rules", "model"])
def test_classifying_new_words_leaves_the_vocabulary_as_it_was(
    which: str, small_model: SpacyClassifier
) -> None:
    classifier = rules_classifier() if which == "rules" else small_model
    vocab = classifier.nlp.vocab
    before = [classifier.classify(m) for m in KNOWN]
    before_words = vocabulary(vocab)
    mail = [_message(s, t) for s, t in members_mail(300)]
    classifier.classify_many(mail[:150])
    for message in mail[150:]:
        classifier.classify(message)
    assert vocabulary(vocab) == before_words
    assert [classifier.classify(m) for m in KNOWN] == before


def test_forgetting_the_words_changes_no_result(small_model: SpacyClassifier) -> None:
    """The same mail classified by a classifier that has seen nothing, and again by one
    that has classified it before and forgotten its words: the same results."""
    mail = [_message(s, t) for s, t in members_mail(40, seed=1)] + KNOWN

    def results(classifier: Classifier) -> list[Classification]:
        return [classifier.classify(m) for m in mail]

    fresh = rules_classifier()
    assert results(fresh) == results(fresh) == rules_classifier().classify_many(mail)
    assert results(small_model) == small_model.classify_many(mail) == results(small_model)


def test_a_daemons_polls_leave_the_vocabulary_as_it_was(app_factory: AppFactory) -> None:
    app, server = app_factory()
    vocab = app.classifier.nlp.vocab  # type: ignore[attr-defined]
    for subject, body in members_mail(5, seed=2):  # the first polls: the same words each
        server.deliver(_raw(subject, body))
    run(app)
    before_words = vocabulary(vocab)
    for round_ in range(4):
        for subject, body in members_mail(25, seed=10 + round_):
            server.deliver(_raw(subject, body))
        run(app)
    assert len(rows(app, CaseRow)) == 105
    assert vocabulary(vocab) == before_words


_counter = iter(range(10**6))


def _raw(subject: str, body: str) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: {subject}\r\nDate: Wed, 25 Nov 2026 09:14:00 +0000\r\n"
        f"Message-ID: <long-running-{next(_counter)}@wiltshire.gov.uk>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
