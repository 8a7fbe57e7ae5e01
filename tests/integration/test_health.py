"""Mailbox outages in the daemon (mailbot/health.py): backoff, one ERROR line per problem,
one alert email per outage, events rows, recovery; and `mailbot run` against an IMAP
server that is not there."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import parse_sent, rows, shared_rules_classifier

from mailbot.app import App, build_app
from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.backends.retry import Backoff
from mailbot.health import MailboxHealth
from mailbot.model import FetchedMessage, OutgoingMail
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow, OutboxRow

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@example.gov.uk"
ADMIN = "it.support@example.gov.uk"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

MEMBER_MAIL = (
    b"From: Cllr Bea Cole <bea.cole@councillors.example.gov.uk>\r\n"
    b"To: memberenquiries@example.gov.uk\r\nSubject: Graffiti on the underpass\r\n"
    b"Message-ID: <health-1@councillors.example.gov.uk>\r\n\r\n"
    b"Please could the graffiti in the Station Road underpass be removed?\r\n"
)


def write_config(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "members.csv").write_text(
        "name,email\nCllr Bea Cole,bea.cole@councillors.example.gov.uk\n", encoding="utf-8"
    )
    config = folder / "mailbot.toml"
    config.write_text(
        f"""
[council]
name = "Test Council"
policy = "mwda"
[mailbox]
address = "{MAILBOX}"
{extra}
[directory]
members = "members.csv"
admins = ["{ADMIN}"]
[classifier]
train_if_missing = false
threshold = 0.5
""",
        encoding="utf-8",
    )
    return config


def make_app(folder: Path, backend: object, extra: str = "") -> App:
    settings = load_settings(write_config(folder, extra))
    return build_app(settings, backend=backend, classifier=shared_rules_classifier())  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class BrokenMailbox:
    """A memory mailbox that raises `error` from every call while it is set."""

    def __init__(self, server: MemoryServer, error: BackendError | None = None) -> None:
        self.inner = MemoryMailbox(server, backoff=Backoff(attempts=1))
        self.error = error
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.error is not None:
            raise self.error

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        self._check()
        return self.inner.fetch_new(cursor)

    def mark_processed(self, ref: str) -> None:
        self._check()
        self.inner.mark_processed(ref)

    def send(self, mail: OutgoingMail) -> None:
        self._check()
        self.inner.send(mail)

    def close(self) -> None:
        """Nothing to release."""


def run_minutes(jobs: dict[str, Callable[[], None]], clock: Clock, minutes: int) -> None:
    """The daemon's poll and flush once a minute, for `minutes` minutes from clock.now."""
    for _ in range(minutes):
        jobs["poll"]()
        jobs["flush"]()
        clock.now += timedelta(minutes=1)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def mailbox_events(app: App) -> list[str]:
    return [e.action for e in rows(app, EventRow, EventRow.actor == "mailbox")]


def alerts(app: App) -> list[OutboxRow]:
    return rows(app, OutboxRow, OutboxRow.purpose == "mailbox alert")


