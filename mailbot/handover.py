"""Passing an open case to another officer, one way for both who ask: an officer's REASSIGN
command (commands/handlers.py) and an administrator's `mailbot reassign` (leavers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import assignment, cases, foi_pause, ledger
from mailbot.addresses import address_key
from mailbot.assignment import Headline
from mailbot.commands.letters import tell_member_of_new_officer
from mailbot.languages import Bilingual
from mailbot.model import CaseStatus
from mailbot.store.tables import CaseRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App


def can_take_cases(app: App, address: str) -> bool:
    """An officer in the directory, or one of the pack's team addresses (the FOI team, the
    monitoring officer, the complaints team, the data protection officer for subject
    access requests) that may have no row of its own."""
    routing = app.policy.routing
    teams = {routing.foi_team, routing.monitoring_officer, routing.subject_access or "",
             routing.about_the_head_of_a_line or ""}
    if routing.complaints != "service-director":
        teams.add(routing.complaints)
    return app.directory.officer(address) is not None or address_key(address) in {
        address_key(team) for team in teams if team
    }


def hand_over(
    app: App,
    session: Session,
    case: CaseRow,
    to: str,
    *,
    by: str,
    reason: str,
    headline: Headline,
    why: Bilingual,
    dedup_key: str,
    now: datetime,
) -> str | None:
    """Give `case` to `to`: a paused clock runs again (the pause is often the old officer's
    absence, which ends with the move; not an FOI request's, which waits for the member's
    clarification or fee whoever has it), its dates are worked out again, the timeline says
    who moved it and why, and the new officer gets the assignment with the member's
    message, headed by `headline`. Returns the outbox purpose queued, if any."""
    previous = case.officer_email or "nobody"
    to = app.directory.as_listed(to)
    case.officer_email = to
    case.updated_at = now
    if case.status == CaseStatus.PAUSED and foi_pause.held_by_the_act(session, case) is None:
        cases.add_clock_event(session, case, "resume", who=by, why=f"reassigned to {to}", now=now)
        case.status = CaseStatus.OPEN
    cases.refresh_deadlines(app, session, case)
    said = f": {reason}" if reason else ""
    ledger.record_event(
        session, now, by, "reassigned", f"to {to} from {previous} by {by}{said}", case=case
    )
    queued = assignment.queue_officer_mail(
        app,
        session,
        case,
        to=to,
        purpose="assignment",
        dedup_key=dedup_key[:200],
        headline=headline,
        why=why,
        message=cases.original_message(session, case),
        now=now,
    )
    # The member's contact has changed (Colchester 16(1): they are told promptly).
    tell_member_of_new_officer(app, session, case, previous, now, away=False,
                               dedup_key=member_letter_key(dedup_key))
    return queued


def member_letter_key(dedup_key: str) -> str:
    """The outbox key of the letter telling the member who has the case now, for the
    hand-over whose assignment has `dedup_key`."""
    return f"member:{dedup_key}"[:200]


def member_was_told(session: Session, dedup_key: str) -> bool:
    """Whether the hand-over whose assignment has `dedup_key` wrote to the member (only a
    member in members.csv who was acknowledged, on a case not yet answered, is)."""
    found = session.scalar(
        select(OutboxRow.id).where(OutboxRow.dedup_key == member_letter_key(dedup_key))
    )
    return found is not None
