"""`mailbot db copy`: a council that started on SQLite moves to PostgreSQL and keeps its
cases, their history, the record of handled mail (no message is answered twice) and the
case numbering (no second MB-2026-00001), as docs/deployment.md says."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fixtures.postgres import fresh_database
from helpers import JO, NOW, make_app, run
from sqlalchemy import create_engine, select, update
from typer.testing import CliRunner

from mailbot.app import App
from mailbot.cli import app as cli
from mailbot.model import MessageStatus
from mailbot.store.db import alembic_config
from mailbot.store.tables import Base, CaseRow

pytestmark = pytest.mark.own_database  # each test chooses its own databases


def enquiry(label: str) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: Fly-tipping behind the library ({label})\r\n"
        f"Message-ID: <copy-{label}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
        "Bags of rubbish have been dumped behind the library; please clear them.\r\n"
    ).encode()


def every_row(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [dict(r._mapping) for r in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def copy(config: Path, source: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["db", "copy", "--config", str(config), "--from", source])
    return result.exit_code, result.output


def sqlite_with_three_cases(folder: Path) -> tuple[App, Any]:
    app, server = make_app(folder)
    for label in ("one", "two", "three"):
        server.deliver(enquiry(label))
    run(app)
    with app.store.transaction() as session:  # a case pointing at a later one (a merge)
        session.execute(update(CaseRow).where(CaseRow.id == 1).values(parent_id=3))
    return app, server


def test_sqlite_is_copied_to_postgresql_and_carries_on_there(
    tmp_path: Path, postgres_url: str
) -> None:
    old, server = sqlite_with_three_cases(tmp_path / "old")
    old_url = old.settings.database_url
    old.close()
    with fresh_database(postgres_url, "db-copy") as new_url:
        new, _ = make_app(tmp_path / "new", server=server, database_url=new_url)
        new.close()  # the new database exists, migrated and empty, as after a first check

        code, output = copy(tmp_path / "new" / "mailbot.toml", old_url.split("///", 1)[1])
        assert code == 0, output
        assert "copied 3 cases, 3 messages, 3 outbox" in output
        assert "mailbot@127.0.0.1" in output and "old/var/mailbot.db" in output
        assert every_row(new_url) == every_row(old_url)

        # The daemon on PostgreSQL: mail already handled is known, numbering goes on.
        server.deliver(enquiry("one"))
        server.deliver(enquiry("four"))
        new, _ = make_app(tmp_path / "new", server=server, database_url=new_url)
        try:
            report, flushed = run(new, NOW)
            with new.store.transaction() as session:
                refs = session.scalars(select(CaseRow.ref).order_by(CaseRow.id)).all()
        finally:
            new.close()
    assert sorted(o.status for o in report.outcomes) == [MessageStatus.DUPLICATE,
                                                         MessageStatus.PROCESSED]
    assert refs == ["MB-2026-00001", "MB-2026-00002", "MB-2026-00003", "MB-2026-00004"]
    assert len(flushed.sent) == 1  # the new case's acknowledgement only


def test_a_database_that_holds_data_is_never_copied_into(tmp_path: Path) -> None:
    old, _ = sqlite_with_three_cases(tmp_path / "old")
    old_url = old.settings.database_url
    old.close()
    other, server = make_app(tmp_path / "other")
    server.deliver(enquiry("elsewhere"))
    run(other)
    other.close()
    before = every_row(other.settings.database_url)

    code, output = copy(tmp_path / "other" / "mailbot.toml", old_url)
    assert code == 2
    assert "already holds mailbot data (1 cases" in output
    assert "copy only into a new, empty database" in output
    assert every_row(other.settings.database_url) == before


def test_a_mistyped_source_or_the_same_database_is_refused_without_making_one(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path / "new")
    app.close()
    config = tmp_path / "new" / "mailbot.toml"

    code, output = copy(config, str(tmp_path / "old" / "mailbot.db"))
    assert code == 2
    assert f"--from: {tmp_path / 'old' / 'mailbot.db'} is not a file" in output
    assert not (tmp_path / "old").exists()

    code, output = copy(config, app.settings.database_url)
    assert code == 2
    assert "--from names the database" in output and "already uses" in output


def test_no_copy_while_the_old_daemon_still_runs(tmp_path: Path) -> None:
    old, _ = sqlite_with_three_cases(tmp_path / "old")
    new, _ = make_app(tmp_path / "new")
    new.close()
    try:
        with old.store.sole_poller() as sole:  # as `mailbot run` holds it
            assert sole
            code, output = copy(tmp_path / "new" / "mailbot.toml",
                                old.settings.database_url)
    finally:
        old.close()
    assert code == 1
    assert "a mailbot is still running on" in output and "stop it before copying" in output
    assert every_row(new.settings.database_url)["cases"] == []


def test_postgresql_named_before_the_copy_is_refused_until_copied(
    tmp_path: Path, postgres_url: str
) -> None:
    """[database] url set to the new, empty PostgreSQL database and the daemon started
    without `mailbot db copy` (or `mailbot adopt` run there, as check-config --connect's
    advice for a mailbox never polled said): the references would start again at
    MB-2026-00001 beside the ones members already have. Refused, saying to copy."""
    old, server = sqlite_with_three_cases(tmp_path / "council")
    sqlite_file = Path(old.settings.database_url.split("///", 1)[1])
    old.close()
    config = tmp_path / "council" / "mailbot.toml"
    with fresh_database(postgres_url, "db-not-copied") as new_url:
        make_app(tmp_path / "council", server=server, database_url=new_url)[0].close()
        for command in (["poll", "--once"], ["adopt"]):  # and `run`, as open_app is theirs
            result = CliRunner().invoke(cli, [*command, "--config", str(config)])
            assert result.exit_code == 2, (command, result.output)
            assert result.output.splitlines()[-1] == (
                f"mailbot: error: {config}: database.url: the new database has nothing of "
                f"this mailbox yet, but {sqlite_file} holds its cases and handled mail: copy "
                f"them first with `mailbot db copy --from {sqlite_file}` (docs/deployment.md, "
                f"\"Moving from SQLite to PostgreSQL\"), or move {sqlite_file} away to start "
                "afresh")
        checked = CliRunner().invoke(cli, ["check-config", "--connect", "--config", str(config)])
        assert "mailbot db copy --from" in checked.output
        assert "mailbot adopt" not in checked.output
        assert every_row(new_url)["cases"] == []

        code, output = copy(config, str(sqlite_file))
        assert code == 0, output
        polled = CliRunner().invoke(cli, ["poll", "--once", "--config", str(config)])
        assert polled.exit_code == 0, polled.output


def test_a_relative_from_beside_the_config_names_the_file_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mailbot db copy --from var/mailbot.db`, as the example config's comment writes it,
    run from another folder than the config's: the file meant is named."""
    old, _ = sqlite_with_three_cases(tmp_path / "council")
    old.close()
    config = tmp_path / "council" / "mailbot.toml"
    config.write_text(config.read_text() + f'[database]\nurl = "sqlite:///{tmp_path}/new.db"\n')
    monkeypatch.chdir(tmp_path)
    code, output = copy(config, "var/mailbot.db")
    assert code == 2
    assert output.splitlines()[-1] == (
        f"mailbot: error: --from: {tmp_path}/var/mailbot.db is not a file; did you mean "
        f"{tmp_path}/council/var/mailbot.db (the data folder's)? A path is taken from the "
        "current folder, not the config's")


