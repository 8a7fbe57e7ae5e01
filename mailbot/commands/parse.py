"""Reading a command from an officer's reply: pure, no database, no clock.

Only the first line of the new text counts (quoted history below it is ignored), so a
reply that quotes our own mail cannot trigger anything. A greeting line above it ("Hi,",
"Helo Dana,") is passed over: officers write one out of habit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from mailbot.languages import Bilingual
from mailbot.plaintext import header_safe
from mailbot.quoting import cut_signature, history_start
from mailbot.refs import REF_TAG, canonical, refs_in
from mailbot.workdays import MAX_YEAR, MIN_YEAR

MAX_EXTENSION_DAYS = 60
MAX_REASON = 1000

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
_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’"}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A date as people write it after EXTEND: "29 December 2026", "29th Dec, 2026". Its day
# must never be taken for a number of working days ("EXTEND 29 December" is not 29 days).
_WRITTEN_DATE = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4})\b)?", re.IGNORECASE
)
_ADDRESS_IN_TEXT = re.compile(
    r"(?:mailto:)?([^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+)"
)
_NO_YEAR = re.compile(r"^\d{1,2}/\d{1,2}(?:[\s,.:;]|$)")  # "24/12", "24/12, fee"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for name in names
}


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
class _Line:
    """The command line cut up once, so each verb's reader gets the same four pieces."""

    verb: str
    rest: str  # what follows the verb on the line
    following: list[str]  # later lines, where a quoted reason may run on
    first: str  # the whole line, quoted back in the help reply when it is wrong
    today: date | None = None  # the day it is read (London), for the year a date lacks

    def reason(self, text: str) -> str:
        """The reason starting in `text`, a quoted one running on into later lines."""
        return _reason(text, self.following)


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
    read = _READERS.get(verb)
    if read is None:
        return Unparsed(NOT_A_COMMAND, first[:200])
    refs, rest = _named_refs(leading, rest, bare=read in (_bare, _resume))
    parsed = read(_Line(verb, rest, following, first, today))
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


def _date(token: str) -> date | None:
    found = _DATE.match(token)
    if not found:
        return None
    try:
        if found.group(1):
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return date(int(found.group(6)), int(found.group(5)), int(found.group(4)))
    except ValueError:
        return None


# -- one reader a verb ----------------------------------------------------------------


def _bare(line: _Line) -> Command:
    """DONE and HELP take nothing but an optional reason (RESUME a date too: _resume)."""
    return Command(line.verb, reason=line.reason(line.rest))


# A reason under the command line is not read (it may be the sign-off, and the member is
# sent the reason), so the help says where it goes.
_EXTEND_REASON_ON_ITS_LINE = Bilingual(
    'EXTEND needs its reason on the same line, after the number of days: EXTEND 5 "reason" '
    "(the member is sent the reason)",
    'mae EXTEND angen ei reswm ar yr un llinell, ar ôl nifer y diwrnodau: EXTEND 5 "rheswm" '
    "(anfonir y rheswm at yr aelod)",
)


def _extend(line: _Line) -> Command | Unparsed:
    usage = Bilingual(
        'EXTEND needs a number of working days and a reason: EXTEND 5 "reason"',
        'mae EXTEND angen nifer o ddiwrnodau gwaith a rheswm: EXTEND 5 "rheswm"',
    )
    rest = re.sub(r"^(by|to|until)\s+", "", line.rest, flags=re.IGNORECASE)
    written = _WRITTEN_DATE.match(rest)
    if written and written.group(2).lower() in _MONTHS or _NO_YEAR.match(rest):
        return _extend_to_written_date(line, rest, written)
    token, _, after = rest.partition(" ")
    after = re.sub(r"^(working\s+)?days?\b", "", after.strip(), flags=re.IGNORECASE)
    reason = line.reason(after)
    if token.isdigit():
        days = int(token)
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            return Unparsed(
                Bilingual(
                    f"EXTEND takes 1 to {MAX_EXTENSION_DAYS} working days",
                    f"mae EXTEND yn cymryd rhwng 1 a {MAX_EXTENSION_DAYS} diwrnod gwaith",
                ),
                line.first,
            )
        if not reason:
            return Unparsed(_EXTEND_REASON_ON_ITS_LINE, line.first)
        return Command("EXTEND", days=days, reason=reason)
    new_date = _date(token)
    if new_date is None or not reason:
        return Unparsed(usage, line.first)
    return _extend_to(line, new_date, reason)


