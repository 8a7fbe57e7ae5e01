"""Message classification: kind, confidential flag, priority and a confidence.

The pipeline calls ``load_classifier(model_dir)`` once and then ``classify(message)`` (or
``classify_many`` for a batch). Before a model exists, the classifier is trained from the
authored data in classifiers/data/train (plus corrections) on first use — a few seconds —
or, with ``train_if_missing=False``, falls back to rules only.
"""

from __future__ import annotations

from pathlib import Path

from mailbot.classify.classifier import Classifier, RulesClassifier, SpacyClassifier
from mailbot.classify.data import append_correction, find_classifiers_dir
from mailbot.classify.evaluate import EvalReport, evaluate
from mailbot.classify.model import TrainReport, load_model, model_exists, train
from mailbot.classify.rules import load_patterns

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
    (unless ``train_if_missing`` is False, or ``model_dir`` is None: then rules only)."""
    if model_dir is not None and model_exists(model_dir):
        return load_model(model_dir)
    if model_dir is None or not train_if_missing:
        return rules_classifier()
    data_dir = find_classifiers_dir() / "data"
    train(data_dir, model_dir, corrections=corrections)
    return load_model(model_dir)
