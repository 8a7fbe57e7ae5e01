"""The migrations and the tables in mailbot/store/tables.py describe the same schema, on
SQLite and on a real PostgreSQL, and every migration can be undone and redone."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import JO, make_app, run
from sqlalchemy import Engine, create_engine, inspect, select, text
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.model import MessageStatus
from mailbot.store.db import alembic_config, upgrade
from mailbot.store.tables import Base, CaseRow, ClockEventRow


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_tables_and_round_trips(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        upgrade(engine)
        assert differences(empty_database_url) == []
        config = alembic_config(engine)
        command.downgrade(config, "base")
        upgrade(engine)
        assert differences(empty_database_url) == []
    finally:
        engine.dispose()


def test_rows_written_at_the_first_revision_survive_the_upgrade_and_work_on(
    empty_database_url: str, tmp_path: Path
) -> None:
    """An installation made by the first release (schema 0001) with cases, mail and
    history in it is upgraded at the next start: every row is still there, unchanged,
    and the mail it had handled is still known."""
    engine = create_engine(empty_database_url)
    try:
        upgrade(engine)
        app, server = make_app(tmp_path / "council", database_url=empty_database_url)
        for n in range(3):
            server.deliver(_enquiry(n))
        run(app)
        app.close()
        before = _every_row(engine)
        command.downgrade(alembic_config(engine), "0001")  # as the first release left it
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == "0001"
            assert "purged_at" not in {c["name"] for c in inspect(connection).get_columns(
                "messages")}

        server.deliver(_enquiry(0))  # already handled under 0001
        server.deliver(_enquiry(3))
        app, _ = make_app(tmp_path / "council", database_url=empty_database_url, server=server)
        try:  # opening the app is the start that upgrades
            assert differences(empty_database_url) == []
            assert _every_row(engine) == before
            report, _ = run(app)
            with app.store.transaction() as session:
                refs = session.scalars(select(CaseRow.ref).order_by(CaseRow.id)).all()
        finally:
            app.close()
    finally:
        engine.dispose()
    assert sorted(o.status for o in report.outcomes) == [MessageStatus.DUPLICATE,
                                                         MessageStatus.PROCESSED]
    assert refs == [f"MB-2026-0000{n}" for n in range(1, 5)]


def _enquiry(n: int) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: Broken bench in the park ({n})\r\nMessage-ID: <upgrade-{n}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe bench by the pond is broken.\r\n"
    ).encode()


def _every_row(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("command", [["status"], ["run"], ["db", "upgrade"]], ids=" ".join)
def test_a_database_a_newer_mailbot_upgraded_is_refused_in_one_line(
    empty_database_url: str, tmp_path: Path, command: list[str]
) -> None:
    """Rolled back after an upgrade: this mailbot does not know the schema, and says what
    to do instead of Alembic's "Can't locate revision" (exit 2: systemd leaves it stopped)."""
    app, _ = make_app(tmp_path / "council", database_url=empty_database_url)
    app.close()
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        engine.dispose()
    result = CliRunner().invoke(
        cli, [*command, "--config", str(tmp_path / "council" / "mailbot.toml")])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("mailbot: error: database ")
    assert ("its schema is revision 0099, which this mailbot does not know (its newest is "
            "0009): a newer mailbot upgraded it. Install that version again, or restore the "
            "backup taken before the upgrade") in line


# A process's start opens the Store, which migrates (each with its own engine).
START_TOGETHER = """
import sys, time
from mailbot.store import Store
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
Store(sys.argv[2]).close()
"""


def test_processes_that_start_together_after_an_upgrade_migrate_once(
    empty_database_url: str, tmp_path: Path
) -> None:
    """The daemon and a `mailbot status` (or two daemons' starts) right after an upgrade:
    each migrates at its start; one applies the migrations, the others wait and find them
    done, instead of failing on "index ix_cases_responded already exists"."""
    app, _ = make_app(tmp_path / "council", database_url=empty_database_url)
    app.close()
    engine = create_engine(empty_database_url)
    try:
        command.downgrade(alembic_config(engine), "0001")
    finally:
        engine.dispose()
    at = time.time() + 2.5  # each process has imported mailbot by then
    starts = [subprocess.Popen(
        [sys.executable, "-c", START_TOGETHER, str(at), empty_database_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(start.wait(timeout=60), start.stderr.read()) for start in starts]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert differences(empty_database_url) == []


@pytest.mark.parametrize("revision", ["0001", "0002", "0003", "0004", "0005", "0007"])
def test_mailbot_db_upgrade_from_each_earlier_release_keeps_every_row(
    empty_database_url: str, tmp_path: Path, revision: str
) -> None:
    """The upgrade an administrator runs by hand (docs/deployment.md: `mailbot db upgrade`
    before switching over), from the schema of each earlier release: every row of every
    table (raw mail, cases, outbox, events, clock events) is there afterwards, unchanged."""
    app, server = make_app(tmp_path / "council", database_url=empty_database_url)
    for n in range(3):
        server.deliver(_enquiry(n))
    run(app)
    with app.store.transaction() as session:  # an officer paused a clock
        session.add(ClockEventRow(case_id=1, clock="response", action="pause",
                                  at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
                                  who="sam@wiltshire.gov.uk", why="waiting for the member"))
    app.close()
    engine = create_engine(empty_database_url)
    try:
        before = _every_row(engine)
        # read_failures (0005) has rows only while a message fails to be read; an upgrade
        # from before it has none to keep
        assert all(rows for name, rows in before.items() if name != "read_failures"), [
            name for name, rows in before.items() if not rows]
        command.downgrade(alembic_config(engine), revision)
        result = CliRunner().invoke(
            cli, ["db", "upgrade", "--config", str(tmp_path / "council" / "mailbot.toml")])
        assert result.exit_code == 0, result.output
        assert "is up to date" in result.output
        assert differences(empty_database_url) == []
        assert _every_row(engine) == before
    finally:
        engine.dispose()


def test_check_config_connect_says_the_database_is_from_a_newer_mailbot(
    empty_database_url: str, tmp_path: Path
) -> None:
    """A package rolled back after an upgrade: `check-config --connect`, which the upgrade
    steps run before the start, said OK, and the start then refused the schema. It says so
    now, as the start would (exit 2), and writes nothing."""
    app, _ = make_app(tmp_path / "council", database_url=empty_database_url)
    app.close()
    config = str(tmp_path / "council" / "mailbot.toml")
    fine = CliRunner().invoke(cli, ["check-config", "--connect", "--config", config])
    assert fine.exit_code == 0, fine.output
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        result = CliRunner().invoke(cli, ["check-config", "--connect", "--config", config])
        with engine.connect() as connection:
            after = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.output.splitlines() if "error" in line]
    assert line.startswith("mailbot: error: database ")
    assert "its schema is revision 0099, which this mailbot does not know" in line
    assert after == [("0099",)]
