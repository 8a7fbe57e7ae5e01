"""No table cell in README.md, docs/*.md or docs/backends/*.md grows past a few lines.

A Markdown table row is one line in a terminal (`less README.md`) and one row in a browser:
a cell of hundreds of words (docs/officers.md's complaint route once had 672, README's
`mailbot status` 161) cannot be read in either. The detail belongs in the prose or the short
lists after the table, as the command table of docs/officers.md does.

LONGEST_CELL_WORDS is 40: about 250 characters, three lines of an 80-column terminal, which
is as much as a reader takes in while scanning a row; the shortened tables' longest cells
are about 30 words, so it leaves room for a new row without letting a paragraph back in.

One exception: docs/architecture.md's "Where the code is" table, whose `modules` column is a
list of module names, each with a gloss of a few words. It is read as a list (one name
found, then its gloss), not as a sentence, and splitting it would only move the same list
below the table; its `area` column is held to the limit like any other cell.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
                *(ROOT / "docs" / "backends").glob("*.md")])
LONGEST_CELL_WORDS = 40
# (page, header row, column) whose cells are lists of names: see the docstring.
LISTS_OF_NAMES = {("docs/architecture.md", ("area", "modules"), 1)}

_SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")
_CELL_BORDER = re.compile(r"(?<!\\)\|")  # a `\|` inside a cell is text


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_BORDER.split(line.strip().strip("|"))]


def _tables(text: str) -> list[tuple[int, list[str], list[list[str]]]]:
    """Each table outside code fences: its header line's number, header cells, body rows
    (each with its line number prepended as the first "cell")."""
    tables: list[tuple[int, list[str], list[list[str]]]] = []
    in_fence = False
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        line = lines[at].strip()
        if line.startswith("```"):
            in_fence = not in_fence
        elif (not in_fence and line.startswith("|") and at + 1 < len(lines)
              and _SEPARATOR.match(lines[at + 1].strip())):
            header, rows = _cells(line), []
            body = at + 2
            while body < len(lines) and lines[body].strip().startswith("|"):
                rows.append([str(body + 1), *_cells(lines[body])])
                body += 1
            tables.append((at + 1, header, rows))
            at = body
            continue
        at += 1
    return tables


def _too_long() -> list[str]:
    found = []
    for page in PAGES:
        name = page.relative_to(ROOT).as_posix()
        for _, header, rows in _tables(page.read_text(encoding="utf-8")):
            for row in rows:
                line, cells = row[0], row[1:]
                for column, cell in enumerate(cells):
                    if (name, tuple(header), column) in LISTS_OF_NAMES:
                        continue
                    if len(cell.split()) > LONGEST_CELL_WORDS:
                        found.append(f"{name}:{line}: {len(cell.split())} words: {cell[:60]}...")
    return found


def test_the_pages_are_found_and_have_tables() -> None:
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"README.md", "docs/officers.md", "docs/backends/graph.md"} <= names
    assert all(_tables((ROOT / name).read_text(encoding="utf-8"))
               for name in ("README.md", "docs/officers.md", "docs/backends/graph.md"))


def test_the_exempt_list_of_names_is_still_there() -> None:
    """The exception names a table that exists: renamed, it would exempt nothing, and a
    long cell elsewhere must not be let through by a stale entry."""
    for name, header, _ in LISTS_OF_NAMES:
        headers = [tuple(found) for _, found, _ in _tables((ROOT / name).read_text("utf-8"))]
        assert header in headers, (name, header)


def test_no_table_cell_is_longer_than_a_few_lines() -> None:
    assert _too_long() == []


def test_a_long_cell_is_caught(tmp_path: Path) -> None:
    """The check reads cells as the pages write them: an escaped bar is text, a code fence's
    lines are not a table."""
    text = ("| a | b |\n|---|---|\n| `x \\| y` | " + "word " * 41 + "|\n\n"
            "```\n| not | a table |\n|---|---|\n| " + "word " * 50 + "| x |\n```\n")
    tables = _tables(text)
    assert len(tables) == 1
    _, header, rows = tables[0]
    assert header == ["a", "b"]
    assert rows == [["3", "`x \\| y`", ("word " * 41).strip()]]
