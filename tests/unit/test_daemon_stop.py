"""`mailbot run` stopped by SIGTERM at any moment ends cleanly, never with an error."""

from __future__ import annotations

import logging
import os
import signal
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


def test_sigterm_before_the_scheduler_starts_stops_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, _server = make_app(tmp_path)
    trigger = _StopOnStartLine()
    logger = logging.getLogger("mailbot.scheduler")
    logger.addHandler(trigger)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        with caplog.at_level(logging.INFO, "mailbot.scheduler"), pytest.raises(SystemExit) as ended:
            run_daemon(app)  # raised SchedulerNotRunningError: "mailbot: error:", exit 1
    finally:
        logger.removeHandler(trigger)
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
        app.close()
    assert ended.value.code == 0
    assert "received SIGTERM; stopping after the running job" in caplog.text
