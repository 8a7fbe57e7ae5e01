"""A daemon restarted (a reboot, an upgrade) while an edit of officers.csv or members.csv
does not validate: it starts on the copy of the last directory that did, instead of
refusing to start and leaving the shared mailbox unattended. The real CLI in a
subprocess, on a Maildir with its outbox folder, as an administrator would run it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers import (
    EVERY_FIVE_SECONDS,
    deliver_to_maildir,
    mailbot_command,
    mailbot_process,
    maildir_answers,
    maildir_council,
    maildir_outbox,
    stop_daemon,
    wait_for_daemon,
)

# Each test starts the daemon twice and waits on it several times (_wait, _stop, _command):
# 120 s was less than those waits added up on a loaded machine.
pytestmark = pytest.mark.timeout(600)

MAILBOX = "memberenquiries@council.gov.uk"
MEMBER = "bea.cole@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"

OFFICERS = f"name,email,service\nSam Patel,{SAM},highways\n"
# Sam's row pasted again and changed: mailbot cannot tell which is right.
BROKEN_OFFICERS = OFFICERS + f"Sam Patel,{SAM.upper()},waste\n"


def _problem(home: Path) -> str:
    return f"{home / 'officers.csv'}:3: email {SAM} is listed twice (first officers.csv line 2)"


def _home(tmp_path: Path) -> Path:
    return maildir_council(tmp_path, address=MAILBOX, member=MEMBER, admin=ADMIN,
                           officers=OFFICERS, extra=EVERY_FIVE_SECONDS)


def test_a_restart_with_a_broken_officers_csv_runs_on_the_kept_copy(tmp_path: Path) -> None:
    config, log = _home(tmp_path), tmp_path / "daemon.log"
    kept = tmp_path / "var" / "directory"
    earlier = _deliver(tmp_path, 0)
    first = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(first, log, lambda: bool(maildir_answers(tmp_path, earlier)))
    finally:
        stop_daemon(first, log)
    assert (kept / "officers.csv").read_text() == OFFICERS
    for path in kept.iterdir():  # the same personal data as the CSVs: the service's only
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700

    # Edited while the daemon was stopped; then a reboot.
    (tmp_path / "officers.csv").write_text(BROKEN_OFFICERS)
    enquiry, problem = _deliver(tmp_path, 1), _problem(tmp_path)
    started = len(log.read_text())
    daemon = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, enquiry)))
        wait_for_daemon(daemon, log,
                        lambda: any(m["To"] == ADMIN for m in maildir_outbox(tmp_path)))
        (alert,) = [m for m in maildir_outbox(tmp_path) if m["To"] == ADMIN]
        text = alert.get_body(("plain",)).get_content()
        assert f"{problem}" in text
        assert "runs on the copy of the directory it kept on 20" in text
        errors = [line for line in log.read_text()[started:].splitlines() if " ERROR " in line]
        assert len(errors) == 1, errors
        assert f"{problem}; the copy kept on 20" in errors[0]
        assert "is in use until the file is put right" in errors[0]

        status = mailbot_command(config, "status")
        assert status.returncode == 1, status.stdout + status.stderr
        assert f"directory: NOT READ: {problem}; `mailbot run` goes on" in status.stdout
        assert "the copy kept on 20" in status.stdout
        # Commands other than the daemon refuse the broken file, as before.
        checked = mailbot_command(config, "check-config")
        assert checked.returncode == 2
        assert f"mailbot: error: {problem}" in checked.stderr
        assert "`mailbot run` would start on the copy of the directory kept on 20" in (
            checked.stderr)
        once = mailbot_command(config, "poll", "--once")
        assert (once.returncode, once.stderr.strip()) == (2, f"mailbot: error: {problem}")

        # Put right, with an officer added: read at the next message, and kept.
        (tmp_path / "officers.csv").write_text(OFFICERS + f"Lee Wong,{LEE},highways\n")
        second = _deliver(tmp_path, 2)
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, second)))
        wait_for_daemon(daemon, log, lambda: LEE in (kept / "officers.csv").read_text())
        assert "directory reloaded: 1 members, 2 officers" in log.read_text()
    finally:
        stop_daemon(daemon, log)
    assert len([m for m in maildir_outbox(tmp_path) if m["To"] == ADMIN]) == 1
    status = mailbot_command(config, "status")
    assert "NOT READ" not in status.stdout, status.stdout


def test_a_first_start_with_a_broken_officers_csv_refuses_as_before(tmp_path: Path) -> None:
    config, problem = _home(tmp_path), _problem(tmp_path)
    (tmp_path / "officers.csv").write_text(BROKEN_OFFICERS)
    refused = mailbot_command(config, "run")
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith(f"mailbot: error: {problem}")
    assert not (tmp_path / "var" / "directory").exists()
    checked = mailbot_command(config, "check-config")
    assert "would start on the copy" not in checked.stderr


def test_a_restart_after_officers_csv_was_deleted_runs_on_the_kept_copy(
    tmp_path: Path,
) -> None:
    """A file moved or deleted by mistake is survived like an invalid one: the running
    daemon already keeps its last directory when a file vanishes, so a restart must not
    turn that into a stopped service."""
    config, log = _home(tmp_path), tmp_path / "daemon.log"
    first = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(first, log, lambda: "mailbot running" in log.read_text())
        assert (tmp_path / "var" / "directory" / "kept.json").exists()
    finally:
        stop_daemon(first, log)
    (tmp_path / "officers.csv").unlink()
    enquiry = _deliver(tmp_path, 1)
    daemon = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, enquiry)))
        missing = f"{tmp_path / 'officers.csv'}: cannot read: No such file or directory"
        assert f"{missing}; the copy kept on 20" in log.read_text()
        checked = mailbot_command(config, "check-config")
        assert checked.returncode == 2
        assert "`mailbot run` would start on the copy" in checked.stderr
    finally:
        stop_daemon(daemon, log)


def _deliver(home: Path, number: int) -> str:
    return deliver_to_maildir(home, number, sender=f"Cllr Bea Cole <{MEMBER}>", to=MAILBOX,
                              tag="kept")
