"""Complaints opened before mailbot knew whom a complaint is about (releases before 27
November 2026): their timeline has no "complaint about an officer" entry, so the officer a
complaint names could still see its subject in the member's other cases, and be given it
with REASSIGN.

Once per database, at the first sweep after the upgrade, every unfinished complaint
without such an entry is read again (the member's mail that opened it) and the officers it
names are recorded as routing records them now (complained_about.officers_named). Where
the case is is not changed: it stays with whoever has it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from mailbot import ledger
from mailbot.complained_about import (
    COMPLAINT_ABOUT,
    COMPLAINT_MAYBE_ABOUT,
    never_named,
    officers_named,
)
from mailbot.model import FINISHED, Kind, ParsedMessage
from mailbot.parse import parse_message
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import CaseRow, EventRow, MessageRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mailbot.app import App

log = logging.getLogger(__name__)

DONE_KEY = "complaints_before_upgrade_read"


def record_whom_old_complaints_name(app: App, now: datetime) -> int | None:
    """Record the officers named by unfinished complaints that have no record of it; once
    per database. How many complaints were found to name someone, or None if already done."""
    with app.store.transaction() as session:
        if read_value(session, DONE_KEY) is not None:
            return None
        found = 0
        for case in _unrecorded_complaints(session):
            found += _record(app, session, case, now)
        write_value(session, DONE_KEY, now.isoformat())
    if found:
        log.info("%d complaint(s) opened before this release name an officer: recorded, so "
                 "the officer is not shown them or given them", found)
    return found


def _unrecorded_complaints(session: Session) -> list[CaseRow]:
    recorded = select(EventRow.case_id).where(
        EventRow.action.in_((COMPLAINT_ABOUT, COMPLAINT_MAYBE_ABOUT)),
        EventRow.case_id.is_not(None),
    )
    return list(session.scalars(select(CaseRow).where(
        CaseRow.kind == Kind.COMPLAINT.value,
        CaseRow.status.not_in(FINISHED),
        CaseRow.anonymised_at.is_(None),
        CaseRow.id.not_in(recorded),
    )))


def _record(app: App, session: Session, case: CaseRow, now: datetime) -> int:
    """1 if the complaint's first mail names an officer (recorded), else 0."""
    raw = session.scalar(
        select(MessageRow.raw).where(MessageRow.message_id == case.root_message_id))
    message = parse_message(raw) if raw else None
    if not isinstance(message, ParsedMessage):
        return 0
    teams = never_named(app.policy.routing, app.directory)
    named, perhaps = officers_named(message, app.directory, teams)
    for officer in named:
        ledger.record_event(session, now, "mailbot", COMPLAINT_ABOUT, officer.email, case=case)
    for officer in perhaps:
        ledger.record_event(session, now, "mailbot", COMPLAINT_MAYBE_ABOUT, officer.email,
                            case=case)
    return 1 if named or perhaps else 0
