"""Scoring a classifier on labelled data: per-kind P/R/F1, macro-F1, flag F1, confusion.

Only member mail is scored (kind not null): automatic mail never reaches the classifier,
the loop guard takes it first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mailbot.classify.classifier import KIND_LABELS, Classifier, classify_all
from mailbot.classify.data import LabelledMail, read_split
from mailbot.model import Priority


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # how many examples truly have the label


@dataclass(frozen=True)
class EvalReport:
    data: str
    examples: int
    kind: dict[str, Score]
    macro_f1: float  # over the four kinds
    accuracy: float
    confidential: Score
    important: Score
    confusion: dict[str, dict[str, int]]  # true kind -> predicted kind -> count
    mean_confidence: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvalReport:
        return cls(
            **{
                **d,
                "kind": {k: Score(**v) for k, v in d["kind"].items()},
                "confidential": Score(**d["confidential"]),
                "important": Score(**d["important"]),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def score(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(round(precision, 4), round(recall, 4), round(f1, 4), tp + fn)


def _binary(truth: list[bool], pred: list[bool]) -> Score:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
    fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
    return score(tp, fp, fn)


def evaluate_mails(classifier: Classifier, mails: list[LabelledMail], name: str) -> EvalReport:
    member = [m for m in mails if m.kind is not None]
    results = classify_all(classifier, [m.to_message() for m in member])
    truth = [m.kind.value for m in member if m.kind is not None]
    pred = [r.kind.value if r.kind else "none" for r in results]
    confusion = {t: {p: 0 for p in KIND_LABELS} for t in KIND_LABELS}
    for t, p in zip(truth, pred, strict=True):
        confusion[t][p] = confusion[t].get(p, 0) + 1
    kinds = {}
    for label in KIND_LABELS:
        tp = sum(t == label and p == label for t, p in zip(truth, pred, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, pred, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, pred, strict=True))
        kinds[label] = score(tp, fp, fn)
    present = [s for s in kinds.values() if s.support]
    flagged = [(m, r) for m, r in zip(member, results, strict=True) if m.confidential is not None]
    return EvalReport(
        data=name,
        examples=len(member),
        kind=kinds,
        macro_f1=round(sum(s.f1 for s in present) / len(present), 4) if present else 0.0,
        accuracy=round(sum(t == p for t, p in zip(truth, pred, strict=True)) / len(truth), 4)
        if truth
        else 0.0,
        confidential=_binary(
            [bool(m.confidential) for m, _ in flagged], [r.confidential for _, r in flagged]
        ),
        important=_binary(
            [bool(m.important) for m, _ in flagged],
            [r.priority == Priority.IMPORTANT for _, r in flagged],
        ),
        confusion=confusion,
        mean_confidence=round(sum(r.confidence for r in results) / len(results), 4)
        if results
        else 0.0,
    )


def evaluate(classifier: Classifier, data: Path) -> EvalReport:
    """Score ``classifier`` on a JSONL file or a directory of them."""
    return evaluate_mails(classifier, read_split(data), str(data))
