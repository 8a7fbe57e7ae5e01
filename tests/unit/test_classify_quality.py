"""Issue 4's bar: trained from scratch here, the test split must reach these scores.

test/v.jsonl is also held to the bar on its own: it was written blind, as a new
council's mail, after the model had been fitted to u.jsonl, so a change that only keeps
the pooled score up by doing well on the older files still fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.classify import evaluate, load_classifier
from mailbot.classify.data import find_classifiers_dir

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
