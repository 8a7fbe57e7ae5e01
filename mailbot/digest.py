"""The weekly digest for managers (their officers' cases) and for the whole council.

Periods, all in Europe/London: "last week" is the last full Monday-Sunday week before the
digest's week; "this week" is the digest's own week; the trend and the protocol KPIs
cover the 12 full weeks before it. The numbers come from a handful of indexed queries
that fetch only the columns they need (bench/bench_digest.py times them on 100,000
cases), and are worked out here, in one pass over the rows.

The job is idempotent per ISO week: each digest is queued with the dedup key
digest:<recipient>:<scope>:<ISO week>, and the outbox's unique index is the ledger, so a
restart, a second process or a re-run never sends a second one. If the daemon was down
at the appointed time, the digest goes when it is back, within the same ISO week.

Confidential cases are counted and listed by reference, never with a subject.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import String, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot import ledger, outbox
from mailbot.chart import WeekPoint, trend_png
from mailbot.compose import Envelope, InlineImage, compose, new_message_id
from mailbot.model import CaseStatus, Kind, Priority
from mailbot.store.tables import CaseRow, EventRow, OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

WEEKS = 12
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OPEN_STATUSES = (CaseStatus.OPEN.value, CaseStatus.NEEDS_TRIAGE.value, CaseStatus.PAUSED.value)
KIND_NAMES = {
    Kind.ENQUIRY: "Enquiry",
    Kind.FOI: "FOI/EIR request",
    Kind.COMPLAINT: "Complaint",
    Kind.CONFIDENTIALITY: "Confidentiality request",
}
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class Scope:
    """Whose cases a digest covers: a manager's team, or everyone (officers None)."""

    key: str  # "council" or "team": part of the dedup key
    label: str
    officers: frozenset[str] | None


@dataclass
class DigestReport:
    queued: list[str] = field(default_factory=list)  # recipients
    skipped: str = ""


@dataclass
class Tally:
    open: int = 0
    due_this_week: int = 0
    overdue: int = 0
    answered: int = 0
    on_time: int = 0

    def add(self, other: Tally) -> None:
        self.open += other.open
        self.due_this_week += other.due_this_week
        self.overdue += other.overdue
        self.answered += other.answered
        self.on_time += other.on_time