def _extend_to(line: _Line, new_date: date, reason: str) -> Command | Unparsed:
    """A typed year far out (2207, 0001) is a slip of the keyboard, and no working day
    can be counted to it: the officer is asked again instead of the reply failing."""
    if not MIN_YEAR <= new_date.year <= MAX_YEAR:
        return Unparsed(
            Bilingual(
                f"EXTEND to {new_date.isoformat()}: check the year (it must be from "
                f"{MIN_YEAR} to {MAX_YEAR})",
                f"EXTEND i {new_date.isoformat()}: gwiriwch y flwyddyn (rhaid iddi fod rhwng "
                f"{MIN_YEAR} a {MAX_YEAR})",
            ),
            line.first,
        )
    return Command("EXTEND", new_date=new_date, reason=reason)


def _extend_to_written_date(
    line: _Line, rest: str, written: re.Match[str] | None
) -> Command | Unparsed:
    """EXTEND 29 December 2026 "reason". Without its year the date is refused rather than
    guessed: mailbot would tell the member a date a year out, or one already gone."""
    if written is None or written.group(3) is None:
        return Unparsed(_no_year(line, rest, written) or Bilingual(
            'EXTEND to a date needs the year: EXTEND 29/12/2026 "reason" (or a number '
            'of working days: EXTEND 5 "reason")',
            'mae EXTEND i ddyddiad angen y flwyddyn: EXTEND 29/12/2026 "rheswm" (neu '
            'nifer o ddiwrnodau gwaith: EXTEND 5 "rheswm")',
        ), line.first)
    try:
        new_date = date(int(written.group(3)), _MONTHS[written.group(2).lower()],
                        int(written.group(1)))
    except ValueError:
        new_date = None
    reason = line.reason(rest[written.end():])
    if new_date is None or not reason:
        return Unparsed(
            Bilingual(
                'EXTEND needs a number of working days and a reason: EXTEND 5 "reason"',
                'mae EXTEND angen nifer o ddiwrnodau gwaith a rheswm: EXTEND 5 "rheswm"',
            ),
            line.first,
        )
    return _extend_to(line, new_date, reason)


# What follows the date in each verb's example, English and Welsh.
_NO_YEAR_EXAMPLE = {
    "EXTEND": ('"reason", or a number of working days: EXTEND 5 "reason"',
               '"rheswm", neu nifer o ddiwrnodau gwaith: EXTEND 5 "rheswm"'),
    "RESUME": ('"fee received"', '"ffi wedi dod i law"'),
}


def _no_year(line: _Line, rest: str, written: re.Match[str] | None) -> Bilingual | None:
    """'24/12 has no year: write 24/12/2026 (RESUME 24/12/2026 "fee received")': the year
    the officer most likely means, given today: RESUME's day has come (this year's, or
    last year's if it is still to come), EXTEND's is to come (this year's, or next
    year's if it has gone). None without today or when the day and month are no date."""
    if line.today is None:
        return None
    if written is not None and written.group(2).lower() in _MONTHS:
        typed = f"{written.group(1)} {written.group(2)}"
        day, month = int(written.group(1)), _MONTHS[written.group(2).lower()]
    else:
        typed = rest[: rest.index("/") + 3].rstrip(",.:; ")  # _NO_YEAR matched it
        day, month = (int(part) for part in typed.split("/"))
    year = line.today.year
    if line.verb == "RESUME" and (month, day) > (line.today.month, line.today.day):
        year -= 1
    if line.verb == "EXTEND" and (month, day) <= (line.today.month, line.today.day):
        year += 1
    try:
        date(year, month, day)
    except ValueError:
        return None
    dated = f"{typed} {year}" if " " in typed else f"{typed}/{year}"
    en, cy = _NO_YEAR_EXAMPLE[line.verb]
    return Bilingual(
        f"{typed} has no year: write {dated} ({line.verb} {dated} {en})",
        f"nid oes blwyddyn yn {typed}: ysgrifennwch {dated} ({line.verb} {dated} {cy})",
    )


