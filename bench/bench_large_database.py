"""mailbot after three years at a busy council: the everyday commands and daemon jobs on a
large SQLite database, each against a plain count over the same tables.

Builds (plain INSERTs, bench/council_db.py) N cases over three years (default 60,000:
most answered, a few hundred open, some overdue, 5% confidential) with what three busy
years leave behind, in proportion: ~4 messages rows a case (the member's mail, officers'
replies, follow-ups, automatic mail, duplicates, ignored mail, a quarantine), ~5 outbox
rows (acknowledgements, assignments, reminders sent and withdrawn, escalations, a few
pending and failed, weekly digests) and ~10 events. Raw mail and MIME past the retention
limits are already erased, as the daily purge leaves them. Then times, on it:

- baseline: SELECT count(*) over cases, messages, outbox and events (what any look at
  the database must at least pay);
- `mailbot status` (status.gather_status), `mailbot cases --overdue` (query_cases),
  `mailbot case REF` (describe_case), `mailbot person find --address` for the busiest
  member (data_subject.find);
- the reminder sweep (reminders.sweep; its first run queues, the repeats find it done),
  one outbox flush with 5 pending rows;
- one poll of 20 new member messages (ledger dedup, threading by In-Reply-To and
  References, cases, acknowledgements queued), then the flush that sends those 20
  acknowledgements (the per-recipient cap's count for each);
- the daily retention purge (retention.purge; a day's worth of rows to erase).

Each line prints milliseconds and the ratio to the baseline; times are never asserted.
With --explain, every statement a path ran whose SQLite query plan reads a whole big
table (SCAN without an index) is printed under it.

    .venv/bin/python bench/bench_large_database.py [--cases N] [--seed S] [--explain]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from council_db import (
    MEMBERS,
    SHARED_MAILBOX,
    analyze,
    case_rows,
    make_app,
    member_email,
    timed,
    write_rows,
)
from sqlalchemy import event, func, insert, select, text

from mailbot import jobs, reminders, retention
from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.console import describe_case, query_cases
from mailbot.data_subject import find, person
from mailbot.status import gather_status
from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow

NOW = datetime(2026, 12, 14, 10, 30, tzinfo=UTC)  # a Monday, in working hours
SPAN_DAYS = 3 * 365
BIG_TABLES = ("cases", "messages", "outbox", "events")
KEPT_DAYS = {"dropped": 30, "quarantined": 90, "case": 365, "sent": 365}  # the defaults


def small_mail(sender: str, subject: str, message_id: str, at: datetime) -> bytes:
    return (
        f"From: {sender}\r\nTo: {SHARED_MAILBOX}\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(at)}\r\nMessage-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + "Please could someone look at the potholes on the lane by the school.\r\n" * 6
    ).encode()


class Builder:
    """The rows of three years, appended per case, written in batches at the end."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.messages: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def message(self, at: datetime, sender: str, status: str, *, case_id: int | None = None,
                automatic: str | None = None, message_id: str = "", kept: str = "case",
                duplicates: int = 0) -> None:
        number = len(self.messages) + 1
        message_id = message_id or f"<m{number}@mail.bench>"
        purged = at + timedelta(days=KEPT_DAYS[kept] + 1)
        gone = purged < NOW
        self.messages.append({
            "id": number, "message_id": message_id, "folder": "inbox",
            "backend_ref": str(number),
            "raw": b"" if gone else small_mail(sender, f"Mail {number}", message_id, at),
            "size": 900, "received_at": at, "sender": sender, "subject": f"Mail {number}",
            "status": status, "reason": "", "automatic": automatic, "case_id": case_id,
            "duplicates": duplicates, "purged_at": purged if gone else None,
        })

    def mail_out(self, at: datetime, purpose: str, key: str, to: str, *,
                 case_id: int | None, status: str = "sent", automatic: bool = False) -> None:
        number = len(self.outbox) + 1
        sent = at + timedelta(minutes=2) if status == "sent" else None
        purged = at + timedelta(days=KEPT_DAYS["sent"] + 1)
        gone = status != "pending" and purged < NOW
        self.outbox.append({
            "id": number, "dedup_key": key, "message_id": f"<o{number}@council.bench>",
            "case_id": case_id, "purpose": purpose, "recipients": to,
            "mime": b"" if gone else small_mail(SHARED_MAILBOX, purpose, f"<o{number}>", at),
            "automatic": automatic, "status": status,
            "attempts": 1 if status in ("sent", "failed") else 0,
            "last_error": "550 mailbox unavailable" if status == "failed" else "",
            "created_at": at, "not_before": at, "sent_at": sent,
            "purged_at": purged if gone else None,
        })

    def event(self, at: datetime, action: str, actor: str = "mailbot", *,
              case_id: int | None = None, detail: str = "") -> None:
        self.events.append({"at": at, "case_id": case_id, "actor": actor, "action": action,
                            "detail": detail})

    def case(self, case: dict[str, Any]) -> None:
        rng, n, ref = self.rng, case["id"], case["ref"]
        received, responded = case["received_at"], case["responded_at"]
        member, officer = case["member_email"], case["officer_email"]
        self.message(received, member, "processed", case_id=n,
                     message_id=case["root_message_id"])
        self.event(received, "received", member, case_id=n, detail="from the member")
        self.event(received, "opened", case_id=n, detail=f"{case['kind']}, normal")
        self.event(received, "assigned", case_id=n, detail=f"to {officer}")
        ack = received + timedelta(minutes=5)
        self.mail_out(ack, "ack", f"ack:{ref}", member, case_id=n, automatic=True)
        self.event(ack, "ack queued", case_id=n, detail=f"to {member}")
        self.mail_out(ack, "assignment", f"assignment:{ref}", officer, case_id=n)
        self.event(ack, "assignment queued", case_id=n, detail=f"to {officer}")
        for step in range(rng.choice((0, 0, 1, 2, 3, 4, 5))):
            at = received + timedelta(days=8 + 2 * step)
            if at >= NOW:
                break
            withdrawn = responded is not None and at > responded
            status = "withdrawn" if withdrawn else "sent"
            self.mail_out(at, "reminder", f"reminder:{ref}:{step}", officer, case_id=n,
                          status=status)
            self.event(at, "reminder queued", case_id=n, detail=f"reminder to {officer}")
            if step == 3:
                self.mail_out(at, "escalation", f"escalation:{ref}", officer, case_id=n,
                              status=status)
        if responded is not None:
            if rng.random() < 0.8:
                self.message(responded, officer, "processed", case_id=n)
            self.event(responded, "responded", officer, case_id=n)
            self.event(responded, "clock stopped", case_id=n, detail="response answered")
        if rng.random() < 0.3:
            at = received + timedelta(days=rng.uniform(0, 3))
            if at < NOW:
                self.message(at, member, "processed", case_id=n)
                self.event(at, "follow-up", member, case_id=n)
        for _ in range(rng.choice((1, 1, 2, 2, 2))):  # auto-replies, bounces, bulk
            at = received + timedelta(hours=rng.uniform(0, 48))
            if at < NOW:
                self.message(at, f"noreply{rng.randrange(400)}@robots.bench", "automatic",
                             automatic=rng.choice(("auto_reply", "bounce", "list")),
                             kept="dropped")
        if rng.random() < 0.2:  # the same letter again, by another route
            self.message(received + timedelta(minutes=1), member, "duplicate", kept="dropped",
                         duplicates=1)
        if rng.random() < 0.15:
            self.message(received, f"person{rng.randrange(5000)}@example.org", "ignored",
                         kept="dropped")
        if rng.random() < 0.006:
            self.message(received, f"stranger{n}@example.net", "quarantined",
                         kept="quarantined")

    def council_mail(self, weeks: int) -> None:
        for week in range(weeks):
            at = NOW - timedelta(weeks=week + 1)
            self.mail_out(at, "digest", f"digest:{week}", "chief@council.gov.uk", case_id=None)
            self.event(at, "digest sent", detail="to chief@council.gov.uk")


