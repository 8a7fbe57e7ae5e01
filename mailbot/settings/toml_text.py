"""A TOML syntax error said to an administrator: the line, the key or table on it, and
what to write instead. tomllib's own words ("Cannot declare ('council',) twice",
"Invalid value", "Invalid hex value") name neither the key nor the fix."""

from __future__ import annotations

import ast
import re
import tomllib

_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_\-."' ]+?)\s*=""")
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019"


def read_toml(text: str) -> dict[str, object]:
    """tomllib.loads, its error rewritten by `explain` (still a TOMLDecodeError)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise tomllib.TOMLDecodeError(explain(text, exc)) from None


def explain(text: str, error: tomllib.TOMLDecodeError) -> str:
    """`line N: KEY: what is wrong; what to write` for a TOML error in `text`."""
    message = str(error)
    found = _WHERE.search(message)
    what = message[: found.start()] if found else message
    number = int(found.group(1)) if found and found.group(1) else None
    lines = text.splitlines()
    line = lines[number - 1] if number and number <= len(lines) else ""
    where = f"line {number}" if number else "at the end of the file"
    key = _key_on(lines, number) if number else ""
    named = f"{where}: {key}" if key else where
    if what.startswith("Cannot declare"):
        table = _declared(what)
        return (f"{where}: the table [{table}] appears twice (or its keys were already set "
                f"as {table}.KEY = ...); keep one [{table}] with all its keys")
    if what == "Cannot overwrite a value":
        return f"{named}: is set twice; keep one of them"
    if any(mark in line for mark in _CURLY_QUOTES):
        return (f"{named}: curly quotes (\u201c \u201d), as a word processor types them; "
                'write straight double quotes (")')
    if what in ("Invalid hex value", "Unescaped '\\' in a string") or what.startswith(
        "Invalid escape"
    ):
        return (f"{named}: a backslash in double quotes starts an escape; write text with "
                "backslashes (a Windows path, a password) in single quotes instead: "
                "'C:\\mailbot\\members.csv'")
    if what == "Illegal character '\\n'":
        return f"{named}: the text has no closing quote on the same line"
    if what == "Unclosed array":
        return f"{where}: a list opened with [ is not closed with ]"
    if what == "Invalid value":
        return (f'{named}: not a TOML value; write text in double quotes ("Thornfield '
                'District Council", "08:00"), true and false in lower case, numbers and '
                "lists ([\"a\", \"b\"]) without quotes around them")
    if "{" in line and what in ("Invalid initial character for a key part",
                                "Unclosed inline table"):
        return (f"{named}: a {{ ... }} table must be closed on the same line, with no comma "
                "after its last value and each value written as TOML (text in quotes, a "
                "date that exists: YYYY-MM-DD); for longer ones write [[TABLE]] sections")
    if what == "Expected newline or end of document after a statement":
        unquoted = _unquoted_value(line)
        if unquoted:  # 01632 960000, 08:00: text that TOML read the start of as a value
            return (f"{named}: something follows the value on this line; write text (a "
                    f"time, a telephone number) in double quotes: {unquoted}")
        return (f"{named}: something follows the value on this line; a list is written "
                '["first", "second"], a time in quotes ("08:00")')
    return f"{named}: {what}" if what else where


def _unquoted_value(line: str) -> str:
    """`key = "value"` for a line whose value is written without quotes and has no quote,
    bracket or brace of its own (a comment after it left out); else empty."""
    assigned = _KEY.match(line)
    if not assigned:
        return ""
    value = line[assigned.end():].split("#", 1)[0].strip()
    if not value or value[0] in "\"'[{" or '"' in value:
        return ""
    return f'{assigned.group(1).strip().rpartition(".")[2]} = "{value}"'


def _key_on(lines: list[str], number: int) -> str:
    """The dotted key on line `number` (1-based), with the table it is in; or the table
    the line declares; or empty."""
    line = lines[number - 1] if number <= len(lines) else ""
    table = ""
    for earlier in lines[: number - 1]:
        declared = _TABLE.match(earlier)
        if declared:
            table = _bare(declared.group(1))
    declared = _TABLE.match(line)
    if declared:
        return f"[{_bare(declared.group(1))}]"
    assigned = _KEY.match(line)
    if not assigned:
        return ""
    key = _bare(assigned.group(1))
    return f"{table}.{key}" if table else key


def _bare(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def _declared(what: str) -> str:
    """'council' from "Cannot declare ('council',) twice"."""
    inside = what.removeprefix("Cannot declare ").removesuffix(" twice")
    try:
        parts = ast.literal_eval(inside)
    except (ValueError, SyntaxError):
        return inside
    return ".".join(str(part) for part in parts) if isinstance(parts, tuple) else inside
