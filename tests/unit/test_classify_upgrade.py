"""A saved model meets a different mailbot: after an upgrade (other classifier code or
patterns), new shipped examples or a relabel, the next start trains it again rather than
classify with a model whose input is now prepared otherwise than it learnt from."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mailbot.classify import SpacyClassifier, append_correction, load_classifier
from mailbot.classify.data import find_classifiers_dir
from mailbot.classify.model import data_fingerprint, model_recipe
from mailbot.model import Kind, ParsedMessage

FOI_TEXT = "Please send me every report written about the depot since 2020, by year."


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upgrade") / "model"
    load_classifier(path)
    return path


def _copy(trained: Path, tmp_path: Path) -> Path:
    model = tmp_path / "model"
    shutil.copytree(trained, model)
    return model


def _meta(model: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    return meta


def _age(model: Path, **train: Any) -> None:
    """Make the saved model look as if an older mailbot had trained it."""
    meta = _meta(model)
    for key, value in train.items():
        if value is None:
            meta["train"].pop(key, None)
        else:
            meta["train"][key] = value
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _message(text: str) -> ParsedMessage:
    return ParsedMessage(message_id="<u1@example.org>", subject="", sender=None, text=text)


def test_a_current_model_is_used_as_it_is(trained: Path, tmp_path: Path) -> None:
    model = _copy(trained, tmp_path)
    saved = (model / "meta.json").read_bytes()
    load_classifier(model)
    assert (model / "meta.json").read_bytes() == saved
    assert _meta(model)["train"]["recipe"] == model_recipe()
    assert Path(_meta(model)["train"]["data_dir"]) == (find_classifiers_dir() / "data").resolve()


@pytest.mark.parametrize(
    "older",
    [{"recipe": "mailbot 0.9"}, {"recipe": None, "data_dir": None}],
    ids=["another version", "before models recorded their recipe"],
)
def test_a_model_trained_by_another_version_is_trained_again(
    trained: Path, tmp_path: Path, older: dict[str, Any]
) -> None:
    model = _copy(trained, tmp_path)
    _age(model, **older)
    classifier = load_classifier(model)
    assert _meta(model)["train"]["recipe"] == model_recipe()
    assert isinstance(classifier, SpacyClassifier)
    assert classifier.classify(_message(FOI_TEXT)).kind is Kind.FOI


def test_a_relabel_is_learnt_at_the_next_start_and_only_once(
    trained: Path, tmp_path: Path
) -> None:
    model = _copy(trained, tmp_path)
    corrections = tmp_path / "corrections.jsonl"
    when = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    append_correction(corrections, _message(FOI_TEXT), Kind.FOI, who="triage@c.gov.uk", when=when)
    load_classifier(model, corrections=corrections)
    assert _meta(model)["train"]["corrections"] == 1
    saved = (model / "meta.json").read_bytes()
    load_classifier(model, corrections=corrections)  # the next start: nothing new
    assert (model / "meta.json").read_bytes() == saved


def test_without_training_on_start_an_old_model_is_used_and_the_administrator_told(
    trained: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _copy(trained, tmp_path)
    _age(model, recipe="mailbot 0.9")
    with caplog.at_level(logging.WARNING):
        classifier = load_classifier(model, train_if_missing=False)
    assert isinstance(classifier, SpacyClassifier)
    assert _meta(model)["train"]["recipe"] == "mailbot 0.9"
    assert any("mailbot train" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "old_place",
    ["mailbot-1.1/site-packages/mailbot/_classifiers/data", "src/mailbot/classifiers/data"],
    ids=["a venv per release", "a wheel after a source folder"],
)
def test_a_new_install_learns_its_own_shipped_examples(
    trained: Path, tmp_path: Path, old_place: str
) -> None:
    """A council that installs each release in a venv of its own (keeping the old one to
    go back to), or moves from a source folder to a wheel, has a model that recorded the
    old install's shipped examples. Those are still on disk, but they are the old
    release's: the new one must learn from its own."""
    old_data = tmp_path / old_place
    shutil.copytree(find_classifiers_dir() / "data", old_data)
    first = sorted((old_data / "train").glob("*.jsonl"))[0]
    first.write_text("".join(first.read_text("utf-8").splitlines(True)[:-5]), "utf-8")
    model = _copy(trained, tmp_path)
    _age(model, data_dir=str(old_data), data_sha256=data_fingerprint(old_data, None))

    load_classifier(model)
    shipped = (find_classifiers_dir() / "data").resolve()
    assert Path(_meta(model)["train"]["data_dir"]) == shipped
    assert _meta(model)["train"]["data_sha256"] == data_fingerprint(shipped, None)
