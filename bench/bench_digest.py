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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from council_db import analyze, case_rows, make_app, timed, write_rows
from sqlalchemy import func, select

from mailbot.app import App
from mailbot.digest import Scope, build_digest, digest_targets, render_digest
from mailbot.store.tables import CaseRow, EventRow

NOW = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # a Monday, 08:00
SPAN_DAYS = 730


def fill(app: App, count: int, seed: int) -> None:
    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for case in case_rows(app, count, rng, NOW, SPAN_DAYS):
        cases.append(case)
        n, received, responded = case["id"], case["received_at"], case["responded_at"]
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
    write_rows(app, CaseRow, cases)
    write_rows(app, EventRow, events)
    analyze(app)


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
