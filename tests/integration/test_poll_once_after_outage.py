"""`mailbot status` said the mailbox was DOWN after the administrator had put the password
right and `mailbot poll --once` had read the mailbox: the outage the stopped daemon
recorded was ended only by the daemon's own next poll, so status went on saying
"mailbox: DOWN since ...: wrong password" (exit 1) and the admin kept looking for a
problem that was gone. Now a poll by `poll --once` that reads the mailbox ends it, as the
daemon's does: recorded on the timeline of events, and status says OK."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from mailbot.cli import app as command_line
from mailbot.health import STATE_KEY
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.tables import EventRow, StateRow

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def _council(tmp_path: Path) -> Path:
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    for folder in ("new", "cur", "tmp"):
        (tmp_path / "mailbox" / folder).mkdir(parents=True)
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ntelephone = "01225 713000"\n'
        'data_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@council.gov.uk"\n'
        '[mailbox.maildir]\npath = "mailbox"\noutbox = "outbox"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command_line, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def test_a_poll_once_that_reads_the_mailbox_ends_the_daemons_outage(tmp_path: Path) -> None:
    config = _council(tmp_path)
    assert _run("poll", "--once", "--config", str(config))[0] == 0
    store = Store(load_settings(config).database_url, migrate=False)
    try:
        with store.transaction() as session:  # as the daemon left it when it was stopped
            session.add(StateRow(key=STATE_KEY, value=json.dumps(
                {"started": "2026-11-27T09:00:00+00:00", "problem": "wrong password"})))
        code, said = _run("status", "--config", str(config))
        assert code == 1 and "mailbox: DOWN since 2026-11-27 09:00: wrong password" in said

        assert _run("poll", "--once", "--config", str(config))[0] == 0

        code, said = _run("status", "--config", str(config))
        assert "mailbox: OK" in said.splitlines(), said
        assert code == 0, said
        with store.transaction() as session:
            assert session.get(StateRow, STATE_KEY) is None
            recovered = [e.detail for e in session.scalars(
                select(EventRow).where(EventRow.action == "recovered"))]
        assert len(recovered) == 1 and "(wrong password)" in recovered[0], recovered
    finally:
        store.close()
