"""Policy: one council's pack validated as a whole, and what the clocks ask of it (the
days, who acknowledges, whether a clock pauses or extends, the paragraph to cite, the
working calendars). The FOI response time is the law's, not the pack's."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import model_validator

from mailbot.config_explain import key_path
from mailbot.model import Kind, Priority
from mailbot.policy.calendars import CalendarRules, cached_council_calendar, cached_foi_calendar
from mailbot.policy.rules import (
    AckRule,
    ClockRules,
    ConfidentialityRules,
    FoiRules,
    Reminders,
    ResponseRule,
    Routing,
    Strict,
)
from mailbot.policy.values import Days
from mailbot.workdays import (
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


class Policy(Strict):
    name: str
    council: str
    region: Region
    foi_regime: Literal["foia", "foisa"]
    language: Literal["en", "cy-en"] = "en"
    seed: str  # the protocol file in ../shared/seeds/ this pack implements
    # The protocol's title, as the council names it ("Protocol 1, Member-Officer
    # Relations"): what an officer reads where a source cites the seed file (`cited`).
    protocol: str = ""
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
            tables = " and ".join(f"[response.{kind}]" for kind in missing)
            raise ValueError(
                f"response: no rule for {', '.join(missing)}: add {tables} with normal = "
                'the working days and source = the paragraph (or "local default", with 10)'
            )
        if self.foi_regime == "foisa" and self.region != "scotland":
            raise ValueError("foi_regime: 'foisa' applies only to region 'scotland'")
        if self.foi_regime == "foia" and self.region == "scotland":
            raise ValueError("foi_regime: a Scottish council answers under 'foisa' (the "
                             "Freedom of Information (Scotland) Act 2002); write "
                             'foi_regime = "foisa" beside region = "scotland"')
        for i, gone in enumerate(self.cancelled_holidays()):
            # Cancelling a day that is no holiday would change nothing: a mistyped date.
            if not any(is_bank_holiday(gone.day, r) for r in gone.regions):
                raise ValueError(
                    f"{key_path(('calendar', 'cancelled_holidays', i, 'date'))}: "
                    f"{gone.day:%a} {gone.day.day} {gone.day:%b %Y} is not a bank holiday in "
                    f"{' or '.join(gone.regions)}"
                )
        return self

    # -- the numbers ------------------------------------------------------------------

    def ack_days(self, kind: Kind) -> int | None:
        rule = self.ack.get(kind)
        return None if rule is None else rule.days

    def ack_by(self, kind: Kind) -> Literal["mailbot", "officer"]:
        rule = self.ack.get(kind)
        return "mailbot" if rule is None else rule.by

    def ack_must_say(self, kind: Kind) -> tuple[str, str]:
        """What the officer's acknowledgement must contain, in English and Welsh ("" where
        the pack does not say: then no mail claims the protocol asks for more than a date)."""
        rule = self.ack.get(kind)
        return ("", "") if rule is None else (rule.must_say.strip(), rule.must_say_cy.strip())

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

    def reopened_days(self, kind: Kind, priority: Priority) -> int:
        """The response time of a case the member reopened by writing again after the
        answer: the rule's `reopened`, else the first response time again. An FOI
        request's is always the statute's."""
        if kind == Kind.FOI:
            return FOI_RESPONSE_DAYS
        return self.response[kind].reopened_days(priority)

    def cited(self, source: str) -> str:
        """A rule's source as an officer or administrator reads it: the council's protocol
        by its title rather than the seed file's name, and "local default" without the
        pointer to the design notes that chose the number."""
        shown = source.replace(" (DESIGN.md policy table)", "")
        if not self.seed:
            return shown
        title = f"{self.council}'s {self.protocol or 'protocol'}"
        return shown.replace(f"{self.seed} ", f"{title}, ").replace(self.seed, title)

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
            cached_council_calendar(
                self.region, extras, self.closures(), self.working_hours(), cancelled
            ),
            cached_foi_calendar(self.foi_regime, extras, cancelled),
        )
