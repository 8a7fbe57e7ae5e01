"""The response clock: from a receipt time, a policy and a case's clock events to due dates.

Nothing here is stored. A due date is always derived again from the stored receipt time,
the policy (with its calendar) and the recorded events, so a newly proclaimed holiday or
closure day moves every open case's dates. The rules are DESIGN.md "Response clock":

- times are converted to Europe/London; receipt day = local date, moved to the next
  calendar day at or after the policy's cutoff (protocol clocks only);
- day one is the first working day strictly after the receipt day; N working days is
  the Nth working day; N = 0 is the receipt day if it is a working day, else the next;
- the FOI response clock runs on the statutory calendar (FOIA s.10(6) / FOISA s.73):
  no cutoff, closures count.

Events: pause/resume (the working days from the pause day to the resume day, both
included, are disregarded, as FOIA s.10(2) does for a fees notice; a resume after a stop
undoes it: what was taken for the answer was not), extend (a new agreed
date, or N more working days), restart (a fresh clock from the event day, as after an
FOI clarification under s.1(3)), stop (responded). A stopped clock keeps its due date, so
reports can say whether the answer was on time; a paused clock has no due date until it
is resumed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from mailbot.clock_days import (
    count_from,
    day_text,
    paused_working_days,
    plural,
    skipped_lines,
    when_text,
    why_not_working,
)
from mailbot.model import Kind, Priority
from mailbot.policy import FOI_RESPONSE_DAYS, Policy
from mailbot.workdays import LONDON, WorkingCalendar

ClockName = Literal["ack", "response"]
Action = Literal["pause", "resume", "extend", "restart", "stop"]
Status = Literal["running", "paused", "stopped", "none"]
CLOCKS: tuple[ClockName, ...] = ("ack", "response")
ACTIONS: tuple[Action, ...] = ("pause", "resume", "extend", "restart", "stop")
_ONE_DAY = timedelta(days=1)
RECEIPT_DAY_RULE = "the receipt day if it is a working day, else the next working day"
# How a pause for an officer's out-of-office begins its reason (cases.OOO_PAUSE, written by
# absence.py): it holds a protocol clock (Colchester 16(3)), never the statutory one.
ABSENCE_PAUSE = "officer out of office"
# The reason of the restart that reopens an answered case (cases.reopen_case, when the
# member writes again within the follow-up window): such a restart counts the pack's
# `reopened` time where it has one (a complaint's stage 2), else the first time again.
REOPENED_RESTART = "the member wrote again within the follow-up window"
# The reason of the restart that starts a follow-up case's clock when the member asks, after
# the window, to take an answered complaint further (cases.escalates_complaint): it counts
# the pack's `reopened` time too, as the complaint's second stage.
ESCALATED_RESTART = "the member asked to take the answered complaint further"


_REOPENING = (REOPENED_RESTART, ESCALATED_RESTART)

# The one extension of the statutory clock the law gives: an EIR request that is complex
# and voluminous may take 40 working days in place of 20 (EIR reg 7(1); the Scottish EIR
# reg 7(1) likewise), the member told within the 20 (reg 7(3)). An extension whose reason
# cites regulation 7 ("EIR reg 7: complex and voluminous") is that one.
_EIR_REG_7 = re.compile(r"\b(reg(ulation)?|rheoliad)\.?\s*7\b", re.IGNORECASE)


def eir_extension(why: str) -> bool:
    """An extension's reason cites EIR regulation 7 (complex and voluminous)."""
    return _EIR_REG_7.search(why) is not None


# FOIA s.10(3): where a qualified exemption applies, the time that is reasonable to consider
# the public interest (the ICO: normally no more than 20 further working days), the member
# told within the 20 which exemption and by when (s.17(2)). FOISA has no such extension. An
# extension whose reason names the public interest, or s.10(3), is that one: it moves the
# statutory date to the date it gives, as an agreed extension moves another kind's.
_PUBLIC_INTEREST = re.compile(
    r"public[\s-]+interest|\b(s|section)\.?\s*10\s*\(\s*3\s*\)|\b(budd|lles)\s+y\s+cyhoedd",
    re.IGNORECASE,
)


