"""Benchmark: the spaCy classifier against a TF-IDF + logistic regression baseline.

Both are trained on classifiers/data/train and run side by side in one process on the
test split, from raw .eml bytes: each message is built as MIME bytes, parsed with
mailbot.parse.parse_message, then classified. Reported: macro-F1 on kind (and F1 on the
two flags), and messages per second including parsing, one at a time and in batches.

    .venv/bin/python bench/bench_classify.py [--repeat N] [--model-dir DIR]

scikit-learn is a dev dependency (pip install -e '.[dev]'); nothing here is used at run time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from mailbot.classify import SpacyClassifier, load_classifier
from mailbot.classify.data import LabelledMail, find_classifiers_dir, read_split
from mailbot.model import ParsedMessage, Priority
from mailbot.parse import ParseFailure, parse_message

KINDS = ["enquiry", "foi", "complaint", "confidentiality"]


def to_eml(mail: LabelledMail) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Cllr Test <member@council.example>"
    msg["To"] = "memberenquiries@council.example"
    msg["Subject"] = mail.subject
    msg["Message-ID"] = f"<{mail.id}@bench.invalid>"
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.text or " ")
    return msg.as_bytes()


def parse(raw: bytes) -> ParsedMessage:
    parsed = parse_message(raw)
    if isinstance(parsed, ParseFailure):
        raise SystemExit(f"bench data did not parse: {parsed.reason}")
    return parsed


class Baseline:
    """TF-IDF (word 1-2 grams) + logistic regression, one model per label set."""

    def __init__(self, mails: Sequence[LabelledMail]) -> None:
        texts = [self.text(m.subject, m.text) for m in mails]
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        x = self.vectorizer.fit_transform(texts)
        self.kind = LogisticRegression(max_iter=2000, C=10.0).fit(
            x, [m.kind.value for m in mails if m.kind]
        )
        self.conf = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced").fit(
            x, [bool(m.confidential) for m in mails]
        )
        self.imp = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced").fit(
            x, [bool(m.important) for m in mails]
        )

    @staticmethod
    def text(subject: str, body: str) -> str:
        return f"{subject}\n{body}"

    def predict(self, messages: Sequence[ParsedMessage]) -> list[tuple[str, bool, bool]]:
        x = self.vectorizer.transform([self.text(m.subject, m.text) for m in messages])
        return list(
            zip(self.kind.predict(x), self.conf.predict(x), self.imp.predict(x), strict=True)
        )


def rate(run: Callable[[], object], n: int, rounds: int = 3) -> float:
    """Best-of-rounds messages per second (the machine is shared; the best is the truest)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return n / min(times)


def f1s(truth: list[LabelledMail], pred: list[tuple[str, bool, bool]]) -> tuple[float, ...]:
    kinds = [m.kind.value for m in truth if m.kind]
    return (
        float(f1_score(kinds, [p[0] for p in pred], labels=KINDS, average="macro")),
        float(f1_score([bool(m.confidential) for m in truth], [p[1] for p in pred])),
        float(f1_score([bool(m.important) for m in truth], [p[2] for p in pred])),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="copies of the test split to time")
    parser.add_argument("--model-dir", type=Path, default=None, help="reuse a trained model")
    args = parser.parse_args()
    console = Console()

    data = find_classifiers_dir() / "data"
    train = [m for m in read_split(data / "train") if m.kind]
    test = [m for m in read_split(data / "test") if m.kind]
    raws = [to_eml(m) for m in test]

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        model_dir = args.model_dir or Path(tmp) / "model"
        spacy_clf = load_classifier(model_dir)
        spacy_train_s = time.perf_counter() - started
        assert isinstance(spacy_clf, SpacyClassifier)
        started = time.perf_counter()
        baseline = Baseline(train)
        baseline_train_s = time.perf_counter() - started

        parsed = [parse(r) for r in raws]
        spacy_pred = [
            (r.kind.value if r.kind else "", r.confidential, r.priority == Priority.IMPORTANT)
            for r in spacy_clf.classify_many(parsed)
        ]
        spacy_scores = f1s(test, spacy_pred)
        base_scores = f1s(test, baseline.predict(parsed))

        timed = raws * args.repeat
        n = len(timed)
        speeds = {
            "spaCy one by one": rate(lambda: [spacy_clf.classify(parse(r)) for r in timed], n),
            "spaCy batched": rate(lambda: spacy_clf.classify_many([parse(r) for r in timed]), n),
            "baseline one by one": rate(lambda: [baseline.predict([parse(r)]) for r in timed], n),
            "baseline batched": rate(lambda: baseline.predict([parse(r) for r in timed]), n),
            "parse only": rate(lambda: [parse(r) for r in timed], n),
        }

    table = Table(title=f"Classifier benchmark: test split ({len(test)} member emails)")
    for column in ("", "spaCy (rules + textcat)", "TF-IDF + LogReg", "ratio"):
        table.add_column(column, justify="right" if column else "left")
    for name, ours, theirs in zip(
        ("kind macro-F1", "confidential F1", "important F1"), spacy_scores, base_scores, strict=True
    ):
        table.add_row(name, f"{ours:.3f}", f"{theirs:.3f}", f"{ours / max(theirs, 1e-9):.2f}x")
    for mode in ("one by one", "batched"):
        ours, theirs = speeds[f"spaCy {mode}"], speeds[f"baseline {mode}"]
        table.add_row(
            f"msgs/s {mode}, parsing included",
            f"{ours:,.0f}",
            f"{theirs:,.0f}",
            f"{ours / theirs:.2f}x",
        )
    table.add_row("training seconds", f"{spacy_train_s:.1f}", f"{baseline_train_s:.1f}", "")
    console.print(table)
    console.print(
        f"parse_message alone: {speeds['parse only']:,.0f} msgs/s; timed over {n} messages "
        f"({args.repeat} copies), best of 3 rounds; median length "
        f"{statistics.median(len(r) for r in raws):.0f} bytes"
    )


if __name__ == "__main__":
    main()