def test_an_outage_backs_off_reports_once_alerts_once_and_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = MemoryServer()
    server.deliver(MEMBER_MAIL)
    app = make_app(tmp_path, MemoryMailbox(server, backoff=Backoff(attempts=1)))
    clock = Clock()
    health = MailboxHealth(app)
    jobs = daemon_jobs(app, health, clock)
    caplog.set_level(logging.INFO)
    try:
        server.fail_next(10**6)
        tried: list[int] = []
        for minute in range(100):
            clock.now = START + timedelta(minutes=minute)
            before = server.failures_left
            jobs["poll"]()
            jobs["flush"]()
            if server.failures_left != before:
                tried.append(minute)
        # Tries at 0, 1, 3, 7, 15, 31, 61, 91: waits double from 1 minute up to 30.
        assert [b - a for a, b in zip(tried, tried[1:], strict=False)] == [1, 2, 4, 8, 16, 30, 30]
        assert health.down

        (line,) = errors(caplog)
        assert "memory server busy" in line and ADMIN in line and "queued" in line
        assert "goes out once the mailbox works again" in line  # it cannot send while down
        # Eight failed polls in 100 minutes: the one ERROR line, and no warning per poll
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == []
        assert mailbox_events(app) == ["outage"]
        (alert,) = alerts(app)
        assert (alert.recipients, alert.status, alert.attempts) == (ADMIN, "pending", 0)
        assert rows(app, CaseRow) == [] and server.outgoing == []  # nothing done, nothing lost

        server.fail_next(0)  # the server is back; nothing happens before the next try
        clock.now = START + timedelta(minutes=tried[-1] + 29)
        run_minutes(jobs, clock, 1)
        assert health.down and rows(app, CaseRow) == []
        run_minutes(jobs, clock, 2)  # the poll at the next try finds it working
        assert not health.down
        assert any(
            "works again" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO
        )
        assert mailbox_events(app) == ["outage", "recovered"]
        assert len(rows(app, CaseRow)) == 1
        to = sorted(recipients for recipients, _ in server.outgoing)
        assert to == [("bea.cole@councillors.example.gov.uk",), (ADMIN,)]  # ack and alert
        alert_mail = next(parse_sent(m) for r, m in server.outgoing if r == (ADMIN,))
        assert MAILBOX in alert_mail["Subject"]

        # A second outage starts over: a one-minute wait, its own line and its own alert.
        server.fail_next(10**6)
        first = clock.now
        jobs["poll"]()
        clock.now = first + timedelta(seconds=61)
        before = server.failures_left
        jobs["poll"]()
        assert server.failures_left == before - 1  # backoff reset: tried again after 1 min
        assert len(errors(caplog)) == 2
        assert len(alerts(app)) == 2
        assert mailbox_events(app) == ["outage", "recovered", "outage"]
    finally:
        app.close()


