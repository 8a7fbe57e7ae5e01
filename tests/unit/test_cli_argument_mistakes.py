"""An administrator's typing mistakes on the command line (a row number that is not one,
a kind in capitals or misspelt, a date written the British way) get an answer in plain
words: never pydantic's wording, which Typer passes on for arguments it checks itself."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

PYDANTIC_WORDING = ("Input should be", "Value error,", "valid integer", "unable to parse")


def usage_error(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, result.output
    for words in PYDANTIC_WORDING:
        assert words not in result.output, result.output
    return result.output


@pytest.mark.parametrize(
    "command",
    [
        ["quarantine", "save", "row7", "out.eml"],
        ["quarantine", "retry", "row7"],
        ["quarantine", "done", "row7"],
        ["outbox", "resend", "row7"],
        ["outbox", "mark-sent", "row7"],
    ],
)
def test_a_row_that_is_not_a_number_is_said_so(command: list[str]) -> None:
    output = usage_error(*command)
    assert "'row7' is not a row number: give the number the list shows, such as 12" in output


def test_a_misspelt_kind_lists_the_kinds() -> None:
    output = usage_error("relabel", "MB-2026-00004", "spam")
    assert "'spam' is not a kind: give enquiry, foi, complaint or confidentiality" in output


def test_a_kind_in_capitals_is_the_kind(tmp_path: object) -> None:
    # FOI as people write it: accepted as `deadlines --kind FOI` accepts it. The command
    # then stops for want of a config, which shows the argument was read.
    result = CliRunner().invoke(app, ["relabel", "MB-2026-00004", "FOI", "--config",
                                      "/nonexistent/mailbot.toml"])
    assert "is not a kind" not in result.output
    assert "/nonexistent/mailbot.toml" in result.output


@pytest.mark.parametrize("command", [["relay", "list"], ["relay", "reread"]])
def test_a_date_written_day_first_asks_for_year_month_day(command: list[str]) -> None:
    output = usage_error(*command, "--since", "26/11/2026")
    assert "'26/11/2026' is not a date: write it YYYY-MM-DD, such as 2026-11-26" in output


def test_a_training_seed_that_is_not_a_number_is_said_so() -> None:
    output = usage_error("train", "--seed", "abc")
    assert "'abc' is not a whole number" in output
