"""One reader a command word: what DONE, EXTEND, REASSIGN, PAUSE, RESUME, CONFIDENTIAL,
SAR, VERIFIED and HELP take after them (working days or a date, an address, OK or NO, a reason),
and what the officer is told when it is wrong: pure, no database, no clock (the day a
line is read comes with it, for the year a date lacks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from mailbot.commands.command_line import Command, Line, Unparsed
from mailbot.languages import Bilingual
from mailbot.typed_date import typed_date, written_date
from mailbot.workdays import MAX_YEAR, MIN_YEAR

MAX_EXTENSION_DAYS = 60
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


def bare(line: Line) -> Command:
    """DONE, VERIFIED and HELP take nothing but an optional reason (RESUME a date too: resume)."""
    return Command(line.verb, reason=line.reason(line.rest))


# A reason under the command line is not read (it may be the sign-off, and the member is
# sent the reason), so the help says where it goes.
_EXTEND_REASON_ON_ITS_LINE = Bilingual(
    'EXTEND needs its reason on the same line, after the number of days: EXTEND 5 "reason" '
    "(the member is sent the reason)",
    'mae EXTEND angen ei reswm ar yr un llinell, ar ôl nifer y diwrnodau: EXTEND 5 "rheswm" '
    "(anfonir y rheswm at yr aelod)",
)


def _extend(line: Line) -> Command | Unparsed:
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


def _extend_to(line: Line, new_date: date, reason: str) -> Command | Unparsed:
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
    line: Line, rest: str, written: re.Match[str] | None
) -> Command | Unparsed:
    """EXTEND 29 December 2026 "reason". Without its year the date is refused rather than
    guessed: mailbot would tell the member a date a year out, or one already gone."""
    if written is None or written.group(3) is None:
        return Unparsed(_no_year(line, rest, written) or _extend_without_year(rest, written),
                        line.first)
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


def _no_year(line: Line, rest: str, written: re.Match[str] | None) -> Bilingual | None:
    """'24/12 has no year: write 24/12/2026 (RESUME 24/12/2026 "fee received")': the year
    the officer most likely means, given today: RESUME's day has come (this year's, or
    last year's if it is still to come), EXTEND's is to come (this year's, or next
    year's if it has gone). None without today or when the day and month are no date."""
    if line.today is None:
        return None
    typed, day, month = _typed_day_month(rest, written)
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


def _typed_day_month(rest: str, written: re.Match[str] | None) -> tuple[str, int, int]:
    """A day and month without a year as typed ('24/12', '24 December'), day, month."""
    if written is not None and written.group(2).lower() in _MONTHS:
        return (f"{written.group(1)} {written.group(2)}", int(written.group(1)),
                _MONTHS[written.group(2).lower()])
    typed = rest[: rest.index("/") + 3].rstrip(",.:; ")  # _NO_YEAR matched it
    day, month = (int(part) for part in typed.split("/"))
    return typed, day, month


_OR_DAYS = Bilingual('(or a number of working days: EXTEND 5 "reason")',
                     '(neu nifer o ddiwrnodau gwaith: EXTEND 5 "rheswm")')


def _extend_without_year(rest: str, written: re.Match[str] | None) -> Bilingual:
    """The EXTEND date without a year _no_year cannot place, never with a fixed example
    (one that reads as gone a year on): a day and month that make no date ('31/02 is not
    a date') with the form; else (no day to count from, or 29/02 in a year without it)
    the date as typed with the year left to write ('EXTEND 29/12/yyyy')."""
    typed, day, month = _typed_day_month(rest, written)
    try:
        date(2000, month, day)  # a leap year: any day of any month
    except ValueError:
        return Bilingual(
            f"{typed} is not a date: EXTEND to a date needs its day, month and year: "
            f'EXTEND dd/mm/yyyy "reason" {_OR_DAYS}',
            f"nid yw {typed} yn ddyddiad: mae EXTEND i ddyddiad angen ei ddiwrnod, ei fis "
            f"a'i flwyddyn: EXTEND dd/mm/bbbb \"rheswm\" {_OR_DAYS.cy}",
        )
    joint = " " if " " in typed else "/"
    return Bilingual(
        f'EXTEND to a date needs the year: EXTEND {typed}{joint}yyyy "reason" {_OR_DAYS}',
        f"mae EXTEND i ddyddiad angen y flwyddyn: EXTEND {typed}{joint}bbbb \"rheswm\" "
        f"{_OR_DAYS.cy}",
    )


# What may come between RESUME and its date: "RESUME on 23/11/2026", "from", "as of".
_RESUME_DATE_LEAD = re.compile(r"^(?:on|from|as\s+of)\s+", re.IGNORECASE)
# A token written as a date that is none (31/02/2026): refused rather than taken as words.
_LIKE_A_DATE = re.compile(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$")


def _resume_usage(today: date | None) -> Bilingual:
    """How RESUME takes a date, with the day the line is read as the example (a fixed
    date read as one long gone a year on); without that day, the form alone."""
    typed, words = (typed_date(today), written_date(today)) if today else (
        "dd/mm/yyyy", "the month in words")
    return Bilingual(
        f"RESUME takes the day the clock runs again from as {typed} (or {words}): "
        f'RESUME {typed} "fee received"',
        f"mae RESUME yn cymryd y diwrnod y mae'r cloc yn rhedeg eto ohono fel {typed} (neu "
        f'{words if today else "y mis mewn geiriau"}): RESUME {typed} "ffi wedi dod i law"',
    )


def resume(line: Line) -> Command | Unparsed:
    """RESUME, with an optional reason, and an optional date first: the day the wait
    ended ("RESUME 23/11/2026 fee received"), when the officer writes days later. Dates
    are read as EXTEND reads them; one without its year is refused, not guessed."""
    rest = _RESUME_DATE_LEAD.sub("", line.rest)
    written = _WRITTEN_DATE.match(rest)
    if written and written.group(2).lower() in _MONTHS or _NO_YEAR.match(rest):
        if written is None or written.group(3) is None:
            return Unparsed(_no_year(line, rest, written) or _resume_usage(line.today), line.first)
        try:
            day = date(int(written.group(3)), _MONTHS[written.group(2).lower()],
                       int(written.group(1)))
        except ValueError:
            return Unparsed(_resume_usage(line.today), line.first)
        after = rest[written.end():]
    else:
        token, _, after = rest.partition(" ")
        token = token.rstrip(",.:;")
        found = _date(token)
        if found is None:
            if _LIKE_A_DATE.match(token):
                return Unparsed(_resume_usage(line.today), line.first)
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


def _reassign(line: Line) -> Command | Unparsed:
    # The first address on the line, as officers write it ("to lee@...", "Lee Wong
    # <lee@...>") and as Outlook's plain text shows a linked one ("lee@...<mailto:lee@...>").
    found = _ADDRESS_IN_TEXT.search(line.rest)
    if found is not None:
        address = found.group(1).rstrip(".").lower()
        why = re.sub(r"^>?(<mailto:[^>\s]*>)?>?", "", line.rest[found.end():])
    if found is None or not _ADDRESS.fullmatch(address):
        return Unparsed(
            Bilingual(
                "REASSIGN needs an email address: REASSIGN and the address of the "
                "colleague who is to take the case",
                "mae REASSIGN angen cyfeiriad e-bost: REASSIGN a chyfeiriad y cydweithiwr "
                "sydd i gymryd yr achos",
            ),
            line.first,
        )
    return Command(line.verb, address=address, reason=line.reason(why))


def _pause(line: Line) -> Command | Unparsed:
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


def _confidential(line: Line) -> Command | Unparsed:
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


def _subject_access(line: Line) -> Command | Unparsed:
    """SAR marks the case as a subject access request, SAR NO takes the mark off."""
    answer, _, why = line.rest.partition(" ")
    answer = answer.upper().rstrip(".!,")
    if answer in ("", "YES", "OK"):
        return Command(line.verb, ok=True, reason=line.reason(why if answer else line.rest))
    if answer in ("NO", "NOT"):
        return Command(line.verb, ok=False, reason=line.reason(why))
    return Command(line.verb, ok=True, reason=line.reason(line.rest))


READERS: dict[str, Callable[[Line], Command | Unparsed]] = {
    "DONE": bare,
    "EXTEND": _extend,
    "REASSIGN": _reassign,
    "PAUSE": _pause,
    "RESUME": resume,
    "CONFIDENTIAL": _confidential,
    "SAR": _subject_access,
    "VERIFIED": bare,  # held mail checked with the member: commands/verify.py
    "HELP": bare,
}
VERBS = tuple(READERS)
