"""What one digest says: its numbers laid out as the whitelisted context its templates see.

Confidential cases are listed by reference, never with a subject; so are, in the digest
of an officer a complaint is (or may be) about, those complaints (member_cases hides them
from that officer the same way).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from mailbot.access_request import law_due
from mailbot.addresses import address_key, same_address
from mailbot.assignment import reassign_example
from mailbot.chart import WeekPoint
from mailbot.clock import ABSENCE_PAUSE
from mailbot.commands.authority import may_answer
from mailbot.compose import untagged_subject
from mailbot.digest.figures import (
    AnyRow,
    Figures,
    Pause,
    Tally,
    count_figures,
    is_confidential,
    total,
)
from mailbot.digest.first_week import began_on, weeks_shown
from mailbot.digest.kpis import KpiTally, kpi_tallies
from mailbot.digest.periods import WEEKS, Periods, iso_week, local_day
from mailbot.digest.recipients import Scope
from mailbot.languages import long_date_cy
from mailbot.leavers import known_addresses
from mailbot.member_cases import complaints_about
from mailbot.model import CaseStatus, Kind, Priority
from mailbot.render import long_date, short_day

if TYPE_CHECKING:
    from mailbot.app import App

KIND_NAMES = {
    Kind.ENQUIRY: "Enquiry",
    Kind.FOI: "FOI/EIR request",
    Kind.COMPLAINT: "Complaint",
    Kind.CONFIDENTIALITY: "Confidentiality request",
}
UNASSIGNED = "(unassigned)"
NOT_LISTED = "Not in officers.csv (left?)"
# The Welsh of the names the digest gives where the directory has none, and of the kinds,
# for a bilingual council's digest (templates digest.cy.* / digest.en-cy.*).
WELSH_NAMES = {
    "Enquiry": "Ymholiad",
    "FOI/EIR request": "Cais rhyddid gwybodaeth/EIR",
    "Complaint": "Cwyn",
    "Confidentiality request": "Cais am gyfrinachedd",
    "All kinds": "Pob math",
    UNASSIGNED: "(heb swyddog)",
    "Unassigned": "Heb swyddog",
    "No service": "Dim gwasanaeth",
    "FOI team": "Tîm rhyddid gwybodaeth",
    "Complaints": "Cwynion",
    "Other addresses": "Cyfeiriadau eraill",
    "Not in officers.csv (left?)": "Ddim yn officers.csv (wedi gadael?)",
    "Total": "Cyfanswm",
}


# The Act an overdue FOI request is late under, by the pack's foi_regime (English, Welsh):
# a Scottish council answers under FOISA, not the UK Act.
FOI_LAWS = {
    "foia": ("the FOI Act", "y Ddeddf Rhyddid Gwybodaeth"),
    "foisa": ("the Freedom of Information (Scotland) Act 2002",
              "Deddf Rhyddid Gwybodaeth (yr Alban) 2002"),
}


def welsh_name(name: str) -> str:
    """A name the digest made up, in Welsh; a name from the directory as it is."""
    return WELSH_NAMES.get(name, name)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


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
            "overdue": everyone.overdue,
            "reopened": figures.weeks[-1].reopened,
            "unassigned": figures.tallies.get(None, Tally()).open,
            "paused": len(figures.paused),
        },
        "services": _services(app, scope, figures),
        "overdue": _case_list(app, figures.overdue, today, limit, hidden, overdue=True,
                              reader=recipient),
        "due_this_week": _case_list(app, figures.due_this_week, today, limit, hidden,
                                    overdue=False),
        "paused": _paused_list(app, figures.paused, today, limit, hidden, reader=recipient),
        "kpis": _kpis(app, figures, today),
        "trend": [
            {
                "label": f"{w.start.day} {w.start:%b}",
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


def _trend_title(began: date | None, shown: int) -> dict[str, str]:
    """"Last 12 weeks", or since when: a council's first digests would otherwise show
    weeks before mailbot began as weeks in which nothing came in."""
    if began is None or shown == WEEKS:
        return {"en": f"Last {WEEKS} weeks", "cy": f"Y {WEEKS} wythnos diwethaf",
                "span": f"the last {WEEKS} weeks", "span_cy": f"y {WEEKS} wythnos diwethaf"}
    since, since_cy = long_date(began), long_date_cy(began)
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


def _officer_line(app: App, email: str | None) -> tuple[str, str]:
    """(service, name) to show for an officer address."""
    if email is None:
        return ("", UNASSIGNED)
    officer = app.directory.officer(email)
    if officer is not None:
        return (officer.service or "No service", _told_apart(app, officer.name, officer.email))
    routing = app.policy.routing
    if routing.foi_team and same_address(email, routing.foi_team):
        return ("FOI team", email)
    if routing.complaints and same_address(email, routing.complaints):
        return ("Complaints", email)
    if address_key(email) not in {address_key(a) for a in known_addresses(app)}:
        # A leaver's or an old address's cases: reminders to it may reach nobody.
        return (NOT_LISTED, email)
    return ("Other addresses", email)


def _told_apart(app: App, name: str, email: str) -> str:
    """The officer's name, or, when officers.csv has another officer of that name (two
    David Joneses), the name and the first part of the address: "David Jones
    (david.jones2)" (the whole address if that part is shared too)."""
    namesakes = [o.email for o in app.directory.officers.values() if o.name == name]
    if len(namesakes) < 2:
        return name
    local = email.partition("@")[0]
    same_local = sum(other.partition("@")[0] == local for other in namesakes)
    return f"{name} ({local if same_local == 1 else email})"


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
        service, name = _officer_line(app, email)
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


