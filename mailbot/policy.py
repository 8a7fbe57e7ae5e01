"""Policy packs: one council's numbers and routing rules, read from a TOML file.

A pack lives in config/policies/NAME.toml; every rule in it cites the paragraph of the
council's protocol (../shared/seeds/) it comes from, or says "local default". A council's
own config picks a pack and may override any value; the merged result is validated
here, once, and errors name the file and the key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mailbot.model import Kind, Priority
from mailbot.workdays import (
    MAX_YEAR,
    MIN_YEAR,
    CancelledHoliday,
    Closure,
    ExtraHoliday,
    Region,
    WorkingCalendar,
    WorkingHours,
    is_bank_holiday,
)

# FOIA s.10(1) and FOISA s.10(1): "promptly and in any event not later than the twentieth
# working day following the date of receipt". The law sets it; packs cannot.
FOI_RESPONSE_DAYS = 20
FOI_RESPONSE_SOURCE = {
    "foia": "Freedom of Information Act 2000 s.10(1) (EIR 2004 reg.5(2) likewise)",
    "foisa": "Freedom of Information (Scotland) Act 2002 s.10(1)",
}

PACKS_ENV = "MAILBOT_POLICIES_DIR"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _not_bool(value: Any) -> Any:
    # TOML `true` would otherwise pass as 1 working day.
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number of days, not {str(value).lower()}")
    return value


# No protocol sets a year or more; a bigger number is a typo that would otherwise fail
# (past the calendar's last year) or mislead on every message, not when the pack is read.
MAX_DAYS = 250
Days = Annotated[int, BeforeValidator(_not_bool), Field(ge=0, le=MAX_DAYS)]
PositiveDays = Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=MAX_DAYS)]


_CLOCK_TIME = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")
_WITH_OFFSET = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*", re.I)


def _time_text(value: Any) -> Any:
    """A wall-clock time: "9:00" as well as "09:00" (as the council config's [digest] time
    takes it), "17:00:00", or a TOML time. Unquoted, 1700 would be read as seconds past
    midnight UTC, so a number is refused, in words that show the form wanted."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        found = _CLOCK_TIME.fullmatch(value)
        if found is not None:
            hour, minute, second = (int(part or 0) for part in found.groups())
            if hour <= 23 and minute <= 59 and second <= 59:
                return time(hour, minute, second)
        elif _WITH_OFFSET.fullmatch(value):
            raise ValueError(_OFFSET_REFUSED)
    raise ValueError(
        f'must be a time of day such as "09:00" or "17:00" (24-hour clock, London time), '
        f"not {value!r}"
    )


_OFFSET_REFUSED = 'must not have a UTC offset: it is London time, e.g. "17:00"'


def _no_offset(value: time) -> time:
    # An offset would make it unusable beside London times (a TypeError on every use).
    if value.tzinfo is not None:
        raise ValueError(_OFFSET_REFUSED)
    return value


LocalTime = Annotated[time, BeforeValidator(_time_text), AfterValidator(_no_offset)]


def _known_year(value: date) -> date:
    # A date outside the calendar's years is a typo (2206 for 2026): it would stop no clock.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be in {MIN_YEAR}-{MAX_YEAR}, not {value.isoformat()}")
    return value


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def _day_text(value: Any) -> Any:
    """A calendar day: a TOML date (2026-12-29), or the same in quotes, leading zeros
    optional. "29/12/2026" could be read either way round, and a bare number would be
    taken as seconds since 1970, so anything else is refused in words that show the form."""
    if isinstance(value, datetime):  # a TOML date-time: only midnight means the day itself
        if value.tzinfo is None and value.time() == time(0):
            return value.date()
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and (found := _ISO_DAY.fullmatch(value)):
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    raise ValueError(f"must be a date written YYYY-MM-DD, such as 2026-12-29, not {value!r}")


Day = Annotated[date, BeforeValidator(_day_text), AfterValidator(_known_year)]


