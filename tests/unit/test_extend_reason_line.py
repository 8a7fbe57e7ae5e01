"""EXTEND with its number but no reason on the line: an officer on a phone often presses
Enter after the number and writes the reason below it. mailbot does not take the next line
(it may be the sign-off, and the reason is sent to the member), so the help must say where
the reason goes, not only that one is needed."""

from __future__ import annotations

import pytest

from mailbot.commands.parse import Command, Unparsed, parse_command
from mailbot.languages import welsh_of


@pytest.mark.parametrize("text", [
    "EXTEND 5\nWaiting for the contractor's survey\n\nSam",
    "Extend 5 days\n\nThanks\nSam",
    "EXTEND 5",
])
def test_extend_without_a_reason_on_its_line_says_where_the_reason_goes(text: str) -> None:
    found = parse_command(text)
    assert isinstance(found, Unparsed)
    assert str(found.problem).startswith(
        'EXTEND needs its reason on the same line, after the number of days: EXTEND 5 "reason"'
    )
    assert "ar yr un llinell" in welsh_of(found.problem)


def test_a_reason_on_the_line_is_still_read() -> None:
    assert parse_command('EXTEND 5 "waiting for the survey"\nSam') == Command(
        "EXTEND", days=5, reason="waiting for the survey"
    )
