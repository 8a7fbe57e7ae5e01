"""`mailbot db backup` and `mailbot db restore` on SQLite, as docs/deployment.md says: a
backup taken while the daemon runs holds every committed case (a plain copy of
mailbot.db may not: the newest are in mailbot.db-wal), and a restore is not spoilt by
the -wal file a crash left beside the database it replaces."""

from __future__ import annotations

import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from helpers import JO, make_app, run
from typer.testing import CliRunner

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.cli import app as cli
from mailbot.store.db import newer_schema

pytestmark = pytest.mark.own_database  # about the SQLite file itself

NEWEST = newer_schema("0099")  # the newest schema revision this mailbot knows


def enquiry(n: int) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: Missed bin collection ({n})\r\nMessage-ID: <backup-{n}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nOur bins were missed again.\r\n"
    ).encode()


def cli_run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def case_refs(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [ref for (ref,) in connection.execute("SELECT ref FROM cases ORDER BY id")]


def council_with_cases(folder: Path, count: int) -> tuple[App, MemoryServer]:
    app, server = make_app(folder)
    for n in range(count):
        server.deliver(enquiry(n))
    run(app)
    return app, server


def test_a_backup_taken_while_the_daemon_runs_holds_every_case(tmp_path: Path) -> None:
    app, _ = council_with_cases(tmp_path / "council", 3)
    config = str(app.settings.config_path)
    database = Path(app.settings.database_url.split("///", 1)[1])
    try:  # the app is open, as the daemon's is: the newest commits are in the -wal file
        assert Path(f"{database}-wal").stat().st_size > 0
        with app.store.transaction():  # and it is writing at this moment
            code, output = cli_run("db", "backup", "--config", config,
                                   str(tmp_path / "nightly.db"))
    finally:
        app.close()
    assert code == 0, output
    assert "readable by its owner alone" in output
    backup = tmp_path / "nightly.db"
    assert case_refs(backup) == ["MB-2026-00001", "MB-2026-00002", "MB-2026-00003"]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # members' mail
    assert not Path(f"{backup}-wal").exists()  # one self-contained file


def test_a_restore_replaces_a_crashed_database_and_keeps_it_aside(tmp_path: Path) -> None:
    app, server = council_with_cases(tmp_path / "council", 2)
    config = str(app.settings.config_path)
    database = Path(app.settings.database_url.split("///", 1)[1])
    kept = tmp_path / "backups #1?"  # characters a SQLite URI would read as its own
    kept.mkdir()
    code, output = cli_run("db", "backup", "--config", config, str(kept / "b.db"))
    assert code == 0, output
    for n in (2, 3):
        server.deliver(enquiry(n))
    run(app)
    # A crash: the files as they are on disk mid-run, the newest commits only in -wal.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{database}{suffix}", crashed / f"mailbot.db{suffix}")
    app.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy(crashed / f"mailbot.db{suffix}", f"{database}{suffix}")
    assert Path(f"{database}-wal").stat().st_size > 0  # (reading it now would tidy it up)

    code, output = cli_run("db", "restore", "--config", config, str(kept / "b.db"))
    assert code == 0, output
    assert "mail handled since the backup was made is in the mailbox's processed folder" in output
    assert case_refs(database) == ["MB-2026-00001", "MB-2026-00002"]  # no stale -wal replayed
    (aside,) = database.parent.glob("mailbot.db.replaced-*[0-9]")
    assert f"kept as {aside}" in output
    assert len(case_refs(aside)) == 4  # the replaced database, with its -wal, kept whole
    status = CliRunner().invoke(cli, ["status", "--config", config])
    assert "2 open" in status.output, status.output


def test_restore_refuses_while_the_daemon_runs_and_a_file_that_is_not_a_backup(
    tmp_path: Path,
) -> None:
    app, _ = council_with_cases(tmp_path / "council", 1)
    config = str(app.settings.config_path)
    database = Path(app.settings.database_url.split("///", 1)[1])
    cli_run("db", "backup", "--config", config, str(tmp_path / "b.db"))
    try:
        with app.store.sole_poller():  # as `mailbot run` holds it
            code, output = cli_run("db", "restore", "--config", config, str(tmp_path / "b.db"))
    finally:
        app.close()
    assert code == 1
    assert "is already" in output and "stop it before restoring" in output

    code, output = cli_run("db", "restore", "--config", config, config)
    assert code == 2
    assert "is not a SQLite database" in output
    assert case_refs(database) == ["MB-2026-00001"]
    assert list(database.parent.glob("mailbot.db.replaced-*")) == []


def test_postgresql_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text('[database]\nurl = "postgresql+psycopg://mailbot@db.internal/mailbot"\n')
    code, output = cli_run("db", "backup", "--config", str(config), str(tmp_path / "b.db"))
    assert code == 2
    assert "is PostgreSQL: back it up with pg_dump" in output
    assert not (tmp_path / "b.db").exists()


def test_a_backup_never_overwrites_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """`mailbot db backup mailbot.toml` (a slip of the tab key) replaced the council's
    config with the database; only an earlier backup (the nightly rotation) is replaced."""
    app, _ = council_with_cases(tmp_path / "council", 1)
    app.close()
    config = app.settings.config_path
    assert config is not None
    before = config.read_bytes()
    code, output = cli_run("db", "backup", "--config", str(config), str(config))
    assert code == 2, output
    assert output.strip().splitlines() == [
        f"mailbot: error: {config} is already there and is not a backup of a mailbot "
        "database; give a new file name (it is not overwritten)"
    ]
    assert config.read_bytes() == before
    nightly = tmp_path / "mailbot-Tue.db"
    for _ in range(2):  # last week's backup of the same name is replaced
        code, output = cli_run("db", "backup", "--config", str(config), str(nightly))
        assert code == 0, output
    assert case_refs(nightly) == ["MB-2026-00001"]


def test_a_backup_from_a_newer_mailbot_is_refused_before_anything_is_moved(
    tmp_path: Path,
) -> None:
    """The package rolled back, then a backup the newer release took is restored: put in
    place it would replace a database this mailbot runs on with one it must refuse (and
    the restore used to do so, then fail saying only that the schema was unknown)."""
    app, _ = council_with_cases(tmp_path / "council", 2)
    config = str(app.settings.config_path)
    database = Path(app.settings.database_url.split("///", 1)[1])
    app.close()
    code, output = cli_run("db", "backup", "--config", config, str(tmp_path / "newer.db"))
    assert code == 0, output
    with closing(sqlite3.connect(tmp_path / "newer.db")) as newer, newer:
        newer.execute("UPDATE alembic_version SET version_num = '0099'")

    code, output = cli_run("db", "restore", "--config", config, str(tmp_path / "newer.db"))
    assert code == 2, output
    (line,) = output.splitlines()
    assert line == (f"mailbot: error: {tmp_path / 'newer.db'} was made by a newer mailbot (its "
                    f"schema is revision 0099; this mailbot's newest is {NEWEST}): restore it with "
                    "that version, or give a backup taken before the upgrade; nothing was "
                    "changed")
    assert list(database.parent.glob("mailbot.db.replaced-*")) == []
    assert case_refs(database) == ["MB-2026-00001", "MB-2026-00002"]
    code, output = cli_run("status", "--config", config)
    assert code == 0 and "2 open" in output, output


def test_a_backup_that_cannot_be_written_names_the_backup_not_the_database(
    tmp_path: Path,
) -> None:
    """The backup's disk full (here: a file size limit, as `ulimit -f`): the error used to
    read "database var/mailbot.db: database or disk is full", sending the administrator to
    the database's disk, which was fine. Nothing is left half written."""
    app, _ = council_with_cases(tmp_path / "council", 3)
    config = str(app.settings.config_path)
    database = Path(app.settings.database_url.split("///", 1)[1])
    app.close()
    target = tmp_path / "backups" / "nightly.db"
    target.parent.mkdir()

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "db", "backup", "--config", config, str(target)],
        preexec_fn=small_files, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"mailbot: error: backing up {database} to {target}: "), line
    assert list(target.parent.iterdir()) == []
    assert case_refs(database) == ["MB-2026-00001", "MB-2026-00002", "MB-2026-00003"]