class PolicyError(ValueError):
    """A pack that cannot be found, read or validated. The message names file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaysRule(_Strict):
    """A clock of `days` working days, with the paragraph it comes from."""

    days: Days
    source: str = Field(min_length=1)


class AckRule(DaysRule):
    """The acknowledgement clock of one kind, and who gives the acknowledgement: mailbot's
    automatic one, or the officer the case is with (Hackney 11.3: the Director
    acknowledges a complaint and says what happens next). With "officer", that officer's
    first reply to the member is taken as the acknowledgement and the case stays open."""

    by: Literal["mailbot", "officer"] = "mailbot"


class ResponseRule(_Strict):
    """Response time by the priority the member gives (Colchester 16(2)); `important`
    defaults to `normal` where the protocol makes no distinction."""

    normal: Days
    important: Days | None = None
    source: str = Field(min_length=1)

    def days(self, priority: Priority) -> int:
        if priority == Priority.IMPORTANT and self.important is not None:
            return self.important
        return self.normal


class ClockRules(_Strict):
    # Mail arriving at or after the cutoff (Europe/London) counts as received the next
    # day. Protocol clocks only: the statutory FOI clock has no cutoff.
    cutoff: LocalTime | None = None
    # Colchester 16(3): an officer's out-of-office suspends the timescale of an enquiry
    # (pause event); see Policy.absence_pauses for which kinds.
    out_of_office_pauses: bool = False
    # Colchester 16(4) and others: a new date may be agreed with the member (extend event).
    extension_by_agreement: bool = True
    source: str = Field(min_length=1)  # cites each rule of this table
    no_ack_source: str | None = None  # why there is no acknowledgement clock, if none

    @field_validator("cutoff", mode="before")
    @classmethod
    def _none_word(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip().lower() in {"", "none"} else value

    @field_validator("cutoff")
    @classmethod
    def _cutoff_local(cls, value: time | None) -> time | None:
        if value == time(0, 0):
            raise ValueError(
                "00:00 would count every message as received the next day; "
                "leave cutoff out for no cutoff"
            )
        return value


class Routing(_Strict):
    foi_team: str
    complaints: str  # an address, or "service-director" (Hackney 11.3)
    monitoring_officer: str
    source: str = Field(min_length=1)

    @field_validator("foi_team", "monitoring_officer")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"must be an email address, not {value!r}")
        return value.lower()

    @field_validator("complaints")
    @classmethod
    def _complaints(cls, value: str) -> str:
        if value != "service-director" and not _EMAIL.match(value):
            raise ValueError(f"must be an email address or 'service-director', not {value!r}")
        return value if value == "service-director" else value.lower()


class FoiRules(_Strict):
    note_to_member: bool = True  # tell the member their request went to the FOI team
    source: str = Field(min_length=1)


class ConfidentialityRules(_Strict):
    minimise_content: bool = True  # notifications never quote the message
    say_at_once_if_not_possible: bool = True  # MWDA 7.2, Cardiff: say straight away
    # Working days the officer has to answer CONFIDENTIAL OK/NO before one chase; after
    # as many again, one escalation to their manager (mailbot/confidentiality_chase.py).
    # At most 10: a pack cannot turn "straight away" into weeks.
    confirm_within_days: Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=10)] = 1
    source: str = Field(min_length=1)


class Hours(_Strict):
    start: LocalTime = time(9, 0)
    end: LocalTime = time(17, 0)
    tz: Literal["Europe/London"] = "Europe/London"

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Reminders(_Strict):
    days_before: Days = 2  # working days before the due date
    on_due_day: bool = True
    overdue_every: PositiveDays = 2  # working days between overdue reminders
    escalate_after: Days = 2  # overdue reminders before the manager is told
    working_hours: Hours = Hours()
    # Kinds whose member is told, once per due date, that the response is late and who
    # has it (Wiltshire 6.5.8, Cardiff, Colchester 16(6)). Empty: the protocol is silent.
    tell_member_when_late: list[Kind] = []
    source: str = Field(min_length=1)

    @field_validator("tell_member_when_late")
    @classmethod
    def _not_foi(cls, kinds: list[Kind]) -> list[Kind]:
        # An FOI request's lateness is the FOI procedure's and the ICO's to deal with;
        # every protocol sends it there (Colchester 16(1)).
        if Kind.FOI in kinds:
            raise ValueError("foi is answered under the FOI procedure, not this protocol")
        return kinds


class ExtraHolidayRule(_Strict):
    date: Day
    name: str = Field(min_length=1)
    regions: list[Region] | None = None  # default: the council's own region


class CancelledHolidayRule(_Strict):
    """The old date of a bank holiday moved by proclamation (add the new date to
    extra_holidays), until the holidays package knows of the move."""

    date: Day
    name: str = Field(min_length=1)  # why, e.g. "moved to 8 May for VE Day"
    regions: list[Region] | None = None  # default: the council's own region


class ClosureRule(_Strict):
    start: Day
    end: Day | None = None  # one day if omitted
    name: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ClosureRule:
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        # A mistyped end year would shut the council's clocks for a year or more unnoticed.
        if self.end is not None and self.end - self.start >= timedelta(days=366):
            raise ValueError(
                f"a closure longer than a year ({self.start.isoformat()} to "
                f"{self.end.isoformat()}) is almost certainly a mistyped date"
            )
        return self


class CalendarRules(_Strict):
    extra_holidays: list[ExtraHolidayRule] = []
    cancelled_holidays: list[CancelledHolidayRule] = []
    closures: list[ClosureRule] = []


class Policy(_Strict):
    name: str
    council: str
    region: Region
    foi_regime: Literal["foia", "foisa"]
    language: Literal["en", "cy-en"] = "en"
    seed: str  # the protocol file in ../shared/seeds/ this pack implements
    clock: ClockRules
    ack: dict[Kind, AckRule] = {}  # kinds without an entry have no acknowledgement clock
    response: dict[Kind, ResponseRule]
    foi: FoiRules
    routing: Routing
    confidentiality: ConfidentialityRules
    reminders: Reminders
    calendar: CalendarRules = CalendarRules()
    follow_up_window_days: Days = 5

    @model_validator(mode="before")
    @classmethod
    def _no_foi_response(cls, data: Any) -> Any:
        # Before the fields are checked: reported after them, a [response.foi] table
        # first got "source: required key is missing", sending the administrator to
        # complete a rule that can never be accepted.
        response = data.get("response") if isinstance(data, dict) else None
        if isinstance(response, dict) and Kind.FOI.value in response:
            raise ValueError(
                "response.foi: the FOI response time is set by statute "
                f"({FOI_RESPONSE_DAYS} working days); a pack cannot change it"
            )
        return data

    @model_validator(mode="after")
    def _rules_complete(self) -> Policy:
        missing = [k.value for k in Kind if k is not Kind.FOI and k not in self.response]
        if missing:
            raise ValueError(f"response: no rule for {', '.join(missing)}")
        if self.foi_regime == "foisa" and self.region != "scotland":
            raise ValueError("foi_regime: 'foisa' applies only to region 'scotland'")
        if self.foi_regime == "foia" and self.region == "scotland":
            raise ValueError("foi_regime: a Scottish council answers under 'foisa'")
        for i, gone in enumerate(self.cancelled_holidays()):
            # Cancelling a day that is no holiday would change nothing: a mistyped date.
            if not any(is_bank_holiday(gone.day, r) for r in gone.regions):
                raise ValueError(
                    f"calendar.cancelled_holidays.{i}.date: {gone.day:%a} {gone.day.day} "
                    f"{gone.day:%b %Y} is not a bank holiday in {' or '.join(gone.regions)}"
                )
        return self

    # -- the numbers ------------------------------------------------------------------

    def ack_days(self, kind: Kind) -> int | None:
        rule = self.ack.get(kind)
        return None if rule is None else rule.days

    def ack_by(self, kind: Kind) -> Literal["mailbot", "officer"]:
        rule = self.ack.get(kind)
        return "mailbot" if rule is None else rule.by

    def absence_pauses(self, kind: Kind) -> bool:
        """Whether an officer's out-of-office pauses this kind's response clock. Only where
        the pack says so, and only for a member's enquiry or confidentiality request:
        Colchester 16(3) suspends "the usual timescale" of a member enquiry, which 16(1)
        sets apart from an FOI request (whose date is statutory: FOIA s.10(2) stops it for
        a fees notice only) and a complaint (the council's complaint process)."""
        return self.clock.out_of_office_pauses and kind in (Kind.ENQUIRY, Kind.CONFIDENTIALITY)

    def can_extend(self, kind: Kind) -> bool:
        """Whether EXTEND may move this kind's response date: never an FOI request's
        (set by statute; the command is refused), else as the protocol allows."""
        return kind != Kind.FOI and self.clock.extension_by_agreement

    def response_days(self, kind: Kind, priority: Priority) -> int:
        if kind == Kind.FOI:
            return FOI_RESPONSE_DAYS
        return self.response[kind].days(priority)

    def ack_source(self, kind: Kind) -> str | None:
        rule = self.ack.get(kind)
        return None if rule is None else rule.source

    def response_source(self, kind: Kind) -> str:
        if kind == Kind.FOI:
            return FOI_RESPONSE_SOURCE[self.foi_regime]
        return self.response[kind].source

    # -- calendars (derived, never stored: change the config and due dates follow) ----

    def extra_holidays(self) -> tuple[ExtraHoliday, ...]:
        return tuple(
            ExtraHoliday(h.date, h.name, tuple(h.regions or (self.region,)))
            for h in self.calendar.extra_holidays
        )

    def cancelled_holidays(self) -> tuple[CancelledHoliday, ...]:
        return tuple(
            CancelledHoliday(h.date, h.name, tuple(h.regions or (self.region,)))
            for h in self.calendar.cancelled_holidays
        )

    def closures(self) -> tuple[Closure, ...]:
        return tuple(Closure(c.start, c.end or c.start, c.name) for c in self.calendar.closures)

    def working_hours(self) -> WorkingHours:
        h = self.reminders.working_hours
        return WorkingHours(h.start, h.end, h.tz)

    def council_calendar(self) -> WorkingCalendar:
        """Protocol clocks and reminder hours: region's bank holidays + closure days."""
        return self._calendars[0]

    def foi_calendar(self) -> WorkingCalendar:
        """The statutory FOI response clock's calendar (FOIA s.10(6) / FOISA s.73)."""
        return self._calendars[1]

    def response_calendar(self, kind: Kind) -> WorkingCalendar:
        """The calendar a case's response date is counted on, so every count of working
        days left or overdue uses the same days as the date itself."""
        return self.foi_calendar() if kind == Kind.FOI else self.council_calendar()

    @cached_property
    def _calendars(self) -> tuple[WorkingCalendar, WorkingCalendar]:
        # A policy is immutable, so its calendars are looked up once per instance.
        extras, cancelled = self.extra_holidays(), self.cancelled_holidays()
        return (
            _council_calendar(
                self.region, extras, self.closures(), self.working_hours(), cancelled
            ),
            _foi_calendar(self.foi_regime, extras, cancelled),
        )


# Calendars are cached by their full definition, so an unchanged policy reuses its tables
# and any change to holidays or closures builds a new one.
@lru_cache(maxsize=64)
def _council_calendar(
    region: str,
    extras: tuple[ExtraHoliday, ...],
    closures: tuple[Closure, ...],
    hours: WorkingHours,
    cancelled: tuple[CancelledHoliday, ...] = (),
) -> WorkingCalendar:
    return WorkingCalendar.for_region(region, extras, closures, hours, cancelled)


@lru_cache(maxsize=16)
def _foi_calendar(
    regime: str, extras: tuple[ExtraHoliday, ...], cancelled: tuple[CancelledHoliday, ...] = ()
) -> WorkingCalendar:
    return WorkingCalendar.statutory_foi(regime, extras, cancelled)


# -- loading --------------------------------------------------------------------------


def default_packs_dir() -> Path:
    """Where the shipped packs are: $MAILBOT_POLICIES_DIR, else the installed package
    data (mailbot/_packs), else config/policies/ of the source checkout."""
    env = os.environ.get(PACKS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "_packs", here.parent / "config" / "policies"):
        if candidate.is_dir():
            return candidate
    return here.parent / "config" / "policies"


def available_packs(packs_dir: Path | None = None) -> list[str]:
    folder = packs_dir or default_packs_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def resolve_pack(
    ref: str | Path, packs_dir: Path | None = None, base_dir: Path | None = None
) -> Path:
    """A pack name ("colchester") or a path to a .toml file → the file's path. A relative
    path is taken from `base_dir` (the council config's folder) when given, so the daemon
    finds the same pack whatever directory it was started in."""
    text = str(ref)
    looks_like_path = isinstance(ref, Path) or text.endswith(".toml") or os.sep in text
    if looks_like_path:
        path = Path(ref).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            shipped = Path(text).stem if Path(text).stem in available_packs(packs_dir) else ""
            hint = f' (the shipped pack is named without ".toml": policy = "{shipped}")'
            raise PolicyError(f"{path}: policy file not found{hint if shipped else ''}")
        return path
    folder = packs_dir or default_packs_dir()
    path = folder / f"{text}.toml"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text) or not path.is_file():
        known = ", ".join(available_packs(folder)) or "none found"
        raise PolicyError(f"unknown policy {text!r}: not a pack in {folder} ({known})")
    return path


