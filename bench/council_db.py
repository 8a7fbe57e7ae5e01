"""A council's mailbot database, written straight into SQLite for the benchmarks: the app
(config, officers, members) and the case rows, with plain INSERTs in batches.

Used by bench_digest.py (cases and their events) and bench_large_database.py (the same,
plus the mail, the outbox and the audit trail of three busy years).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.classify import Classifier
from mailbot.model import Classification, Kind, ParsedMessage, Priority
from mailbot.settings import load_settings

SERVICES = [f"Service {i}" for i in range(10)]
MEMBERS = 60
SHARED_MAILBOX = "memberenquiries@council.gov.uk"


class NoClassifier:
    """Every message is an enquiry: the benchmarks time the database, not the model."""

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


def member_email(number: int) -> str:
    return f"member{number}@council.gov.uk"


def make_app(home: Path, server: MemoryServer | None = None) -> App:
    """60 officers in 10 services under 10 managers, 60 members, on a memory mailbox."""
    officers = ["name,email,service,manager_email,deputy_email"]
    for s, service in enumerate(SERVICES):
        manager = f"manager{s}@council.gov.uk"
        officers.append(f"Manager {s},{manager},{service},,")
        officers += [
            f"Officer {s}-{o},officer{s}-{o}@council.gov.uk,{service},{manager}," for o in range(5)
        ]
    (home / "officers.csv").write_text("\n".join(officers) + "\n", encoding="utf-8")
    members = ["name,email,ward,language"]
    members += [f"Cllr Member {m},{member_email(m)},Ward {m}," for m in range(MEMBERS)]
    (home / "members.csv").write_text("\n".join(members) + "\n", encoding="utf-8")
    (home / "mailbot.toml").write_text(
        '[council]\nname = "Bench Council"\npolicy = "wiltshire"\n'
        f'[mailbox]\naddress = "{SHARED_MAILBOX}"\n'
        '[directory]\nofficers = "officers.csv"\nmembers = "members.csv"\n'
        "[classifier]\ntrain_if_missing = false\n"
        '[digest]\nrecipients = ["chief@council.gov.uk"]\n',
        encoding="utf-8",
    )
    classifier: Classifier = NoClassifier()  # type: ignore[assignment]
    return build_app(
        load_settings(home / "mailbot.toml"), backend=MemoryMailbox(server), classifier=classifier
    )


def case_rows(
    app: App, count: int, rng: random.Random, now: datetime, span_days: int
) -> Iterator[dict[str, Any]]:
    """`count` cases received over `span_days` before `now`: most answered (some late), a
    few hundred open (some overdue), 5% confidential."""
    emails = sorted(app.directory.officers)
    kinds = [k.value for k in Kind]
    start = now - timedelta(days=span_days)
    for n in range(1, count + 1):
        received = start + timedelta(seconds=rng.randrange(span_days * 86400))
        age = (now - received).days
        answered = age > 40 or rng.random() < 0.6
        responded = (
            received + timedelta(days=rng.uniform(1, 20), hours=rng.uniform(0, 8))
            if answered
            else None
        )
        if responded is not None and responded >= now:
            responded = None
        yield {
            "id": n,
            "ref": f"MB-{received.year}-{n:06d}",
            "kind": rng.choice(kinds),
            "priority": "normal",
            "confidential": rng.random() < 0.05,
            "confidence": 0.9,
            "status": "responded" if responded else "open",
            "member_email": member_email(rng.randrange(MEMBERS)),
            "member_name": "Cllr Bench",
            "known_member": True,
            "officer_email": rng.choice(emails),
            "subject": f"Subject of case {n}",
            "policy": "wiltshire",
            "received_at": received,
            "ack_due": (received + timedelta(days=2)).date(),
            "response_due": (received + timedelta(days=14)).date(),
            "acknowledged_at": received + timedelta(minutes=5),
            "responded_at": responded,
            "root_message_id": f"<{n}@bench>",
            "created_at": received,
            "updated_at": responded or received,
        }


def write_rows(app: App, table: Any, rows: list[dict[str, Any]], batch: int = 5000) -> None:
    with app.store.transaction() as session:
        for i in range(0, len(rows), batch):
            session.execute(insert(table), rows[i : i + batch])


def analyze(app: App) -> None:
    with app.store.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
