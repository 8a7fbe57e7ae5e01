"""`mailbot run` stopped by SIGTERM at any moment ends cleanly, never with an error."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest
from helpers import make_app

from mailbot.scheduler import run_daemon


class _StopOnStartLine(logging.Handler):
    """Sends SIGTERM the moment the daemon says it is running, before its scheduler has
    started: an administrator's `systemctl stop` while the service is starting."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("mailbot running"):
            os.kill(os.getpid(), signal.SIGTERM)


def _run_until_stopped(tmp_path: Path, trigger: logging.Handler, logger_name: str) -> None:
    """run_daemon on a fresh app, `trigger` listening on `logger_name` to send the signals;
    the signal handlers and the logger as they were afterwards."""
    app, _server = make_app(tmp_path)
    logger = logging.getLogger(logger_name)
    logger.addHandler(trigger)
    level = logger.level  # a CLI test before may have quietened it (mailbot.logs)
    logger.setLevel(logging.INFO)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        run_daemon(app)
    finally:
        logger.setLevel(level)
        logger.removeHandler(trigger)
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
        app.close()


def test_sigterm_before_the_scheduler_starts_stops_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "mailbot.scheduler"):
        # Once raised SchedulerNotRunningError: "mailbot: error:", exit 1.
        _run_until_stopped(tmp_path, _StopOnStartLine(), "mailbot.scheduler")
    assert "received SIGTERM; stopping after the running job" in caplog.text
    assert caplog.messages[-1] == "mailbot stopped"


class _StopTwiceWhilePolling(logging.Handler):
    """Sends SIGTERM as the first poll starts, and again while that poll is still in
    hand (this handler holds the job's thread for the time between)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.sent and record.getMessage().startswith('Running job "poll'):
            self.sent = True
            for _ in range(2):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.5)


def test_a_second_sigterm_while_the_poll_finishes_is_logged_and_the_stop_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, "mailbot.scheduler"):
        _run_until_stopped(tmp_path, _StopTwiceWhilePolling(), "apscheduler.executors.default")
    said = caplog.messages
    first = said.index("received SIGTERM; stopping after the running job")
    again = said.index("received SIGTERM again; still finishing the message in hand")
    assert first < again < said.index("mailbot stopped")
    assert any(m.startswith('Job "poll') and "executed successfully" in m for m in said)