def load_policy(
    ref: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    packs_dir: Path | None = None,
    base_dir: Path | None = None,
) -> Policy:
    """Read a pack, deep-merge the council config's [policy] overrides, validate."""
    path = resolve_pack(ref, packs_dir, base_dir)
    return _load(path, _freeze(overrides or {}), path.stat().st_mtime_ns)


def parse_policy(data: Mapping[str, Any], origin: str) -> Policy:
    """Validate an already-read pack; `origin` names it in error messages."""
    try:
        return Policy.model_validate(dict(data))
    except ValidationError as exc:
        raise PolicyError(f"{origin}: {_describe(exc)}") from None


@lru_cache(maxsize=64)
def _load(path: Path, frozen_overrides: Any, _mtime: int) -> Policy:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None
    data.setdefault("name", path.stem)
    merged = _deep_merge(data, _thaw(frozen_overrides))
    origin = str(path) if not frozen_overrides else f"{path} (with the council's overrides)"
    return parse_policy(merged, origin)


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _freeze(value: Any) -> Any:
    """A hashable copy of nested overrides, so loaded policies can be cached."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value


def _describe(exc: ValidationError) -> str:
    """One error as "key.path: what is wrong". A misspelt key is reported as the unknown
    key it is (with the key it may have meant), not as the key it left missing."""
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    err = unknown[0] if unknown else errors[0]
    # Pydantic marks a bad dict key (an unknown kind in [ack.KIND]) with "[key]".
    parts = [str(part) for part in err["loc"] if part != "[key]"]
    loc = ".".join(parts)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and list(map(str, e["loc"][:-1])) == parts[:-1]
        ]
        close = difflib.get_close_matches(parts[-1], missing, n=1) if parts else []
        what = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif kind == "missing":
        what = "required key is missing"
    elif kind == "greater_than_equal":
        what = f"must be >= {ctx.get('ge')}"
    elif kind == "less_than_equal":
        what = f"must be <= {ctx.get('le')}"
    elif kind == "literal_error":
        what = f"must be one of {ctx.get('expected')}, not {err.get('input')!r}"
    elif kind == "enum":
        what = f"unknown kind {err.get('input')!r} (one of {ctx.get('expected')})"
    elif kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    else:
        what = f"{err['msg'][:1].lower()}{err['msg'][1:]} (got {err.get('input')!r})"
    return f"{loc}: {what}" if loc else what  # model-level messages name their own key
