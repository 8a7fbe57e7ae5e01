"""When, and why, a case's response clock last started afresh.

A case reopened by the member writing again, a complaint taken to its next stage, or an
FOI request whose clarification came is counted again from that day, so its "Reply by"
can be weeks after "Received". The officer's reminders, overdue reminders and escalation
name the day and the reason beside those two, so the dates read as they are meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.clock import ESCALATED_RESTART, REOPENED_RESTART
from mailbot.model import Kind
from mailbot.store.tables import CaseRow, ClockEventRow
from mailbot.workdays import LONDON

Why = Literal["reopened", "next_stage", "clarification", "restarted"]


@dataclass(frozen=True)
class Restart:
    on: date  # the day the clock counts from again, in London
    why: Why


def last_restart(session: Session, case: CaseRow) -> Restart | None:
    """The response clock's latest restart, unless it fell on the day the case was
    received (a complaint's next stage opened as a case of its own starts so)."""
    found = session.execute(
        select(ClockEventRow.at, ClockEventRow.why)
        .where(ClockEventRow.case_id == case.id, ClockEventRow.clock == "response",
               ClockEventRow.action == "restart")
        .order_by(ClockEventRow.at.desc(), ClockEventRow.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    on = found.at.astimezone(LONDON).date()
    if on == case.received_at.astimezone(LONDON).date():
        return None
    return Restart(on, _why(found.why, case.kind))


def _why(said: str, kind: str) -> Why:
    if said.startswith(REOPENED_RESTART):
        return "reopened"
    if said.startswith(ESCALATED_RESTART):
        return "next_stage"
    # Any other restart is an FOI request's clock after its clarification (FOIA s.1(3)),
    # whether the member's reply or the officer's RESUME ended the pause.
    return "clarification" if kind == Kind.FOI.value else "restarted"
