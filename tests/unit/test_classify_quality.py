"""Issue 4's bar: trained from scratch here, the test split must reach these scores.

test/v.jsonl is also held to the bar on its own: it was written blind, as a new
council's mail, after the model had been fitted to u.jsonl, so a change that only keeps
the pooled score up by doing well on the older files still fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.classify import evaluate, load_classifier, rules_classifier
from mailbot.classify.classifier import classify_all
from mailbot.classify.data import find_classifiers_dir, read_jsonl
from mailbot.model import ParsedMessage, Priority

DATA = find_classifiers_dir() / "data"
MIN_KIND_MACRO_F1 = 0.90
MIN_CONFIDENTIAL_F1 = 0.85
MIN_IMPORTANT_F1 = 0.85


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quality") / "model"
    load_classifier(path)  # first use trains on classifiers/data/train
    return path


def test_test_split_meets_the_bar(trained_model_dir: Path) -> None:
    report = evaluate(load_classifier(trained_model_dir), DATA / "test")
    summary = report.to_json()
    assert report.examples >= 100, "the test split is too small to mean anything"
    assert report.macro_f1 >= MIN_KIND_MACRO_F1, summary
    assert report.confidential.f1 >= MIN_CONFIDENTIAL_F1, summary
    assert report.important.f1 >= MIN_IMPORTANT_F1, summary


def test_blind_set_v_meets_the_bar_on_its_own(trained_model_dir: Path) -> None:
    report = evaluate(load_classifier(trained_model_dir), DATA / "test" / "v.jsonl")
    summary = report.to_json()
    assert report.examples >= 150, "v.jsonl is the blind set: it should not shrink"
    assert report.macro_f1 >= MIN_KIND_MACRO_F1, summary
    assert report.confidential.f1 >= MIN_CONFIDENTIAL_F1, summary
    assert report.important.f1 >= MIN_IMPORTANT_F1, summary


def _mail(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<q@example.org>", subject=subject, sender=None, text=text)


# Rule phrases that misfired on v.jsonl. The rules alone decide these flags whatever the
# model says, so they are pinned on the rules-only classifier.


def test_an_foi_request_that_accepts_redaction_does_not_ask_for_privacy() -> None:
    # Redaction is what the council does to a disclosure; the sender is not asking for privacy.
    result = rules_classifier().classify(_mail(
        "Tender scores - depot roof",
        "Please send me the evaluation scores for the depot roof tender. Anything commercially "
        "sensitive can be redacted, and I know third-party names will be redacted too.",
    ))
    assert not result.confidential


def test_a_site_visit_tomorrow_is_not_urgency() -> None:
    # "visit" as a noun before "tomorrow" read as "please visit tomorrow".
    result = rules_classifier().classify(_mail(
        "Committee site visit",
        "Is the committee site visit to the quarry tomorrow at 2pm? No reply needed if so.",
    ))
    assert result.priority == Priority.NORMAL


# Written as new councils' mail, after a blind set showed the model had never seen the
# words members use to take a complaint further ("I remain dissatisfied", "pls
# escalate", "dal yn anfodlon") or ask only that a name not be passed on: such mail went
# to enquiry or triage. The file also holds the look-alikes that must stay as they are:
# escalating a repair, the second stage of a consultation, figures about complaints.
ESCALATIONS_AND_PRIVACY = (
    Path(__file__).parent.parent / "data" / "classify_escalations_and_privacy.jsonl"
)


def test_escalations_and_privacy_only_requests_get_their_kind(trained_model_dir: Path) -> None:
    mails = read_jsonl(ESCALATIONS_AND_PRIVACY)
    results = classify_all(load_classifier(trained_model_dir), [m.to_message() for m in mails])
    wrong = [
        f"{m.id}: {m.kind} -> {r.kind} ({r.confidence:.2f})"
        for m, r in zip(mails, results, strict=True)
        if r.kind != m.kind
    ]
    assert len(mails) >= 10
    assert not wrong, wrong
