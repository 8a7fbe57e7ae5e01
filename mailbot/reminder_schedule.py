"""When each reminder of a case goes, and the keys the outbox ledger knows them by.

The pack's schedule (policy [reminders], in the council's working days): `days_before`
working days before the response is due, on the due day, then every `overdue_every`
working days while it is overdue, the one numbered `escalate_after + 1` an escalation to
the officer's manager, and after it every `overdue_every_after_escalation` (weekly by
default; never more often than before), so a case overdue for months is not a daily
mail. After downtime only the latest step due is sent, plus a missed
escalation, and nothing dated before the case opened or its date last changed. Each step's
dedup key (case, due date, step) is the ledger that sends it once; an officer's daily
summary has its own, and the reminders it lists keep it as their reason. Dates and keys
only: the sweep is mailbot.reminders, the mail reminder_mail and reminder_summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from mailbot.addresses import address_forms, address_key
from mailbot.clock import ClockEvent
from mailbot.policy import Reminders
from mailbot.store.tables import CaseRow
from mailbot.workdays import LONDON, WorkingCalendar

StepKind = Literal["before", "due", "overdue", "escalation"]
STEP_KINDS: dict[str, StepKind] = {
    "before": "before", "due": "due", "overdue": "overdue", "escalation": "escalation",
}
SUMMARY = "reminder_summary"  # one officer's before-due, due-day and overdue reminders of a day


@dataclass(frozen=True)
class Step:
    """One reminder of a schedule: what it is, the day it goes out, the due date it is about."""

    kind: StepKind
    number: int  # overdue reminders count 1, 2, ...; 0 for before/due
    on: date
    due: date

    @property
    def template(self) -> str:
        return "reminder" if self.kind in ("before", "due") else self.kind

    def dedup_key(self, ref: str) -> str:
        return f"reminder:{ref}:{self.due.isoformat()}:{self.kind}:{self.number}"


def schedule(rules: Reminders, cal: WorkingCalendar, due: date, until: date) -> list[Step]:
    """Every step for a response due on `due` that falls on or before `until`, in order."""
    steps: list[Step] = []
    if rules.days_before > 0:
        steps.append(Step("before", 0, cal.add_working_days(due, -rules.days_before), due))
    if rules.on_due_day:
        # An FOI date can fall on a council closure day: remind on the last day in before it.
        on = due if cal.is_working_day(due) else cal.add_working_days(due, -1)
        steps.append(Step("due", 0, on, due))
    number, on = 1, cal.add_working_days(due, rules.overdue_every)
    while on <= until:
        kind: StepKind = "escalation" if number == rules.escalate_after + 1 else "overdue"
        steps.append(Step(kind, number, on, due))
        on = cal.add_working_days(on, rules.overdue_gap(number))
        number += 1
    return [s for s in steps if s.on <= until]


def steps_to_send(steps: list[Step], start: date, today: date) -> list[Step]:
    """The latest step due by `today` (older ones are stale), plus an escalation that was
    missed; nothing dated before `start` (the case's opening or the last clock change)."""
    current = [s for s in steps if start <= s.on <= today]
    if not current:
        return []
    picked = [current[-1]]
    escalation = next((s for s in current if s.kind == "escalation"), None)
    if escalation is not None and escalation is not picked[0]:
        picked.insert(0, escalation)
    return picked


def escalation_day(rules: Reminders, cal: WorkingCalendar, due: date) -> date:
    return cal.add_working_days(due, (rules.escalate_after + 1) * rules.overdue_every)


def schedule_start(case: CaseRow, events: list[ClockEvent]) -> date:
    """Steps dated before this day are not sent: the case was not open, or its due date
    was different then (an extension, a restart or a resumed pause). `events` are the
    case's clock events (cases.clock_events)."""
    start = case.created_at.astimezone(LONDON).date()
    for event in events:
        if event.clock == "response" and event.action in ("extend", "restart", "resume"):
            start = max(start, event.at.astimezone(LONDON).date())
    return start


def step_of_key(dedup_key: str) -> tuple[date, StepKind, int] | None:
    """(due date, kind, number) of a reminder's dedup key (Step.dedup_key); None if it is
    not one. The ref may hold any character, so the key is read from the right."""
    head, _, rest = dedup_key.partition(":")
    parts = rest.rsplit(":", 3)
    if head != "reminder" or len(parts) != 4:
        return None
    _ref, due, kind_text, number = parts
    kind = STEP_KINDS.get(kind_text)
    if kind is None or not number.isdigit():
        return None
    try:
        return date.fromisoformat(due), kind, int(number)
    except ValueError:
        return None


def summary_key(officer_email: str, day: date) -> str:
    """reminder_summary:<officer>:<ISO day>, the officer's address by its address_key."""
    return f"{SUMMARY}:{address_key(officer_email)}:{day.isoformat()}"


def summary_keys(officer_email: str, day: date) -> list[str]:
    """Every key the officer's summary of `day` may be under: summary_key, and any form
    of the address an earlier mailbot wrote in it (the domain in Unicode, lower case)."""
    return sorted({f"{SUMMARY}:{form}:{day.isoformat()}" for form in address_forms(officer_email)})


LISTED_IN_SUMMARY = "listed in the daily summary "


def listed_reason(key: str) -> str:
    """What a reminder listed in a summary keeps as its reason (outbox last_error): the
    summary's dedup key, by which the summary finds its cases again when it goes."""
    return f"{LISTED_IN_SUMMARY}{key}"
