"""What the command line shows a person: case lists, one case, poll summaries, classify output."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from mailbot import outbox
from mailbot.app import App
from mailbot.cases import LONDON, clock_events
from mailbot.classify import Classifier
from mailbot.clock import explain
from mailbot.jobs import PollReport
from mailbot.loops import detect_automatic
from mailbot.model import CaseStatus, Kind, MessageStatus, Priority
from mailbot.parse import ParseFailure, parse_message
from mailbot.store.tables import CaseRow, EventRow


def classify_file(classifier: Classifier, path: Path) -> dict[str, Any]:
    """DESIGN.md's `classify --json` contract for one file; errors are data, not exceptions."""
    result: dict[str, Any] = {
        "file": str(path),
        "kind": None,
        "confidential": False,
        "priority": "normal",
        "automatic": None,
        "confidence": 0.0,
        "error": None,
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
    )
    return result


def format_classification(result: dict[str, Any]) -> str:
    if result["error"]:
        return f"{result['file']}: error: {result['error']}"
    if result["automatic"]:
        return f"{result['file']}: automatic ({result['automatic']})"
    flags = [result["priority"]] + (["confidential"] if result["confidential"] else [])
    confidence = f"confidence {result['confidence']:.2f}"
    return f"{result['file']}: {result['kind']} ({', '.join(flags)}; {confidence})"


def summarise_poll(report: PollReport, flushed: outbox.FlushReport) -> str:
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
    if flushed.failed:
        line += f", {len(flushed.failed)} failed"
    if report.resynced:
        line += "; the mailbox cursor expired and was resynced"
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
    stmt = select(CaseRow).order_by(CaseRow.id)
    if triage:
        stmt = stmt.where(CaseRow.status == CaseStatus.NEEDS_TRIAGE)
    if officer:
        stmt = stmt.where(CaseRow.officer_email == officer.lower())
    if overdue:
        stmt = stmt.where(
            CaseRow.status.in_([CaseStatus.OPEN, CaseStatus.NEEDS_TRIAGE]),
            CaseRow.response_due < today,
        )
    with app.store.transaction() as session:
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
                days_overdue=(today - r.response_due).days
                if r.response_due and r.response_due < today and r.responded_at is None
                else 0,
                subject="(confidential)" if r.confidential else r.subject,
                confidential=r.confidential,
            )
            for r in rows
        ]


def print_cases(found: list[CaseLine], as_json: bool) -> None:
    console = Console()
    if as_json:
        for line in found:
            console.out(json.dumps(asdict(line)), highlight=False)
        return
    table = Table(title=f"{len(found)} case(s)")
    for column in ("ref", "kind", "priority", "status", "member", "due", "subject"):
        table.add_column(column)
    for line in found:
        due = line.response_due or ""
        if line.days_overdue:
            due += f" ({line.days_overdue}d overdue)"
        table.add_row(
            line.ref, line.kind, line.priority, line.status, line.member, due, line.subject[:60]
        )
    console.print(table)


def describe_case(app: App, ref: str) -> str | None:
    """One case as text: dates, the clock explanation and the audit timeline."""
    with app.store.transaction() as session:
        case = session.scalar(select(CaseRow).where(CaseRow.ref == ref.upper()))
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
        marker = "  CONFIDENTIAL" if case.confidential else ""
        lines = [
            f"{case.ref}  {case.kind} ({case.priority}){marker}",
            f"status: {case.status}",
            f"member: {case.member_name} <{case.member_email}>",
            f"officer: {case.officer_email or '(not assigned)'}",
            f"subject: {'(confidential)' if case.confidential else case.subject}",
            f"received: {case.received_at.astimezone(LONDON):%A %d %B %Y %H:%M}",
            f"acknowledgement due: {case.ack_due or 'no acknowledgement clock'}",
            f"response due: {case.response_due}",
            "",
            "How the dates were reached:",
            clock_text,
            "",
            "Timeline:",
        ]
        lines += [
            f"  {e.at.astimezone(LONDON):%Y-%m-%d %H:%M}  {e.action:<12} {e.actor}  {e.detail}"
            for e in events
        ]
        return "\n".join(lines)


def message_counts(app: App) -> dict[str, int]:
    from sqlalchemy import func

    from mailbot.store.tables import MessageRow

    with app.store.transaction() as session:
        rows = session.execute(select(MessageRow.status, func.count()).group_by(MessageRow.status))
        counts = {status: n for status, n in rows}
    return {s.value: counts.get(s.value, 0) for s in MessageStatus}