def fill(app: App, count: int, seed: int) -> None:
    rng = random.Random(seed)
    build = Builder(rng)
    cases = list(case_rows(app, count, rng, NOW, SPAN_DAYS))
    for case in cases[1:]:
        if rng.random() < 0.01:  # split from the case before it (two questions in one mail)
            case["parent_id"] = case["id"] - 1
    for case in sorted(cases, key=lambda c: c["received_at"]):
        build.case(case)
    pending = [c for c in cases if c["status"] == "open"][:5]
    for case in pending:  # acknowledgements queued a few minutes ago, and a failed one
        build.mail_out(NOW - timedelta(minutes=3), "ack", f"ack-again:{case['ref']}",
                       case["member_email"], case_id=case["id"], status="pending",
                       automatic=True)
    build.mail_out(NOW - timedelta(days=2), "ack", "ack-failed", member_email(1), case_id=1,
                   status="failed", automatic=True)
    build.council_mail(SPAN_DAYS // 7)
    build.messages.sort(key=lambda row: row["received_at"])  # ids in order of arrival
    for number, row in enumerate(build.messages, 1):
        row["id"] = number
    write_rows(app, CaseRow, cases)
    write_rows(app, MessageRow, build.messages)
    write_rows(app, OutboxRow, build.outbox)
    write_rows(app, EventRow, build.events)
    analyze(app)


def new_mail(app: App, batch: int, count: int = 20) -> list[bytes]:
    """Members' mail: new enquiries, and replies to their cases (In-Reply-To, References)."""
    with app.store.transaction() as session:
        roots = session.execute(
            select(CaseRow.root_message_id, CaseRow.member_email)
            .where(CaseRow.status == "open").order_by(CaseRow.id).limit(count)
        ).all()
    mail = []
    for n in range(count):
        message = EmailMessage()
        message["Date"] = format_datetime(NOW - timedelta(minutes=count - n))
        message["Message-ID"] = f"<poll{batch}-{n}@members.bench>"
        message["To"] = SHARED_MAILBOX
        if n % 2 and roots:
            root, sender = roots[n % len(roots)]
            message["From"] = sender
            message["Subject"] = "Re: your enquiry"
            message["In-Reply-To"] = root
            message["References"] = f"<earlier{n}@members.bench> {root}"
        else:
            message["From"] = member_email((batch * count + n) % MEMBERS)
            message["Subject"] = f"Streetlight out on road {batch}-{n}"
        message.set_content("Dear officers,\n\nThe streetlight outside number 4 is out.\n\n"
                            "Thank you\nCllr Member\n")
        mail.append(message.as_bytes())
    return mail


class Statements:
    """The SQL each path runs, to ask SQLite how it reads each statement."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.seen: list[tuple[str, Any]] = []
        self.on = False
        event.listen(app.store.engine, "before_cursor_execute", self._note)

    def _note(self, conn: Any, cursor: Any, statement: str, parameters: Any,
              context: Any, executemany: bool) -> None:
        if self.on and not executemany and statement.lstrip().upper().startswith(
                ("SELECT", "UPDATE", "DELETE", "WITH")):
            self.seen.append((statement, parameters))

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.seen, self.on = [], True
        try:
            yield
        finally:
            self.on = False

    def full_scans(self) -> list[str]:
        found: dict[str, str] = {}
        with self.app.store.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            for statement, parameters in self.seen:
                plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                for row in plan:
                    detail = str(row[-1])
                    match = re.match(r"SCAN (\w+)", detail)
                    if match and match.group(1) in BIG_TABLES:
                        found.setdefault(f"{detail}: {' '.join(statement.split())[:300]}", "")
        return list(found)


def report(name: str, seconds: float, baseline: float, note: str = "") -> None:
    print(f"{name:44} {seconds * 1000:9.2f} ms   ratio {seconds / baseline:8.1f}x {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true",
                        help="print the statements whose query plan reads a whole big table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = MemoryServer()
        app = make_app(Path(folder), server)
        started = time.perf_counter()
        fill(app, args.cases, args.seed)
        with app.store.transaction() as session:
            sizes = {table: int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                     for table in BIG_TABLES}
            busiest = session.execute(
                select(CaseRow.member_email).group_by(CaseRow.member_email)
                .order_by(func.count().desc()).limit(1)).scalar_one()
            overdue_ref = session.scalar(
                select(CaseRow.ref).where(CaseRow.status == "open",
                                          CaseRow.response_due < NOW.date()).limit(1))
        database = Path(str(app.store.engine.url.database))
        print(f"written in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{sizes[t]:,} {t}" for t in BIG_TABLES)
              + f"; {database.stat().st_size / 1e6:.0f} MB")
        statements = Statements(app)

        def count() -> int:
            with app.store.transaction() as session:
                return sum(int(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                           for table in BIG_TABLES)

        _, baseline = timed(count)
        print(f"{'baseline: count(*) over the four tables':44} {baseline * 1000:9.2f} ms")
        batches = iter(range(1, 1000))

        with app.store.transaction() as session:
            open_cases = session.execute(
                select(CaseRow.id, CaseRow.officer_email).where(CaseRow.status == "open")
                .order_by(CaseRow.id.desc()).limit(5)).all()

        def pending() -> None:  # assignments queued a moment ago, for five open cases
            stamp = time.perf_counter_ns()
            with app.store.transaction() as session:
                session.execute(insert(OutboxRow), [{
                    "dedup_key": f"bench-flush:{stamp}:{case_id}",
                    "message_id": f"<flush{stamp}-{case_id}@council.bench>",
                    "case_id": case_id, "purpose": "assignment", "recipients": officer,
                    "mime": small_mail(SHARED_MAILBOX, "assignment", f"<f{case_id}>", NOW),
                    "automatic": False, "status": "pending", "created_at": NOW,
                    "not_before": NOW} for case_id, officer in open_cases])

        def flush() -> Any:
            return jobs.flush_outbox(app, NOW)

        def deliver() -> None:
            for raw in new_mail(app, next(batches)):
                server.deliver(raw)

        def poll() -> Any:
            return jobs.poll(app, NOW)

        paths: list[tuple[str, Callable[[], Any], Callable[[], None] | None, int]] = [
            ("mailbot status", lambda: gather_status(app, NOW), None, 3),
            ("mailbot cases --overdue",
             lambda: query_cases(app, NOW, overdue=True, triage=False, officer=None), None, 3),
            (f"mailbot case {overdue_ref}", lambda: describe_case(app, str(overdue_ref)),
             None, 3),
            (f"mailbot person find --address {busiest}",
             lambda: find(app, person([busiest], [], in_text=False,
                                      shared_mailbox=SHARED_MAILBOX)), None, 1),
            ("reminder sweep, first run", lambda: reminders.sweep(app, NOW), None, 1),
            ("reminder sweep, again", lambda: reminders.sweep(app, NOW), None, 3),
            ("outbox flush (reminders just queued)", flush, None, 1),
            ("outbox flush, 5 pending", flush, pending, 3),
            ("poll of 20 member messages", poll, deliver, 3),
            ("outbox flush, those 20 acknowledgements", flush, None, 1),
            ("retention purge (daily)", lambda: retention.purge(app, NOW), None, 1),
            ("retention purge, again", lambda: retention.purge(app, NOW), None, 3),
        ]
        for name, run, setup, repeat in paths:
            best = float("inf")
            result: Any = None
            for _ in range(repeat):
                if setup is not None:
                    setup()
                with statements.watching():
                    start = time.perf_counter()
                    result = run()
                    best = min(best, time.perf_counter() - start)
            report(name, best, baseline, _summary(result))
            if args.explain:
                for line in statements.full_scans():
                    print(f"    full scan: {line}")
        app.close()


def _summary(result: Any) -> str:
    if isinstance(getattr(result, "withdrawn", None), list):
        return (f"({len(result.sent)} sent, {len(result.withdrawn)} withdrawn,"
                f" {len(result.waiting)} waiting, {len(result.deferred)} deferred)")
    for field in ("queued", "outcomes"):
        value = getattr(result, field, None)
        if isinstance(value, list):
            return f"({len(value)} {field})"
        if isinstance(value, int):
            return f"({value} {field})"
    if isinstance(result, list):
        return f"({len(result)} rows)"
    return ""


if __name__ == "__main__":
    main()
