"""What the command line shows a person: case lists, one case, poll summaries, classify output."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from mailbot import ledger, outbox
from mailbot.acknowledgement import subject_access_context
from mailbot.addresses import address_forms
from mailbot.app import App
from mailbot.cases import LONDON, clock_events, original_message, working_days_overdue
from mailbot.classify import Classifier
from mailbot.clock import explain
from mailbot.jobs import PollReport
from mailbot.leavers import is_leaver
from mailbot.loops import detect_automatic
from mailbot.member_cases import shown_as_confidential
from mailbot.model import UNFINISHED, CaseStatus, Kind, Priority
from mailbot.own_relay import as_sent_before_relay
from mailbot.parse import ParseFailure, parse_message
from mailbot.refs import canonical
from mailbot.reminders_ahead import reminders_ahead
from mailbot.render import long_date
from mailbot.spam import spam_verdict
from mailbot.store.db import Store
from mailbot.store.tables import CaseRow, EventRow, OutboxRow


def classify_file(
    classifier: Classifier, path: Path, *, relay_list_ids: Collection[str] = ()
) -> dict[str, Any]:
    """DESIGN.md's `classify --json` contract for one file (`contract_fields` keeps only
    its keys), plus "spam"; errors are data, not exceptions. Mail through the council's
    own relay is judged as its sender sent it, and mail the upstream filter marked as spam
    has no kind ("spam": the verdict, said in words by format_classification), as the
    daemon judges them: an administrator asking why a message was not answered must be
    told what the daemon did with it."""
    result: dict[str, Any] = {
        "file": str(path),
        "kind": None,
        "confidential": False,
        "priority": "normal",
        "automatic": None,
        "spam": None,
        "confidence": 0.0,
        "error": None,
        "subject_access": False,  # shown in words only: not a `classify --json` key
    }
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result["error"] = f"cannot read: {exc.strerror or exc}"
        return result
    parsed = parse_message(raw)
    if isinstance(parsed, ParseFailure):
        result["error"] = parsed.reason
        return result
    parsed = as_sent_before_relay(parsed, relay_list_ids)
    # The daemon's first stage (pipeline.reject_spam), before the loop guard.
    spam = spam_verdict(parsed)
    if spam is not None:
        result.update(spam=spam, confidence=1.0)
        return result
    verdict = detect_automatic(parsed)
    if verdict is not None:
        result.update(automatic=verdict.automatic.value, confidence=1.0)
        return result
    found = classifier.classify(parsed)
    result.update(
        kind=found.kind.value if found.kind else None,
        confidential=found.confidential,
        priority=found.priority.value,
        confidence=round(float(found.confidence), 4),
        subject_access=found.subject_access,
    )
    return result


CONTRACT_FIELDS = ("file", "kind", "confidential", "priority", "automatic", "confidence", "error")


def contract_fields(result: dict[str, Any]) -> dict[str, Any]:
    """classify_file's result with DESIGN.md's `classify --json` keys only, in its order:
    scripts read that line, and a key of our own could break one that checks them all.
    A spam verdict shows there as no kind, not automatic, no error."""
    return {key: result[key] for key in CONTRACT_FIELDS}


def format_classification(result: dict[str, Any]) -> str:
    if result["error"]:
        return f"{result['file']}: error: {result['error']}"
    if result["spam"]:
        return (f"{result['file']}: spam, ignored by the daemon and never answered (spam "
                f"filter verdict: {result['spam']})")
    if result["automatic"]:
        return f"{result['file']}: automatic ({result['automatic']})"
    flags = [result["priority"]] + (["confidential"] if result["confidential"] else [])
    if result.get("subject_access"):
        flags.append("subject access request")
    confidence = f"confidence {result['confidence']:.2f}"
    return f"{result['file']}: {result['kind']} ({', '.join(flags)}; {confidence})"


@dataclass(frozen=True)
class NotSentYet:
    """Mail in the outbox tried and not sent yet (the SMTP server down, a timeout), and
    mail due that waits untried behind it: how many, the next try (None: one is due now,
    so the next flush tries it) and what the server said last."""

    count: int
    next_try: datetime | None
    error: str


def not_sent_yet(store: Store, now: datetime) -> NotSentYet | None:
    """The outbox's mail waiting for its next try, as `mailbot status` counts it (None
    when no mail has been tried and left pending)."""
    tried = OutboxRow.attempts > 0
    with store.transaction() as session:
        error = session.scalar(select(OutboxRow.last_error)
                               .where(OutboxRow.status == "pending", tried)
                               .order_by(OutboxRow.id.desc()).limit(1))
        if error is None:
            return None
        count, first = session.execute(
            select(func.count(OutboxRow.id), func.min(OutboxRow.not_before))
            .where(OutboxRow.status == "pending", or_(tried, OutboxRow.not_before <= now))
        ).one()
    if first.tzinfo is None:  # SQLite gives back naive UTC
        first = first.replace(tzinfo=UTC)
    return NotSentYet(count, first if first > now else None, error or "no reason recorded")


def _waiting(waiting: NotSentYet, said: bool) -> str:
    """'; 2 mail(s) not sent yet, the next try 2026-11-28 05:02: cannot reach ...', the
    error left out when the line has `said` it already."""
    when = (f"{waiting.next_try.astimezone(LONDON):%Y-%m-%d %H:%M}" if waiting.next_try
            else "at the next flush")
    line = f"; {waiting.count} mail(s) not sent yet, the next try {when}"
    return line if said else f"{line}: {waiting.error}"


def summarise_poll(report: PollReport, flushed: outbox.FlushReport,
                   waiting: NotSentYet | None = None) -> str:
    """`mailbot poll --once`'s line: what was fetched, what the flush did, and the mail
    left waiting for its next try (`waiting`, not_sent_yet after the flush)."""
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status.value] = counts.get(outcome.status.value, 0) + 1
    parts = [f"{n} {status}" for status, n in sorted(counts.items())] or ["no new mail"]
    line = "fetched: " + ", ".join(parts)
    line += f"; sent {len(flushed.sent)}"
    if flushed.deferred:
        line += f", {len(flushed.deferred)} deferred"
    if flushed.suppressed:
        line += f", {len(flushed.suppressed)} suppressed by the per-recipient cap"
    if flushed.withdrawn:
        line += f", {len(flushed.withdrawn)} withdrawn as no longer true"
    if flushed.failed:
        line += f", {len(flushed.failed)} failed"
    if report.switched:
        line += ("; [mailbox] backend changed from {} to {}: the Inbox was read afresh, once "
                 "(mail already recorded is not answered again)").format(*report.switched)
    elif report.mailbox_changed:
        line += ("; [mailbox] now reads another mailbox, {1}, than the stored cursor's, {0}: "
                 "its Inbox was read afresh, once (mail already recorded is not answered "
                 "again)").format(*report.mailbox_changed)
    elif report.resynced:
        line += "; the mailbox cursor expired and was resynced"
    if report.unmarked or report.still_unmoved:
        line += (f"; {len(report.unmarked) + report.still_unmoved} handled message(s) not "
                 "yet moved out of the Inbox (the next poll tries again)")
    if flushed.held:
        line += f"; sending held, all mail waits: {flushed.held}"
    elif flushed.unreachable:
        line += f"; the rest of the outbox waits for the next flush: {flushed.unreachable}"
    if waiting is not None:
        line += _waiting(waiting, said=bool(flushed.held or flushed.unreachable))
    return line


@dataclass(frozen=True)
class CaseLine:
    ref: str
    kind: str
    priority: str
    status: str
    member: str
    officer: str
    received: str
    ack_due: str | None
    response_due: str | None
    days_overdue: int
    subject: str
    confidential: bool


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def query_cases(
    app: App,
    now: datetime,
    *,
    overdue: bool = False,
    triage: bool = False,
    officer: str | None = None,
) -> list[CaseLine]:
    today = now.astimezone(LONDON).date()
    # By id + 0: ordered by the bare id, SQLite walks every case in id order instead of
    # using the status index and sorting the few it finds.
    stmt = select(CaseRow).order_by(CaseRow.id + 0)
    if triage:
        # Waiting for a person: its kind to be confirmed, or an officer to be chosen
        # (no routing rule matched and there is no default officer).
        stmt = stmt.where(
            or_(
                CaseRow.status == CaseStatus.NEEDS_TRIAGE,
                and_(CaseRow.officer_email.is_(None), CaseRow.status.in_(UNFINISHED)),
            )
        )
    if officer:
        # In either form of a domain beyond ASCII, as older cases may hold the other one.
        stmt = stmt.where(CaseRow.officer_email.in_(sorted(address_forms(officer))))
    if overdue:
        stmt = stmt.where(
            CaseRow.status.in_([CaseStatus.OPEN, CaseStatus.NEEDS_TRIAGE]),
            CaseRow.response_due < today,
        )
    with app.store.reading() as session:
        rows = session.scalars(stmt).all()
        return [
            CaseLine(
                ref=r.ref,
                kind=r.kind,
                priority=r.priority,
                status=r.status,
                member=r.member_email,
                officer=r.officer_email or "",
                received=r.received_at.astimezone(LONDON).isoformat(timespec="minutes"),
                ack_due=_iso(r.ack_due),
                response_due=_iso(r.response_due),
                days_overdue=working_days_overdue(app, r, today),
                subject="(confidential)" if shown_as_confidential(r) else r.subject,
                confidential=shown_as_confidential(r),
            )
            for r in rows
        ]


def print_cases(found: list[CaseLine], as_json: bool) -> None:
    console = Console()
    if not console.is_terminal:
        # Piped to a file, grep or less: one line per case, never cut to 80 columns.
        console = Console(width=_PIPE_WIDTH)
    if as_json:
        for line in found:
            console.out(json.dumps(asdict(line)), highlight=False)
        return
    rows = []
    for line in found:
        due = line.response_due or ("paused" if line.status == CaseStatus.PAUSED else "")
        if line.days_overdue:
            due += f" ({line.days_overdue} wd overdue)"
        rows.append((line.ref, line.kind, line.priority, line.status, line.member,
                     line.officer or "-", due, line.subject[:60]))
    table = Table(title=f"{len(found)} case(s)")
    columns = ("ref", "kind", "priority", "status", "member", "officer", "due", "subject")
    for index, column in enumerate(columns):
        if column in _WHOLE_COLUMNS:
            # The reference and the date are what a person acts on: in an 80-column
            # terminal or a pipe they must not shrink to "MB-202…"; the rest may wrap.
            widest = max([len(column), *(len(row[index]) for row in rows)])
            table.add_column(column, no_wrap=True, min_width=widest)
        else:
            table.add_column(column, overflow="fold")
    for row in rows:
        add_plain_row(table, *row)
    console.print(table)


_WHOLE_COLUMNS = ("ref", "kind", "priority", "status", "due")
_PIPE_WIDTH = 400


def add_plain_row(table: Table, *cells: str) -> None:
    """Cells as plain text: rich would read "[/]" or "[red]" in a member's subject or
    address as markup, and crash or restyle the table."""
    table.add_row(*(Text(cell) for cell in cells))


def _officer_line(app: App, email: str | None, ref: str) -> list[str]:
    if not email:
        return ["officer: (not assigned)"]
    officer = app.directory.officer(email)
    if officer is None and is_leaver(app, email):
        return [f"officer: {email}, who is NOT in officers.csv (left, or a changed address?): "
                f"mailbot reassign {ref} --to NEW"]
    if officer is None:
        return [f"officer: {email} (a team address, not in officers.csv)"]
    lines = [
        f"officer: {officer.name} <{officer.email}>"
        + (f", {officer.service}" if officer.service else "")
    ]
    if officer.manager_email:
        lines.append(
            f"  manager: {app.directory.display(officer.manager_email)} <{officer.manager_email}>"
        )
    if officer.deputy_email:
        lines.append(
            f"  alternative contact: {app.directory.display(officer.deputy_email)} "
            f"<{officer.deputy_email}>"
        )
    return lines


def _mail_lines(session: Session, case: CaseRow) -> list[str]:
    sent = session.scalars(
        select(OutboxRow).where(OutboxRow.case_id == case.id).order_by(OutboxRow.id)
    ).all()
    # A withdrawn mail says why: no longer true when it was to go, or (a reminder) listed
    # in the officer's daily summary instead, which is not the same as never told.
    return [
        f"  {(r.sent_at or r.created_at).astimezone(LONDON):%Y-%m-%d %H:%M}  "
        f"{r.purpose:<22} {r.status:<10} to {r.recipients}"
        + (f" ({r.last_error})" if r.status == "withdrawn" and r.last_error else "")
        for r in sent
    ]


def _related(session: Session, case: CaseRow) -> list[str]:
    lines = []
    if case.parent_id is not None:
        parent = session.get(CaseRow, case.parent_id)
        if parent is not None:
            lines.append(f"follows up: {parent.ref} (answered earlier)")
    children = session.scalars(select(CaseRow.ref).where(CaseRow.parent_id == case.id)).all()
    if children:
        lines.append(f"followed up by: {', '.join(children)}")
    return lines


MESSAGE_SHOWN = "message shown"  # a confidential case's message printed for a person


def case_message_text(app: App, ref: str, now: datetime, *, by: str) -> str | None:
    """The member's original message as text, for `mailbot case REF --message` (this is
    where a confidential case's officer is told to read it; nothing else prints it).
    For a confidential case, who it was shown to goes into its audit trail (never the
    text): the record of who read a confidentiality request."""
    with app.store.transaction() as session:
        case = session.scalar(select(CaseRow).where(CaseRow.ref == canonical(ref)))
        if case is None:
            return None
        message = original_message(session, case)
        if message is None:
            return "(the original message is no longer in the ledger)"
        if shown_as_confidential(case):
            ledger.record_event(session, now, by, MESSAGE_SHOWN,
                                "confidential message printed by mailbot case --message",
                                case=case)
        sender = message.sender.email if message.sender else "?"
        return f"From: {sender}\nSubject: {message.subject}\n\n{message.text.strip()}"


def describe_case(app: App, ref: str, now: datetime | None = None) -> str | None:
    """One case as text: dates (as the mail gives them; an open case past its response
    date, by how many working days at `now`), the clock explanation and the timeline."""
    with app.store.transaction() as session:
        case = session.scalar(select(CaseRow).where(CaseRow.ref == canonical(ref)))
        if case is None:
            return None
        events = session.scalars(
            select(EventRow).where(EventRow.case_id == case.id).order_by(EventRow.id)
        ).all()
        clock_text = explain(
            app.policy,
            Kind(case.kind),
            Priority(case.priority),
            case.received_at,
            clock_events(session, case),
        )
        private = shown_as_confidential(case)
        marker = "  CONFIDENTIAL" if private else ""
        lines = [
            f"{case.ref}  {case.kind} ({case.priority}){marker}",
            f"status: {case.status}",
            f"member: {case.member_name} <{case.member_email}>",
            *_officer_line(app, case.officer_email, case.ref),
            f"subject: {'(confidential)' if private else case.subject}",
            f"received: {long_date(case.received_at.astimezone(LONDON).date())} "
            f"{case.received_at.astimezone(LONDON):%H:%M}",
            f"acknowledgement due: {_ack_due(app, case)}",
            f"response due: {_response_due(app, case, now)}",
            *_subject_access_line(app, case),
            *_related(session, case),
            "",
            "Mail:",
            *(_mail_lines(session, case) or ["  (none)"]),
            "",
            *_ahead(app, session, case, now),
            "How the dates were reached:",
            clock_text,
            "",
            "Timeline:",
        ]
        return "\n".join([*lines, *_timeline_lines(events)])


def _ahead(app: App, session: Session, case: CaseRow, now: datetime | None) -> list[str]:
    today = (now or datetime.now(UTC)).astimezone(LONDON).date()
    lines = reminders_ahead(app, session, case, today)
    return ["Reminders to come (as things stand today):", *lines, ""] if lines else []


def _ack_due(app: App, case: CaseRow) -> str:
    """'Thursday 24 December 2026, acknowledged Tuesday 22 December 2026'; while the
    officer still owes it (the pack's `by = "officer"`), ', not yet (the officer's to
    give)': mailbot's receipt is not the acknowledgement then."""
    if case.ack_due is None:
        return "no acknowledgement clock"
    due = long_date(case.ack_due)
    if case.acknowledged_at is not None:
        return f"{due}, acknowledged {long_date(case.acknowledged_at.astimezone(LONDON).date())}"
    if app.policy.ack_by(Kind(case.kind)) == "officer" and case.status in UNFINISHED:
        return f"{due}, not yet (the officer's to give)"
    return due


def _response_due(app: App, case: CaseRow, now: datetime | None) -> str:
    """'Monday 16 November 2026', and ', 9 working days overdue' for an open case past it
    at `now` (counted as `mailbot cases`, the reminders and the digest count it)."""
    if case.response_due is None:
        return "none while the clock is paused"
    due = long_date(case.response_due)
    late = (working_days_overdue(app, case, now.astimezone(LONDON).date())
            if now and case.status in UNFINISHED else 0)
    return f"{due}, {late} working day{'s' if late != 1 else ''} overdue" if late else due


def _subject_access_line(app: App, case: CaseRow) -> list[str]:
    """The law's date for a subject access request, which no clock of the case keeps."""
    found = subject_access_context(app, case)
    if found is None:
        return []
    extended = (", extended by two further months (UK GDPR Article 12(3)),"
                if found["extended"] else "")
    return ["subject access request (UK GDPR Article 15): data protection law's one calendar "
            f"month{extended} ends {long_date(found['due'])}"]


def _timeline_lines(events: Sequence[EventRow]) -> list[str]:
    """The timeline in columns as wide as their longest entry: an action or actor longer
    than the usual ("BOUNCE_NOTICE_WITHDRAWN", a long address) pushed its row's later
    columns out of line with the rest."""
    action_width = max((len(e.action) for e in events), default=0)
    actor_width = max((len(e.actor) for e in events), default=0)
    return [
        f"  {e.at.astimezone(LONDON):%Y-%m-%d %H:%M}  {e.action:<{action_width}}  "
        f"{e.actor:<{actor_width}}  {e.detail}".rstrip()
        for e in events
    ]
