"""Open cases' stored due dates, worked out again when what they depend on has changed.

A case's due dates are derived from its receipt time, its clock events and the policy
(mailbot/clock.py). The cases table keeps a copy for listing, sorting and the digest, and
that copy would go stale when a council proclaims a bank holiday or adds a closure day
to its config, or when a new release of the `holidays` package adds one: the next start
would load the new calendar, but the open cases would keep their old dates until
something else touched them. So the policy's fingerprint is kept in `state`, and when it
differs every open case's dates are derived again and any move is recorded on the case.
A member given a response date that has moved later (the council declared its Christmas
closure after acknowledging them) is sent the extension letter with the new date and why.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import acknowledgement, ledger, outbox
from mailbot.cases import refresh_deadlines
from mailbot.commands import letters
from mailbot.languages import Bilingual, long_date_cy, welsh_of
from mailbot.model import FINISHED, CaseStatus, Kind
from mailbot.policy import Policy
from mailbot.render import long_date
from mailbot.store.db import SQLITE_BEGIN, Store
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import CaseRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

FINGERPRINT_KEY = "policy_fingerprint"
BATCH = 200  # cases per transaction, so a large council's first run stays light


def policy_fingerprint(policy: Policy) -> str:
    """Changes whenever a due date could: any value of the pack or the council's overrides
    (days, cutoff, one-off holidays, closures, region) or the holidays package's release."""
    text = f"{policy.model_dump_json()}\nholidays {holidays.__version__}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DatesWorkedOut:
    """The open cases whose due dates were worked out again, and how many of them moved."""

    open_cases: int
    moved: int


def recalculate_if_policy_changed(app: App, now: datetime) -> int | None:
    """Derive open cases' due dates again if the policy changed since the last run.
    Returns how many cases' dates moved, or None if nothing had changed."""
    done = _work_out_again(app, now)
    if done is None:
        return None
    if done.open_cases:
        log.info(
            "policy %s or its calendar changed: due dates of %d open cases worked out again, "
            "%d moved", app.policy.name, done.open_cases, done.moved,
        )
    return done.moved


def _work_out_again(app: App, now: datetime) -> DatesWorkedOut | None:
    fingerprint = policy_fingerprint(app.policy)
    with app.store.transaction() as session:
        if read_value(session, FINGERPRINT_KEY) == fingerprint:
            return None
        ids = list(session.scalars(select(CaseRow.id).where(CaseRow.status.not_in(FINISHED))))
    moved = 0
    for start in range(0, len(ids), BATCH):
        with app.store.transaction() as session:
            chunk = ids[start : start + BATCH]
            for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(chunk))):
                moved += _recalculate(app, session, case, now)
    with app.store.transaction() as session:
        write_value(session, FINGERPRINT_KEY, fingerprint)
    return DatesWorkedOut(len(ids), moved)


class _Undone(Store):
    """The app's database seen through one session whose writes are all undone at the
    end (as_if_worked_out): every unit of work of the code it is given to is that session."""

    def __init__(self, store: Store, session: Session) -> None:
        self.__dict__.update(store.__dict__)
        self._session = session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self._session
        self._session.flush()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        yield self._session


@contextmanager
def as_if_worked_out(app: App, now: datetime) -> Iterator[tuple[App, DatesWorkedOut | None]]:
    """For a command that must write nothing (`mailbot digest --preview`): the app with
    open cases' due dates worked out again as the next real run would, if the policy or
    its calendar changed since they were stored, and what that did (None: nothing to
    do). Nothing it or the caller writes through the app is kept: the dates, the events,
    an extension letter, the policy's fingerprint are all rolled back at the end."""
    engine = app.store.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    with Session(engine, expire_on_commit=False) as session:
        session.begin()
        try:
            undone = replace(app, store=_Undone(app.store, session))
            yield undone, _work_out_again(undone, now)
        finally:
            session.rollback()


def _recalculate(app: App, session: Session, case: CaseRow, now: datetime) -> int:
    before = (case.ack_due, case.response_due)
    if case.status in FINISHED:  # answered between the two transactions
        return 0
    refresh_deadlines(app, session, case)
    after = (case.ack_due, case.response_due)
    if after == before:
        return 0
    changes = [
        f"{what} due {_iso(old)} -> {_iso(new)}"
        for what, old, new in zip(("acknowledgement", "response"), before, after, strict=True)
        if old != new
    ]
    ledger.record_event(
        session,
        now,
        "mailbot",
        "due dates moved",
        "the policy or its calendar changed (a holiday or closure day added or removed): "
        + "; ".join(changes),
        case=case,
    )
    old_due, new_due = before[1], after[1]
    if old_due is not None and new_due is not None and new_due > old_due:
        # The member was given the earlier date: they are told the new one, and why.
        tell_member_the_date_moved(
            app, session, case, old_due, why_the_date_moved(app.policy, case, new_due), now
        )
    return 1


