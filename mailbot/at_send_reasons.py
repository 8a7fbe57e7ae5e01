"""The reasons the send-time checks (mailbot.still_due) share for not sending a mail about
a case: the case finished, its clock stopped or paused, its date moved; and the dates a
dedup key and the moment of sending name."""

from __future__ import annotations

from datetime import date, datetime

from mailbot.clock import ClockState
from mailbot.model import FINISHED, CaseStatus
from mailbot.store.tables import CaseRow
from mailbot.workdays import LONDON


def finished(case: CaseRow) -> str:
    if case.status not in FINISHED:
        return ""
    return "the case was answered" if case.status == CaseStatus.RESPONDED else "the case was closed"


def clock_gone(state: ClockState, what: str) -> str:
    if state.status == "paused":
        return f"the case is paused: no {what} runs"
    if state.status == "stopped":
        return f"the {what} has stopped: the answer was seen, or DONE"
    if state.status != "running" or state.due is None:
        return f"the case has no {what}"
    return ""


def moved(queued: date, now: date | None) -> str:
    if now == queued:
        return ""
    return (f"the date moved from {queued.isoformat()} to "
            f"{now.isoformat() if now else 'none'}: the new date has its own reminders")


def date_at_end(dedup_key: str) -> date | None:
    """The ISO date a late notice's or acknowledgement reminder's key ends with."""
    try:
        return date.fromisoformat(dedup_key.rpartition(":")[2])
    except ValueError:
        return None


def today_of(now: datetime) -> date:
    return now.astimezone(LONDON).date()

