"""The weekly digest's numbers on 100,000 cases in SQLite, against a plain SQL count.

Builds a database of N cases spread over two years (most answered, some late, a few
hundred open, some overdue, some confidential, "reopened" events), 60 officers in 10
services under 10 managers, then times, side by side on the same rows:

- baseline: SELECT count(*) FROM cases (what any report must at least pay), and plain SQL
  counts with the digest's own WHERE clauses (open cases, answered in the window, received
  in the window, reopened events): the same rows, counted instead of read;
- digest: build_digest for the whole council (every query and the aggregation: summary,
  by service and officer, overdue and due lists, KPIs per kind with median working days,
  the 12-week trend) — no rendering;
- one manager's digest (the same, scoped to a team's officers);
- rendering the whole-council digest with its chart, for scale.

    .venv/bin/python bench/bench_digest.py [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.classify import Classifier
from mailbot.digest import Scope, build_digest, digest_targets, render_digest
from mailbot.model import Classification, Kind, ParsedMessage, Priority
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow

NOW = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # a Monday, 08:00
SPAN_DAYS = 730
SERVICES = [f"Service {i}" for i in range(10)]


class _NoClassifier:
    """The benchmark never classifies mail; the app only needs something in the slot."""

    def classify(self, message: ParsedMessage) -> Classification:
        return Classification(Kind.ENQUIRY, False, Priority.NORMAL, 1.0)


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[Any, float]:
    """The result and the best of `repeat` wall-clock timings (the machine is shared)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def make_app(home: Path) -> App:
    officers = ["name,email,service,manager_email,deputy_email"]
    for s, service in enumerate(SERVICES):
        manager = f"manager{s}@council.gov.uk"
        officers.append(f"Manager {s},{manager},{service},,")
        officers += [
            f"Officer {s}-{o},officer{s}-{o}@council.gov.uk,{service},{manager}," for o in range(5)
        ]
    (home / "officers.csv").write_text("\n".join(officers) + "\n", encoding="utf-8")
    (home / "mailbot.toml").write_text(
        '[council]\nname = "Bench Council"\npolicy = "wiltshire"\n'
        '[directory]\nofficers = "officers.csv"\n'
        "[classifier]\ntrain_if_missing = false\n"
        '[digest]\nrecipients = ["chief@council.gov.uk"]\n',
        encoding="utf-8",
    )
    classifier: Classifier = _NoClassifier()  # type: ignore[assignment]
    return build_app(
        load_settings(home / "mailbot.toml"), backend=MemoryMailbox(), classifier=classifier
    )


def fill(app: App, count: int, seed: int) -> None:
    rng = random.Random(seed)
    emails = sorted(app.directory.officers)
    kinds = [k.value for k in Kind]
    start = NOW - timedelta(days=SPAN_DAYS)
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        received = start + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        due = (received + timedelta(days=14)).date()
        age = (NOW - received).days
        answered = age > 40 or rng.random() < 0.6
        responded = (
            received + timedelta(days=rng.uniform(1, 20), hours=rng.uniform(0, 8))
            if answered
            else None
        )
        if responded is not None and responded >= NOW:
            responded = None
        cases.append(
            {
                "id": n,
                "ref": f"MB-{received.year}-{n:06d}",
                "kind": rng.choice(kinds),
                "priority": "normal",
                "confidential": rng.random() < 0.05,
                "confidence": 0.9,
                "status": "responded" if responded else "open",
                "member_email": f"member{rng.randrange(60)}@council.gov.uk",
                "member_name": "Cllr Bench",
                "known_member": True,
                "officer_email": rng.choice(emails),
                "subject": f"Subject of case {n}",
                "policy": "wiltshire",
                "received_at": received,
                "ack_due": (received + timedelta(days=2)).date(),
                "response_due": due,
                "acknowledged_at": received + timedelta(minutes=5),
                "responded_at": responded,
                "root_message_id": f"<{n}@bench>",
                "created_at": received,
                "updated_at": responded or received,
            }
        )
        events.append(
            {"at": received, "case_id": n, "actor": "mailbot", "action": "opened", "detail": ""}
        )
        if responded is not None:
            events.append(
                {
                    "at": responded,
                    "case_id": n,
                    "actor": "officer",
                    "action": "responded",
                    "detail": "",
                }
            )
            if rng.random() < 0.03:
                events.append(
                    {
                        "at": responded + timedelta(days=2),
                        "case_id": n,
                        "actor": "member",
                        "action": "reopened",
                        "detail": "",
                    }
                )
    with app.store.transaction() as session:
        for i in range(0, len(cases), 5000):
            session.execute(insert(CaseRow), cases[i : i + 5000])
        for i in range(0, len(events), 5000):
            session.execute(insert(EventRow), events[i : i + 5000])
    with app.store.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        started = time.perf_counter()
        fill(app, args.cases, args.seed)
        print(f"{args.cases:,} cases written in {time.perf_counter() - started:.1f} s")
        council = Scope("council", "the whole council", None)
        team = next(scope for _, scope in digest_targets(app) if scope.officers is not None)

        def count() -> int:
            with app.store.transaction() as session:
                return int(session.scalar(select(func.count()).select_from(CaseRow)) or 0)

        def digest_for(scope: Scope) -> dict[str, Any]:
            with app.store.transaction() as session:
                return build_digest(app, session, scope, NOW)

        window = datetime(2026, 9, 21, tzinfo=UTC)  # 12 weeks before NOW's Monday
        week = datetime(2026, 12, 14, tzinfo=UTC)

        def same_rows() -> int:
            with app.store.transaction() as session:
                counts = [
                    select(func.count()).where(
                        CaseRow.status.in_(("open", "needs_triage", "paused"))
                    ),
                    select(func.count()).where(CaseRow.responded_at >= window),
                    select(func.count()).where(
                        CaseRow.received_at >= window, CaseRow.received_at < week
                    ),
                    select(func.count())
                    .select_from(EventRow)
                    .where(
                        EventRow.action == "reopened", EventRow.at >= window, EventRow.at < week
                    ),
                ]
                return sum(int(session.scalar(c) or 0) for c in counts)

        rows, baseline = timed(count)
        selected, same_s = timed(same_rows)
        whole, whole_s = timed(lambda: digest_for(council))
        _, team_s = timed(lambda: digest_for(team))
        _, render_s = timed(lambda: render_digest(app, whole), repeat=3)
        summary = whole["summary"]
        print(f"rows counted: {rows:,}; open {summary['open']:,}, overdue {summary['overdue']:,}")
        print(f"plain SQL count(*)               {baseline * 1000:8.2f} ms")
        print(f"plain SQL counts, same WHEREs    {same_s * 1000:8.2f} ms   ({selected:,} rows)")
        print(
            f"digest numbers, whole council    {whole_s * 1000:8.2f} ms"
            f"   ratio {whole_s / baseline:6.1f}x count(*),"
            f" {whole_s / same_s:5.1f}x same-row counts"
        )
        print(
            f"digest numbers, one manager      {team_s * 1000:8.2f} ms"
            f"   ratio {team_s / baseline:6.1f}x count(*)"
        )
        print(f"render + chart (for scale)       {render_s * 1000:8.2f} ms")
        app.close()


if __name__ == "__main__":
    main()
