"""A daemon job that fails run after run with an error of its own: noted for `mailbot status`.

The mailbox being down (health.py) and the database being away (scheduler.DatabaseWatch)
have their own records. What is left is a fault in mailbot or in data it cannot handle:
the daemon logs the traceback and runs the job again on schedule, and without this the
status would go on saying "polling" while no mail was handled. The record (since when,
how many runs, the last error's first line) is kept in `state` until the job next works.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.jobs import one_line
from mailbot.store import Store
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import StateRow

log = logging.getLogger(__name__)

KEY_PREFIX = "daemon.failing."


@dataclass(frozen=True)
class Failing:
    job: str
    since: datetime
    runs: int
    error: str


class JobFailures:
    """Kept by the daemon: `failed` after a run that raised, `worked` after one that did
    not. A job known to be working costs nothing per run; the first run after a start
    clears whatever an earlier process left."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.failing: set[str] = set()
        self.checked: set[str] = set()  # jobs whose stored record this process has seen

    def failed(self, job: str, error: BaseException, now: datetime) -> None:
        key = KEY_PREFIX + job
        try:
            with self.store.transaction() as session:
                earlier = _decode(job, read_value(session, key))
                since = earlier.since if earlier else now
                runs = earlier.runs + 1 if earlier else 1
                write_value(session, key, json.dumps(
                    {"since": since.isoformat(), "runs": runs, "error": one_line(error)[:300]}
                ))
        except Exception:  # noqa: BLE001 - the note must not hide the job's own error
            log.warning("could not note the failed %s run for mailbot status", job)
            return
        self.failing.add(job)
        self.checked.add(job)

    def worked(self, job: str) -> None:
        if job in self.checked and job not in self.failing:
            return
        try:
            with self.store.transaction() as session:
                write_value(session, KEY_PREFIX + job, None)
        except Exception:  # noqa: BLE001 - tried again after the next run that works
            log.debug("could not clear the failed-%s note; the next run tries again", job)
            return
        self.failing.discard(job)
        self.checked.add(job)


def failing_jobs(session: Session) -> list[Failing]:
    """Every job whose last runs failed, oldest failure first."""
    rows = session.scalars(select(StateRow).where(StateRow.key.startswith(KEY_PREFIX))).all()
    found = [_decode(row.key.removeprefix(KEY_PREFIX), row.value) for row in rows]
    return sorted((f for f in found if f is not None), key=lambda f: f.since)


def _decode(job: str, value: str | None) -> Failing | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
        return Failing(job, datetime.fromisoformat(data["since"]), int(data["runs"]),
                       str(data["error"]))
    except (ValueError, KeyError, TypeError):
        return None
