"""What `mailbot train` and `mailbot evaluate` do, and their rich tables.

Paths default to the repository's classifiers/data (found as data.find_classifiers_dir
says) and to var/model under the working directory.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from mailbot.classify.classifier import KIND_LABELS, Classifier
from mailbot.classify.data import find_classifiers_dir
from mailbot.classify.evaluate import EvalReport, evaluate
from mailbot.classify.model import TrainReport, load_model, model_exists, train

DEFAULT_MODEL_DIR = Path("var/model")


def default_data_dir() -> Path:
    return find_classifiers_dir() / "data"


def scores_table(report: EvalReport, title: str) -> Table:
    table = Table(title=title)
    for column in ("label", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label in KIND_LABELS:
        s = report.kind[label]
        table.add_row(label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    table.add_section()
    table.add_row("kind macro-F1", "", "", f"{report.macro_f1:.3f}", str(report.examples))
    table.add_row("kind accuracy", "", "", f"{report.accuracy:.3f}", "")
    table.add_section()
    for name, s in (("confidential", report.confidential), ("important", report.important)):
        table.add_row(name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    return table


def confusion_table(report: EvalReport) -> Table:
    table = Table(title="Confusion (rows: true kind, columns: predicted)")
    table.add_column("true \\ predicted")
    for label in KIND_LABELS:
        table.add_column(label, justify="right")
    for truth in KIND_LABELS:
        row = report.confusion.get(truth, {})
        table.add_row(truth, *(str(row.get(p, 0)) for p in KIND_LABELS))
    return table


def print_report(console: Console, report: EvalReport, title: str) -> None:
    console.print(scores_table(report, title))
    console.print(confusion_table(report))
    console.print(f"mean confidence {report.mean_confidence:.3f}")


def run_train(
    console: Console,
    data: Path | None,
    model_dir: Path,
    corrections: Path | None,
    seed: int,
) -> TrainReport:
    data_dir = data or default_data_dir()
    report = train(data_dir, model_dir, corrections=corrections, seed=seed)
    console.print(
        f"trained on {report.train_examples} examples ({report.corrections} corrections) "
        f"in {report.seconds:.1f}s, seed {seed} -> {model_dir}"
    )
    if report.dev is not None:
        print_report(console, EvalReport.from_dict(report.dev), f"dev: {data_dir / 'dev'}")
    else:
        console.print("no dev split found: nothing scored")
    return report


def load_for_evaluation(console: Console, model_dir: Path, rules_only: bool) -> Classifier:
    if rules_only:
        from mailbot.classify import rules_classifier

        return rules_classifier()
    if not model_exists(model_dir):
        console.print(f"no model in {model_dir}: training one first", style="yellow")
        train(default_data_dir(), model_dir)
    return load_model(model_dir)


def run_evaluate(
    console: Console,
    data: Path | None,
    model_dir: Path,
    json_out: Path | None,
    rules_only: bool = False,
) -> EvalReport:
    path = data or default_data_dir() / "test"
    classifier = load_for_evaluation(console, model_dir, rules_only)
    report = evaluate(classifier, path)
    print_report(console, report, f"{'rules only' if rules_only else 'model'}: {path}")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(report.to_json() + "\n", encoding="utf-8")
    return report