def public_interest_extension(why: str) -> bool:
    """An extension's reason names the public interest test (FOIA s.10(3)), and not EIR
    regulation 7 (which has its own extension)."""
    return _PUBLIC_INTEREST.search(why) is not None and not eir_extension(why)


class ClockError(ValueError):
    """Input the clock cannot work with (a naive time, a malformed event)."""


@dataclass(frozen=True)
class ClockEvent:
    """One recorded change to a clock: who did what, when and why."""

    clock: ClockName
    action: Action
    at: datetime  # timezone-aware
    who: str
    why: str
    new_due: date | None = None  # extend: the agreed date
    days: int | None = None  # extend: or this many working days after the current due date

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise ClockError(f"clock must be one of {CLOCKS}, not {self.clock!r}")
        if self.action not in ACTIONS:
            raise ClockError(f"action must be one of {ACTIONS}, not {self.action!r}")
        require_aware(self.at, "event time")
        if self.action == "extend" and (self.new_due is None) == (self.days is None):
            raise ClockError("an extension needs exactly one of new_due or days")
        if self.days is not None and self.days < 1:
            raise ClockError("an extension must add at least one working day")


@dataclass(frozen=True)
class ClockState:
    clock: ClockName
    status: Status
    due: date | None  # None if there is no such clock, or while it is paused
    working_days: int | None  # N of the rule (None: no such clock)
    calendar: str
    stopped_on: date | None = None
    paused_since: date | None = None
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deadlines:
    ack_due: date | None
    response_due: date | None
    explanation: list[str]
    ack: ClockState = field(repr=False)
    response: ClockState = field(repr=False)


def require_aware(moment: datetime, what: str = "received time") -> datetime:
    if not isinstance(moment, datetime):
        raise ClockError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockError(
            f"{what} {moment.isoformat()} has no UTC offset; give one (e.g. +00:00 or Z)"
        )
    return moment


def counted_from(received: datetime, cutoff: time | None) -> date:
    """The day a message counts as received (Europe/London): mail at or after the cutoff
    counts from the next day. receipt_day says why, in words; this is for counting."""
    local = require_aware(received).astimezone(LONDON)
    if cutoff is not None and local.time() >= cutoff:
        return local.date() + timedelta(days=1)
    return local.date()


def receipt_day(received: datetime, cutoff: time | None) -> tuple[date, str]:
    """The day a message counts as received (Europe/London), and why, in words."""
    local = require_aware(received).astimezone(LONDON)
    said = f"Received {when_text(local)}"
    day = counted_from(received, cutoff)
    if day != local.date():
        return day, (
            f"{said}, at or after the {cutoff:%H:%M} cutoff, so it counts as received on "
            f"{day_text(day)}."
        )
    return local.date(), f"{said}; receipt day {day_text(local.date())}."


def case_deadlines(
    policy: Policy,
    kind: Kind,
    priority: Priority,
    received: datetime,
    events: Sequence[ClockEvent] = (),
) -> Deadlines:
    """Both clocks of a case, derived from receipt time + policy + recorded events."""
    require_aware(received)
    kind, priority = Kind(kind), Priority(priority)
    ordered = sorted(events, key=lambda e: e.at)
    council = policy.council_calendar()

    ack_days = policy.ack_days(kind)
    if ack_days is None:
        ack = ClockState(
            "ack",
            "none",
            None,
            None,
            council.name,
            explanation=(_no_ack_line(policy),),
        )
    else:
        ack = _run(
            "ack",
            "Acknowledgement",
            ack_days,
            policy.cited(policy.ack_source(kind) or ""),
            council,
            received,
            policy.clock.cutoff,
            [e for e in ordered if e.clock == "ack"],
        )

    # The statutory FOI clock has no cutoff: the date of receipt is the calendar date.
    statutory = kind == Kind.FOI
    response = _run(
        "response",
        "Response",
        policy.response_days(kind, priority),
        policy.cited(policy.response_source(kind)),
        policy.response_calendar(kind),
        received,
        None if statutory else policy.clock.cutoff,
        [e for e in ordered if e.clock == "response"],
        statutory=statutory,
        reopened_n=policy.reopened_days(kind, priority),
    )
    return Deadlines(
        ack.due, response.due, [*ack.explanation, *response.explanation], ack, response
    )