def _case_list(
    app: App, found: Sequence[AnyRow], today: date, limit: int, hidden: frozenset[int], *,
    overdue: bool, reader: str = ""
) -> dict[str, Any]:
    """The first `limit` cases (most overdue, or soonest due, first); the rest counted.
    What to do about an overdue case the `reader` holds is theirs to do."""
    ordered = sorted(found, key=lambda r: (r.response_due, r.ref))
    rows = []
    for row in ordered[:limit]:
        service, name = _officer_line(app, row.officer_email)
        rows.append(
            {
                **_listed_case(row, service, name, hidden=row.id in hidden),
                **_kind_names(app, row, today),
                "due": row.response_due,
                "days_overdue": _days_overdue(app, row, today) if overdue else 0,
                **(_what_to_do(app, row, service, yours=_holds(reader, row))
                   if overdue else {}),
            }
        )
    return {"rows": rows, "more": max(len(ordered) - limit, 0),
            **(_said_once(rows) if overdue else {})}


def _said_once(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What to do about most of a list's cases, said once under its heading (`todo`,
    `todo_cy`), each row marked `own_todo` where what to do about it differs (an FOI
    request past its statutory date among enquiries): a manager with twenty overdue
    cases does not read one sentence twenty times. `todo_varies` when any row differs."""
    if not rows:
        return {"todo": "", "todo_cy": "", "todo_varies": False}
    shared = Counter(row["todo"] for row in rows).most_common(1)[0][0]
    for row in rows:
        row["own_todo"] = row["todo"] != shared
    return {
        "todo": shared,
        "todo_cy": next(row["todo_cy"] for row in rows if row["todo"] == shared),
        "todo_varies": any(row["own_todo"] for row in rows),
    }


def _kind_names(app: App, row: AnyRow, today: date) -> dict[str, str]:
    """The case's kind as the lists show it, in both languages; a subject access request
    says so, with data protection law's date (which no clock of the case keeps: its
    protocol date is the one listed as due), 'Enquiry (subject access request, law's date
    Tue 29 Dec)'."""
    kind = KIND_NAMES[Kind(row.kind)]
    names = {"kind": kind, "kind_cy": welsh_name(kind)}
    if not row.subject_access or row.kind not in (Kind.ENQUIRY.value, Kind.FOI.value):
        return names
    due = law_due(app.policy, row.received_at, extended=bool(row.subject_access_extended))
    return {
        "kind": f"{kind} (subject access request, law's date {short_day(due, today)})",
        "kind_cy": f"{names['kind_cy']} (cais gwrthrych am wybodaeth, dyddiad y gyfraith "
                   f"{short_day(due, today, welsh=True)})",
    }


def _listed_case(row: AnyRow, service: str, name: str, *, hidden: bool) -> dict[str, Any]:
    """What every list of the digest shows of a case, in both languages: its reference,
    kind, officer and service, and its subject unless it is confidential or `hidden` (a
    complaint about the reader); `erased` when the subject was erased on request
    (mailbot.erasure: with the member's details, or alone because it named someone else
    erased), so its missing subject is not taken for one the member left out."""
    if hidden:
        return {**_listed_case(row, service, name, hidden=False),
                "confidential": True, "subject": "", "erased": False}
    return {
        "ref": row.ref,
        "kind": KIND_NAMES[Kind(row.kind)],
        "kind_cy": welsh_name(KIND_NAMES[Kind(row.kind)]),
        "officer": name,
        "officer_cy": welsh_name(name),
        "service": service,
        "service_cy": welsh_name(service),
        "confidential": is_confidential(row.confidential, row.kind),
        "subject": _listed_subject(row),
        "erased": row.anonymised_at is not None or bool(row.subject_erased),
    }


