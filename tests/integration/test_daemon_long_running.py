"""The daemon runs for months without a restart: poll after poll on a real IMAP server
(with IDLE) and sends through a real SMTP server must leave no connection, file or
thread behind, and spaCy must not keep the words of the mail it classified."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from helpers import rows
from imapclient import IMAPClient

from mailbot.app import build_app
from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, OutboxRow

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"  # the demo pothole email's sender
MEMBER_MAIL = (DEMO / "mail" / "01-pothole.eml").read_bytes()
ROUNDS = 6


def members_mail(number: int) -> bytes:
    """The demo's pothole email, its own Message-ID, and a resident and reference never
    seen before in the subject."""
    return MEMBER_MAIL.replace(
        b"<demo-01@", b"<long-running-%d@" % number
    ).replace(
        b"Subject: Pothole outside 14 Mill Lane",
        b"Subject: Pothole outside 14 Mill Lane, for Mrs Quorvalex%d (ref QX-%d)"
        % (number, 7_340_000 + number),
    )


def open_files() -> list[str]:
    """What each of this process's file descriptors is open on ("socket:[4711]", a path)."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own, closed since
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
    return targets


def opened_since(before: Counter[str]) -> int:
    """Files and sockets open now beyond those open at `before`. Other tests' threads,
    sockets and files in this process may end while this test runs; they must not count."""
    return (Counter(open_files()) - before).total()


def started_since(before: set[threading.Thread]) -> int:
    return sum(1 for thread in threading.enumerate() if thread not in before)


def test_polls_and_sends_leave_no_connection_thread_or_word_behind(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = mailbot_config(
        tmp_path / "mailbot.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO,
        # A second of IDLE after each poll: the wait is part of every poll job.
        extra="[classifier]\ntrain_if_missing = false\n[scheduler]\npoll_seconds = 6\n",
    )
    files_before, threads_before = Counter(open_files()), set(threading.enumerate())
    app = build_app(load_settings(config))
    jobs = daemon_jobs(app, MailboxHealth(app), lambda: datetime.now(UTC))
    member = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    member.login(user.username, user.password)
    try:
        seen: list[tuple[int, int, int]] = []
        for round_ in range(ROUNDS):
            member.multiappend("INBOX", [members_mail(round_ * 2), members_mail(round_ * 2 + 1)])
            for job in ("poll", "flush", "reminders", "digest"):
                jobs[job]()
            vocab = app.classifier.nlp.vocab  # type: ignore[attr-defined]
            seen.append(
                (opened_since(files_before), started_since(threads_before), len(vocab.strings))
            )
        assert len(rows(app, CaseRow)) == 2 * ROUNDS
        acks = [row for row in rows(app, OutboxRow) if row.purpose == "ack"]
        assert len(acks) == 2 * ROUNDS  # every member's mail acknowledged
        # and sent, up to the cap on automatic mail to one address in three hours (10):
        # counted by recipient, as the digest's mail to the managers goes too
        to_member = [mail for mail in smtp_server.received if mail.recipients == (MEMBER,)]
        assert len(to_member) == min(2 * ROUNDS, 10)
        # After the first round has opened the connections it keeps (IMAP, SMTP, the
        # database), nothing more: the same files, threads and spaCy strings every round.
        assert seen[1:] == [seen[1]] * (ROUNDS - 1), seen
    finally:
        member.logout()
        app.close()