def tell_member_the_date_moved(
    app: App, session: Session, case: CaseRow, old_due: date, reason: Bilingual, now: datetime
) -> list[str]:
    """The member was told `old_due`, and the council's calendar has since moved the
    response date later: the letter an extension sends (extension_notice), with `reason`
    (its Welsh for the Welsh part) and the new date (Wiltshire 6.5.8: the reason and when;
    Colchester 16(6), Cardiff: keep the member informed). Only to a member who was
    acknowledged, not after the answer nor while paused; once per new date. It answers no
    mail and goes once per case and date, as a reminder does, so the per-recipient cap on
    automatic replies does not hold back a busy member's letters (automatic=False)."""
    new_due = case.response_due
    if (new_due is None or new_due <= old_due
            or not letters.member_was_acknowledged(session, case)
            or case.status in FINISHED or case.status == CaseStatus.PAUSED):
        return []
    mail = letters.letter_mail(
        app, session, case, EXTENSION_NOTICE,
        {
            "reason": str(reason),
            "reason_cy": welsh_of(reason),
            "old_due": old_due,
            "old_due_passed": old_due < now.astimezone(LONDON).date(),
            "new_due": new_due,
            "officer_name": acknowledgement.responder(app, case).phrase,
        },
        in_reply_to=None,
    )
    if mail is None:
        return []
    queued = outbox.queue(
        session,
        purpose=EXTENSION_NOTICE,
        dedup_key=f"{EXTENSION_NOTICE}:{case.id}:calendar:{new_due.isoformat()}",
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
        automatic=False,
    )
    if queued is None:
        return []
    ledger.record_event(session, now, "mailbot", f"{EXTENSION_NOTICE} queued",
                        f"to {case.member_email}", case=case)
    return [EXTENSION_NOTICE]


EXTENSION_NOTICE = "extension_notice"  # the letter's template and outbox purpose


def why_the_date_moved(policy: Policy, case: CaseRow, new_due: date) -> Bilingual:
    """The reason a member is given when the calendar moved their date later: the closures
    and one-off bank holidays of the calendar their date is counted on, from the day the
    case was received to the new date, by name and dates; else that the council's calendar
    or timescales changed (a release of the holidays package, a new response time)."""
    received = case.received_at
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    first = received.astimezone(LONDON).date()
    kind = Kind(case.kind)
    calendar = policy.response_calendar(kind)
    en: list[str] = []
    cy: list[str] = []
    if kind != Kind.FOI:  # the statutory FOI calendar counts closure days
        for closure in policy.closures():
            if closure.end < first or closure.start > new_due:
                continue
            if closure.start == closure.end:
                en.append(f"the council's offices are closed ({closure.name}) on "
                          f"{long_date(closure.start)}")
                cy.append(f"mae swyddfeydd y cyngor ar gau ({closure.name}) ar "
                          f"{long_date_cy(closure.start, mutate=True)}")
            else:
                en.append(f"the council's offices are closed ({closure.name}) from "
                          f"{long_date(closure.start)} to {long_date(closure.end)}")
                cy.append(f"mae swyddfeydd y cyngor ar gau ({closure.name}) o "
                          f"{long_date_cy(closure.start, mutate=True)} i "
                          f"{long_date_cy(closure.end, mutate=True)}")
    for holiday in policy.extra_holidays():
        if first <= holiday.day <= new_due and calendar.days_off_between(holiday.day, holiday.day):
            en.append(f"{long_date(holiday.day)} is a bank holiday ({holiday.name})")
            cy.append(f"mae {long_date_cy(holiday.day)} yn ŵyl banc ({holiday.name})")
    if not en:
        return Bilingual(
            "the council's calendar or its timescales have changed since we gave you the date.",
            "mae calendr y cyngor neu ei amserlenni wedi newid ers i ni roi'r dyddiad i chi.",
        )
    return Bilingual(
        "; ".join(en) + ", and those days do not count towards the time to answer.",
        "; ".join(cy) + ", ac nid yw'r dyddiau hynny'n cyfrif tuag at yr amser i ateb.",
    )


def _iso(day: date | None) -> str:
    return "none" if day is None else str(day)
