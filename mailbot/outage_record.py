"""The record of something that has been failing: since when, why, how many tries, and no
try before when. It is kept in the state table, so a restarted daemon carries on with the
same outage (and its one alert) and `mailbot status` can show it. The mailbox outage
(mailbot/health.py) and the sending hold (mailbot/sending_hold.py) each keep one under a
key of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.store.state import read_value, write_value


@dataclass(frozen=True)
class OutageRecord:
    since: datetime
    problem: str
    tries: int
    retry_at: datetime  # no try before this


def read_record(session: Session, key: str) -> OutageRecord | None:
    return decode(read_value(session, key))


def write_record(session: Session, key: str, record: OutageRecord | None) -> None:
    """Keep `record` under `key`; None removes it (the outage is over)."""
    write_value(session, key, None if record is None else encode(record))


def encode(record: OutageRecord) -> str:
    return json.dumps({"since": record.since.isoformat(), "problem": record.problem,
                       "tries": record.tries, "retry_at": record.retry_at.isoformat()})


def decode(value: str | None) -> OutageRecord | None:
    """The record, or None if there is none or it cannot be read. A mailbox outage recorded
    by an earlier release has only "started" and "problem": it is tried again at once."""
    if not value:
        return None
    try:
        saved = json.loads(value)
        since = datetime.fromisoformat(saved["since"] if "since" in saved else saved["started"])
        retry_at = saved.get("retry_at")
        return OutageRecord(
            since,
            str(saved["problem"]),
            int(saved.get("tries", 0)),
            datetime.fromisoformat(retry_at) if retry_at else since,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
