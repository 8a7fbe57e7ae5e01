"""What the poll-once-refused tests (Graph, EWS, IMAP) read of a `mailbot poll --once`
run: the run itself (never a traceback), its `mailbot: refused:` lines, and the status
of each outbox row in the order they were queued."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner, Result

from mailbot.cli import app
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.tables import OutboxRow


def poll_once(path: Path) -> Result:
    result = CliRunner().invoke(app, ["poll", "--once", "--config", str(path)])
    assert "Traceback" not in result.output, result.output
    return result


def refusals(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("mailbot: refused:")]


def outbox_rows(path: Path) -> list[tuple[str, str]]:
    """(purpose, status) of each outbox row, in the order they were queued."""
    store = Store(load_settings(path).database_url, migrate=False)
    try:
        with store.transaction() as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
            return [(row.purpose, row.status) for row in rows]
    finally:
        store.close()


def outbox(path: Path) -> list[str]:
    """The status of each outbox row, in the order they were queued."""
    return [status for _, status in outbox_rows(path)]