def _paused_list(
    app: App, paused: Sequence[tuple[AnyRow, Pause | None]], today: date, limit: int,
    hidden: frozenset[int], *, reader: str = "",
) -> dict[str, Any]:
    """The first `limit` paused cases, longest paused first, each with who holds it, since
    when and why; the rest counted. A paused case gets no reminders, only one chase per
    pause (mailbot.pause_chase): the digest is where a manager sees them all."""
    far_back = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(paused, key=lambda p: (p[1].at if p[1] else far_back, p[0].ref))
    calendar = app.policy.council_calendar()
    rows = []
    for row, pause in ordered[:limit]:
        service, name = _officer_line(app, row.officer_email)
        since = local_day(pause.at) if pause else None
        rows.append(
            {
                **_listed_case(row, service, name, hidden=row.id in hidden),
                **_kind_names(app, row, today),
                "since": since,
                "working_days": calendar.working_days_between(since, today) if since else 0,
                **_why_paused(app, row, pause, name, hidden=row.id in hidden,
                              yours=_holds(reader, row)),
            }
        )
    return {"rows": rows, "more": max(len(ordered) - limit, 0), **_said_once(rows)}


def _holds(reader: str, row: AnyRow) -> bool:
    """Whether the digest's reader holds the case themselves (a manager holding the
    complaint about one of their officers): asking 'its officer' would be asking them."""
    return bool(reader and row.officer_email and same_address(reader, row.officer_email))


def _why_paused(
    app: App, row: AnyRow, pause: Pause | None, holder: str, *, hidden: bool,
    yours: bool = False,
) -> dict[str, Any]:
    """Why the case is paused and what to do about it, in English and Welsh. An absence
    (absence.py) waits for someone to take the case; an officer's PAUSE for whatever its
    reason says, which is the officer's own words: not shown for a confidential case, nor
    to the officer a complaint is about (`hidden`).
    What to do names no one (the row names the officer), so the list can say it once."""
    if pause is not None and pause.why.startswith(ABSENCE_PAUSE):
        away = app.directory.display(pause.who)
        return {
            "absence": True,
            "why": f"{away} is out of the office; waiting to be redirected",
            "why_cy": f"mae {away} allan o'r swyddfa; yn aros i'w ailgyfeirio",
            "todo": f"give it to someone who can answer ({reassign_example(app)}): the "
            "clock runs again then.",
            "todo_cy": f"rhowch ef i rywun a all ateb ({reassign_example(app, welsh=True)}): "
            "mae'r cloc yn rhedeg eto wedyn.",
        }
    by = app.directory.display(pause.who) if pause else holder
    said = "" if pause is None or hidden or is_confidential(row.confidential, row.kind) else (
        " ".join(pause.why.split())[:80]
    )
    todo = {
        "todo": "it is yours: RESUME it when it should run again, or pass it on "
        "(REASSIGN).",
        "todo_cy": "eich achos chi yw hwn: ailgychwynnwch ef (RESUME) pan ddylai redeg "
        "eto, neu trosglwyddwch ef (REASSIGN).",
    } if yours else {
        "todo": "ask its officer whether it is still waiting, and to RESUME it when it "
        "should run again.",
        "todo_cy": "gofynnwch i'w swyddog a yw'n dal i aros, ac i'w ailgychwyn (RESUME) "
        "pan ddylai redeg eto.",
    }
    return {
        "absence": False,
        "why": f"PAUSE by {by}" + (f": {said}" if said else ""),
        "why_cy": f"PAUSE gan {by}" + (f": {said}" if said else ""),
        **todo,
    }


