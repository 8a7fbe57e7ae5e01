"""Structured logging: one line per event, no message bodies and no secrets at INFO."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from mailbot.settings import Settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each record, so a replaced or
    captured stderr (a test runner's, a daemon's redirection) never gets a closed stream."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


class _NotBusySkips(logging.Filter):
    """Drops APScheduler's warning that a job was skipped because its previous run is still
    going. With one worker that is the design (a long poll makes the next flush wait), and
    during a long poll or a database outage it was two WARNING lines every few seconds."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


def configure_logging(settings: Settings) -> None:
    handler: logging.Handler = StderrHandler()
    if settings.logging.json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.logging.level)
    for noisy in ("exchangelib", "httpx", "httpcore", "apscheduler", "imapclient", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _NotBusySkips) for f in scheduler_log.filters):
        scheduler_log.addFilter(_NotBusySkips())
