"""docs/officers.md keeps up with the commands the parser accepts: each verb has a row in
the short table under "Reply commands" and a section of its own ("### PAUSE"), and the
table stays short enough to read in a terminal (the detail lives in the sections)."""

from __future__ import annotations

import re
from pathlib import Path

from mailbot.commands.parse import VERBS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "officers.md"
LONGEST_CELL_WORDS = 30


def _reply_commands() -> str:
    """The "## Reply commands" section, up to the next second-level heading."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("\n## Reply commands\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table_rows(section: str) -> list[list[str]]:
    """The cells of each body row of the section's first table."""
    lines = section.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[first + 2 :]:  # past the header and its |---| line
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def test_every_command_has_a_row_in_the_short_table() -> None:
    named = {re.match(r"`([A-Z]+)", row[0]).group(1) for row in _table_rows(_reply_commands())
             if re.match(r"`([A-Z]+)", row[0])}
    assert sorted(set(VERBS) - named) == []
    assert sorted(named - set(VERBS)) == []


def test_every_command_has_a_section_of_its_own() -> None:
    headings = re.findall(r"^### ([A-Z]+)\b", _reply_commands(), flags=re.MULTILINE)
    assert sorted(set(VERBS) - set(headings)) == []
    assert len(headings) == len(set(headings))


def test_the_short_table_stays_short() -> None:
    rows = _table_rows(_reply_commands())
    assert all(len(row) == 3 for row in rows), rows
    too_long = [cell for row in rows for cell in row if len(cell.split()) > LONGEST_CELL_WORDS]
    assert too_long == []
