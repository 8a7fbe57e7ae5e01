"""The digest's numbers for one scope: four indexed queries, each worked through in one pass.

The queries fetch only the columns they need, and the two big ones read dates as the
driver gives them (bench/bench_digest.py times them on 100,000 cases). Confidential
cases are counted like any other; what is shown of them is decided in context.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row, String, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from mailbot.access_request import EXTENDED
from mailbot.addresses import address_forms
from mailbot.clock import ClockEvent, case_deadlines
from mailbot.digest.extended import last_extension
from mailbot.digest.periods import WEEKS, Periods, at_midnight, local_day
from mailbot.digest.recipients import Scope
from mailbot.erasure import SUBJECT_ERASED
from mailbot.model import CaseStatus, Kind, Priority
from mailbot.policy import Policy
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow

AnyRow = Row[*tuple[Any, ...]]  # columns differ by query; read by name or unpacked
OPEN_STATUSES = (CaseStatus.OPEN.value, CaseStatus.NEEDS_TRIAGE.value, CaseStatus.PAUSED.value)


def is_confidential(confidential: bool, kind: str) -> bool:
    """Shown by reference only: a case flagged confidential, and any confidentiality
    request (asking for privacy is what one is), whether or not the flag was set, as it
    was not when a person relabelled a case as one."""
    return bool(confidential) or kind == Kind.CONFIDENTIALITY.value


@dataclass
class Tally:
    """One officer's cases (or a total of several officers')."""

    open: int = 0
    due_this_week: int = 0
    overdue: int = 0
    answered: int = 0  # last week
    on_time: int = 0

    def add(self, other: Tally) -> None:
        self.open += other.open
        self.due_this_week += other.due_this_week
        self.overdue += other.overdue
        self.answered += other.answered
        self.on_time += other.on_time


def total(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result.add(tally)
    return result


@dataclass(slots=True)
class WeekTally:
    """One week of the 12-week trend."""

    opened: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0  # open and past due at the end of the week
    reopened: int = 0


class Pause(NamedTuple):
    """The pause that holds an open case's response clock now: its last pause event."""

    at: datetime
    who: str
    why: str


class Received(NamedTuple):
    kind: str
    confidential: bool
    received_at: datetime
    ack_due: date | None
    acknowledged_at: datetime | None
    response_due: date | None
    responded_at: datetime | None


@dataclass
class Figures:
    periods: Periods
    tallies: dict[str | None, Tally] = field(default_factory=dict)  # by officer; None: unassigned
    weeks: list[WeekTally] = field(default_factory=lambda: [WeekTally() for _ in range(WEEKS)])
    open_cases: Sequence[AnyRow] = ()
    overdue: list[AnyRow] = field(default_factory=list)  # open cases past their due date
    due_this_week: list[AnyRow] = field(default_factory=list)
    # Paused cases (an officer's PAUSE, or an out-of-office under a pack that pauses for
    # it) with the pause that holds them: they have no due date, so are in no list above.
    paused: list[tuple[AnyRow, Pause | None]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)  # in the 12-week window
    opened_last_week: int = 0
    confidential_last_week: int = 0

    def tally(self, officer_email: str | None) -> Tally:
        return self.tallies.setdefault(officer_email, Tally())

    def count_overdue(self, due: date, received_on: date, answered_on: date | None) -> None:
        for week in self.periods.overdue_weeks(due, received_on, answered_on):
            self.weeks[week].overdue += 1


def count_figures(session: Session, scope: Scope, now: datetime, policy: Policy) -> Figures:
    """Every number of the digest that goes out at `now`, over the scope's cases."""
    figures = Figures(Periods.at(now))
    periods = figures.periods
    figures.open_cases = _open_cases(session, scope)
    _count_open(figures)
    figures.paused = _with_pauses(session, [
        r for r in figures.open_cases if r.status == CaseStatus.PAUSED.value
    ])
    _count_answered(figures, _answered_in_window(session, scope, periods))
    _count_earlier_answers(figures, _earlier_answers(session, scope, periods, policy))
    figures.received = _received_in_window(session, scope, periods)
    _count_received(figures)
    _count_reopened(figures, _reopened_in_window(session, scope, periods))
    return figures


# -- the queries --------------------------------------------------------------------


def _raw(column: Any) -> Any:
    """The column's value as the driver gives it: SQLite's text is parsed below with the
    C-speed fromisoformat, instead of per-value result processing (10,000s of rows)."""
    return type_coerce(column, String)