# What may come between RESUME and its date: "RESUME on 23/11/2026", "from", "as of".
_RESUME_DATE_LEAD = re.compile(r"^(?:on|from|as\s+of)\s+", re.IGNORECASE)
# A token written as a date that is none (31/02/2026): refused rather than taken as words.
_LIKE_A_DATE = re.compile(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$")
_RESUME_USAGE = Bilingual(
    'RESUME takes the day the clock runs again from as 23/11/2026 (or 23 November 2026): '
    'RESUME 23/11/2026 "fee received"',
    "mae RESUME yn cymryd y diwrnod y mae'r cloc yn rhedeg eto ohono fel 23/11/2026 (neu "
    '23 November 2026): RESUME 23/11/2026 "ffi wedi dod i law"',
)


def _resume(line: _Line) -> Command | Unparsed:
    """RESUME, with an optional reason, and an optional date first: the day the wait
    ended ("RESUME 23/11/2026 fee received"), when the officer writes days later. Dates
    are read as EXTEND reads them; one without its year is refused, not guessed."""
    rest = _RESUME_DATE_LEAD.sub("", line.rest)
    written = _WRITTEN_DATE.match(rest)
    if written and written.group(2).lower() in _MONTHS or _NO_YEAR.match(rest):
        if written is None or written.group(3) is None:
            return Unparsed(_no_year(line, rest, written) or _RESUME_USAGE, line.first)
        try:
            day = date(int(written.group(3)), _MONTHS[written.group(2).lower()],
                       int(written.group(1)))
        except ValueError:
            return Unparsed(_RESUME_USAGE, line.first)
        after = rest[written.end():]
    else:
        token, _, after = rest.partition(" ")
        token = token.rstrip(",.:;")
        found = _date(token)
        if found is None:
            if _LIKE_A_DATE.match(token):
                return Unparsed(_RESUME_USAGE, line.first)
            return Command(line.verb, reason=line.reason(line.rest))
        day = found
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return Unparsed(
            Bilingual(
                f"RESUME {day.isoformat()}: check the year (it must be from {MIN_YEAR} to "
                f"{MAX_YEAR})",
                f"RESUME {day.isoformat()}: gwiriwch y flwyddyn (rhaid iddi fod rhwng "
                f"{MIN_YEAR} a {MAX_YEAR})",
            ),
            line.first,
        )
    return Command(line.verb, new_date=day, reason=line.reason(after.lstrip(",.:;")))


def _reassign(line: _Line) -> Command | Unparsed:
    # The first address on the line, as officers write it ("to lee@...", "Lee Wong
    # <lee@...>") and as Outlook's plain text shows a linked one ("lee@...<mailto:lee@...>").
    found = _ADDRESS_IN_TEXT.search(line.rest)
    if found is not None:
        address = found.group(1).rstrip(".").lower()
        why = re.sub(r"^>?(<mailto:[^>\s]*>)?>?", "", line.rest[found.end():])
    if found is None or not _ADDRESS.fullmatch(address):
        return Unparsed(
            Bilingual(
                "REASSIGN needs an email address: REASSIGN name@council",
                "mae REASSIGN angen cyfeiriad e-bost: REASSIGN enw@council",
            ),
            line.first,
        )
    return Command(line.verb, address=address, reason=line.reason(why))


def _pause(line: _Line) -> Command | Unparsed:
    reason = line.reason(line.rest)
    if not reason:
        return Unparsed(
            Bilingual(
                'PAUSE needs a reason: PAUSE "waiting for clarification"',
                'mae PAUSE angen rheswm: PAUSE "aros am eglurhad"',
            ),
            line.first,
        )
    return Command(line.verb, reason=reason)


def _confidential(line: _Line) -> Command | Unparsed:
    """CONFIDENTIAL OK, or CONFIDENTIAL NO "reason": a refusal must say why, since the
    member is sent the reason at once."""
    answer, _, why = line.rest.partition(" ")
    answer = answer.upper().rstrip(".!,")
    if answer in ("OK", "YES"):
        return Command(line.verb, ok=True, reason=line.reason(why))
    if answer in ("NO", "NOT"):
        reason = line.reason(why)
        if not reason:
            return Unparsed(
                Bilingual(
                    'CONFIDENTIAL NO needs a reason: CONFIDENTIAL NO "reason"',
                    'mae CONFIDENTIAL NO angen rheswm: CONFIDENTIAL NO "rheswm"',
                ),
                line.first,
            )
        return Command(line.verb, ok=False, reason=reason)
    return Unparsed(
        Bilingual(
            'CONFIDENTIAL needs OK or NO "reason"', 'mae CONFIDENTIAL angen OK neu NO "rheswm"'
        ),
        line.first,
    )


def _subject_access(line: _Line) -> Command | Unparsed:
    """SAR marks the case as a subject access request, SAR NO takes the mark off."""
    answer, _, why = line.rest.partition(" ")
    answer = answer.upper().rstrip(".!,")
    if answer in ("", "YES", "OK"):
        return Command(line.verb, ok=True, reason=line.reason(why if answer else line.rest))
    if answer in ("NO", "NOT"):
        return Command(line.verb, ok=False, reason=line.reason(why))
    return Command(line.verb, ok=True, reason=line.reason(line.rest))


_READERS: dict[str, Callable[[_Line], Command | Unparsed]] = {
    "DONE": _bare,
    "EXTEND": _extend,
    "REASSIGN": _reassign,
    "PAUSE": _pause,
    "RESUME": _resume,
    "CONFIDENTIAL": _confidential,
    "SAR": _subject_access,
    "HELP": _bare,
}
VERBS = tuple(_READERS)
