"""A command as read from an officer's reply (Command), a line that is none or a command
used wrongly (Unparsed, with why, for the help reply), and the command line cut up once
for the verb's reader (Line), with the reason as the member will read it: pure, no
database, no clock. Reading the line is mailbot.commands.parse, each verb's reader
mailbot.commands.verbs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailbot.languages import Bilingual
from mailbot.plaintext import header_safe

MAX_REASON = 1000
_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’"}


@dataclass(frozen=True)
class Command:
    verb: str
    days: int | None = None
    new_date: date | None = None
    address: str = ""
    ok: bool | None = None
    reason: str = ""
    refs: tuple[str, ...] = ()  # case references written on the command line, as stored

    def describe(self) -> str:
        parts = [self.verb, *self.refs]
        if self.days is not None:
            parts.append(str(self.days))
        if self.new_date is not None:
            parts.append(self.new_date.isoformat())
        if self.address:
            parts.append(self.address)
        if self.ok is not None:
            parts.append("OK" if self.ok else "NO")
        if self.reason:
            parts.append(f'"{self.reason}"')
        return " ".join(parts)


@dataclass(frozen=True)
class Unparsed:
    """A line that is not a command, or a command used wrongly: why, for the help reply."""

    problem: str  # a languages.Bilingual, so a bilingual council's help can say it in Welsh
    line: str


NOT_A_COMMAND = Bilingual("not a command", "nid yw'n orchymyn")


@dataclass(frozen=True)
class Line:
    """The command line cut up once, so each verb's reader gets the same four pieces."""

    verb: str
    rest: str  # what follows the verb on the line
    following: list[str]  # later lines, where a quoted reason may run on
    first: str  # the whole line, quoted back in the help reply when it is wrong
    today: date | None = None  # the day it is read (London), for the year a date lacks

    def reason(self, text: str) -> str:
        """The reason starting in `text`, a quoted one running on into later lines."""
        return _reason(text, self.following)


def _reason(rest: str, following: list[str]) -> str:
    """The reason as the member will read it, in their letter and its subject: one line,
    without control or text-direction characters (U+202E would show the member the words
    reversed from what the officer saw)."""
    return header_safe(_reason_as_written(rest, following), limit=MAX_REASON)


def _reason_as_written(rest: str, following: list[str]) -> str:
    rest = rest.strip()
    if rest[:1] in _QUOTES:
        close = _QUOTES[rest[0]]
        body = rest[1:]
        if close in body:
            return body[: body.index(close)].strip()
        return " ".join(_run_on(body, close, following))
    return rest.strip(" .").lstrip(":-–—,; ")


def _run_on(body: str, close: str, following: list[str]) -> list[str]:
    """A quoted reason running over several lines: up to its closing quote; without one,
    only its own paragraph (to the first blank line), never the officer's later text."""
    collected = [body.strip()]
    for line in following:
        if close in line or "”" in line:
            end = line.index(close) if close in line else line.index("”")
            return [p for p in [*collected, line[:end].strip()] if p]
        collected.append(line)
    paragraph = [body.strip()]
    for line in following:
        if not line:
            break
        paragraph.append(line)
    return [p for p in paragraph if p]
