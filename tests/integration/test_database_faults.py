"""The SQLite database failing under a running daemon: a file it can only read, the write
lock held by another program, a full disk. The daemon waits and carries on when the fault
clears, losing and doubling nothing, and `mailbot status` says what is wrong (the daemon
cannot: it keeps its state in that database)."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import JO, make_app
from helpers import rows as _rows
from sqlalchemy import create_engine, event, func, select, text
from typer.testing import CliRunner

from mailbot import status as status_module
from mailbot.app import App
from mailbot.cli import app as cli
from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs
from mailbot.store import db as db_module
from mailbot.store.tables import MessageRow, OutboxRow

pytestmark = pytest.mark.own_database  # about the SQLite file itself


def _enquiry(n: int) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: Streetlight out in Hill Road ({n})\r\n"
        f"Message-ID: <db-fault-{n}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe streetlight is out.\r\n"
    ).encode()


@pytest.fixture
def council(tmp_path: Path) -> Iterator[tuple[App, Any]]:
    app, server = make_app(tmp_path / "council", database_url=f"sqlite:///{tmp_path / 'm.db'}")
    try:
        yield app, server
    finally:
        app.close()


class OpenedReadOnly:
    """As SQLite does with a file it may not write (a restore left it root's): a connection
    opened meanwhile refuses every write ("attempt to write a readonly database") for as
    long as it stays open, even after the file is made writable again."""

    def __init__(self, app: App) -> None:
        self.now = False
        event.listen(app.store.engine, "connect", self._opened)

    def _opened(self, dbapi_connection: Any, _record: Any) -> None:
        if self.now:
            dbapi_connection.execute("PRAGMA query_only=ON")


def test_a_database_that_could_only_be_read_is_used_again_once_writable(
    council: tuple[App, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Started on a file it may not write, the daemon logs one ERROR (not one ERROR and a
    "works again" per job), and once the administrator fixes the owner it records the mail
    at the next poll, without a restart. It used to keep its read-only connections and
    fail until restarted."""
    app, server = council
    read_only = OpenedReadOnly(app)
    app.store.engine.dispose()
    read_only.now = True
    server.deliver(_enquiry(1))
    server.deliver(_enquiry(2))
    jobs = daemon_jobs(app, MailboxHealth(app))
    with caplog.at_level(logging.INFO, logger="mailbot.scheduler"):
        for _ in range(3):
            jobs["poll"]()
            jobs["flush"]()
        assert len(server.inbox) == 2  # nothing recorded, nothing moved
        read_only.now = False  # chown mailbot: mailbot.db
        jobs["poll"]()
        jobs["flush"]()
    said = [r.getMessage() for r in caplog.records if "database" in r.getMessage()]
    assert len(said) == 2, said
    assert said[0].startswith("database unavailable (poll: attempt to write a readonly database)")
    assert said[1].startswith("database works again")
    assert not server.inbox
    with app.store.reading() as session:
        assert session.scalar(select(func.count(MessageRow.id))) == 2
        assert session.scalar(select(func.count(OutboxRow.id))) == 2


def _status(app: App) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["status", "--config", str(app.settings.config_path)])
    return result.exit_code, result.output


def test_status_says_the_write_lock_is_held_by_another_program(
    council: tuple[App, Any],
) -> None:
    """An administrator's sqlite3 shell left inside BEGIN IMMEDIATE: the daemon records
    nothing while its last poll still looks recent. Status says so, and exits 1."""
    app, _ = council
    assert _status(app)[0] == 0
    path = str(app.store.engine.url.database)
    shell = sqlite3.connect(path, isolation_level=None)
    try:
        shell.execute("BEGIN IMMEDIATE")
        code, output = _status(app)
    finally:
        shell.execute("ROLLBACK")
        shell.close()
    assert code == 1, output
    (line,) = [line for line in output.splitlines() if line.startswith("database:")]
    assert line.startswith("database: NOT WRITABLE (database is locked): another program "
                           f"has held the write lock on {path} for over 5 s")
    assert f"fuser {path}" in line and "the mail waits in the Inbox" in line
    assert _status(app)[0] == 0  # let go: all well again


def _status_of_read_only_file(app: App) -> status_module.Status:
    """What `mailbot status` finds when every connection it opens may only read: SQLite's
    own refusal ("attempt to write a readonly database"), as for a file it may not write."""
    read_only = OpenedReadOnly(app)
    app.store.engine.dispose()
    read_only.now = True
    try:
        return status_module.gather_status(app, datetime.now(UTC))
    finally:
        read_only.now = False
        app.store.engine.dispose()


