"""A council template (templates/ beside the config) that Jinja cannot read. Before, only
check-config looked: `mailbot poll --once` and `mailbot run` took each member's enquiry,
failed at its acknowledgement and quarantined it (no case, no reply, exit 0), and nobody
was told. Now the daemon answers with mailbot's own template in its place, logs one ERROR
and emails the admins once; `poll --once` refuses, exit 2, as for a broken directory.
The real CLI in a subprocess, on a Maildir with its outbox folder."""

from __future__ import annotations

import mailbox
import sqlite3
from email.message import EmailMessage
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

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@council.gov.uk"
MEMBER = "bea.cole@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"

# The closing brace of `ref` lost on line 3.
BROKEN_ACK = "Subject: Your enquiry {{ ref }}\n\nThank you. Your reference is {{ ref }.\n"


def _home(tmp_path: Path, templates: dict[str, str]) -> Path:
    return maildir_council(
        tmp_path, address=MAILBOX, member=MEMBER, admin=ADMIN, templates=templates,
        officers="name,email,service\nSam Patel,sam.patel@council.gov.uk,highways\n",
        extra=EVERY_FIVE_SECONDS,
    )


def _problem(home: Path) -> str:
    return f"{home / 'templates' / 'ack.txt'}:3: unexpected '}}'"


def _to_admins(home: Path) -> list[EmailMessage]:
    return [m for m in maildir_outbox(home) if m["To"] == ADMIN]


def _message_statuses(home: Path) -> list[str]:
    with sqlite3.connect(home / "var" / "mailbot.db") as database:
        return [status for (status,) in database.execute("SELECT status FROM messages")]


@pytest.mark.own_database  # looks in the SQLite file the daemon writes
def test_poll_once_refuses_a_broken_council_template(tmp_path: Path) -> None:
    config = _home(tmp_path, {"ack.txt": BROKEN_ACK})
    _deliver(tmp_path, 1)
    once = mailbot_command(config, "poll", "--once")
    assert once.returncode == 2, once.stdout + once.stderr
    assert once.stderr.strip().splitlines()[-1] == (
        f"mailbot: error: {_problem(tmp_path)}; every mail made from this template would "
        "fail: put it right, or delete it to use mailbot's own")
    # The enquiry was not taken: still in the Inbox, for the poll after the fix.
    assert len(mailbox.Maildir(str(tmp_path / "mailbox"), create=False)) == 1
    assert maildir_outbox(tmp_path) == []
    # Refused before the database was opened: nothing recorded.
    assert not (tmp_path / "var" / "mailbot.db").exists()


@pytest.mark.own_database  # looks in the SQLite file the daemon writes
def test_run_answers_with_mailbots_own_template_and_tells_the_admins_once(
    tmp_path: Path,
) -> None:
    config, log = _home(tmp_path, {"ack.txt": BROKEN_ACK}), tmp_path / "daemon.log"
    problem = _problem(tmp_path)
    enquiry = _deliver(tmp_path, 1)
    daemon = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, enquiry)))
        wait_for_daemon(daemon, log, lambda: bool(_to_admins(tmp_path)))
        (ack,) = maildir_answers(tmp_path, enquiry)
        assert ack["To"] == MEMBER
        # mailbot's own ack.txt ("Re: ..." and the reference), not the council's
        assert ack["Subject"].startswith("Re: Pothole on Mill Lane (1) [MB-"), ack["Subject"]
        assert "{{" not in ack.get_body(("plain",)).get_content()
        (alert,) = _to_admins(tmp_path)
        assert alert["Subject"] == f"mailbot cannot use a template of Test Council ({MAILBOX})"
        text = alert.get_body(("plain",)).get_content()
        assert f"{problem}; mailbot's own ack.txt is used instead" in text
        errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
        assert len(errors) == 1, errors
        assert errors[0].endswith(
            f"templates: {problem}; mailbot's own ack.txt is used instead until it is put "
            "right and mailbot restarted (`mailbot check-config` checks it)")

        status = mailbot_command(config, "status")
        assert status.returncode == 1, status.stdout + status.stderr
        assert f"templates: NOT USED: {problem}; mailbot's own ack.txt is used instead" in (
            status.stdout)
        assert "quarantined" not in status.stdout
    finally:
        stop_daemon(daemon, log)
    assert _message_statuses(tmp_path) == ["processed"]

    # A restart with the file as it was: the same problem, not told twice.
    second = _deliver(tmp_path, 2)
    daemon = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, second)))
    finally:
        stop_daemon(daemon, log)
    assert len(_to_admins(tmp_path)) == 1

    # Put right: status is clean again, and the council's letter is used.
    (tmp_path / "templates" / "ack.txt").write_text(BROKEN_ACK.replace("{{ ref }.", "{{ ref }}."))
    status = mailbot_command(config, "status")
    assert "templates:" not in status.stdout, status.stdout


def test_a_broken_layout_does_not_stop_the_alert_about_it(tmp_path: Path) -> None:
    """The admins' alert is itself made from the layout every HTML mail extends: broken,
    it is replaced by mailbot's own for the alert too."""
    config, log = _home(tmp_path, {"_partials/layout.html": "<html>{% block body %}\n"}), (
        tmp_path / "daemon.log")
    enquiry = _deliver(tmp_path, 1)
    daemon = mailbot_process(config, log, "run")
    try:
        wait_for_daemon(daemon, log, lambda: bool(maildir_answers(tmp_path, enquiry)))
        wait_for_daemon(daemon, log, lambda: bool(_to_admins(tmp_path)))
    finally:
        stop_daemon(daemon, log)
    (alert,) = _to_admins(tmp_path)
    layout = tmp_path / "templates" / "_partials" / "layout.html"
    assert f"{layout}:" in alert.get_body(("plain",)).get_content()
    assert "</html>" in alert.get_body(("html",)).get_content()


def _deliver(home: Path, number: int) -> str:
    return deliver_to_maildir(home, number, sender=f"Cllr Bea Cole <{MEMBER}>", to=MAILBOX,
                              tag="template")
