"""The classifier corrections file's retention: lines older than [retention]
corrections_days go, one person's lines go on request (erasure), and every rewrite is
atomic and loses no line appended meanwhile (a relabel in another process).

The file is JSON Lines written by classify.data.append_correction; a line that is not a
JSON object is left alone for a person to fix (`mailbot train` names it).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

UNDATED_KEY = "retention_from"  # the date a purge gave a corrections line that had none


def prune_corrections(
    path: Path, cutoff: datetime, now: datetime, *, dry_run: bool = False
) -> tuple[int, int]:
    """Drop corrections lines dated before `cutoff`, rewriting the file atomically.

    Returns (lines erased, undated lines). An undated line (written by hand, or by an old
    version) is given a `retention_from` date the first time a purge sees it, so it is
    erased one retention period from then: never early, never kept for ever. A line that
    is not JSON is left alone for a person to fix (`mailbot train` names it).
    """
    def prune(text: str) -> tuple[str, tuple[int, int]]:
        kept, erased, undated = _prune_lines(text, cutoff, now)
        return kept, (erased, undated)

    return _rewrite_corrections(path, prune, dry_run=dry_run) or (0, 0)


def remove_corrections(
    path: Path, concerns: Callable[[dict[str, Any]], bool], *, dry_run: bool = False
) -> int | None:
    """Remove the corrections lines `concerns` picks (one person's, on request), rewriting
    the file atomically as the purge does. Returns how many went (or, dry, would go); None
    if the file kept changing under it."""

    def drop(text: str) -> tuple[str, tuple[int, int]]:
        kept = [line for line in text.splitlines(keepends=True)
                if (row := json_object(line)) is None or not concerns(row)]
        return "".join(kept), (len(text.splitlines()) - len(kept), 0)

    done = _rewrite_corrections(path, drop, dry_run=dry_run)
    return done[0] if done is not None else None


def _rewrite_corrections(
    path: Path, change: Callable[[str], tuple[str, tuple[int, int]]], *, dry_run: bool
) -> tuple[int, int] | None:
    """Apply `change` (new text, its counts) to the file and swap the result in, reading
    again if a line was appended meanwhile. None if the file kept changing."""
    for _ in range(3):
        try:
            before = path.read_bytes()
        except FileNotFoundError:
            return 0, 0
        text, counts = change(before.decode("utf-8"))
        if dry_run or not any(counts):
            return counts
        if _replace_if_unchanged(path, before, text):
            return counts
    log.warning("retention: %s kept changing while being rewritten; will try again", path)
    return None


def _prune_lines(text: str, cutoff: datetime, now: datetime) -> tuple[str, int, int]:
    kept: list[str] = []
    erased = undated = 0
    for line in text.splitlines(keepends=True):
        row = json_object(line)
        if row is None:
            if line.strip():
                log.warning("retention: a corrections line is not a JSON object; left alone")
            kept.append(line)
            continue
        when = _line_date(row)
        if when is None:
            undated += 1
            row[UNDATED_KEY] = now.isoformat()
            kept.append(json.dumps(row, ensure_ascii=False) + "\n")
        elif when < cutoff:
            erased += 1
        else:
            kept.append(line)
    return "".join(kept), erased, undated


def json_object(line: str) -> dict[str, Any] | None:
    """A corrections-file line as the JSON object it should be, or None if it is not one."""
    try:
        row = json.loads(line)
    except ValueError:
        return None
    return row if isinstance(row, dict) else None


def _line_date(row: dict[str, Any]) -> datetime | None:
    for key in ("when", UNDATED_KEY):
        value = row.get(key)
        if not isinstance(value, str):
            continue
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            continue
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def _replace_if_unchanged(path: Path, before: bytes, text: str) -> bool:
    """Write `text` beside `path` and swap it in, unless someone appended meanwhile (a
    relabel in another process): then the caller reads again rather than lose that line."""
    temporary = path.with_name(f".{path.name}.purge")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, path.stat().st_mode & 0o777)
    if path.read_bytes() != before:
        temporary.unlink()
        return False
    os.replace(temporary, path)
    return True