@dataclass(frozen=True)
class Periods:
    today: date
    this_week: date  # Monday of the digest's week
    last_week: date = field(init=False)
    window_start: date = field(init=False)  # Monday 12 weeks before this_week

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_week", self.this_week - timedelta(days=7))
        object.__setattr__(self, "window_start", self.this_week - timedelta(days=7 * WEEKS))

    def week_index(self, day: date) -> int | None:
        """0..11 for a day in the 12-week window, else None."""
        offset = (day - self.window_start).days
        return offset // 7 if 0 <= offset < 7 * WEEKS else None

    def overdue_weeks(self, due: date, received_on: date, answered_on: date | None) -> range:
        """The window weeks at whose end (the Monday after) the case was open and past due:
        week i ends on window_start + 7(i+1); it counts if that end is after both the due
        date and the receipt day, and not after the answer."""
        first = max(0, (max(due, received_on) - self.window_start).days // 7)
        last = WEEKS - 1
        if answered_on is not None:
            last = min(last, (answered_on - self.window_start).days // 7 - 1)
        return range(first, last + 1)


class Received(NamedTuple):
    kind: str
    confidential: bool
    received_at: datetime
    ack_due: date | None
    acknowledged_at: datetime | None
    response_due: date | None
    responded_at: datetime | None


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


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


# -- who gets which digest ----------------------------------------------------------


def digest_targets(app: App) -> list[tuple[str, Scope]]:
    """(recipient, scope): the configured council-wide recipients, then each manager."""
    config = app.settings.digest
    targets = [(r.lower(), Scope("council", "the whole council", None)) for r in config.recipients]
    if not config.managers:
        return targets
    teams: dict[str, set[str]] = {}
    for officer in app.directory.officers.values():
        if officer.manager_email:
            teams.setdefault(officer.manager_email, set()).add(officer.email)
    for manager, team in sorted(teams.items()):
        services = sorted(
            {o.service for e in team if (o := app.directory.officer(e)) and o.service}
        )
        label = ", ".join(services) or "your team"
        targets.append((manager, Scope("team", label, frozenset({*team, manager}))))
    return targets


# -- the numbers ------------------------------------------------------------------


def _scoped(statement: Any, scope: Scope) -> Any:
    """Limit a statement over cases to the scope's officers (all cases if None)."""
    if scope.officers is None:
        return statement
    return statement.where(CaseRow.officer_email.in_(sorted(scope.officers)))


def build_digest(app: App, session: Session, scope: Scope, now: datetime) -> dict[str, Any]:
    """Everything one digest says, as the whitelisted context its templates see."""
    today = local_day(now)
    periods = Periods(today, today - timedelta(days=today.weekday()))
    limit = app.settings.digest.list_limit
    tallies: dict[str | None, Tally] = {}
    trend = [[0, 0, 0, 0, 0] for _ in range(WEEKS)]  # opened, answered, on time, overdue, reopened

    open_rows = session.execute(
        _scoped(
            select(
                CaseRow.ref,
                CaseRow.kind,
                CaseRow.officer_email,
                CaseRow.response_due,
                CaseRow.subject,
                CaseRow.confidential,
                CaseRow.status,
                CaseRow.received_at,
            ).where(CaseRow.status.in_(OPEN_STATUSES)),
            scope,
        )
    ).all()
    week_end = periods.this_week + timedelta(days=6)
    overdue_rows, due_rows = [], []
    for row in open_rows:
        tally = tallies.setdefault(row.officer_email, Tally())
        tally.open += 1
        due = row.response_due
        if due is None:
            continue
        if periods.this_week <= due <= week_end and due >= today:
            tally.due_this_week += 1
            due_rows.append(row)
        if due < today:
            tally.overdue += 1
            overdue_rows.append(row)
        for week in periods.overdue_weeks(due, local_day(row.received_at), None):
            trend[week][3] += 1

    answered_rows = session.execute(
        _scoped(
            select(
                CaseRow.kind,
                CaseRow.officer_email,
                _raw(CaseRow.received_at),
                _raw(CaseRow.responded_at),
                _raw(CaseRow.response_due),
            ).where(CaseRow.responded_at >= at_midnight(periods.window_start)),
            scope,
        )
    ).all()
    for _kind, officer_email, received_raw, responded_raw, due_raw in answered_rows:
        answered_on = local_day(_utc(responded_raw))
        due = _day(due_raw)
        on_time = due is not None and answered_on <= due
        index = periods.week_index(answered_on)
        if index is not None:
            trend[index][1] += 1
            trend[index][2] += on_time
        if periods.last_week <= answered_on < periods.this_week:
            tally = tallies.setdefault(officer_email, Tally())
            tally.answered += 1
            tally.on_time += on_time
        if due is not None:
            received_on = local_day(_utc(received_raw))
            for week in periods.overdue_weeks(due, received_on, answered_on):
                trend[week][3] += 1

    received_rows_raw = session.execute(
        _scoped(
            select(
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
            ),
            scope,
        )
    ).all()
    received_rows = [
        Received(kind, confidential, _utc(a), _day(b), _utc_or_none(c), _day(d), _utc_or_none(e))
        for kind, confidential, a, b, c, d, e in received_rows_raw
    ]
    opened_last_week = confidential_last_week = 0
    for item in received_rows:
        received_on = local_day(item.received_at)
        index = periods.week_index(received_on)
        if index is not None:
            trend[index][0] += 1
        if received_on >= periods.last_week:
            opened_last_week += 1
            confidential_last_week += item.confidential

    reopened_at = session.scalars(
        _scoped(
            select(EventRow.at)
            .join(CaseRow, CaseRow.id == EventRow.case_id)
            .where(
                EventRow.action == "reopened",
                EventRow.at >= at_midnight(periods.window_start),
                EventRow.at < at_midnight(periods.this_week),
            ),
            scope,
        )
    ).all()
    for moment in reopened_at:
        index = periods.week_index(local_day(moment))
        if index is not None:
            trend[index][4] += 1

    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    weeks = [
        WeekPoint(
            f"{(periods.window_start + timedelta(days=7 * i)).day} "
            f"{periods.window_start + timedelta(days=7 * i):%b}",
            *values[:4],
        )
        for i, values in enumerate(trend)
    ]
    return {
        "council": {"name": app.settings.council.name, "mailbox": app.mailbox_address},
        "digest": {
            "scope": scope.label,
            "whole_council": scope.officers is None,
            "week": iso_week(periods.this_week),
            "week_start": periods.this_week,
            "last_week_start": periods.last_week,
            "last_week_end": periods.this_week - timedelta(days=1),
            "window_start": periods.window_start,
            "today": today,
            "list_limit": limit,
        },
        "summary": {
            "opened": opened_last_week,
            "opened_confidential": confidential_last_week,
            "answered": total.answered,
            "on_time": percent(total.on_time, total.answered),
            "open": total.open,
            "open_confidential": sum(r.confidential for r in open_rows),
            "due_this_week": total.due_this_week,
            "overdue": total.overdue,
            "reopened": trend[-1][4],
            "unassigned": tallies.get(None, Tally()).open,
        },
        "services": _services(app, scope, tallies),
        "overdue": _case_list(app, overdue_rows, today, limit, overdue=True),
        "due_this_week": _case_list(app, due_rows, today, limit, overdue=False),
        "kpis": _kpis(app, received_rows, today),
        "trend": [
            {
                "label": w.label,
                "opened": w.opened,
                "answered": w.answered,
                "on_time": percent(w.on_time, w.answered),
                "overdue": w.overdue,
                "reopened": trend[i][4],
            }
            for i, w in enumerate(weeks)
        ],
        "_weeks": weeks,  # for the chart; not used by templates
        "chart_cid": None,
    }


def _officer_line(app: App, email: str | None) -> tuple[str, str]:
    """(service, name) to show for an officer address."""
    if email is None:
        return ("", UNASSIGNED)
    officer = app.directory.officer(email)
    if officer is not None:
        return (officer.service or "No service", officer.name)
    routing = app.policy.routing
    if email == routing.foi_team:
        return ("FOI team", email)
    if email == routing.complaints:
        return ("Complaints", email)
    return ("Other addresses", email)


def _services(app: App, scope: Scope, tallies: dict[str | None, Tally]) -> list[dict[str, Any]]:
    emails: set[str | None] = set(tallies)
    if scope.officers is not None:
        emails |= set(scope.officers)  # a manager sees the whole team, quiet or not
    grouped: dict[str, list[tuple[str, Tally]]] = {}
    for email in emails:
        service, name = _officer_line(app, email)
        grouped.setdefault(service, []).append((name, tallies.get(email, Tally())))
    services = []
    for service in sorted(grouped):
        officers = sorted(grouped[service])
        total = Tally()
        for _, tally in officers:
            total.add(tally)
        services.append(
            {
                "name": service or "Unassigned",
                "officers": [_tally_dict(name, tally) for name, tally in officers],
                "total": _tally_dict("Total", total),
            }
        )
    return services


def _tally_dict(name: str, tally: Tally) -> dict[str, Any]:
    return {
        "name": name,
        "open": tally.open,
        "due_this_week": tally.due_this_week,
        "overdue": tally.overdue,
        "answered": tally.answered,
        "on_time": percent(tally.on_time, tally.answered),
    }


def _case_list(
    app: App, found: Sequence[Any], today: date, limit: int, *, overdue: bool
) -> dict[str, Any]:
    """The first `limit` cases (most overdue, or soonest due, first); the rest counted."""
    ordered = sorted(found, key=lambda r: (r.response_due, r.ref))
    cal = app.policy.council_calendar()
    rows = []
    for row in ordered[:limit]:
        service, name = _officer_line(app, row.officer_email)
        rows.append(
            {
                "ref": row.ref,
                "kind": KIND_NAMES[Kind(row.kind)],
                "officer": name,
                "service": service,
                "due": row.response_due,
                "days_overdue": cal.working_days_between(row.response_due, today) if overdue else 0,
                "confidential": row.confidential,
                "subject": "" if row.confidential else " ".join(row.subject.split())[:80],
            }
        )
    return {"rows": rows, "more": max(len(ordered) - limit, 0)}


@dataclass
class KpiTally:
    received: int = 0
    with_ack: int = 0
    acked: int = 0
    decided: int = 0  # answered, or past its due date
    in_time: int = 0
    spans: list[int] = field(default_factory=list)  # working days to respond

    def add(self, other: KpiTally) -> None:
        self.received += other.received
        self.with_ack += other.with_ack
        self.acked += other.acked
        self.decided += other.decided
        self.in_time += other.in_time
        self.spans.extend(other.spans)


def _kpis(app: App, received_rows: Iterable[Any], today: date) -> list[dict[str, Any]]:
    """Per kind, over cases received in the 12 weeks: the numbers committees ask for.
    One pass over the rows; each row's dates are converted once."""
    policy = app.policy
    council, foi = policy.council_calendar(), policy.foi_calendar()
    tallies: dict[str, KpiTally] = {}
    for row in received_rows:
        tally = tallies.setdefault(row.kind, KpiTally())
        tally.received += 1
        if row.ack_due is not None:
            tally.with_ack += 1
            acked = row.acknowledged_at
            tally.acked += acked is not None and local_day(acked) <= row.ack_due
        due = row.response_due
        if row.responded_at is not None:
            answered_on = local_day(row.responded_at)
            tally.decided += 1
            tally.in_time += due is not None and answered_on <= due
            calendar = foi if row.kind == Kind.FOI else council
            tally.spans.append(
                calendar.working_days_between(local_day(row.received_at), answered_on)
            )
        elif due is not None and due < today:
            tally.decided += 1
    lines = []
    every = KpiTally()
    for kind in Kind:
        kind_tally = tallies.get(kind.value)
        if kind_tally is None:
            continue
        every.add(kind_tally)
        ack_days = policy.ack_days(kind)
        lines.append(
            _kpi_line(
                KIND_NAMES[kind],
                kind_tally,
                f"{ack_days} wd" if ack_days is not None else "none",
                f"{policy.response_days(kind, Priority.NORMAL)} wd",
            )
        )
    if len(lines) > 1:
        lines.append(_kpi_line("All kinds", every, "", ""))
    return lines


def _kpi_line(label: str, tally: KpiTally, ack_target: str, target: str) -> dict[str, Any]:
    return {
        "kind": label,
        "received": tally.received,
        "ack_target": ack_target,
        "ack_on_time": percent(tally.acked, tally.with_ack),
        "target": target,
        "answered_on_time": percent(tally.in_time, tally.decided),
        "median_days": f"{statistics.median(tally.spans):g}" if tally.spans else "-",
    }


# -- the job ------------------------------------------------------------------------


def render_digest(
    app: App, context: dict[str, Any], *, with_chart: bool = True
) -> tuple[Any, list[InlineImage]]:
    """Rendered text/HTML, and the chart as an inline image (referenced by Content-ID)."""
    images: list[InlineImage] = []
    if with_chart:
        domain = app.mailbox_address.rpartition("@")[2] or "mailbot.invalid"
        cid = f"trend-{context['digest']['week']}@{domain}"
        images.append(InlineImage(cid, trend_png(context["_weeks"]), filename="trend.png"))
        context = {**context, "chart_cid": cid}
    return app.renderer.render("digest", context), images


def _envelope(app: App, recipient: str) -> Envelope:
    return Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(recipient,),
        instance=app.settings.council.instance,
    )


def digest_slot(app: App, now: datetime) -> datetime:
    """When this ISO week's digest is due (Europe/London)."""
    config = app.settings.digest
    today = local_day(now)
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(config.day))
    return datetime.combine(day, config.time, tzinfo=LONDON)


