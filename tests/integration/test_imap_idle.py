"""IMAP IDLE in the daemon: after a poll, the poll job waits on IDLE where the server
offers it, so a member's mail arriving in the gap is recorded and acknowledged at once,
not at the next poll. Real Dovecot, real SMTP."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.proxy import FlakyProxy
from fixtures.smtpd import SmtpServer
from helpers import rows
from imapclient import IMAPClient

from mailbot.app import App, build_app
from mailbot.backends.base import TransientError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import NO_WAIT
from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs, idle_seconds
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
MEMBER_MAIL = (DEMO / "mail" / "01-pothole.eml").read_bytes()


def poll_job_with_mail_arriving(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path, scheduler: str
) -> tuple[float, App]:
    """Run the daemon's poll job once on an empty INBOX while a member's mail arrives
    two seconds after the job has looked in it; (how long the job took, the app).

    The mail waits for the job's look, not for a fixed two seconds from the start: on a
    loaded machine the look itself can take over two seconds, and then finds the mail."""
    user = dovecot.new_user()
    config = mailbot_config(
        tmp_path / "mailbot.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO,
        extra=f"[classifier]\ntrain_if_missing = false\n[scheduler]\n{scheduler}",
    )
    app = build_app(load_settings(config))
    jobs = daemon_jobs(app, MailboxHealth(app), lambda: datetime.now(UTC))
    looked = _tell_when_the_inbox_was_read(app)

    def deliver_soon() -> None:
        assert looked.wait(timeout=60), "the poll job never read the INBOX"
        time.sleep(2)
        client = IMAPClient(dovecot.host, dovecot.port, ssl=False)
        client.login(user.username, user.password)
        client.append("INBOX", MEMBER_MAIL)
        client.logout()

    arriving = threading.Thread(target=deliver_soon)
    arriving.start()
    started = time.monotonic()
    jobs["poll"]()
    took = time.monotonic() - started
    arriving.join()
    return took, app


def _tell_when_the_inbox_was_read(app: App) -> threading.Event:
    """An event set once the app's mailbox has answered its first fetch of new mail."""
    backend = app.backend
    fetch_new = backend.fetch_new
    looked = threading.Event()

    def fetch_and_tell(cursor: Any) -> Any:
        try:
            return fetch_new(cursor)
        finally:
            looked.set()

    backend.fetch_new = fetch_and_tell  # type: ignore[method-assign]
    return looked


def test_mail_arriving_during_idle_is_acknowledged_by_the_same_poll_job(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    assert idle_seconds(30) == 25 and idle_seconds(60) == 25 and idle_seconds(5) == 0
    took, app = poll_job_with_mail_arriving(dovecot, smtp_server, tmp_path, "poll_seconds = 30")
    try:
        assert 2 <= took < 20  # woken by the mail, not by the 25-second timeout
        assert len(rows(app, CaseRow)) == 1
        assert [r.recipients for r in smtp_server.received] == [
            ("jo.bloggs@councillors.example.gov.uk",)
        ]
    finally:
        app.close()


def test_with_idle_off_the_mail_waits_for_the_next_poll(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    took, app = poll_job_with_mail_arriving(
        dovecot, smtp_server, tmp_path, "poll_seconds = 30\nidle = false"
    )
    try:
        assert took < 20  # not the 25-second wait on IDLE
        assert rows(app, CaseRow) == [] and smtp_server.received == []
    finally:
        app.close()


def test_a_person_reading_the_inbox_does_not_end_the_wait_for_new_mail(
    dovecot: DovecotServer,
) -> None:
    """A flag set by a person (or a server's keep-alive) is an untagged line too; only a
    new message ends the wait, so the wait is not cut short into a poll that finds nothing
    and the new mail left for the next poll."""
    user = dovecot.new_user()
    person = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    person.login(user.username, user.password)
    person.append("INBOX", MEMBER_MAIL)
    mailbox = ImapMailbox(host=dovecot.host, port=dovecot.port, security="none",
                          username=user.username, password=user.password)

    def read_then_deliver() -> None:
        time.sleep(1)
        person.select_folder("INBOX")
        person.add_flags(person.search("ALL"), [b"\\Seen"])  # a person opens the mail
        time.sleep(1)
        person.append("INBOX", MEMBER_MAIL.replace(b"Message-ID: <", b"Message-ID: <new-"))

    arriving = threading.Thread(target=read_then_deliver)
    try:
        arriving.start()
        started = time.monotonic()
        woke = mailbox.wait_for_new(15)
        took = time.monotonic() - started
        arriving.join()
    finally:
        mailbox.close()
        person.logout()
    assert woke and 2 <= took < 15


def test_a_connection_ended_during_idle_means_poll_now_not_a_busy_wait(
    dovecot: DovecotServer,
) -> None:
    """The server ends the connection while mailbot waits on IDLE (a restart, a network
    path dropping, a server's own IDLE limit). IMAPClient's idle_check takes the EOF
    quietly and returns nothing, at once, every time it is asked: the wait spun the CPU
    until its timeout. It now ends at once, and says "poll now", so the poll reconnects
    (or reports the server gone) and mail is not left waiting."""
    user = dovecot.new_user()
    proxy = FlakyProxy(dovecot.host, dovecot.port)
    mailbox = ImapMailbox(host=proxy.host, port=proxy.port, security="none",
                          username=user.username, password=user.password, backoff=NO_WAIT)
    cutter = threading.Timer(1, proxy.cut_all)
    try:
        cutter.start()
        started, cpu = time.monotonic(), time.process_time()
        try:
            woke = mailbox.wait_for_new(10)
        except TransientError:  # the goodbye to IDLE meets the closed connection
            woke = True
        took, spun = time.monotonic() - started, time.process_time() - cpu
        cutter.join()
        messages, _cursor = mailbox.fetch_new(None)  # the next poll reconnects and works
    finally:
        mailbox.close()
        proxy.close()
    assert woke and took < 5, f"the wait went on for {took:.1f} s"
    assert spun < 1, f"{spun:.1f} s of CPU while waiting"
    assert messages == []