def test_status_says_a_read_only_database_is_not_writable(council: tuple[App, Any]) -> None:
    app, _ = council
    found = _status_of_read_only_file(app)
    assert not found.healthy
    path = app.store.engine.url.database
    line = status_module.format_status(found).splitlines()[0]
    assert line.startswith("database: NOT WRITABLE (attempt to write a readonly database): "
                           f"{path}, its -wal and -shm files")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_status_run_as_another_user_than_the_owner_does_not_call_the_database_broken(
    council: tuple[App, Any],
) -> None:
    """An administrator runs `mailbot status` as themselves, not as the user the daemon
    runs as and who owns the file: SQLite refuses them writes the daemon may make. The line
    says it could not check and as whom to run it, and the exit code stays 0 (a daemon
    that truly cannot write stops recording its polls and is reported silent)."""
    app, _ = council
    path = Path(str(app.store.engine.url.database))
    os.chown(path, 54321, 54321)  # a service account with no entry in this machine's passwd
    try:
        found = _status_of_read_only_file(app)
    finally:
        os.chown(path, 0, 0)
    assert found.healthy, status_module.format_status(found)
    line = status_module.format_status(found).splitlines()[0]
    assert line == (f"database: not checked: {path} belongs to user #54321, and this command "
                    "runs as another, who may not write it; run it as the daemon's user "
                    "(sudo -u '#54321' mailbot status ...) to see what the daemon sees")


def test_status_says_the_disk_is_full(
    council: tuple[App, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's "database or disk is full" stops the daemon recording; status names the
    disk (here: the threshold raised above what any test disk has free)."""
    app, _ = council
    monkeypatch.setattr(status_module, "LOW_DISK_BYTES", 1 << 62)
    code, output = _status(app)
    assert code == 1, output
    path = app.store.engine.url.database
    assert f"database: the disk holding {path} is full or nearly (" in output
    assert "free some space" in output


def test_a_database_that_cannot_be_opened_on_a_full_disk_says_the_disk_is_full(
    council: tuple[App, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite opening its file on a full disk says only "disk I/O error", which reads as a
    failing disk: the line says how little space there is (here: the threshold raised
    above what any test disk has free, the file damaged so that opening it fails)."""
    app, _ = council
    app.close()
    path = Path(str(app.store.engine.url.database))
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(b"\0" * 4096)
    monkeypatch.setattr(db_module, "LOW_DISK_BYTES", 1 << 62)
    code, output = _status(app)
    assert code == 1, output
    (line,) = output.splitlines()
    assert line.startswith(f"mailbot: error: database sqlite:///{path}: ")
    assert line.endswith(" KB free") and f"; the disk holding {path} has only " in line


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_a_postgresql_that_takes_no_writes_is_an_outage_not_a_failing_job(
    empty_database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A standby still read-only after a failover, or default_transaction_read_only set for
    maintenance: "cannot execute UPDATE in a read-only transaction" (an InternalError to the
    driver) used to log a traceback per job per minute as a failing job. It is the
    database's outage: one ERROR, the mail waits in the Inbox, no quarantine, and it is
    handled once writes are taken again."""
    app, server = make_app(tmp_path / "council", database_url=empty_database_url)
    name = app.store.engine.url.database
    admin = create_engine(empty_database_url, isolation_level="AUTOCOMMIT",
                          connect_args={"options": "-c default_transaction_read_only=off"})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only '
                                    "= on"))
        app.store.engine.dispose()  # new sessions read the database's setting
        server.deliver(_enquiry(1))
        jobs = daemon_jobs(app, MailboxHealth(app))
        with caplog.at_level(logging.INFO):
            for _ in range(3):
                jobs["poll"]()
                jobs["flush"]()
            assert len(server.inbox) == 1
            code, output = _status(app)
            assert code == 1, output
            assert ("database: NOT WRITABLE (it takes no writes: transaction_read_only is "
                    "on): a standby not yet promoted") in output
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" SET '
                                        "default_transaction_read_only = off"))
            app.store.engine.dispose()
            jobs["poll"]()
            jobs["flush"]()
        recorded = [m.status for m in _rows(app, MessageRow)]
    finally:
        admin.dispose()
        app.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, errors
    assert errors[0].startswith("database unavailable (poll: cannot execute ")
    assert "in a read-only transaction)" in errors[0]
    assert not any(r.exc_info for r in caplog.records)
    assert not server.inbox
    assert recorded == ["processed"]
    assert len(server.outgoing) == 1
