"""Every command answers --help, and its help says what the code says: the config
sections it names ([retention], [classifier] ...) are printed, not eaten as markup."""

from __future__ import annotations

import re
from typing import Any

import typer.main
from typer.testing import CliRunner

from mailbot.cli import app

SECTION = re.compile(r"\[[a-z_.]+\]")


Found = list[tuple[tuple[str, ...], Any]]


def every_command(group: Any, path: tuple[str, ...] = ()) -> Found:
    """(command path, command) for each command and sub-command of a click-style group."""
    found: Found = []
    for name, command in sorted(group.commands.items()):
        found.append(((*path, name), command))
        if hasattr(command, "commands"):
            found += every_command(command, (*path, name))
    return found


def test_every_command_has_help_that_keeps_its_section_names() -> None:
    commands = every_command(typer.main.get_command(app))
    assert {("outbox", "resend"), ("quarantine", "retry"), ("purge",)} <= {p for p, _ in commands}
    for path, command in commands:
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        texts = [command.help or ""] + [getattr(p, "help", "") or "" for p in command.params]
        for section in {s for text in texts for s in SECTION.findall(text)}:
            assert section in result.output, (path, section)


def test_command_summaries_are_not_cut_at_an_abbreviation() -> None:
    # Click ends the one-line summary at the first ". ": "(e.g. one in triage)" showed
    # in `mailbot --help` as "Correct a case's kind (e.g.".
    for path, command in every_command(typer.main.get_command(app)):
        summary = command.get_short_help_str(limit=500)
        assert not re.search(r"\b(e\.g|i\.e|etc)\.?$", summary), (path, summary)
        assert summary.count("(") == summary.count(")"), (path, summary)


def test_help_points_administrators_at_docs_not_source_files() -> None:
    # `mailbot run --help` sent the administrator to directory_keep.py, a module name
    # they have no reason to know; the docs are where the behaviour is explained.
    for path, _ in every_command(typer.main.get_command(app)):
        result = CliRunner().invoke(app, [*path, "--help"])
        assert not re.search(r"\b[a-z_]+\.py\b", result.output), (path, result.output)


def test_train_and_evaluate_say_where_their_default_data_is() -> None:
    # "default: classifiers/data" read as a folder of the working directory, which they
    # never read (classify/data.find_classifiers_dir): the shipped copy, or the variable.
    for command in ("train", "evaluate"):
        output = " ".join(CliRunner().invoke(app, [command, "--help"]).output.split())
        assert "default: classifiers/data" not in output, output
        assert "$MAILBOT_CLASSIFIERS" in output, output
