"""The administrators' alerts wait in the outbox like any other mail: the mailbox-outage
alert of a mailbox that sends its own mail can only go once the mailbox works again, and
any alert waits while the mail server answers 451. What left once it could, read from the
MIME a real SMTP server (aiosmtpd) received, and the outbox rows: an outage alert that
says the outage has ended, once per outage; no directory alert once the files read again;
no alert for mail left unread that a person has since dealt with (mailbot.alerts_at_send).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import Council, body_text, parse_sent, rows
from test_stale_reminders import SendsThroughSmtp

from mailbot import jobs, left_unread
from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.unreadable import LeftUnread
from mailbot.health import MailboxHealth
from mailbot.model import FetchedMessage, OutgoingMail
from mailbot.quarantine import mark_dealt_with
from mailbot.store.tables import OutboxRow

pytestmark = pytest.mark.timeout(90)

D = "wiltshire.gov.uk"
MAILBOX, ADMIN, SAM = f"memberenquiries@{D}", f"it.support@{D}", f"sam@{D}"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # GMT: UK time is UTC
GONE_AWAY = "IMAP server imap.wiltshire.gov.uk:993 went away"


def council(home: Path, config: str = "") -> Council:
    return Council(home, mailbox=MAILBOX, admins=[ADMIN],
                   members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
                   officers=[("Sam Patel", SAM, "Highways", "", "")], config=config)


class FailingMailbox(SendsThroughSmtp):
    """The memory mailbox, sending through aiosmtpd; everything fails while `down`."""

    def __init__(self, it: Council, smtpd: SmtpServer) -> None:
        super().__init__(it, smtpd)
        self.down: BackendError | None = None
        self.left: list[LeftUnread] = []

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        if self.down is not None:
            raise self.down
        return super().fetch_new(cursor)

    def send(self, mail: OutgoingMail) -> None:
        if self.down is not None:
            raise self.down
        super().send(mail)

    def take_left_unread(self) -> list[LeftUnread]:
        left, self.left = self.left, []
        return left


class Daemon:
    """The daemon's poll and flush through one MailboxHealth, at times the test gives."""

    def __init__(self, it: Council, backend: FailingMailbox) -> None:
        self.it, self.backend = it, backend
        it.app.backend_override = backend
        # Tried again at least every 5 minutes: each poll the test runs tries the mailbox.
        self.health = MailboxHealth(it.app, max_wait=timedelta(minutes=5))

    def poll(self, now: datetime) -> None:
        self.health.run("poll", lambda: self.backend.fetch_new(None), now)

    def flush(self, now: datetime) -> None:
        self.health.run("flush", lambda: jobs.flush_outbox(self.it.app, now), now, probe=False)


def received(smtpd: SmtpServer) -> list[EmailMessage]:
    return [parse_sent(mail.raw) for mail in smtpd.received]


def said(message: EmailMessage, kind: str = "plain") -> str:
    return " ".join(body_text(message, kind).split())


def outbox(it: Council, purpose: str) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == purpose)


