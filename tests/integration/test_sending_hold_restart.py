"""A daemon restarted while sending is held (a refused login) tries the held mail at its
first flush: a restart is how a corrected password is read. The mail the hold put back
used to wait for the hold's next try, up to an hour after the restart. The restart is
real: one app holds, a second on the same database runs the daemon, and the SMTP server
says what it received."""

from __future__ import annotations

import logging
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from held_sending import member_mail, sending_through
from helpers import JO, NOW, RHIAN, make_app, rows

from mailbot.app import App
from mailbot.jobs import flush_outbox, poll
from mailbot.scheduler import run_daemon, single_instance
from mailbot.sending_hold import current
from mailbot.store.tables import OutboxRow

pytestmark = pytest.mark.timeout(120)


def enquiry(n: int, sender: tuple[str, ...]) -> bytes:
    return member_mail(sender, f"Pothole on the B4040, number {n}",
                       f"<restart-{n}@members.example>",
                       f"There is a deep pothole outside number {n}; please could it be filled?")


def held_by_a_wrong_password(
    tmp_path: Path, database_url: str, smtpd: SmtpServer
) -> tuple[App, datetime]:
    """Two enquiries answered, their acknowledgements refused (wrong password): held."""
    app, server = make_app(tmp_path / "before", database_url=database_url)
    for n, sender in enumerate((JO, RHIAN)):
        server.deliver(enquiry(n, sender))
    poll(app, NOW)
    app.backend_override = sending_through(smtpd, tmp_path / "mail", "wrong")
    refused_at = datetime.now(UTC)
    assert flush_outbox(app, refused_at).held
    assert smtpd.connections == 1
    return app, refused_at


class _StopAfterFlushes(logging.Handler):
    """SIGTERM once the daemon's flush job has run `flushes` times."""

    def __init__(self, flushes: int) -> None:
        super().__init__()
        self.left = flushes

    def emit(self, record: logging.LogRecord) -> None:
        said = record.getMessage()
        if said.startswith('Job "flush') and "executed successfully" in said:
            self.left -= 1
            if self.left == 0:
                os.kill(os.getpid(), signal.SIGTERM)


def run_daemon_for(app: App, flushes: int) -> None:
    """`mailbot run` on `app` until its flush job has run `flushes` times."""
    logger = logging.getLogger("apscheduler.executors.default")
    trigger = _StopAfterFlushes(flushes)
    level = logger.level
    logger.addHandler(trigger)
    logger.setLevel(logging.INFO)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        with single_instance(app.settings.data_dir, app.store):
            run_daemon(app)
    finally:
        logger.setLevel(level)
        logger.removeHandler(trigger)
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def test_a_restart_after_the_password_is_put_right_sends_every_held_mail_once(
    tmp_path: Path, empty_database_url: str, smtpd_auth: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtpd_auth.reset()
    monkeypatch.setenv("MAILBOT_SCHEDULER__FLUSH_SECONDS", "5")
    before, _ = held_by_a_wrong_password(tmp_path, empty_database_url, smtpd_auth)
    queued = {row.message_id for row in rows(before, OutboxRow)}
    assert len(queued) == 2
    before.close()

    # The password is put right in the config and the daemon restarted (a new process).
    after, _ = make_app(tmp_path / "after", database_url=empty_database_url)
    try:
        after.backend_override = sending_through(
            smtpd_auth, tmp_path / "mail", smtpd_auth.password)
        run_daemon_for(after, flushes=1)
        received = [mail.raw for mail in smtpd_auth.received]
        assert len(received) == 2  # both, at the first flush, and each once
        assert {r.message_id for r in rows(after, OutboxRow) if r.status == "sent"} == queued
        assert all(any(mid.encode() in raw for raw in received) for mid in queued)
        assert current(after.store) is None  # the hold is over
    finally:
        after.close()


def test_a_restart_with_the_password_still_wrong_tries_once_then_waits(
    tmp_path: Path, empty_database_url: str, smtpd_auth: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtpd_auth.reset()
    monkeypatch.setenv("MAILBOT_SCHEDULER__FLUSH_SECONDS", "5")
    before, refused_at = held_by_a_wrong_password(tmp_path, empty_database_url, smtpd_auth)
    before.close()

    after, _ = make_app(tmp_path / "after", database_url=empty_database_url)
    try:
        after.backend_override = sending_through(smtpd_auth, tmp_path / "mail", "wrong")
        run_daemon_for(after, flushes=3)
        assert smtpd_auth.connections == 2  # one try at the first flush, not one a flush
        assert not smtpd_auth.received
        assert {(r.status, r.attempts) for r in rows(after, OutboxRow)} == {("pending", 0)}
        held = current(after.store)
        assert held is not None and held.tries == 2
        assert held.since == refused_at  # the same hold, carried on across the restart
        assert (held.retry_at - refused_at).total_seconds() > 9 * 60  # then 10 minutes
    finally:
        after.close()