def _no_ack_line(policy: Policy) -> str:
    why = policy.clock.no_ack_source
    return "Acknowledgement: none; the protocol sets no acknowledgement time" + (
        f" ({policy.cited(why)})." if why else "."
    )


def due_dates(
    policy: Policy, kind: Kind, priority: Priority, received: datetime
) -> tuple[date | None, date]:
    """(ack_due, response_due) for a case with no clock events, without the explanation:
    the same rules as case_deadlines, for batches and hot paths."""
    local = require_aware(received).astimezone(LONDON)
    day = local.date()
    cutoff = policy.clock.cutoff
    protocol_day = day + _ONE_DAY if cutoff is not None and local.time() >= cutoff else day
    council = policy.council_calendar()
    ack_days = policy.ack_days(kind)
    ack = None if ack_days is None else council.add_working_days(protocol_day, ack_days)
    if kind == Kind.FOI:  # statutory clock: its own calendar, no cutoff
        return ack, policy.response_calendar(kind).add_working_days(day, FOI_RESPONSE_DAYS)
    return ack, council.add_working_days(protocol_day, policy.response_days(kind, priority))


def explain(
    policy: Policy,
    kind: Kind,
    priority: Priority,
    received: datetime,
    events: Sequence[ClockEvent] = (),
) -> str:
    """How each due date was reached, in words an officer or member can check."""
    return "\n".join(case_deadlines(policy, kind, priority, received, events).explanation)


# -- one clock ------------------------------------------------------------------------


def _run(
    clock: ClockName,
    title: str,
    n: int,
    source: str,
    cal: WorkingCalendar,
    received: datetime,
    cutoff: time | None,
    events: Sequence[ClockEvent],
    statutory: bool = False,
    reopened_n: int | None = None,
) -> ClockState:
    """One clock. `statutory`: the FOI response clock, whose date FOIA s.10(1) / FOISA
    s.10(1) sets. An extension agreed with the member, or a pause for an officer's
    absence (both recorded while the case was an enquiry, before it was relabelled),
    cannot move it (s.10(2) disregards days for a fees notice only): they are listed as
    ignored. An EIR reg 7 extension (eir_extension) counts twice `n`, once; a public
    interest extension (public_interest_extension, FOIA s.10(3)) moves it to the date it
    gives, as an agreed extension moves another kind's.
    `reopened_n`: the working days a reopening restart counts (REOPENED_RESTART);
    None, or the same as `n`, for a fresh `n`."""
    start, why = receipt_day(received, cutoff)
    if not cal.is_working_day(start):
        why += f" That is not a working day here{why_not_working(cal, start)}."
    reopened_n = n if reopened_n is None else reopened_n
    once_reopened = "" if reopened_n == n else f"; {plural(reopened_n)} once reopened"
    run = _Run(cal, n, source, cutoff, statutory, reopened_n, anchor=start, days=n, rule_n=n,
               extended_to=start, lines=[
                   f"{title}: {plural(n)} ({source}{once_reopened}).",
                   f"  {why}",
                   f"  Calendar: {cal.name}.",
               ])
    for event in events:
        run.apply(event)
    return run.state(clock)


