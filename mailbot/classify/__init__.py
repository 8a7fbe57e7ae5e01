"""Message classification: kind, confidential flag, priority and a confidence.

The pipeline calls ``load_classifier(model_dir)`` once and then ``classify(message)`` (or
``classify_many`` for a batch). Before a model exists, the classifier is trained from the
authored data in classifiers/data/train (plus corrections) on first use — a few seconds —
or, with ``train_if_missing=False``, falls back to rules only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mailbot.classify.classifier import Classifier, RulesClassifier, SpacyClassifier
from mailbot.classify.data import append_correction, find_classifiers_dir
from mailbot.classify.evaluate import EvalReport, evaluate
from mailbot.classify.model import (
    TrainReport,
    load_model,
    model_exists,
    model_is_current,
    train,
    trained_from,
)
from mailbot.classify.rules import load_patterns

log = logging.getLogger(__name__)

__all__ = [
    "Classifier",
    "EvalReport",
    "RulesClassifier",
    "SpacyClassifier",
    "TrainReport",
    "append_correction",
    "evaluate",
    "load_classifier",
    "rules_classifier",
    "train",
]


def rules_classifier() -> RulesClassifier:
    """The rules-only classifier, with the patterns from classifiers/patterns."""
    return RulesClassifier(load_patterns(find_classifiers_dir() / "patterns"))


def load_classifier(
    model_dir: Path | None,
    *,
    train_if_missing: bool = True,
    corrections: Path | None = None,
) -> Classifier:
    """The trained classifier in ``model_dir``; trains one there first if it is missing
    (unless ``train_if_missing`` is False, or ``model_dir`` is None: then rules only).

    A model trained by another version of mailbot, or before its examples or the
    corrections changed (an upgrade, a relabel), is trained again from the same data, so
    the daemon never classifies with a model that does not match its code."""
    if model_dir is not None and model_exists(model_dir):
        if model_is_current(model_dir, corrections):
            return load_model(model_dir)
        if not train_if_missing:
            log.warning(
                "the classifier model in %s was trained by another version of mailbot or on "
                "other examples; run `mailbot train` to bring it up to date",
                model_dir,
            )
            return load_model(model_dir)
        data_dir = trained_from(model_dir)
        log.info("the classifier model in %s is out of date; training it again from %s",
                 model_dir, data_dir)  # fmt: skip
        train(data_dir, model_dir, corrections=corrections)
        return load_model(model_dir)
    if model_dir is None or not train_if_missing:
        return rules_classifier()
    train(find_classifiers_dir() / "data", model_dir, corrections=corrections)
    return load_model(model_dir)