def _utc(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _utc_or_none(value: datetime | str | None) -> datetime | None:
    return None if value is None else _utc(value)


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _scoped(statement: Any, scope: Scope) -> Any:
    """Limit a statement over cases to the scope's officers (all cases if None), in any
    form of their addresses a case may hold (stored before cases took the form
    officers.csv writes: xn--caerdydd--j9b.cymru for caerdydd-ŵ.cymru, capitals)."""
    if scope.officers is None:
        return statement
    forms = sorted({form for officer in scope.officers for form in address_forms(officer)})
    return statement.where(func.lower(CaseRow.officer_email).in_(forms))


def _open_cases(session: Session, scope: Scope) -> Sequence[AnyRow]:
    statement = select(
        CaseRow.id,
        CaseRow.ref,
        CaseRow.kind,
        CaseRow.officer_email,
        CaseRow.response_due,
        CaseRow.subject,
        CaseRow.confidential,
        CaseRow.status,
        CaseRow.received_at,
        CaseRow.anonymised_at,
        _subject_erased(),
        CaseRow.subject_access,
        _subject_access_extended(),
        last_extension(),
    ).where(CaseRow.status.in_(OPEN_STATUSES))
    return session.execute(_scoped(statement, scope)).all()


def _subject_erased() -> Any:
    """Whether the case's subject was blanked on request because it named someone else
    erased (mailbot.erasure): an entry in its timeline, found by the events' case index."""
    return (
        select(EventRow.id)
        .where(EventRow.case_id == CaseRow.id, EventRow.action == SUBJECT_ERASED)
        .exists()
        .label("subject_erased")
    )


def _subject_access_extended() -> Any:
    """Whether a subject access request took the law's two further months (an EXTEND
    saying it is complex: the access_request.EXTENDED timeline entry)."""
    return (
        select(EventRow.id)
        .where(EventRow.case_id == CaseRow.id, EventRow.action == EXTENDED)
        .exists()
        .label("subject_access_extended")
    )


def _with_pauses(
    session: Session, paused: Sequence[AnyRow]
) -> list[tuple[AnyRow, Pause | None]]:
    """Each paused case with the last pause of its response clock (when, by whom, why),
    in one query for them all: paused cases are few."""
    last: dict[int, Pause] = {}
    if paused:
        for case_id, at, who, why in session.execute(
            select(ClockEventRow.case_id, ClockEventRow.at, ClockEventRow.who, ClockEventRow.why)
            .where(
                ClockEventRow.case_id.in_({row.id for row in paused}),
                ClockEventRow.clock == "response",
                ClockEventRow.action == "pause",
            )
            .order_by(ClockEventRow.id)
        ):
            last[case_id] = Pause(_utc(at), who, why)
    return [(row, last.get(row.id)) for row in paused]


def _answered_in_window(session: Session, scope: Scope, periods: Periods) -> Sequence[AnyRow]:
    """(officer, received, responded, due) of cases answered since the window began."""
    statement = select(
        CaseRow.officer_email,
        _raw(CaseRow.received_at),
        _raw(CaseRow.responded_at),
        _raw(CaseRow.response_due),
    ).where(CaseRow.responded_at >= at_midnight(periods.window_start))
    return session.execute(_scoped(statement, scope)).all()


class EarlierAnswer(NamedTuple):
    officer_email: str | None
    answered_at: datetime
    due: date | None  # the response date in force when it was given


def _earlier_answers(
    session: Session, scope: Scope, periods: Periods, policy: Policy
) -> list[EarlierAnswer]:
    """Answers in the window that a member's follow-up later reopened. The case row keeps
    only its latest answer (a reopen clears it), so without these a case answered last
    week and reopened since counted as reopened but never answered. Their due date is the
    one the clock gave at the answer: the case's clock events up to it. Few cases are
    reopened, so the clock is worked out again for each of them only."""
    later = aliased(EventRow)
    reopened_later = (
        select(later.id)
        .where(later.case_id == EventRow.case_id, later.action == "reopened",
               later.at > EventRow.at)
        .exists()
    )
    statement = (
        select(CaseRow.id, CaseRow.officer_email, CaseRow.kind, CaseRow.priority,
               CaseRow.received_at, EventRow.at)
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(
            EventRow.action == "responded",
            EventRow.at >= at_midnight(periods.window_start),
            EventRow.at < at_midnight(periods.this_week),
            reopened_later,
        )
    )
    found = session.execute(_scoped(statement, scope)).all()
    # Every clock event of those cases in one query, not one query a case.
    by_case: dict[int, list[ClockEventRow]] = {}
    for event in session.scalars(
        select(ClockEventRow)
        .where(ClockEventRow.case_id.in_({row[0] for row in found}))
        .order_by(ClockEventRow.id)
    ):
        by_case.setdefault(event.case_id, []).append(event)
    answers = []
    for case_id, officer_email, kind, priority, received_at, answered_at in found:
        events = [
            ClockEvent(r.clock, r.action, r.at, r.who, r.why, r.new_due)  # type: ignore[arg-type]
            for r in by_case.get(case_id, ()) if r.at <= answered_at
        ]
        due = case_deadlines(policy, Kind(kind), Priority(priority), received_at, events)
        answers.append(EarlierAnswer(officer_email, answered_at, due.response_due))
    return answers


def _received_in_window(session: Session, scope: Scope, periods: Periods) -> list[Received]:
    statement = select(
        CaseRow.kind,
        CaseRow.confidential,
        _raw(CaseRow.received_at),
        _raw(CaseRow.ack_due),
        _raw(CaseRow.acknowledged_at),
        _raw(CaseRow.response_due),
        _raw(CaseRow.responded_at),
    ).where(
        CaseRow.received_at >= at_midnight(periods.window_start),
        CaseRow.received_at < at_midnight(periods.this_week),
    )
    return [
        Received(kind, confidential, _utc(a), _day(b), _utc_or_none(c), _day(d), _utc_or_none(e))
        for kind, confidential, a, b, c, d, e in session.execute(_scoped(statement, scope)).all()
    ]


def _reopened_in_window(session: Session, scope: Scope, periods: Periods) -> Sequence[datetime]:
    statement = (
        select(EventRow.at)
        .join(CaseRow, CaseRow.id == EventRow.case_id)
        .where(
            EventRow.action == "reopened",
            EventRow.at >= at_midnight(periods.window_start),
            EventRow.at < at_midnight(periods.this_week),
        )
    )
    return session.scalars(_scoped(statement, scope)).all()


# -- the counting -------------------------------------------------------------------


def _count_open(figures: Figures) -> None:
    periods = figures.periods
    today = periods.today
    week_end = periods.this_week + timedelta(days=6)
    for row in figures.open_cases:
        tally = figures.tally(row.officer_email)
        tally.open += 1
        due = row.response_due
        if due is None:
            continue
        if periods.this_week <= due <= week_end and due >= today:
            tally.due_this_week += 1
            figures.due_this_week.append(row)
        if due < today:
            tally.overdue += 1
            figures.overdue.append(row)
        figures.count_overdue(due, local_day(row.received_at), None)


def _count_answered(figures: Figures, answered: Sequence[AnyRow]) -> None:
    # Bound once: the loop runs over every case answered in the 12 weeks (10,000s).
    periods, weeks, count_overdue = figures.periods, figures.weeks, figures.count_overdue
    for officer_email, received_raw, responded_raw, due_raw in answered:
        answered_on = local_day(_utc(responded_raw))
        due = _day(due_raw)
        on_time = due is not None and answered_on <= due
        index = periods.week_index(answered_on)
        if index is not None:
            weeks[index].answered += 1
            weeks[index].on_time += on_time
        if periods.last_week <= answered_on < periods.this_week:
            tally = figures.tally(officer_email)
            tally.answered += 1
            tally.on_time += on_time
        if due is not None:
            count_overdue(due, local_day(_utc(received_raw)), answered_on)


def _count_earlier_answers(figures: Figures, answers: Sequence[EarlierAnswer]) -> None:
    periods = figures.periods
    for answer in answers:
        answered_on = local_day(answer.answered_at)
        on_time = answer.due is not None and answered_on <= answer.due
        index = periods.week_index(answered_on)
        if index is not None:
            figures.weeks[index].answered += 1
            figures.weeks[index].on_time += on_time
        if periods.last_week <= answered_on < periods.this_week:
            tally = figures.tally(answer.officer_email)
            tally.answered += 1
            tally.on_time += on_time


def _count_received(figures: Figures) -> None:
    periods, weeks = figures.periods, figures.weeks
    for item in figures.received:
        received_on = local_day(item.received_at)
        index = periods.week_index(received_on)
        if index is not None:
            weeks[index].opened += 1
        if received_on >= periods.last_week:
            figures.opened_last_week += 1
            figures.confidential_last_week += is_confidential(item.confidential, item.kind)


def _count_reopened(figures: Figures, reopened_at: Sequence[datetime]) -> None:
    for moment in reopened_at:
        index = figures.periods.week_index(local_day(moment))
        if index is not None:
            figures.weeks[index].reopened += 1