def test_wrong_password_is_reported_once_and_outbox_rows_are_kept_for_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = MemoryServer()
    server.deliver(MEMBER_MAIL)
    backend = BrokenMailbox(server, BackendError("wrong password for memberenquiries"))
    app = make_app(tmp_path, backend)
    clock = Clock()
    caplog.set_level(logging.INFO)
    try:
        health = MailboxHealth(app)
        assert health.run("poll", lambda: backend.fetch_new(None), START) is None  # not raised
        run_minutes(daemon_jobs(app, health, clock), clock, 3 * 60)  # three hours down
        (line,) = errors(caplog)
        assert "wrong password for memberenquiries" in line
        assert "cannot send while it is down" in line  # this backend has no other way out
        assert mailbox_events(app) == ["outage"]
        (alert,) = alerts(app)
        assert (alert.status, alert.attempts) == ("pending", 0)  # the flush never tried it

        # The daemon is restarted during the outage: the same outage, so no second alert;
        # the new process says once what is wrong.
        restarted = MailboxHealth(app)
        assert restarted.down
        run_minutes(daemon_jobs(app, restarted, clock), clock, 60)
        assert len(errors(caplog)) == 2 and "since" in errors(caplog)[1]
        assert len(alerts(app)) == 1
        assert mailbox_events(app) == ["outage"]

        # A different problem gets its own line and event, but no second alert.
        backend.error = TransientError("cannot reach the server: connection refused")
        clock.now += timedelta(minutes=31)
        run_minutes(daemon_jobs(app, restarted, clock), clock, 1)
        assert len(errors(caplog)) == 3 and "connection refused" in errors(caplog)[2]
        assert mailbox_events(app) == ["outage", "outage changed"]
        assert len(alerts(app)) == 1

        backend.error = None
        clock.now += timedelta(minutes=31)
        run_minutes(daemon_jobs(app, restarted, clock), clock, 1)
        assert mailbox_events(app) == ["outage", "outage changed", "recovered"]
        assert MailboxHealth(app).down is False  # the stored outage is cleared too
        assert [a.status for a in alerts(app)] == ["sent"]
    finally:
        app.close()


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_throttling_alerts_the_admins_only_if_it_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Graph answers 429 with Retry-After when an app uses up its requests; Microsoft
    expects that now and then. One such pause is a WARNING, not an alert email; throttling
    still failing THROTTLE_GRACE after it began is."""
    server = MemoryServer()
    server.deliver(MEMBER_MAIL)
    busy = TransientError("graph fetch: Graph answered 429 Too Many Requests", retry_after=300)
    backend = BrokenMailbox(server, busy)
    app = make_app(tmp_path, backend)
    clock = Clock()
    caplog.set_level(logging.INFO)
    try:
        health = MailboxHealth(app)
        jobs = daemon_jobs(app, health, clock)
        run_minutes(jobs, clock, 10)  # ten minutes of pauses asked for
        assert alerts(app) == [] and errors(caplog) == []
        (line,) = warnings(caplog)
        assert "asked for a pause" in line and "429" in line
        assert "trying again in 5 min" in line  # the pause asked for, not the 1 min backoff
        assert "alerted only if it still fails at 25 Nov 2026 09:30 (UK time)" in line
        backend.error = None
        run_minutes(jobs, clock, 10)
        assert not health.down and alerts(app) == []
        assert len(rows(app, CaseRow)) == 1
        assert mailbox_events(app) == ["outage", "recovered"]

        backend.error = busy  # a second spell that lasts: from 09:20, tried at 09:25,
        run_minutes(jobs, clock, 29)  # 09:30, 09:35 and 09:43 (the backoff passes 5 min)
        assert alerts(app) == [] and errors(caplog) == []
        run_minutes(jobs, clock, 12)  # the try at 09:59, past the grace, still fails
        (alert,) = alerts(app)
        assert alert.recipients == ADMIN
        (line,) = errors(caplog)
        assert "429" in line and ADMIN in line
        run_minutes(jobs, clock, 120)
        assert len(alerts(app)) == 1 and len(errors(caplog)) == 1
    finally:
        app.close()


def test_a_pause_asked_for_past_the_grace_does_not_hold_back_the_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server asking for hours of quiet (a 503 with Retry-After: 10800, Exchange's
    BackOffMilliseconds after a bad spell) is still tried within the usual backoff (the
    backend's cooldown keeps the server itself quiet), so an outage still failing
    THROTTLE_GRACE after it began alerts the admins then, as the WARNING says, not hours
    later."""
    server = MemoryServer()
    server.deliver(MEMBER_MAIL)
    busy = TransientError("graph fetch: Graph answered 503 Service Unavailable",
                          retry_after=3 * 3600)
    app = make_app(tmp_path, BrokenMailbox(server, busy))
    clock = Clock()
    caplog.set_level(logging.INFO)
    try:
        jobs = daemon_jobs(app, MailboxHealth(app), clock)
        run_minutes(jobs, clock, 29)
        assert alerts(app) == []
        (line,) = warnings(caplog)
        assert "alerted only if it still fails at 25 Nov 2026 09:30 (UK time)" in line
        run_minutes(jobs, clock, 3)  # the try at 09:30, the grace over, still fails
        (alert,) = alerts(app)
        assert alert.recipients == ADMIN
    finally:
        app.close()