@dataclass
class _Run:
    """A clock as its events are applied in order: where it counts from and how many
    working days, the pauses to disregard, and the explanation so far."""

    cal: WorkingCalendar
    n: int
    source: str
    cutoff: time | None
    statutory: bool
    reopened_n: int
    anchor: date
    days: int
    rule_n: int  # the N of the rule now counting: a reopening may count another
    extended_to: date
    lines: list[str]
    # After an extension the date is re-anchored on the event day (so that a later pause
    # pushes it on), but an officer checks it against the date they extended: these say
    # that date, and how it was extended.
    extended: str = ""
    pauses: list[tuple[date, date]] = field(default_factory=list)
    paused_since: date | None = None
    stopped_on: date | None = None

    def rule(self, due: date) -> str:
        if self.extended:
            if due == self.extended_to:
                return self.extended
            return f"{self.extended}, then moved on by a pause"
        if self.days == 0:
            return RECEIPT_DAY_RULE
        return f"working day {self.days} after {day_text(self.anchor)}"

    def due(self) -> date:
        return count_from(self.cal, self.anchor, self.days, self.pauses)

    def apply(self, event: ClockEvent) -> None:
        day = require_aware(event.at).astimezone(LONDON).date()
        who = f"by {event.who} ({event.why})" if event.why else f"by {event.who}"
        if self.stopped_on is not None and event.action == "resume":
            # The officer says the mail taken for the answer was not it (a holding reply):
            # the clock runs on to the date it had.
            self.lines.append(
                f"  Resumed on {day_text(day)} {who}: the stop of {day_text(self.stopped_on)} "
                "is undone; the clock runs on."
            )
            self.stopped_on = None
        elif self.stopped_on is not None and event.action != "restart":
            self.lines.append(
                f"  Ignored {event.action} on {day_text(day)} {who}: clock already stopped."
            )
        elif event.action == "pause":
            self._pause(event, day, who)
        elif event.action == "resume":
            self._resume(day, who)
        elif event.action == "extend":
            self._extend(event, day, who)
        elif event.action == "restart":
            self._restart(event, day, who)
        elif event.action == "stop":
            self._end_pause(day)
            self.stopped_on = day
            self.lines.append(f"  Stopped on {day_text(day)} {who}.")

    def _pause(self, event: ClockEvent, day: date, who: str) -> None:
        if self.statutory and event.why.startswith(ABSENCE_PAUSE):
            self.lines.append(
                f"  Ignored pause on {day_text(day)} {who}: an officer's absence does not "
                "stop the statutory clock (only a fees notice does)."
            )
        elif self.paused_since is not None:
            self.lines.append(f"  Ignored pause on {day_text(day)} {who}: already paused.")
        else:
            self.paused_since = day
            self.lines.append(f"  Paused on {day_text(day)} {who}.")

    def _resume(self, day: date, who: str) -> None:
        since = self.paused_since
        if since is None:
            self.lines.append(f"  Ignored resume on {day_text(day)} {who}: not paused.")
            return
        due_before = self.due()
        self._end_pause(day)
        if since > due_before:
            # The clock had already run out: there is nothing left to hold back.
            self.lines.append(
                f"  Resumed on {day_text(day)} {who}: paused on {day_text(since)}, after "
                f"the due date {day_text(due_before)}, so the date does not move."
            )
        else:
            skipped = paused_working_days(self.cal, self.anchor, since, day)
            self.lines.append(
                f"  Resumed on {day_text(day)} {who}: {plural(skipped)} from "
                f"{day_text(since)} to {day_text(day)} disregarded."
            )

    def _end_pause(self, day: date) -> None:
        if self.paused_since is not None:
            self.pauses.append((self.paused_since, day))
            self.paused_since = None

    def _extend(self, event: ClockEvent, day: date, who: str) -> None:
        if self.statutory and eir_extension(event.why):
            self._extend_eir(day, who)
        elif self.statutory and not public_interest_extension(event.why):
            self.lines.append(
                f"  Ignored extension on {day_text(day)} {who}: the date of an FOI request "
                f"is set by statute ({self.source}); an agreed extension cannot move it."
            )
        else:
            self._extend_to_a_date(event, day, who)

    def _extend_eir(self, day: date, who: str) -> None:
        if self.days > self.n or self.extended:
            self.lines.append(f"  Ignored extension on {day_text(day)} {who}: already extended.")
            return
        current = self.due()
        self.days = self.rule_n = self.days + self.n
        self.lines.append(
            f"  Extended on {day_text(day)} {who}: complex and voluminous environmental "
            f"information (EIR reg 7(1)), {plural(self.days)} in place of {self.n}, from "
            f"{day_text(current)}."
        )

    def _extend_to_a_date(self, event: ClockEvent, day: date, who: str) -> None:
        self._end_pause(day)
        current = self.due()
        if not self.extended:
            self.lines.extend(skipped_lines(self.cal, self.anchor, current))
        self.lines.append(
            f"  Due before the extension: {day_text(current)} ({self.rule(current)})."
        )
        if event.new_due is not None:
            target = self.cal.next_working_day(event.new_due)
        else:
            assert event.days is not None
            target = self.cal.add_working_days(current, event.days)
        asked = ""
        if event.new_due is not None and target != event.new_due:
            asked = f" (asked for {day_text(event.new_due)}, not a working day)"
        if target > current:
            self._extend_by_days(current, target, day, who, asked)
        else:
            self.extended = "the agreed date"
            self.lines.append(
                f"  Extended on {day_text(day)} {who} to the agreed date "
                f"{day_text(target)}{asked}, from {day_text(current)}."
            )
        self.extended_to = target
        # Re-anchor on the event day so later pauses push the agreed date on.
        if target <= day:
            self.anchor, self.days = target, 0
        else:
            self.anchor, self.days = day, self.cal.working_days_between(day, target)
        self.pauses = []

    def _extend_by_days(
        self, current: date, target: date, day: date, who: str, asked: str
    ) -> None:
        # Given when the date had passed, the days are counted from the day given.
        base = day if current < day < target else current
        added = self.cal.working_days_between(base, target)
        if base == current:
            self.extended = f"{day_text(current)} extended by {plural(added)}"
            how = self.extended
        else:
            self.extended = (
                f"{plural(added)} after {day_text(day)}, when it was extended; "
                f"{day_text(current)} had passed"
            )
            how = f"{day_text(current)} had passed, so {plural(added)} from {day_text(day)}"
        self.lines.append(
            f"  Extended on {day_text(day)} {who}: {how}{asked}, giving {day_text(target)}."
        )
        self.lines.extend(skipped_lines(self.cal, base, target, "The first day added"))

    def _restart(self, event: ClockEvent, day: date, who: str) -> None:
        start_day = receipt_day(event.at, self.cutoff)[0]
        fresh = self.reopened_n if event.why.startswith(_REOPENING) else self.n
        self.lines.append(
            f"  Restarted on {day_text(day)} {who}: a fresh {plural(fresh)} "
            f"counted from {day_text(start_day)}."
        )
        self.anchor, self.days, self.pauses, self.extended = start_day, fresh, [], ""
        self.paused_since = self.stopped_on = None
        self.rule_n = fresh

    def state(self, clock: ClockName) -> ClockState:
        """The clock after its last event: paused (no date), stopped or running."""
        if self.paused_since is not None:
            self.lines.append(
                f"  Paused since {day_text(self.paused_since)}: no due date until it resumes."
            )
            return ClockState(clock, "paused", None, self.rule_n, self.cal.name, None,
                              self.paused_since, tuple(self.lines))
        due = self.due()
        if not self.extended:  # else the days were listed where the date was extended
            self.lines.extend(skipped_lines(self.cal, self.anchor, due))
        status: Status = "stopped" if self.stopped_on is not None else "running"
        self.lines.append(f"  Due: {day_text(due)} ({self.rule(due)})"
                          + (" — stopped." if self.stopped_on else "."))
        return ClockState(clock, status, due, self.rule_n, self.cal.name, self.stopped_on,
                          None, tuple(self.lines))
