"""Issue 4's bar: trained from scratch here, the test split must reach these scores.

test/v.jsonl is also held to the bar on its own: it was written blind, as a new
council's mail, after the model had been fitted to u.jsonl, so a change that only keeps
the pooled score up by doing well on the older files still fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.classify import evaluate, load_classifier, rules_classifier
from mailbot.classify.classifier import SpacyClassifier, classify_all
from mailbot.classify.data import find_classifiers_dir, read_jsonl
from mailbot.classify.features import prepare
from mailbot.model import Kind, ParsedMessage, Priority

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


# Written as new councils' mail after a blind set showed what the model had not learnt,
# each file with look-alikes that must keep their kind:
# - escalations_and_privacy: the words members use to take a complaint further ("I
#   remain dissatisfied", "pls escalate", "dal yn anfodlon") and replies asking only that
#   a name not be passed on went to enquiry or triage; escalating a repair, the second
#   stage of a consultation and figures about complaints are not complaints.
# - document_requests_after_meetings: "thanks for Monday, could you now send me the
#   business case you talked through" asks for a record held (an FOI clock) but was a
#   confident enquiry; dates, a visit or a repair asked for in the same way are not.
NEW_MAIL_SETS = ("escalations_and_privacy", "document_requests_after_meetings")


@pytest.mark.parametrize("name", NEW_MAIL_SETS)
def test_new_councils_mail_gets_its_kind(trained_model_dir: Path, name: str) -> None:
    mails = read_jsonl(Path(__file__).parent.parent / "data" / f"classify_{name}.jsonl")
    results = classify_all(load_classifier(trained_model_dir), [m.to_message() for m in mails])
    wrong = [
        f"{m.id}: {m.kind} -> {r.kind} ({r.confidence:.2f})"
        for m, r in zip(mails, results, strict=True)
        if r.kind != m.kind
    ]
    assert len(mails) >= 10
    assert not wrong, wrong


def test_an_enquiry_with_foi_close_behind_goes_to_a_person(trained_model_dir: Path) -> None:
    # Taking an FOI request for an enquiry starts no statutory clock. With a quarter of
    # the model's belief on foi, the kind is kept but the confidence falls below the
    # default triage threshold (0.6), so the case opens as needs_triage.
    classifier = load_classifier(trained_model_dir)
    assert isinstance(classifier, SpacyClassifier)
    prepared = prepare(classifier.nlp, classifier.rules, _mail(
        "Re: Monday", "Thanks for Monday. Could you send me the paper you talked through?"
    ))
    doubtful = {"enquiry": 0.66, "foi": 0.27, "complaint": 0.04, "confidentiality": 0.03}
    clear = {"enquiry": 0.9, "foi": 0.05, "complaint": 0.03, "confidentiality": 0.02}
    assert classifier._decide(prepared, doubtful).confidence < 0.6
    assert classifier._decide(prepared, doubtful).kind == Kind.ENQUIRY
    assert classifier._decide(prepared, clear).confidence == 0.9
    complaint = {"enquiry": 0.05, "foi": 0.3, "complaint": 0.65, "confidentiality": 0.0}
    assert classifier._decide(prepared, complaint).confidence < 0.6
