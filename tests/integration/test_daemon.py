"""`mailbot run` as a real process: it answers mail on schedule, refuses a second
instance on the same data, and stops cleanly on SIGTERM."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from mailbot.app import build_app
from mailbot.classify import rules_classifier
from mailbot.cli import app as cli
from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings

CONFIG = """
[council]
name = "Test Council"
policy = "mwda"
[mailbox]
backend = "maildir"
address = "memberenquiries@example.gov.uk"
[directory]
members = "members.csv"
[classifier]
train_if_missing = false
[scheduler]
poll_seconds = 5
flush_seconds = 5
"""


# How long the daemon may take to start and poll: importing spaCy alone took tens of
# seconds on a loaded 2-core machine. The waits end as soon as their condition holds.
START_SECONDS = 180


def _mailbot(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailbot", *args, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MAILBOT_LOGGING__LEVEL": "INFO"},
    )


def test_daemon_answers_then_stops_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text(
        "name,email\nCllr Bea Cole,bea.cole@councillors.example.gov.uk\n"
    )
    config = tmp_path / "mailbot.toml"
    config.write_text(CONFIG)
    inbox = mailbox.Maildir(str(tmp_path / "mailbox"), create=True)
    inbox.add(
        b"From: Cllr Bea Cole <bea.cole@councillors.example.gov.uk>\r\n"
        b"To: memberenquiries@example.gov.uk\r\nSubject: Graffiti on the underpass\r\n"
        b"Message-ID: <daemon-1@councillors.example.gov.uk>\r\n\r\n"
        b"Please could the graffiti in the Station Road underpass be removed?\r\n"
    )
    daemon = _mailbot(config, "run")
    try:
        outbox = tmp_path / "outbox"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
            time.sleep(0.2)
        sent = list(outbox.glob("*.eml"))
        assert len(sent) == 1, "the daemon should have acknowledged the message"
        assert b"[MB-20" in sent[0].read_bytes()

        second = _mailbot(config, "poll", "--once")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert "already running" in err
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, log = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, log
    assert "stopped" in log
    assert "graffiti" not in log.lower(), "message content must not reach the log at INFO"



def test_status_says_at_once_that_a_stopped_daemon_reads_nothing(tmp_path: Path) -> None:
    """`systemctl stop mailbot`, then `mailbot status`: it must not say "polling" for the
    next half hour because the last poll was recent."""
    (tmp_path / "members.csv").write_text("name,email\nCllr Bea Cole,bea.cole@example.gov.uk\n")
    config = tmp_path / "mailbot.toml"
    config.write_text(CONFIG)
    mailbox.Maildir(str(tmp_path / "mailbox"), create=True)

    def status() -> tuple[int, str]:
        shown = CliRunner().invoke(cli, ["status", "--config", str(config)])
        return shown.exit_code, shown.output

    daemon = _mailbot(config, "run")
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and "polling" not in status()[1]:
            time.sleep(0.2)
        code, output = status()
        assert code == 0 and output.startswith("daemon: polling (last poll "), output
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=60)
    assert daemon.returncode == 0

    code, output = status()
    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith("daemon: STOPPED at "), output
    assert "nobody is reading the mailbox; systemctl start mailbot" in first

    # Started again: its first poll (at once on start) makes it "polling" once more.
    app = build_app(load_settings(config), classifier=rules_classifier())
    try:
        daemon_jobs(app, MailboxHealth(app), lambda: datetime.now(UTC))["poll"]()
    finally:
        app.close()
    code, output = status()
    assert code == 0 and output.startswith("daemon: polling"), output