def _what_to_do(app: App, row: AnyRow, service: str, *, yours: bool = False) -> dict[str, str]:
    """What a manager reading the digest should do about one overdue case, in English and
    Welsh: the list alone says it is late, not whose move it is. It names no one (the
    row names the officer), so the list can say once what most of its cases need; a case
    the reader holds (`yours`) is theirs to answer, not to ask its officer about."""
    if row.officer_email is None:
        return {
            "todo": f"no officer has it: give it to one ({reassign_example(app)}, or "
            "mailbot cases --triage).",
            "todo_cy": "nid oes gan unrhyw swyddog yr achos: rhowch ef i un "
            f"({reassign_example(app, welsh=True)}, neu mailbot cases --triage).",
        }
    if service == NOT_LISTED:
        return {
            "todo": "its officer is not in officers.csv (left?), so its reminders may "
            f"reach no one: pass it to someone who can answer ({reassign_example(app)}).",
            "todo_cy": "nid yw ei swyddog yn officers.csv (wedi gadael?), felly efallai nad "
            "yw'r nodiadau atgoffa'n cyrraedd neb: rhowch yr achos i rywun a all ateb "
            f"({reassign_example(app, welsh=True)}).",
        }
    if row.kind == Kind.FOI.value:
        law, law_cy = FOI_LAWS[app.policy.foi_regime]
        if yours:
            return {
                "todo": f"it is yours: answer it now: the date {law} sets has passed.",
                "todo_cy": f"eich achos chi yw hwn: atebwch ef nawr: mae'r dyddiad a osodir "
                f"gan {law_cy} wedi mynd heibio.",
            }
        return {
            "todo": f"ask its officer to answer it now: the date {law} sets has passed.",
            "todo_cy": f"gofynnwch i'w swyddog ei ateb nawr: mae'r dyddiad a osodir gan "
            f"{law_cy} wedi mynd heibio.",
        }
    if row.status == CaseStatus.NEEDS_TRIAGE.value and yours:
        return {
            "todo": "its kind was never confirmed (mailbot cases --triage); it is yours: "
            "answer the member now, or pass it on (REASSIGN).",
            "todo_cy": "ni chadarnhawyd ei fath erioed (mailbot cases --triage); eich achos "
            "chi yw hwn: atebwch yr aelod nawr, neu trosglwyddwch ef (REASSIGN).",
        }
    if row.status == CaseStatus.NEEDS_TRIAGE.value:
        return {
            "todo": "its kind was never confirmed (mailbot cases --triage); ask its "
            "officer to answer the member now, or pass it on (REASSIGN).",
            "todo_cy": "ni chadarnhawyd ei fath erioed (mailbot cases --triage); "
            "gofynnwch i'w swyddog ateb yr aelod nawr, neu ei drosglwyddo (REASSIGN).",
        }
    if not app.policy.can_extend(Kind(row.kind)):  # EXTEND would be refused (extend.py)
        council = app.settings.council.name
        if yours:
            return {
                "todo": "it is yours: answer the member now, or pass it on (REASSIGN): "
                f"{council}'s protocol does not allow extensions.",
                "todo_cy": "eich achos chi yw hwn: atebwch yr aelod nawr, neu trosglwyddwch "
                f"ef (REASSIGN): nid yw protocol {council} yn caniatáu estyniadau.",
            }
        return {
            "todo": "ask its officer to answer the member now, or pass it on (REASSIGN): "
            f"{council}'s protocol does not allow extensions.",
            "todo_cy": "gofynnwch i'w swyddog ateb yr aelod nawr, neu ei drosglwyddo "
            f"(REASSIGN): nid yw protocol {council} yn caniatáu estyniadau.",
        }
    if yours:
        return {
            "todo": "it is yours: answer the member now, or agree more time with them "
            "(EXTEND) or pass it on (REASSIGN).",
            "todo_cy": "eich achos chi yw hwn: atebwch yr aelod nawr, neu cytunwch ar ragor "
            "o amser gyda nhw (EXTEND) neu trosglwyddwch ef (REASSIGN).",
        }
    return {
        "todo": "ask its officer to answer the member now, or to agree more time with "
        "them (EXTEND) or pass it on (REASSIGN).",
        "todo_cy": "gofynnwch i'w swyddog ateb yr aelod nawr, neu gytuno ar ragor o amser "
        "gyda nhw (EXTEND) neu ei drosglwyddo (REASSIGN).",
    }


def _days_overdue(app: App, row: AnyRow, today: date) -> int:
    """Counted on the calendar the due date was (an FOI's: every UK bank holiday, closure
    days included), so the digest agrees with the overdue reminders."""
    calendar = app.policy.response_calendar(Kind(row.kind))
    return calendar.working_days_between(row.response_due, today)


def _listed_subject(row: AnyRow) -> str:
    """The case's subject on one line, without the tag the council's mail gateway put in
    front of it ("[EXTERNAL] "); "" for a confidential case."""
    if is_confidential(row.confidential, row.kind):
        return ""
    return " ".join(untagged_subject(row.subject).split())[:80]


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
