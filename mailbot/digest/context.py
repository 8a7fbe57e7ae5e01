"""What one digest says: its numbers laid out as the whitelisted context its templates see.

Confidential cases are listed by reference, never with a subject; so are, in the digest
of an officer a complaint is (or may be) about, those complaints (member_cases hides them
from that officer the same way).
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mailbot.chart import WeekPoint
from mailbot.commands.authority import may_answer
from mailbot.digest.case_lists import case_list, paused_list
from mailbot.digest.figures import (
    Figures,
    Tally,
    count_figures,
    is_confidential,
    total,
)
from mailbot.digest.first_week import began_on, weeks_shown
from mailbot.digest.kpis import KpiTally, kpi_tallies
from mailbot.digest.naming import KIND_NAMES, officer_line, percent, welsh_name
from mailbot.digest.periods import WEEKS, Periods, iso_week
from mailbot.digest.recipients import Scope
from mailbot.languages import long_date_cy
from mailbot.member_cases import complaints_about
from mailbot.model import Kind, Priority
from mailbot.render import long_date

if TYPE_CHECKING:
    from mailbot.app import App

def build_digest(
    app: App, session: Session, scope: Scope, now: datetime, recipient: str = ""
) -> dict[str, Any]:
    """Everything one digest says, as the whitelisted context its templates see; for
    `recipient`, who is not shown the subject of a complaint about them."""
    figures = count_figures(session, scope, now, app.policy)
    hidden = _about_the_reader(session, figures, recipient)
    periods = figures.periods
    today = periods.today
    limit = app.settings.digest.list_limit
    everyone = total(figures.tallies.values())
    weeks = [
        WeekPoint(
            periods.week_start(i),
            week.opened,
            week.answered,
            week.on_time,
            week.overdue,
        )
        for i, week in enumerate(figures.weeks)
    ]
    began = began_on(session)
    shown = weeks_shown(periods, began)
    years = _weeks_need_years([w.start for w in weeks[WEEKS - shown:]], periods.this_week)
    return {
        "council": {"name": app.settings.council.name, "mailbox": app.mailbox_address,
                    "domain": app.mailbox_address.rpartition("@")[2]},
        "digest": {
            "scope": scope.label,
            "scope_cy": scope.label_cy or scope.label,
            "whole_council": scope.officers is None,
            "week": iso_week(periods.this_week),
            "week_start": periods.this_week,
            "last_week_start": periods.last_week,
            "last_week_end": periods.this_week - timedelta(days=1),
            "window_start": periods.window_start,
            # The KPIs' first day and the trend's title: from when mailbot began, when
            # that is inside the 12 weeks (first_week.py).
            "kpi_from": _kpi_from(periods, began, shown),
            "trend_title": _trend_title(began, shown),
            # Whether the trend's weeks carry their year, in its tables and on its chart
            # (send.chart_words): some are not in the digest's own.
            "trend_years": years,
            "today": today,
            "list_limit": limit,
            # Set when the digest waited in the outbox and was drawn again (at_send.py).
            "held_since": None,
            "as_at": today,
            "as_at_time": "",
            # Whether 'To act on a case yourself' offers EXTEND: not where the protocol
            # allows no extensions (the command is refused there).
            "extensions": app.policy.clock.extension_by_agreement,
            # Whether commands from the reader are acted on (an officer or an admin): a
            # chief executive among the whole council's readers is told the digest is to
            # read, not offered commands that would be left alone (commands.authority).
            "reader_may_act": not recipient or may_answer(app, recipient),
        },
        "summary": {
            "opened": figures.opened_last_week,
            "opened_confidential": figures.confidential_last_week,
            "answered": everyone.answered,
            "on_time": percent(everyone.on_time, everyone.answered),
            "open": everyone.open,
            "open_confidential": sum(
                is_confidential(r.confidential, r.kind) for r in figures.open_cases
            ),
            "due_this_week": everyone.due_this_week,
            "due_later": _due_after_this_week(figures),
            "overdue": everyone.overdue,
            "reopened": figures.weeks[-1].reopened,
            "unassigned": figures.tallies.get(None, Tally()).open,
            "paused": len(figures.paused),
        },
        "services": _services(app, scope, figures),
        "overdue": case_list(app, figures.overdue, today, limit, hidden, overdue=True,
                              reader=recipient),
        "due_this_week": case_list(app, figures.due_this_week, today, limit, hidden,
                                    overdue=False, reader=recipient),
        "paused": paused_list(app, figures.paused, today, limit, hidden, reader=recipient),
        "kpis": _kpis(app, figures, today),
        "trend": [
            {
                "label": f"{w.start.day} {w.start:%b}" + (f" {w.start.year}" if years else ""),
                "week_start": periods.week_start(i),
                "opened": w.opened,
                "answered": w.answered,
                "on_time": percent(w.on_time, w.answered),
                "overdue": w.overdue,
                "reopened": figures.weeks[i].reopened,
            }
            for i, w in enumerate(weeks)
        ][WEEKS - shown:],
        "_weeks": weeks[WEEKS - shown:],  # for the chart; not used by templates
        "chart_cid": None,
    }


def _kpi_from(periods: Periods, began: date | None, shown: int) -> date:
    if began is None or shown == WEEKS:
        return periods.window_start
    return min(began, periods.this_week)


def _due_after_this_week(figures: Figures) -> int:
    """Open cases due after this week: with the overdue, due-this-week and paused ones,
    the open cases the "Now" figures count (paused cases have no due date)."""
    week_end = figures.periods.this_week + timedelta(days=6)
    return sum(1 for row in figures.open_cases
               if row.response_due is not None and row.response_due > week_end)


def _weeks_need_years(starts: list[date], this_week: date) -> bool:
    """Whether the trend's weeks are labelled with their years: when any is not in the
    year of the digest's own week, "28 Dec" and "4 Jan" would leave a reader to guess
    which December; then every week has its year, so the column reads one way."""
    return any(start.year != this_week.year for start in starts)


def _trend_title(began: date | None, shown: int) -> dict[str, str]:
    """"Last 12 weeks", or since when: a council's first digests would otherwise show
    weeks before mailbot began as weeks in which nothing came in."""
    if began is None or shown == WEEKS:
        return {"en": f"Last {WEEKS} weeks", "cy": f"Y {WEEKS} wythnos diwethaf",
                "span": f"the last {WEEKS} weeks", "span_cy": f"y {WEEKS} wythnos diwethaf"}
    # "ar" mutates the day that follows it: "ar ddydd Llun".
    since, since_cy = long_date(began), long_date_cy(began, True)
    return {
        "en": f"Since mailbot began on {since}",
        "cy": f"Ers i mailbot ddechrau ar {since_cy}",
        "span": f"the weeks since mailbot began on {since}",
        "span_cy": f"yr wythnosau ers i mailbot ddechrau ar {since_cy}",
    }


def _about_the_reader(session: Session, figures: Figures, recipient: str) -> frozenset[int]:
    """The listed cases that are complaints about `recipient`, or perhaps about them
    (member_cases.complaints_about): listed to them by reference only, as a confidential
    case, though their subject is shown to everyone else."""
    if not recipient:
        return frozenset()
    listed = {row.id for row in (*figures.overdue, *figures.due_this_week)}
    listed |= {row.id for row, _ in figures.paused}
    return frozenset(complaints_about(session, recipient, listed))


def _by_officer(app: App, tallies: dict[str | None, Tally]) -> dict[str | None, Tally]:
    """One tally per officer: cases stored under another form of an address officers.csv
    lists (caerdydd-ŵ.cymru or xn--caerdydd--j9b.cymru, capitals) count under its form."""
    merged: dict[str | None, Tally] = {}
    for email, tally in tallies.items():
        merged.setdefault(app.directory.as_listed(email) if email else email, Tally()).add(tally)
    return merged


def _services(app: App, scope: Scope, figures: Figures) -> list[dict[str, Any]]:
    tallies = _by_officer(app, figures.tallies)
    emails: set[str | None] = set(tallies)
    if scope.officers is not None:
        # A manager sees the whole team, quiet or not; the manager's own address only
        # when officers.csv has a row for it or cases are with it (a manager named only
        # as manager_email would be a row of noughts under "Other addresses").
        emails |= {e for e in scope.officers if app.directory.officer(e) is not None}
    grouped: dict[str, list[tuple[str, str, Tally]]] = {}
    for email in emails:
        service, name = officer_line(app, email)
        grouped.setdefault(service, []).append((name, email or "", tallies.get(email, Tally())))
    services = []
    for service in sorted(grouped):
        # By name, then address: two officers of one name (each named with their
        # address, _officer_line) must not fall back on comparing their tallies.
        officers = [(name, tally) for name, _, tally in sorted(
            grouped[service], key=lambda o: (o[0], o[1]))]
        services.append(
            {
                "name": service or "Unassigned",
                "name_cy": welsh_name(service or "Unassigned"),
                "officers": [_tally_dict(name, tally) for name, tally in officers],
                "total": _tally_dict("Total", total(tally for _, tally in officers)),
            }
        )
    return services


def _tally_dict(name: str, tally: Tally) -> dict[str, Any]:
    return {
        "name": name,
        "name_cy": welsh_name(name),
        "open": tally.open,
        "due_this_week": tally.due_this_week,
        "overdue": tally.overdue,
        "answered": tally.answered,
        "on_time": percent(tally.on_time, tally.answered),
    }


def _kpis(app: App, figures: Figures, today: date) -> list[dict[str, Any]]:
    """One line per kind received in the 12 weeks, with its targets; a total if several."""
    policy = app.policy
    tallies = kpi_tallies(policy, figures.received, today)
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
                ack_days,
                policy.response_days(kind, Priority.NORMAL),
            )
        )
    if len(lines) > 1:
        lines.append(_kpi_line("All kinds", every, None, None))
    return lines


def _kpi_line(
    label: str, tally: KpiTally, ack_days: int | None, target_days: int | None
) -> dict[str, Any]:
    """One kind's figures; the targets in working days (None: no ack target, or the total
    line, which has none)."""
    total_line = target_days is None
    return {
        "kind": label,
        "kind_cy": welsh_name(label),
        "received": tally.received,
        "ack_target": "" if total_line else f"{ack_days} wd" if ack_days is not None else "none",
        "ack_days": ack_days,
        "ack_on_time": percent(tally.acked, tally.with_ack),
        "target": "" if total_line else f"{target_days} wd",
        "target_days": target_days,
        "answered_on_time": percent(tally.in_time, tally.decided),
        "median_days": f"{statistics.median(tally.spans):g}" if tally.spans else "-",
    }
