"""`mailbot deadlines`: due dates for one message or a JSONL batch, with no config needed.

The command line only parses options; this module reads the inputs, names what is wrong
with them (field, and line number in a batch) and formats the answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mailbot.clock import ClockError, case_deadlines
from mailbot.model import Kind, Priority
from mailbot.policy import Policy, PolicyError, load_policy
from mailbot.workdays import MAX_YEAR, MIN_YEAR, CalendarError

KINDS = ", ".join(k.value for k in Kind)
PRIORITIES = ", ".join(p.value for p in Priority)


class InputError(ValueError):
    """A value the user gave that cannot be used; the message names the field."""


def parse_kind(value: Any) -> Kind:
    try:
        return Kind(str(value).strip().lower())
    except ValueError:
        raise InputError(f"kind: unknown kind {value!r} (one of {KINDS})") from None


def parse_priority(value: Any) -> Priority:
    try:
        return Priority(str(value).strip().lower())
    except ValueError:
        raise InputError(f"priority: unknown priority {value!r} (one of {PRIORITIES})") from None


def parse_received(value: Any) -> datetime:
    if not isinstance(value, str):
        raise InputError(f"received: must be an ISO 8601 string, not {value!r}")
    try:
        # RFC 3339 allows a lower-case "t" and "z"; fromisoformat does not.
        moment = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        raise InputError(
            f"received: {value!r} is not an ISO 8601 time (e.g. 2026-11-25T16:30:00Z)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(f"received: {value!r} has no UTC offset; add one, e.g. Z or +00:00")
    return moment


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass
class Answer:
    ack_due: str | None
    response_due: str | None
    explanation: list[str]

    def fields(self, with_explanation: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"ack_due": self.ack_due, "response_due": self.response_due}
        if with_explanation:
            out["explanation"] = self.explanation
        return out


def compute(policy: Policy, kind: Any, priority: Any, received: Any) -> Answer:
    """Due dates for one set of raw inputs; InputError names the bad field."""
    k, p, r = parse_kind(kind), parse_priority(priority), parse_received(received)
    try:
        found = case_deadlines(policy, k, p, r)
    except ClockError as exc:
        raise InputError(str(exc)) from None
    except CalendarError as exc:
        raise InputError(f"received: {received!r}: {exc}") from None
    except OverflowError:  # a date next to 9999-12-31 or 0001-01-01: no day after it
        raise InputError(
            f"received: {received!r} is outside {MIN_YEAR}-{MAX_YEAR}, the years whose bank "
            "holidays are known"
        ) from None
    return Answer(_iso(found.ack_due), _iso(found.response_due), found.explanation)


class PolicyCache:
    """Each pack of a batch is read once, and a broken one is reported, not re-read."""

    def __init__(self) -> None:
        self._found: dict[str, Policy | PolicyError] = {}

    def get(self, ref: Any) -> Policy:
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(f"policy: must be a pack name or a path, not {ref!r}")
        key = ref.strip()
        if key not in self._found:
            try:
                self._found[key] = load_policy(key)
            except PolicyError as exc:
                self._found[key] = exc
        found = self._found[key]
        if isinstance(found, PolicyError):
            raise InputError(f"policy: {found}")
        return found


REQUIRED = ("policy", "kind", "received")


def run_batch(
    lines: Iterable[str], *, default_policy: str | Policy | None = None, explain: bool = False
) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each input line back with ack_due/response_due added, or with an "error" naming
    the line number. Yields (object, ok). Blank lines are skipped. `default_policy`, for
    lines without a "policy": a pack's name or path, or a policy already loaded (a
    council's, with its config's overrides), named in the line by its pack's name."""
    policies = PolicyCache()
    council = default_policy if isinstance(default_policy, Policy) else None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"error": f"line {number}: not JSON: {exc.msg} (column {exc.colno})"}, False
            continue
        if not isinstance(row, dict):
            yield {"error": f"line {number}: not a JSON object"}, False
            continue
        # A line naming a pack gets that pack as shipped, even beside a council's.
        use_council = council is not None and "policy" not in row
        if default_policy is not None and "policy" not in row:
            row["policy"] = council.name if council is not None else default_policy
        missing = [name for name in REQUIRED if name not in row]
        if missing:
            row["error"] = f"line {number}: missing field(s): {', '.join(missing)}"
            yield row, False
            continue
        try:
            policy = council if council is not None and use_council else policies.get(
                row["policy"])
            # A spreadsheet export writes an empty cell as null or "": the default applies.
            priority = row.get("priority") or "normal"
            answer = compute(policy, row["kind"], priority, row["received"])
        except InputError as exc:
            row["error"] = f"line {number}: {exc}"
            yield row, False
            continue
        row.update(answer.fields(explain))
        yield row, True


def read_lines(source: Path | str) -> Iterator[str]:
    """Lines of a JSONL file, or of standard input for "-"."""
    if str(source) == "-":
        import sys

        for number, line in enumerate(sys.stdin):
            yield line.removeprefix("\ufeff") if number == 0 else line
        return
    path = Path(source)
    try:
        # utf-8-sig: files saved by Excel and Notepad start with a byte-order mark.
        with path.open(encoding="utf-8-sig") as handle:
            yield from handle
    except OSError as exc:
        raise InputError(f"--batch: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"--batch: {path} is not UTF-8 text ({exc.reason})") from None


def to_json(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
