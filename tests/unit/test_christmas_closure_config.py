"""The Christmas closure as administrators write it in mailbot.toml's [policy.calendar]:
check-config's line names the file and the key, and where the mistake has one meaning,
says what to write (the end of a closure over New Year in the next year, a date written
the UK way round, a range written as one value)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app


def _council(home: Path, calendar: str) -> Path:
    (home / "members.csv").write_text("name,email\r\nCllr Jo Bloggs,jo@wiltshire.gov.uk\r\n",
                                      encoding="utf-8")
    config = home / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Wiltshire Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@wiltshire.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\n'
        f"[policy.calendar]\n{calendar}\n",
        encoding="utf-8",
    )
    return config


def _check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    return result.exit_code, result.output.splitlines()


def _errors(config: Path, lines: list[str]) -> list[str]:
    """Each error line after '<config>: council.policy / [policy]: <pack> (with the
    council's overrides): ', which every one of them must start with."""
    prefix = f"mailbot: error: {config.resolve()}: council.policy / [policy]: "
    errors = [line for line in lines if line.startswith("mailbot: error")]
    assert all(line.startswith(prefix) for line in errors), lines
    return [line.split("(with the council's overrides): ", 1)[1] for line in errors]


@pytest.mark.parametrize(
    ("closure", "expected"),
    [
        # The end's year left as the start's: the closure runs backwards.
        (
            '{ start = 2026-12-24, end = 2026-01-01, name = "Christmas closure" }',
            ["policy.calendar.closures (number 1): end is before start (end 2026-01-01, "
             "start 2026-12-24); a closure over New Year ends in the next year: "
             "end = 2027-01-01"],
        ),
        # The UK way round: only one reading of each is a date.
        (
            '{ start = "24/12/2026", end = "1/1/2027", name = "Christmas closure" }',
            ["policy.calendar.closures (number 1).start: must be a date written YYYY-MM-DD, "
             "such as 2026-12-29, not '24/12/2026' (write 2026-12-24)",
             "policy.calendar.closures (number 1).end: must be a date written YYYY-MM-DD, "
             "such as 2026-12-29, not '1/1/2027' (write 2027-01-01)"],
        ),
        # Either way round is a date: both are said, and mailbot guesses neither.
        (
            '{ start = "04/01/2027", name = "Staff training day" }',
            ["policy.calendar.closures (number 1).start: must be a date written YYYY-MM-DD, "
             "such as 2026-12-29, not '04/01/2027' (4 January or 1 April? write 2027-01-04 "
             "or 2027-04-01)"],
        ),
        # A range written as one value.
        (
            '{ start = "2026-12-24 to 2027-01-01", name = "Christmas closure" }',
            ["policy.calendar.closures (number 1).start: must be a date written YYYY-MM-DD, "
             "such as 2026-12-29, not '2026-12-24 to 2027-01-01' (days in a row are one "
             "closure: write start = 2026-12-24, end = 2027-01-01)"],
        ),
    ],
    ids=["end in the start's year", "UK order", "either way round", "range in one value"],
)
def test_a_christmas_closure_written_wrong_says_what_to_write(
    tmp_path: Path, closure: str, expected: list[str]
) -> None:
    config = _council(tmp_path, f"closures = [{closure}]")
    code, lines = _check(config)
    assert code == 2, lines
    assert _errors(config, lines) == expected


def test_a_closure_over_the_bank_holidays_is_accepted_without_a_word(tmp_path: Path) -> None:
    # 25 and 28 December and 1 January are bank holidays inside the closure: the closure
    # still shuts 24, 29, 30 and 31 December, so it is no mistake.
    config = _council(tmp_path, 'closures = [{ start = 2026-12-24, end = 2027-01-01, '
                                'name = "Christmas closure" }]')
    code, lines = _check(config)
    assert code == 0, lines
    # (Only the out-of-hours number it needs is said of it: docs/deadlines.md.)
    assert not [line for line in lines if "closures" in line
                and "out_of_hours_telephone is not set" not in line], lines