def send_digests(app: App, now: datetime) -> DigestReport:
    """Queue this week's digests that are due and not yet queued. Safe to call often."""
    report = DigestReport()
    config = app.settings.digest
    if not config.enabled:
        report.skipped = "disabled"
        return report
    slot = digest_slot(app, now)
    if now < slot:
        report.skipped = f"not before {slot:%A %H:%M}"
        return report
    week = iso_week(slot.date())
    for recipient, scope in digest_targets(app):
        key = f"digest:{recipient}:{scope.key}:{week}"
        try:
            with app.store.transaction() as session:
                if session.scalar(select(OutboxRow.id).where(OutboxRow.dedup_key == key)):
                    continue
                rendered, images = render_digest(app, build_digest(app, session, scope, now))
                row = outbox.queue(
                    session,
                    purpose="digest",
                    dedup_key=key,
                    case=None,
                    rendered=rendered,
                    envelope=_envelope(app, recipient),
                    now=now,
                    automatic=False,  # scheduled, at most once a week: not a reply to anyone
                    inline_images=images,
                )
                if row is not None:
                    ledger.record_event(
                        session, now, "mailbot", "digest queued", f"{week} to {recipient}"
                    )
                    report.queued.append(recipient)
        except IntegrityError:
            continue  # an overlapping run queued it first
    return report


def preview(app: App, now: datetime, out: Path | None = None) -> Path:
    """Write the digest the first recipient would get to an .eml file; queue nothing."""
    targets = digest_targets(app) or [
        (app.mailbox_address, Scope("council", "the whole council", None))
    ]
    recipient, scope = targets[0]
    with app.store.transaction() as session:
        context = build_digest(app, session, scope, now)
    rendered, images = render_digest(app, context)
    envelope = _envelope(app, recipient)
    mime = compose(
        rendered,
        envelope,
        message_id=new_message_id(app.mailbox_address),
        now=now,
        inline_images=images,
    )
    path = out or app.settings.data_dir / f"digest-preview-{context['digest']['week']}.eml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mime)
    return path
