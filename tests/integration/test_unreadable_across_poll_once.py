"""A message the mailbox can never give, met by `mailbot poll --once` run again and again
(from cron or a timer; a daemon restarted often is the same): each run builds a fresh
backend. Before, the count of failed reads lived in the backend object, so it was one at
every run and never reached UNREADABLE_AFTER: the message was never left for a person, no
admin was told, and on a maildir the members' mail behind it was never read.

Now the count is kept in the database: after UNREADABLE_AFTER runs the message is a
quarantine row, the admins have one alert, every member's message behind it has a case and
an acknowledgement; later runs alert no more. Through the real CLI, with a real Dovecot
(its file unreadable to the server) and with a maildir file mailbot may not open."""

from __future__ import annotations

import contextlib
import mailbox
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, ImapUser, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from sqlalchemy import select
from test_unreadable_mail_left_for_a_person import (
    ADMIN,
    DEMO,
    MAILBOX,
    NOW,
    member_email,
    settings_for,
)
from typer.testing import CliRunner

from mailbot.app import build_app
from mailbot.backends.base import BackendError
from mailbot.backends.unreadable import TRY_AGAIN_AFTER, UNREADABLE_AFTER
from mailbot.classify import rules_classifier
from mailbot.cli import app as command_line
from mailbot.jobs import poll
from mailbot.model import MessageStatus
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow, ReadFailureRow

pytestmark = pytest.mark.timeout(180)

MEMBERS = ["first", "second", "third"]  # the readable ones; "bad" comes before the last two
BAD_ID = "<bad@councillors.example.gov.uk>"


def poll_once(config: Path) -> int:
    result = CliRunner().invoke(command_line, ["poll", "--once", "--config", str(config)])
    assert "Traceback" not in result.output, result.output
    return result.exit_code


@dataclass(frozen=True)
class Seen:
    """What the runs left in the database."""

    left: list[tuple[str, str]]  # (status, reason) of the rows for mail left unread
    alerts: list[str]  # recipients of the alert mails
    cases: int
    acks: list[str]  # the Message-IDs acknowledged, from the acknowledgements' MIME
    sent_acks: int  # acknowledgements the flush sent
    remembered: list[int]  # read_failures rows' failure counts


def seen(config: Path) -> Seen:
    store = Store(load_settings(config).database_url, migrate=False)
    try:
        with store.transaction() as session:
            left = [(r.status, r.reason) for r in session.scalars(
                select(MessageRow).where(MessageRow.raw == b""))]
            outbox = list(session.scalars(select(OutboxRow)))
            alerts = [r.recipients for r in outbox if r.purpose == "left_unread_alert"]
            acks = [r for r in outbox if r.purpose == "ack"]
            acked = sorted(f"<{label}@councillors.example.gov.uk>" for label in [*MEMBERS, "bad"]
                           for r in acks
                           if f"<{label}@councillors.example.gov.uk>".encode() in r.mime)
            cases = len(list(session.scalars(select(CaseRow.id))))
            remembered = [r.failures for r in session.scalars(select(ReadFailureRow))]
            return Seen(left, alerts, cases, acked, sum(r.status == "sent" for r in acks),
                        remembered)
    finally:
        store.close()


def members_read(found: Seen) -> bool:
    return found.acks == sorted(f"<{label}@councillors.example.gov.uk>" for label in MEMBERS)


def check_runs(config: Path, *, held_back: bool, named: str) -> None:
    """Run `poll --once` UNREADABLE_AFTER times, then twice more. `held_back`: the backend
    fails the fetch while the message may yet be read (maildir), so no member's mail is
    read before the message is left. `named`: how the quarantine row names the message."""
    for run in range(1, UNREADABLE_AFTER):
        poll_once(config)
        found = seen(config)
        assert found.left == [] and found.alerts == [], run  # once may be a passing fault
        assert found.remembered == [run]
        assert members_read(found) != held_back
    assert poll_once(config) == 0
    found = seen(config)
    [(status, reason)] = found.left
    assert status == MessageStatus.QUARANTINED
    assert reason.startswith("left unread in ") and named in reason
    assert found.alerts == [ADMIN]
    assert members_read(found) and found.cases == len(MEMBERS)
    assert found.sent_acks == len(MEMBERS)

    for _ in range(2):  # later runs: the message is not asked for again, nobody told again
        assert poll_once(config) == 0
        assert seen(config) == found


