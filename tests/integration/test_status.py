"""`mailbot status` tells an administrator what needs a person: a mailbox outage, mail
that failed or may not have gone, and quarantined messages (with their reasons)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import JO, AppFactory, run
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.health import STATE_KEY, MailboxHealth
from mailbot.scheduler import daemon_jobs
from mailbot.store.tables import OutboxRow, StateRow
from mailbot.workdays import LONDON


def _status(app) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["status", "--config", str(app.settings.config_path)])
    return result.exit_code, result.output


def test_status_is_quiet_when_all_is_well(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Dog fouling on the green\r\nMessage-ID: <ok@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nPlease send a warden.\r\n").encode()
    )
    run(app)
    code, output = _status(app)
    assert code == 0, output
    assert "mailbox: OK" in output
    assert "1 processed" in output and "1 open" in output


def test_status_lists_what_needs_a_person_and_exits_1(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(b"\r\n\r\n")  # nothing a parser can use: quarantined, kept
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Blocked drain\r\nMessage-ID: <drain@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe drain floods the road.\r\n").encode()
    )
    run(app)
    with app.store.transaction() as session:
        for row in session.query(OutboxRow).all():
            row.status, row.last_error = "uncertain", "the line dropped after DATA"
        session.add(StateRow(key=STATE_KEY, value=json.dumps(
            {"started": "2026-07-01T12:00:00+00:00", "problem": "wrong password"})))
    code, output = _status(app)
    assert code == 1
    assert "mailbox: DOWN since 2026-07-01 13:00: wrong password" in output  # UK summer time
    assert "empty message" in output  # the quarantine reason
    assert f"ack to {JO[1]}: the line dropped after DATA" in output


def test_cases_lists_a_subject_with_square_brackets_as_written(app_factory: AppFactory) -> None:
    """Members' subjects are data: "[/]" or "[red]" must not be taken as rich markup."""
    app, server = app_factory()
    subject = "Bins [/] and [red]fire[/red]"
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         f"Subject: {subject}\r\nMessage-ID: <brackets@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe bins were not emptied.\r\n").encode()
    )
    run(app)
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        cli, ["cases", "--config", str(app.settings.config_path)]
    )
    assert result.exit_code == 0, result.output
    assert subject in result.output


