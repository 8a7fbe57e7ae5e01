"""The classifier: classify .eml files, train a model, score it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mailbot.classify import load_classifier, rules_classifier
from mailbot.classify.classifier import Classifier
from mailbot.classify.model import model_exists
from mailbot.cli.common import ConfigOption, fail, load_config, whole_number
from mailbot.console import classify_file, contract_fields, format_classification


def classify(
    paths: Annotated[list[Path], typer.Argument(help=".eml files to classify.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    config: ConfigOption = None,
    rules_only: Annotated[bool, typer.Option(help="Skip the trained model (rules only).")] = False,
    model_dir: Annotated[
        Path | None,
        typer.Option(help="Classify with the model trained here (`mailbot train --model-dir`) "
                          "instead of [classifier] model_dir."),
    ] = None,
) -> None:
    """Classify .eml files without touching any mailbox or database, as the daemon would:
    mail an upstream filter marked as spam, or automatic mail, is said to be so. A file
    that cannot be read or parsed is a line with its error, and the exit code is 1."""
    settings = load_config(config, required=False)
    classifier: Classifier
    if rules_only:
        classifier = rules_classifier()
    elif model_dir is not None:
        classifier = chosen_model(model_dir)
    else:
        classifier = load_classifier(settings.model_dir, corrections=settings.corrections_path)
    failed = False
    for path in paths:
        result = classify_file(classifier, path, relay_list_ids=settings.loops.relay_list_ids)
        typer.echo(json.dumps(contract_fields(result)) if as_json
                   else format_classification(result))
        failed = failed or bool(result["error"])
    if failed:  # every file is still classified; a script learns one was not
        raise typer.Exit(1)


def chosen_model(model_dir: Path) -> Classifier:
    """The model an administrator named: used as it is, never trained in its place."""
    if not model_exists(model_dir):
        raise fail(f"--model-dir {model_dir}: no trained model there; "
             f"make one with `mailbot train --model-dir {model_dir}`")
    return load_classifier(model_dir, train_if_missing=False)


def train_classifier(
    data: Annotated[
        Path | None,
        typer.Option(help="Dir with train/ and dev/ (default: the examples shipped with "
                     "mailbot, or $MAILBOT_CLASSIFIERS/data)."),
    ] = None,
    model_dir: Annotated[
        Path | None, typer.Option(help="Model output (default: [classifier] model_dir).")
    ] = None,
    corrections: Annotated[
        Path | None, typer.Option(help="Corrections JSONL (default: [classifier] corrections).")
    ] = None,
    seed: Annotated[
        int, typer.Option(parser=whole_number, help="Same data and seed give the same model.")
    ] = 0,
    config: ConfigOption = None,
) -> None:
    """Train the classifier from scratch and print its scores on the dev split."""
    from rich.console import Console

    from mailbot.classify.commands import run_train

    settings = load_config(config, required=False)
    try:
        run_train(
            Console(),
            data,
            model_dir or settings.model_dir,
            corrections or settings.corrections_path,
            seed,
        )
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None


def evaluate_classifier(
    data: Annotated[
        Path | None,
        typer.Option(help="JSONL file or dir (default: the test examples shipped with "
                     "mailbot, or $MAILBOT_CLASSIFIERS/data/test)."),
    ] = None,
    model_dir: Annotated[
        Path | None, typer.Option(help="Model to score (default: [classifier] model_dir).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
    rules_only: Annotated[bool, typer.Option(help="Score the rules-only classifier.")] = False,
    config: ConfigOption = None,
) -> None:
    """Print per-label precision/recall/F1, macro-F1 and a confusion matrix."""
    from rich.console import Console

    from mailbot.classify.commands import run_evaluate

    settings = load_config(config, required=False)
    try:
        run_evaluate(Console(), data, model_dir or settings.model_dir, json_out, rules_only)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
