"""The digest's lists of cases: overdue, due this week and paused, each with what to do.

Confidential cases, and complaints about the reader, are listed by reference only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from mailbot.access_request import law_due
from mailbot.addresses import same_address
from mailbot.assignment import reassign_example
from mailbot.clock import ABSENCE_PAUSE
from mailbot.compose import untagged_subject
from mailbot.digest.due_todo import before_due
from mailbot.digest.extended import extended_words
from mailbot.digest.figures import AnyRow, Pause, is_confidential
from mailbot.digest.naming import FOI_LAWS, KIND_NAMES, NOT_LISTED, officer_line, welsh_name
from mailbot.digest.periods import local_day
from mailbot.model import CaseStatus, Kind
from mailbot.render import short_day

if TYPE_CHECKING:
    from mailbot.app import App


def case_list(
    app: App, found: Sequence[AnyRow], today: date, limit: int, hidden: frozenset[int], *,
    overdue: bool, reader: str = ""
) -> dict[str, Any]:
    """The first `limit` cases (most overdue, or soonest due, first); the rest counted.
    What to do about a case the `reader` holds is theirs to do."""
    ordered = sorted(found, key=lambda r: (r.response_due, r.ref))
    rows = []
    for row in ordered[:limit]:
        service, name = officer_line(app, row.officer_email)
        rows.append(
            {
                **_listed_case(row, service, name, hidden=row.id in hidden),
                **_kind_names(app, row, today),
                "due": row.response_due,
                "days_overdue": _days_overdue(app, row, today) if overdue else 0,
                **_todo(app, row, service, overdue=overdue, yours=_holds(reader, row)),
            }
        )
    return {"rows": rows, "more": max(len(ordered) - limit, 0), **_said_once(rows)}


def _todo(app: App, row: AnyRow, service: str, *, overdue: bool, yours: bool) -> dict[str, str]:
    """What to do about an overdue case, or one due this week (due_todo.py) that has an
    officer in officers.csv and a confirmed kind; the rest are said as when overdue."""
    if (overdue or row.officer_email is None or service == NOT_LISTED
            or row.status == CaseStatus.NEEDS_TRIAGE.value):
        return _what_to_do(app, row, service, yours=yours)
    return before_due(app, row, yours=yours)


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
    Tue 29 Dec)'; a case whose date an extension moved says so too (extended.py),
    'FOI/EIR request (extended for the public interest test)'."""
    kind = KIND_NAMES[Kind(row.kind)]
    said, said_cy = [], []
    if row.subject_access and row.kind in (Kind.ENQUIRY.value, Kind.FOI.value):
        due = law_due(app.policy, row.received_at, extended=bool(row.subject_access_extended))
        said.append(f"subject access request, law's date {short_day(due, today)}")
        said_cy.append("cais gwrthrych am wybodaeth, dyddiad y gyfraith "
                       f"{short_day(due, today, welsh=True)}")
    extended, extended_cy = extended_words(row.extension)
    if extended and not (said and row.subject_access_extended):  # its law's date says it
        said.append(extended)
        said_cy.append(extended_cy)
    return {
        "kind": f"{kind} ({'; '.join(said)})" if said else kind,
        "kind_cy": f"{welsh_name(kind)} ({'; '.join(said_cy)})" if said else welsh_name(kind),
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


def paused_list(
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
        service, name = officer_line(app, row.officer_email)
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
