"""The walk the reminder sweep and the chases (confidentiality, paused cases) share: every
case that is not finished and has an officer, each handled in its own transaction, so one
case's failure or a concurrent run never holds up the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.model import FINISHED, UNFINISHED
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)


def each_case_with_an_officer(
    app: App,
    handle: Callable[[int], None],
    *also: ColumnElement[bool],
    what: str,
) -> None:
    """Call handle(case id) for each such case (and `also` criteria), oldest first."""
    with app.store.transaction() as session:
        ids = session.scalars(
            select(CaseRow.id)
            .where(CaseRow.status.in_(UNFINISHED), CaseRow.officer_email.is_not(None), *also)
            .order_by(CaseRow.id)
        ).all()
    for case_id in ids:
        try:
            handle(case_id)
        except IntegrityError:
            # Another run queued the same mail between our check and our insert: the
            # outbox's unique dedup key kept it to one, and that run has it in hand.
            log.info("%s: case %s handled by an overlapping run", what, case_id)


def each_held_case(
    app: App,
    handle: Callable[[Session, CaseRow], None],
    *also: ColumnElement[bool],
    what: str,
) -> None:
    """each_case_with_an_officer, each case read again in a transaction of its own and
    handed on only while it is still unfinished and held (the chases' walk)."""
    def one(case_id: int) -> None:
        with app.store.transaction() as session:
            case = still_with_an_officer(session, case_id)
            if case is not None:
                handle(session, case)

    each_case_with_an_officer(app, one, *also, what=what)


class SweepReport(Protocol):
    skipped: str  # why the sweep did nothing at all, if it did nothing


def each_held_case_in_working_hours(
    app: App,
    now: datetime,
    report: SweepReport,
    handle: Callable[[Session, CaseRow], None],
    *also: ColumnElement[bool],
    what: str,
) -> None:
    """each_held_case, only inside the pack's working hours on a council working day (the
    chases' rule, whoever calls them); outside them nothing, and the report says why."""
    if not app.policy.council_calendar().within_working_hours(now):
        report.skipped = "outside working hours"
        return
    each_held_case(app, handle, *also, what=what)


def still_with_an_officer(session: Session, case_id: int) -> CaseRow | None:
    """The case, read again in the handler's own transaction, if it is still unfinished
    and held by an officer (a concurrent command may have closed or emptied it)."""
    case = session.get(CaseRow, case_id)
    if case is None or case.status in FINISHED or not case.officer_email:
        return None
    return case
