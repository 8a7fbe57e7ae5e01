"""Reading a command from an officer's reply: pure, no database, no clock.

Only the first line of the new text counts (quoted history below it is ignored), so a
reply that quotes our own mail cannot trigger anything. A greeting line above it ("Hi,",
"Helo Dana,") is passed over: officers write one out of habit.

This module reads the line: where the new text is, the command word and the case
references around it, a command in the subject. What a command is, and the line cut up
for its reader, is mailbot.commands.command_line; each verb's reader
mailbot.commands.verbs. Their names used elsewhere are given here too.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from mailbot.commands.command_line import (
    MAX_REASON,
    NOT_A_COMMAND,
    Command,
    Line,
    Unparsed,
)
from mailbot.commands.verbs import MAX_EXTENSION_DAYS, READERS, VERBS, bare, resume
from mailbot.quoting import cut_signature, history_start
from mailbot.refs import REF_TAG, canonical, refs_in

# The names of the modules this one was split into, as other modules and tests use them.
__all__ = [
    "MAX_EXTENSION_DAYS", "MAX_REASON", "NOT_A_COMMAND", "VERBS", "Command", "Unparsed",
    "later_commands", "new_text", "parse_command", "subject_command",
]

# Where the quoted history of a reply begins, in the clients councils use.
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*Original Message|_{8,}|\*\s\*\s\*|\**From:\**\s|Sent:\s|On\s.+wrote:\s*$|"
    r"Ar\s.+ysgrifennodd|Le\s.+a écrit|Am\s.+schrieb)",
    re.IGNORECASE,
)
# A line that only greets: the command is on the line after it. Kept to the words people
# open a note with, so a line such as "All done" is never passed over for the one below
# it. Not "Dear"/"Annwyl": that opens a letter to the member sent here by mistake ("Dear
# Cllr Bloggs, / Done: the crew went out today"), which must get the help mail saying it
# was not passed on, not be taken for DONE.
_GREETING = re.compile(
    r"^(?:hi|hiya|hello|hey|morning|afternoon|good\s+(?:morning|afternoon|evening)|"
    r"helo|shwmae|s'mae|bore\s+da|prynhawn\s+da|noswaith\s+dda)\b"
    r"[^.?!:;\"“”]{0,40}[,.!]?$",
    re.IGNORECASE,
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Quote marks an officer may put round the command word ("“Done”" in Outlook, which curls
# them as it types), and what may follow a command word directly: "Done—phoned", "HELP?".
_QUOTE_MARKS = "\"'“”‘’„«»"
_AFTER_VERB = " .,!?:;-–—"
# Case references written before the command ("MB-2026-00002 and MB-2026-00003 - done",
# "[MB-2026-00002] DONE"), joined by commas, "and", "&" or "/".
_REF_JOIN = re.compile(r"^\s*(?:,|&|/|\band\b)\s*", re.IGNORECASE)
_REF_END = re.compile(r"^\s*[:\-–—]?\s*")

def new_text(text: str) -> str:
    """The part of a reply the sender wrote: everything above the quoted history, wherever
    the client marks it (quoting.history_start knows the Welsh Outlook header block and
    Gmail's "On ... wrote:" wrapped over two lines)."""
    all_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = history_start(all_lines)
    lines = []
    for line in all_lines[: found[0] if found else len(all_lines)]:
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def parse_command(text: str, *, today: date | None = None) -> Command | Unparsed | None:
    """The command on the first line of the new text (after a greeting line, if any);
    None if the new text is empty. `today` (London), when given, lets the refusal of a
    date without its year give the year it most likely means."""
    lines = _from_command_line(text)
    if not lines:
        return None
    first = lines[0]
    # A reason may run on below the command line, but never into the sign-off
    # ("Thanks, Sam", a phone's footer): it may be sent to the member.
    following = cut_signature(lines)[1:]
    leading, after_refs = _leading_refs(first)
    verb, rest = _verb_and_rest(after_refs)
    read = READERS.get(verb)
    if read is None:
        return Unparsed(NOT_A_COMMAND, first[:200])
    refs, rest = _named_refs(leading, rest, bare=read in (bare, resume))
    parsed = read(Line(verb, rest, following, first, today))
    if isinstance(parsed, Command) and refs:
        return replace(parsed, refs=refs)
    return parsed


def _from_command_line(text: str) -> list[str]:
    """The new text's lines, cleaned, from the command line on (a greeting passed over)."""
    lines = [_clean(line) for line in new_text(text).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if lines and _GREETING.match(lines[0]) and any(lines[1:]):
        lines.pop(0)
        while not lines[0]:
            lines.pop(0)
    return lines


def later_commands(text: str) -> list[str]:
    """Lines below the command line that are commands for a named case too
    ("MB-2026-00003 EXTEND 5 ..." under "MB-2026-00002 DONE", answering the daily summary):
    only the first line is applied, and the officer must be told the others were not."""
    later = cut_signature(_from_command_line(text)[1:])
    return [line for line in later if line and _names_a_case(parse_command(line))]


def _names_a_case(parsed: Command | Unparsed | None) -> bool:
    return isinstance(parsed, Command) and bool(parsed.refs)


# Commands read from a reply's subject: only those that carry nothing else, since a subject
# has no room for a reason and what follows the word there is our own subject line.
_SUBJECT_VERBS = ("DONE", "RESUME")


def subject_command(subject: str) -> Command | None:
    """DONE or RESUME typed into the subject of a reply to our mail, in front of it
    ("DONE RE: Enquiry from ...") or after its reference ("RE: ... [MB-2026-00042] - done"),
    as officers do when they write nothing in the body but their signature."""
    line = _clean(subject)
    verb, _ = _verb_and_rest(line)
    if verb in _SUBJECT_VERBS:
        return Command(verb)
    tags = list(REF_TAG.finditer(line))
    after = line[tags[-1].end():].strip(" -–—:") if tags else ""
    verb, rest = _verb_and_rest(after)
    return Command(verb) if verb in _SUBJECT_VERBS and not rest else None


def _verb_and_rest(line: str) -> tuple[str, str]:
    """The command word (upper case) and what follows it, as officers type them: "DONE",
    "done.", "“Done” – rang the councillor", "Done—phoned", "HELP?". A word run on into
    anything else ("Done's", "Doneness") is no command word, and is returned as it is."""
    opened = line[:1] in _QUOTE_MARKS
    text = line.lstrip(_QUOTE_MARKS)
    end = 0
    while end < len(text) and text[end].isalpha():
        end += 1
    word, rest = text[:end], text[end:]
    if opened and rest[:1] in _QUOTE_MARKS:  # the closing quote of “Done”
        rest = rest[1:]
    if not word or (rest and rest[0] not in _AFTER_VERB):
        word, _, rest = line.partition(" ")
        return word.upper().rstrip(".!:,;"), rest.strip()
    return word.upper(), rest.lstrip(" .,!?:;").strip()


def _leading_refs(line: str) -> tuple[list[str], str]:
    """Case references written before the command word, and the line after them."""
    refs: list[str] = []
    rest = line
    while True:
        found = REF_TAG.match(rest)
        if found is None:
            break
        refs.append(canonical(found.group(1)))
        rest = rest[found.end():]
        joined = _REF_JOIN.match(rest)
        if joined is None:
            break
        rest = rest[joined.end():]
    if refs:
        rest = rest[_REF_END.match(rest).end():]  # type: ignore[union-attr]
    return refs, rest


def _named_refs(leading: list[str], rest: str, *, bare: bool) -> tuple[tuple[str, ...], str]:
    """Every case the command line names, in order and once each, and what is left of the
    line: references before the command word and, for DONE, RESUME and HELP, after it
    ("DONE MB-2026-00002"), where a reference is no part of a reason and is taken out."""
    after = refs_in(rest) if bare else []
    if after:
        rest = REF_TAG.sub(" ", rest)
        if _ONLY_JOINING_WORDS.fullmatch(rest):
            rest = ""  # "DONE for MB-2026-00002 and MB-2026-00003"
    return tuple(dict.fromkeys([*leading, *after])), " ".join(rest.split())


_ONLY_JOINING_WORDS = re.compile(r"(?:\s|[,&/:\-–—]|\b(?:for|on|and|cases?)\b)*",
                                 re.IGNORECASE)


def _clean(line: str) -> str:
    # html2text renders bold as **DONE**; phones add a trailing full stop. Outlook's plain
    # text keeps a typed double space or a non-breaking one ("EXTEND\xa05"): every run of
    # whitespace is one space, or the verb and its words would not come apart.
    # Zero-width characters some clients leave at a line's start ("\u200bDONE") go too.
    return " ".join(line.translate(_INVISIBLE).split()).strip("*_").strip()