def test_a_copy_from_an_older_release_leaves_the_source_file_as_it_was(tmp_path: Path) -> None:
    """The way back after an upgrade is the backup taken before it, restored with the
    older release (docs/deployment.md, "Upgrading"). Copying that backup (or the old
    mailbot.db) into a new database must not upgrade the file itself: the older release
    would then refuse it, a newer mailbot having upgraded it."""
    old, _ = sqlite_with_three_cases(tmp_path / "old")
    old_url = old.settings.database_url
    old.close()
    engine = create_engine(old_url)
    try:
        command.downgrade(alembic_config(engine), "0007")  # as yesterday's release left it
    finally:
        engine.dispose()
    source = Path(old_url.split("///", 1)[1])
    before = source.read_bytes()
    new, _ = make_app(tmp_path / "new")
    new.close()

    code, output = copy(tmp_path / "new" / "mailbot.toml", str(source))
    assert code == 0, output
    assert "copied 3 cases, 3 messages, 3 outbox" in output
    assert source.read_bytes() == before
    with closing(sqlite3.connect(source)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0007",)]
    cases = every_row(new.settings.database_url)["cases"]
    assert [(c["ref"], c["subject_access"]) for c in cases] == [
        ("MB-2026-00001", False), ("MB-2026-00002", False), ("MB-2026-00003", False)]