def test_maildir_poll_once_leaves_a_file_it_may_not_open_and_reads_the_mail_behind(
    tmp_path: Path,
) -> None:
    config = settings_for(tmp_path, "maildir")
    assert poll_once(config) == 0  # makes the maildir
    new = tmp_path / "mailbox" / "new"
    for n, label in enumerate(["first", "bad", "second", "third"]):
        path = new / f"17641500{n:02d}.M{n}P1.mailhost"
        if label == "bad" and os.geteuid() == 0:  # root opens any file: one that is not there
            path.symlink_to(tmp_path / "restored-later.eml")
            continue
        path.write_bytes(member_email(label))
        if label == "bad":
            path.chmod(0)  # the wrong owner's file, as after a restore
    check_runs(config, held_back=True, named="message 1764150001.M1P1.mailhost")
    assert len(list(new.iterdir())) == 1  # the bad one, left where it is


@pytest.fixture
def dovecot_user(dovecot: DovecotServer) -> Iterator[tuple[ImapUser, IMAPClient]]:
    user = dovecot.new_user()
    person = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    yield user, person
    person.logout()


@pytest.mark.dovecot
def test_imap_poll_once_leaves_a_message_dovecot_cannot_give_and_tells_the_admins_once(
    dovecot: DovecotServer, dovecot_user: tuple[ImapUser, IMAPClient],
    smtp_server: SmtpServer, tmp_path: Path,
) -> None:
    user, person = dovecot_user
    for label in ["first", "bad", "second", "third"]:
        person.append("INBOX", member_email(label))
    [bad] = [path for path in (user.home / "Maildir").rglob("*") if path.is_file()
             and b"(bad)" in path.read_bytes()]
    bad.chmod(0)  # Dovecot (not root) answers a FETCH of it with NO
    config = mailbot_config(
        tmp_path / "mailbot.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=MAILBOX, directory=DEMO,
        extra=f'admins = ["{ADMIN}"]\n[classifier]\ntrain_if_missing = false',
    )
    check_runs(config, held_back=False, named="to give message UID 2 ")
    alerted = [item for item in smtp_server.received if ADMIN in item.recipients]
    assert len(alerted) == 1
    person.select_folder("INBOX", readonly=True)
    assert len(person.search("ALL")) == 1  # the bad one, left where it is


def test_maildir_a_file_put_right_is_read_by_a_fresh_run_a_day_later_and_forgotten(
    tmp_path: Path,
) -> None:
    """What --once does, with the time given: a fresh app each run. The day a message
    left for a person waits before it is tried again is counted across runs too, and a
    message read is struck out of the table."""
    config = settings_for(tmp_path, "maildir")
    new = tmp_path / "mailbox" / "new"
    mailbox.Maildir(tmp_path / "mailbox", create=True)
    (new / "1764150000.M0P1.mailhost").write_bytes(member_email("first"))
    (new / "1764150001.M1P1.mailhost").symlink_to(tmp_path / "restored-later.eml")

    def run(at: datetime) -> None:
        app = build_app(load_settings(config), classifier=rules_classifier())
        try:
            with contextlib.suppress(BackendError):  # the first failure fails the fetch
                poll(app, at)
        finally:
            app.close()

    run(NOW)
    run(NOW + timedelta(minutes=1))
    assert len(seen(config).left) == 1 and seen(config).remembered == [UNREADABLE_AFTER]
    (tmp_path / "restored-later.eml").write_bytes(member_email("bad"))  # put right
    run(NOW + timedelta(hours=2))
    assert BAD_ID not in seen(config).acks  # not tried again before its day
    run(NOW + timedelta(minutes=1, seconds=TRY_AGAIN_AFTER))
    found = seen(config)
    assert found.acks == [BAD_ID, "<first@councillors.example.gov.uk>"]
    assert found.remembered == [] and len(found.alerts) == 1