def test_the_alert_goes_through_smtp_while_the_mailbox_is_down(
    tmp_path: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = MemoryServer()
    backend = BrokenMailbox(server, TransientError("IMAP server imap.example:993 went away"))
    smtp = f'[mailbox.smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\n'
    smtp += 'security = "none"\n'
    app = make_app(tmp_path, backend, smtp)
    try:
        health = MailboxHealth(app)
        health.run("poll", lambda: backend.fetch_new(None), START)
        health.run("poll", lambda: backend.fetch_new(None), START + timedelta(minutes=1))
    finally:
        app.close()
    (received,) = smtp_server.received
    assert received.recipients == (ADMIN,)
    message = parse_sent(received.raw)
    assert "cannot use the shared mailbox" in message["Subject"]
    assert "imap.example:993 went away" in message.get_body(("plain",)).get_content()
    (line,) = errors(caplog)
    assert "sent to" in line and "through the SMTP server" in line


# --- the daemon as a real process --------------------------------------------------------


# Its own waits: up to 180 s to start (spaCy's import took tens of seconds on a loaded
# 2-core machine), 3 s, 60 s to stop; the module's 120 s was less than that.
@pytest.mark.timeout(300)
def test_mailbot_run_keeps_running_while_the_imap_server_is_down(tmp_path: Path) -> None:
    ports = []
    for _ in range(2):  # ports nobody listens on: IMAP and SMTP
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    imap_port, smtp_port = ports
    config = write_config(
        tmp_path,
        f"""backend = "imap"
[mailbox.imap]
host = "127.0.0.1"
port = {imap_port}
security = "none"
username = "memberenquiries"
password = "secret"
[mailbox.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
[scheduler]
poll_seconds = 5
flush_seconds = 5
""",
    )
    log_path = tmp_path / "daemon.log"
    with log_path.open("w") as log_file:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env={**os.environ, "MAILBOT_LOGGING__LEVEL": "INFO"},
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and " ERROR " not in log_path.read_text():
                assert daemon.poll() is None, log_path.read_text()
                time.sleep(0.2)
            assert " ERROR " in log_path.read_text(), log_path.read_text()
            time.sleep(3)  # a few more scheduled runs: all skipped quietly
            assert daemon.poll() is None, "the daemon must keep running"
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
    log = log_path.read_text()
    assert daemon.returncode == 0, log
    error_lines = [line for line in log.splitlines() if " ERROR " in line]
    assert len(error_lines) == 1, log
    assert f"IMAP server 127.0.0.1:{imap_port}" in error_lines[0]
    assert "connection refused" in error_lines[0]
    assert "Traceback" not in log


@pytest.mark.own_database
def test_a_database_outage_is_one_error_line_loses_nothing_and_recovers(
    tmp_path: Path, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL goes away under the running daemon (here: its database is renamed, with
    every connection cut), for an hour of jobs, and comes back."""
    from sqlalchemy import create_engine, text

    base = postgres_url.rsplit("/", 1)[0]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")

    def sql(statement: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(statement))

    def cut_connections(name: str) -> None:
        sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    sql("DROP DATABASE IF EXISTS outage")
    sql("DROP DATABASE IF EXISTS outage_away")
    sql("CREATE DATABASE outage")
    server = MemoryServer()
    app = make_app(tmp_path, MemoryMailbox(server), f'[database]\nurl = "{base}/outage"')
    clock = Clock()
    jobs = daemon_jobs(app, MailboxHealth(app), clock)
    caplog.set_level(logging.DEBUG)
    try:
        for job in jobs.values():
            job()  # all well: the daemon's first minute
        cut_connections("outage")
        sql("ALTER DATABASE outage RENAME TO outage_away")
        server.deliver(MEMBER_MAIL)
        for _ in range(60):
            for job in jobs.values():
                job()
            clock.now += timedelta(minutes=1)
        (line,) = errors(caplog)
        assert line.startswith("database unavailable") and "nothing is lost" in line
        assert not [r for r in caplog.records if r.exc_info]  # no traceback per job
        assert len(server.inbox) == 1 and server.outgoing == []  # kept in the Inbox, unsent

        sql("ALTER DATABASE outage_away RENAME TO outage")
        jobs["poll"]()
        jobs["flush"]()
        assert any("database works again" in r.getMessage() for r in caplog.records)
        assert len(rows(app, CaseRow)) == 1 and not server.inbox
        assert [to for to, _ in server.outgoing] == [("bea.cole@councillors.example.gov.uk",)]
    finally:
        app.close()
        cut_connections("outage")
        cut_connections("outage_away")
        admin.dispose()


def test_an_outage_recorded_by_an_earlier_release_is_carried_on(tmp_path: Path) -> None:
    """Upgrading during an outage: the record an earlier release kept (its start and
    problem only) is the same outage, so no second alert and the same 'since'."""
    from mailbot.health import STATE_KEY
    from mailbot.store.state import write_value

    app = make_app(tmp_path, MemoryMailbox(MemoryServer()))
    try:
        with app.store.transaction() as session:
            write_value(session, STATE_KEY,
                        '{"started": "2026-11-25T08:30:00+00:00", "problem": "wrong password"}')
        outage = MailboxHealth(app).outage
        assert outage is not None
        assert (outage.started, outage.problem) == (
            datetime(2026, 11, 25, 8, 30, tzinfo=UTC), "wrong password"
        )
    finally:
        app.close()