def test_an_outage_alert_held_by_a_busy_relay_says_the_outage_has_ended(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    smtp = f'[mailbox.smtp]\nhost = "{smtpd.host}"\nport = {smtpd.port}\nsecurity = "none"\n'
    with council(tmp_path, smtp) as it:
        daemon = Daemon(it, FailingMailbox(it, smtpd))
        daemon.backend.down = TransientError(GONE_AWAY)
        smtpd.fail_next(10_000)  # the relay answers 451 all morning
        for minutes in range(0, 180, 30):
            daemon.poll(START + timedelta(minutes=minutes))  # down; the relay tried too
            daemon.flush(START + timedelta(minutes=minutes))
        daemon.backend.down = None
        back = START + timedelta(hours=3)
        daemon.poll(back)
        daemon.flush(back)  # the relay is still busy
        [waiting] = outbox(it, "mailbox alert")
        assert waiting.status == "pending" and "451" in waiting.last_error
        # tried at 09:00, 09:30, 10:00, 10:30, 11:00 (then 32 min on), and at 12:00
        assert waiting.attempts == 6
        smtpd.fail_next(0)
        daemon.flush(back + timedelta(hours=1))
        [alert] = outbox(it, "mailbox alert")
    [mail] = received(smtpd)
    assert str(mail["To"]) == ADMIN
    assert str(mail["Subject"]) == (f"mailbot could not use the shared mailbox {MAILBOX} for "
                                    "3 h 0 min; it works again")
    text = said(mail)
    assert (f"could not use the shared mailbox {MAILBOX} (maildir backend) from 25 Nov 2026 "
            "09:00 (UK time) to 25 Nov 2026 12:00 (UK time) (3 h 0 min). It works again since "
            "25 Nov 2026 12:00 (UK time): nothing needs doing now.") in text
    assert f"The problem was: {GONE_AWAY}" in text
    assert "cannot use" not in text and "keeps trying" not in text
    assert "It works again since 25 Nov 2026 12:00" in said(mail, "html")
    assert mail["Date"].datetime == back + timedelta(hours=1)
    # The outage's one alert: the same row and Message-ID, sent once.
    assert (alert.status, alert.attempts) == ("sent", 7)
    assert str(mail["Message-ID"]) == alert.message_id


def test_an_outage_alert_the_relay_refused_at_first_goes_while_the_outage_lasts(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """A relay busy for the outage's first minutes: the alert is handed to it again on the
    outbox's intervals, not kept till the mailbox is back hours later."""
    smtpd.reset()
    smtp = f'[mailbox.smtp]\nhost = "{smtpd.host}"\nport = {smtpd.port}\nsecurity = "none"\n'
    with council(tmp_path, smtp) as it:
        daemon = Daemon(it, FailingMailbox(it, smtpd))
        daemon.backend.down = TransientError(GONE_AWAY)
        smtpd.fail_next(2)
        for minutes in range(0, 6 * 60, 5):
            daemon.poll(START + timedelta(minutes=minutes))
            daemon.flush(START + timedelta(minutes=minutes))
            if smtpd.received:
                break
        [mail] = received(smtpd)
        assert daemon.health.down and minutes == 10  # tried at 09:00, 09:05, 09:10
        daemon.backend.down = None
        daemon.poll(START + timedelta(hours=6))
        daemon.flush(START + timedelta(hours=6))
        [alert] = outbox(it, "mailbox alert")
    assert len(smtpd.received) == 1  # once per outage: nothing more on recovery
    assert str(mail["Subject"]) == f"mailbot cannot use the shared mailbox {MAILBOX}"
    assert (alert.status, alert.attempts) == ("sent", 3)


def test_each_outage_alerts_once_and_says_it_is_over_when_the_mailbox_sends_it(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """No SMTP server of its own: the alert can only go after the outage."""
    smtpd.reset()
    with council(tmp_path) as it:
        daemon = Daemon(it, FailingMailbox(it, smtpd))
        second = START + timedelta(hours=2)
        for down_at, minutes in ((START, 40), (second, 90)):
            daemon.backend.down = TransientError(GONE_AWAY)
            for minute in range(0, minutes, 5):
                daemon.poll(down_at + timedelta(minutes=minute))
                daemon.flush(down_at + timedelta(minutes=minute))
            daemon.backend.down = None
            daemon.poll(down_at + timedelta(minutes=minutes))
            daemon.flush(down_at + timedelta(minutes=minutes))
        alerts = outbox(it, "mailbox alert")
    subjects = [str(m["Subject"]) for m in received(smtpd)]
    assert subjects == [
        f"mailbot could not use the shared mailbox {MAILBOX} for 40 min; it works again",
        f"mailbot could not use the shared mailbox {MAILBOX} for 90 min; it works again",
    ]
    assert [a.status for a in alerts] == ["sent", "sent"]
    second_text = said(received(smtpd)[1])
    assert "from 25 Nov 2026 11:00 (UK time) to 25 Nov 2026 12:30 (UK time)" in second_text


def test_an_outage_alert_sent_while_the_outage_lasts_says_what_it_said(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """`mailbot flush` by hand during an outage whose mailbox can still send: as queued."""
    smtpd.reset()
    with council(tmp_path) as it:
        daemon = Daemon(it, FailingMailbox(it, smtpd))
        daemon.backend.down = TransientError(GONE_AWAY)
        daemon.poll(START)
        daemon.backend.down = None  # it sends again; no poll has seen it yet
        jobs.flush_outbox(it.app, START + timedelta(minutes=10))
    [mail] = received(smtpd)
    assert str(mail["Subject"]) == f"mailbot cannot use the shared mailbox {MAILBOX}"
    assert "since 25 Nov 2026 09:00 (UK time)" in said(mail)


def break_members_csv(it: Council, at: datetime) -> None:
    """An edit that loses the email column; the sweep tells the admins."""
    (it.home / "members.csv").write_text("name,ward\nCllr Jo Bloggs,Castle\n", encoding="utf-8")
    jobs.send_reminders(it.app, at)


def fix_members_csv(it: Council) -> None:
    (it.home / "members.csv").write_text(
        f"name,email,ward\nCllr Jo Bloggs,jo@{D},Castle\nCllr Ann Lee,ann@{D},Mill\n",
        encoding="utf-8")


@pytest.mark.parametrize("fixed", [True, False], ids=["fixed", "still-broken"])
def test_a_directory_alert_held_by_a_busy_relay_goes_only_while_the_problem_is_there(
    tmp_path: Path, smtpd: SmtpServer, fixed: bool,
) -> None:
    smtpd.reset()
    with council(tmp_path) as it:
        it.app.directory.refresh()
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        smtpd.fail_next(10_000)
        break_members_csv(it, START)
        jobs.flush_outbox(it.app, START)
        if fixed:
            fix_members_csv(it)
        smtpd.fail_next(0)
        later = START + timedelta(hours=2)
        jobs.flush_outbox(it.app, later)
        [alert] = outbox(it, "directory_alert")
    if fixed:
        assert received(smtpd) == []
        assert alert.status == "withdrawn" and alert.attempts == 1
        assert alert.last_error.startswith("members.csv and officers.csv read again")
        return
    [mail] = received(smtpd)
    assert str(mail["To"]) == ADMIN and "members.csv" in said(mail)
    assert alert.status == "sent"


def test_a_directory_problem_that_changes_or_comes_back_is_told_as_it_is_when_mail_goes(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """The relay busy while an edit goes wrong one way, then another, then is put right,
    then the first mistake is made again: the admins hear of the problem the directory
    has when mail can go, once, and of the mistake made again (never told before)."""
    smtpd.reset()
    with council(tmp_path) as it:
        it.app.directory.refresh()
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        smtpd.fail_next(10_000)
        break_members_csv(it, START)  # no email column
        jobs.flush_outbox(it.app, START)
        (it.home / "members.csv").write_text(f"name,email\nCllr Jo Bloggs,jo@{D}\n"
                                             f"Cllr Ann Lee,jo@{D}\n", encoding="utf-8")
        jobs.send_reminders(it.app, START + timedelta(minutes=5))  # listed twice
        jobs.flush_outbox(it.app, START + timedelta(minutes=5))  # still busy
        fix_members_csv(it)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, START + timedelta(minutes=10))
        assert received(smtpd) == []
        break_members_csv(it, START + timedelta(hours=1))  # the first mistake again
        jobs.flush_outbox(it.app, START + timedelta(hours=1))
        alerts = outbox(it, "directory_alert")
    [mail] = received(smtpd)
    assert "email" in said(mail)
    assert [(a.status, a.last_error[:45]) for a in alerts] == [
        ("withdrawn", "the directory's problem is another one now, w"),
        ("withdrawn", "members.csv and officers.csv read again: the "),
        ("sent", ""),
    ]
    assert alerts[2].dedup_key == f"{alerts[0].dedup_key}:#2"


def test_an_alert_for_mail_left_unread_is_not_sent_once_a_person_dealt_with_it(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with council(tmp_path) as it:
        backend = FailingMailbox(it, smtpd)
        it.app.backend_override = backend
        backend.left = [
            LeftUnread("1:41", "inbox", "INBOX", "the server could not give it",
                       f"jo@{D}", "Flooding on Mill Lane"),
            LeftUnread("1:42", "inbox", "INBOX", "the server could not give it",
                       f"jo@{D}", "Bins on Castle Road"),
        ]
        smtpd.fail_next(10_000)
        mill, castle = left_unread.record_left(it.app, START)
        jobs.flush_outbox(it.app, START)
        mark_dealt_with(it.app.store, mill.row_id, START + timedelta(hours=1), by="admin:test")
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, START + timedelta(hours=2))
        alerts = {a.dedup_key: a for a in outbox(it, "left_unread_alert")}
    [mail] = received(smtpd)
    assert "Bins on Castle Road" in said(mail) and "Flooding on Mill Lane" not in said(mail)
    assert sorted(a.status for a in alerts.values()) == ["sent", "withdrawn"]
    [withdrawn] = [a for a in alerts.values() if a.status == "withdrawn"]
    assert withdrawn.last_error.startswith("the message left unread has since been read after "
                                           "all, or dealt with by a person")
    assert castle.alerted and mill.alerted


def test_a_welsh_councils_outage_alert_says_in_both_languages_that_it_has_ended(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with Council(tmp_path, mailbox=MAILBOX, admins=[ADMIN], policy="cardiff", members=[],
                 officers=[("Sam Patel", SAM, "Highways", "", "")]) as it:
        daemon = Daemon(it, FailingMailbox(it, smtpd))
        daemon.backend.down = TransientError(GONE_AWAY)
        daemon.poll(START)
        daemon.backend.down = None
        daemon.poll(START + timedelta(minutes=5))
        daemon.flush(START + timedelta(minutes=5))
    [mail] = received(smtpd)
    assert str(mail["Subject"]) == (
        "mailbot could not use the shared mailbox for a while; it works again / Ni allai "
        f"mailbot ddefnyddio'r blwch post a rennir am gyfnod; mae'n gweithio eto {MAILBOX}")
    text = said(mail)
    assert ("rhwng dydd Mercher 25 Tachwedd 2026 am 09:00 a dydd Mercher 25 Tachwedd 2026 am "
            "09:05 (amser y DU). Mae'n gweithio eto") in text
    assert "from 25 Nov 2026 09:00 (UK time) to 25 Nov 2026 09:05 (UK time) (5 min)" in text
    assert "Ni all mailbot" not in text and "cannot use" not in text


def test_alerts_withdrawn_unsent_leave_the_days_allowance_for_mail_left_unread_later(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """Five messages left unread and dealt with while the relay was busy told nobody: the
    sixth, left the same day, is still told."""
    smtpd.reset()
    with council(tmp_path) as it:
        backend = FailingMailbox(it, smtpd)
        it.app.backend_override = backend
        backend.left = [LeftUnread(f"1:{n}", "inbox", "INBOX", "the server could not give it",
                                   f"jo@{D}", f"Enquiry {n}") for n in range(1, 6)]
        smtpd.fail_next(10_000)
        first = left_unread.record_left(it.app, START)
        jobs.flush_outbox(it.app, START)
        for recorded in first:
            mark_dealt_with(it.app.store, recorded.row_id, START + timedelta(minutes=30),
                            by="admin:test")
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, START + timedelta(hours=1))
        backend.left = [LeftUnread("1:6", "inbox", "INBOX", "the server could not give it",
                                   f"jo@{D}", "Enquiry 6")]
        [sixth] = left_unread.record_left(it.app, START + timedelta(hours=2))
        jobs.flush_outbox(it.app, START + timedelta(hours=2))
        statuses = [a.status for a in outbox(it, "left_unread_alert")]
    assert sixth.alerted
    [mail] = received(smtpd)
    assert "Enquiry 6" in said(mail)
    assert statuses == ["withdrawn"] * 5 + ["sent"]