@pytest.mark.own_database  # about the SQLite file itself
def test_status_and_cases_answer_while_another_process_holds_the_write_lock(
    app_factory: AppFactory,
) -> None:
    """Something holds SQLite's write lock (a stuck `mailbot` command, a backup tool, a
    person in the sqlite3 shell). The reports only read: they must answer soon, not
    wait 30 s and fail with 'database is locked' when the administrator needs them most.
    Status waits a few seconds for the lock, then says who may hold it and exits 1: the
    daemon cannot record anything meanwhile (test_database_faults.py)."""
    app, server = app_factory()
    if app.store.engine.dialect.name != "sqlite":
        pytest.skip("the write lock in question is SQLite's")
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Fly-tipping in Mill Lane\r\nMessage-ID: <locked@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nPlease clear it.\r\n").encode()
    )
    run(app)
    writer = sqlite3.connect(str(app.store.engine.url.database), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        code, output = _status(app)
        cases = CliRunner().invoke(
            cli, ["cases", "--json", "--config", str(app.settings.config_path)]
        )
        took = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert code == 1, output
    assert "1 open" in output and "database: NOT WRITABLE (database is locked)" in output
    assert cases.exit_code == 0 and "Fly-tipping" in cases.output
    assert took < 10, f"the reports waited {took:.0f} s for the lock"


@pytest.mark.own_database  # about the SQLite file itself
def test_a_database_error_is_one_line_without_the_sql_or_its_data(
    app_factory: AppFactory,
) -> None:
    """A damaged database (here: a table gone) fails the command with the driver's one
    line, not SQLAlchemy's SQL text, its parameters (a member's subject) and a link."""
    app, server = app_factory()
    if app.store.engine.dialect.name != "sqlite":
        pytest.skip("damages a SQLite file")
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Fly-tipping in Mill Lane\r\nMessage-ID: <damaged@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nPlease clear it.\r\n").encode()
    )
    run(app)
    with sqlite3.connect(str(app.store.engine.url.database)) as damage:
        damage.execute("DROP TABLE state")
    result = subprocess.run(
        [sys.executable, "-m", "mailbot", "status", "--config", str(app.settings.config_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "mailbot: error: database: no such table: state"
    assert "SQL" not in result.stderr and "Fly-tipping" not in result.stderr


def test_status_says_when_the_daemon_has_stopped_polling_and_exits_1(
    app_factory: AppFactory,
) -> None:
    """`mailbot run` died (or was stopped and not started again) hours ago: no mail has
    been read since, and status, the monitoring check, must not say all is well."""
    app, _server = app_factory()
    code, output = _status(app)
    assert code == 0 and "daemon:" not in output  # never ran here: nothing to say

    hours_ago = datetime.now(UTC) - timedelta(hours=5)
    daemon_jobs(app, MailboxHealth(app), lambda: hours_ago)["poll"]()
    code, output = _status(app)
    assert code == 1, output
    first = output.splitlines()[0]
    assert first.startswith("daemon: NOT POLLING: the last poll began ")
    assert "is `mailbot run` running?" in first

    daemon_jobs(app, MailboxHealth(app), lambda: datetime.now(UTC))["poll"]()
    code, output = _status(app)
    assert code == 0, output
    assert output.splitlines()[0].startswith("daemon: polling (last poll ")


@pytest.mark.own_database  # about the SQLite file itself
def test_status_says_when_it_found_no_database_and_made_an_empty_one(tmp_path: Path) -> None:
    """A config moved to another folder (or a mistyped data_dir) points status at a place
    with no database: it must not report an empty council as all well."""
    (tmp_path / "members.csv").write_text(f"name,email\n{JO[0]},{JO[1]}\n")
    config = tmp_path / "mailbot.toml"
    config.write_text('[council]\nname = "Wiltshire Council"\ndata_dir = "vra"\n'
                      '[mailbox]\naddress = "memberenquiries@wiltshire.gov.uk"\n'
                      '[directory]\nmembers = "members.csv"\n')
    first = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert first.exit_code == 1
    assert first.output.splitlines()[-1] == (
        f"database: there was none at {tmp_path.resolve() / 'vra' / 'mailbot.db'}; an empty one "
        "was made just now. If mailbot has run before, [council] data_dir or [database] url "
        f"in {config.resolve()} points at the wrong place")
    again = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert again.exit_code == 0 and "database:" not in again.output


def test_a_mailbox_never_polled_is_not_called_ok(tmp_path: Path) -> None:
    """Before the first poll status has not reached the mailbox at all: 'OK' would tell
    the administrator a login works that nobody has tried."""
    (tmp_path / "members.csv").write_text(f"name,email\n{JO[0]},{JO[1]}\n")
    config = tmp_path / "mailbot.toml"
    config.write_text('[council]\nname = "Wiltshire Council"\n'
                      '[mailbox]\naddress = "memberenquiries@wiltshire.gov.uk"\n'
                      '[directory]\nmembers = "members.csv"\n')
    shown = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert shown.output.splitlines()[0] == (
        "mailbox: not polled yet (`mailbot check-config --connect` tries the login)")


def _drain_enquiry() -> bytes:
    return (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
            "Subject: Blocked drain\r\nMessage-ID: <drain-unsent@wiltshire.gov.uk>\r\n"
            "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe drain floods the road.\r\n"
            ).encode()


@pytest.mark.parametrize(("queued_ago", "code"), [(timedelta(hours=3), 1),
                                                 (timedelta(minutes=5), 0)])
def test_mail_the_server_keeps_refusing_is_shown_with_its_error(
    app_factory: AppFactory, queued_ago: timedelta, code: int
) -> None:
    """The SMTP server unreachable for hours: every acknowledgement waits, retried for
    five days before it is 'failed'. Status said only 'outbox: 1 pending' and
    exit 0, so nobody looked while no member was answered."""
    app, server = app_factory()
    server.deliver(_drain_enquiry())
    run(app)
    queued = datetime.now(UTC) - queued_ago
    with app.store.transaction() as session:
        for row in session.query(OutboxRow).all():
            row.status, row.attempts, row.created_at = "pending", 2, queued
            row.last_error = "cannot reach SMTP server smtp.wiltshire.gov.uk:587: timed out"
    shown, output = _status(app)
    assert shown == code, output
    assert (f"outbox: 1 mail(s) not sent yet, the oldest queued "
            f"{queued.astimezone(LONDON):%Y-%m-%d %H:%M}: cannot reach SMTP server "
            "smtp.wiltshire.gov.uk:587: timed out; sending is tried again at every flush "
            "(`mailbot check-config --connect` tries the mail server)") in output.splitlines()


@pytest.mark.own_database
def test_a_data_dir_set_by_the_environment_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wrong data_dir came from MAILBOT_COUNCIL__DATA_DIR (a unit's Environment=):
    pointing at the config file would send the administrator to look for nothing there."""
    (tmp_path / "members.csv").write_text(f"name,email\n{JO[0]},{JO[1]}\n")
    config = tmp_path / "mailbot.toml"
    config.write_text('[council]\nname = "Wiltshire Council"\n'
                      '[mailbox]\naddress = "memberenquiries@wiltshire.gov.uk"\n'
                      '[directory]\nmembers = "members.csv"\n')
    monkeypatch.delenv("MAILBOT_DATABASE__URL", raising=False)
    monkeypatch.setenv("MAILBOT_COUNCIL__DATA_DIR", "var2")
    shown = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert shown.exit_code == 1
    assert shown.output.splitlines()[-1].endswith(
        "If mailbot has run before, [council] data_dir (set by the environment variable "
        "MAILBOT_COUNCIL__DATA_DIR, not the file) or [database] url in "
        f"{config.resolve()} points at the wrong place")
