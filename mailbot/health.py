"""Mailbox outages in the daemon: back off, say so once, alert the admins once, note recovery.

The daemon's poll and flush jobs run through a MailboxHealth. While the mailbox fails
(server down, wrong password, no permission), runs are skipped on an exponential
backoff (1, 2, 4 ... minutes, at most 30) instead of hammering the server every minute,
and the outage is reported once:

- one ERROR log line per distinct problem (a later, different problem gets its own);
- an events row (actor "mailbox") when the outage starts, when its problem changes, and
  when it ends;
- one alert email to the [directory] admins per outage, queued in the outbox with a
  dedup key naming the outage's start, so a restarted daemon does not send it again.
  With a [mailbox.smtp] host it is handed straight to that server; otherwise the
  mailbox itself must send it, so it goes out with the first flush after recovery.
  An alert that goes after its outage has ended (that way, or because the server
  refused it for a while) says so when it goes: "could not use the mailbox from X to Y;
  it works again" (mailbot.alerts_at_send). No second mail is sent for the recovery.
  A server that asks for a pause (Graph's 429 or 503 with Retry-After, Exchange's
  ErrorServerBusy with BackOffMilliseconds) is throttling, which Microsoft expects
  clients to meet now and then: it is logged as a WARNING, and the alert is queued only
  if the mailbox still fails THROTTLE_GRACE after the outage began.

Only the poll probes the mailbox. The flush swallows send failures row by row, so a
flush that "worked" proves nothing, and a flush during an outage would spend the rows'
retries, fail them for good on a wrong password, or (imap, maildir) submit by SMTP and
then fail to save the Sent copy, which sends the mail again next time. So the flush
waits while the mailbox is down.

The outage's start and problem are kept in the state table, so a restart during an
outage carries on with the same outage (and its one alert).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from mailbot import admin_alert, ledger, outbox
from mailbot.app import App
from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings, submit
from mailbot.model import OutgoingMail
from mailbot.outage_record import OutageRecord, read_record, write_record
from mailbot.settings import Settings
from mailbot.store.tables import OutboxRow

T = TypeVar("T")

log = logging.getLogger(__name__)

ACTOR = "mailbox"
ALERT_PURPOSE = "mailbox alert"
ALERT_KEY = "mailbox-alert:"  # then the outage's start: one alert per outage
STATE_KEY = "mailbox.outage"
FIRST_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(minutes=30)
THROTTLE_GRACE = timedelta(minutes=30)  # throttling this long is worth an administrator
LONDON = ZoneInfo("Europe/London")


@dataclass
class Outage:
    """The mailbox has been failing since `started`; `problem` is what it last said."""

    started: datetime
    problem: str
    failures: int = 0  # failed tries in this process (drives the backoff)
    retry_at: datetime | None = None  # no try before this; None: try at once
    reported: bool = False  # this process has logged `problem`
    alerted: bool = False  # this process has queued (or found queued) the outage's alert
    # The alert row the [mailbox.smtp] server refused for a passing reason (451), and when
    # to hand it over again: while the outage lasts the outbox flush does not run.
    alert_row: int | None = None
    alert_retry_at: datetime | None = None


class MailboxHealth:
    """Runs the daemon's mailbox jobs; tracks one outage at a time. Time is passed in."""

    def __init__(
        self,
        app: App,
        *,
        first_wait: timedelta = FIRST_WAIT,
        max_wait: timedelta = MAX_WAIT,
    ) -> None:
        self.app = app
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.outage: Outage | None = self._load()

    @property
    def down(self) -> bool:
        return self.outage is not None

    def wait_after(self, failures: int) -> timedelta:
        """The pause after the n-th failed try in a row: 1, 2, 4 ... minutes, capped."""
        backoff = Backoff(base=self.first_wait.total_seconds(), cap=self.max_wait.total_seconds())
        return timedelta(seconds=backoff.delay(max(1, failures)))

    def run(
        self, job: str, work: Callable[[], T], now: datetime, *, probe: bool = True
    ) -> T | None:
        """Run `work` unless the mailbox is down and it is not yet time to try again.

        `probe=False` (the flush) never runs during an outage: only a probing job (the
        poll) may decide the mailbox is back. A BackendError (TransientError included)
        starts or continues the outage and is not raised; the result is then None.
        """
        if self.outage is not None:
            if not probe:
                return None
            if self.outage.retry_at is not None and now < self.outage.retry_at:
                return None  # skipped quietly: the outage was reported when it started
        try:
            result = work()
        except BackendError as error:
            self._failed(job, error, now)
            return None
        if self.outage is not None and probe:
            self._recovered(job, now)
        return result

    def read_by_hand(self, job: str, now: datetime) -> None:
        """A poll run outside the daemon (`mailbot poll --once`) read the mailbox: the
        outage the daemon recorded is over, as if its own poll had read it, so `mailbot
        status` no longer says DOWN for a problem already put right."""
        if self.outage is not None:
            self._recovered(job, now)

    # --- the outage --------------------------------------------------------------------

    def _failed(self, job: str, error: BackendError, now: datetime) -> None:
        problem = describe(error)
        outage = self.outage
        if outage is None:
            outage = self.outage = Outage(started=now, problem=problem)
            self._record("outage", f"{job}: {problem}", now)
            self._save(outage)
        elif problem != outage.problem:
            outage.problem, outage.reported = problem, False
            self._record("outage changed", f"{job}: {problem}", now)
            self._save(outage)
        throttled = is_throttling(error) and now - outage.started < THROTTLE_GRACE
        alert = None
        if outage.alerted:
            self._alert_again(outage, now)
        elif not throttled:  # the first failure this process alerts for: a new outage, or
            # one an earlier run left open (the alert's dedup key keeps it to one email)
            alert = self._alert(outage, error, now)
            outage.alerted = True
        outage.failures += 1
        wait = self.wait_after(outage.failures)
        if isinstance(error, TransientError) and error.retry_after:  # the pause it asked for,
            # up to the longest backoff: a pause of hours must not hold back the alert
            # past THROTTLE_GRACE (the backend's cooldown keeps the server itself quiet)
            wait = max(wait, min(timedelta(seconds=error.retry_after), self.max_wait))
        outage.retry_at = now + wait
        if outage.reported and alert is None:
            log.debug("%s: mailbox still unavailable; next try in %s", job, span_in_words(wait))
            return
        outage.reported = True
        if throttled:
            log.warning(
                "%s: the mailbox server asked for a pause (since %s): %s; trying again in %s; "
                "the admins are alerted only if it still fails at %s",
                job, uk_time(outage.started), problem, span_in_words(wait),
                uk_time(outage.started + THROTTLE_GRACE),
            )  # fmt: skip
            return
        log.error(
            "%s: the mailbox is unavailable (since %s): %s; trying again in %s, then less "
            "often (at most every %s); %s",
            job, uk_time(outage.started), problem, span_in_words(wait),
            span_in_words(self.max_wait), alert or "the admins were alerted when it began",
        )  # fmt: skip

    def _recovered(self, job: str, now: datetime) -> None:
        outage = self.outage
        assert outage is not None
        self.outage = None
        lasted = now - outage.started
        back = f"{job}: back after {span_in_words(lasted)} ({outage.problem})"
        self._record("recovered", back, now)
        self._save(None)
        log.info(
            "%s: the mailbox works again after %s (since %s: %s)",
            job, span_in_words(lasted), uk_time(outage.started), outage.problem,
        )  # fmt: skip

    # --- the alert ---------------------------------------------------------------------

    def _alert(self, outage: Outage, error: BackendError, now: datetime) -> str:
        """Queue the one alert for this outage; say in words where it stands."""
        settings = self.app.settings
        admins = admin_alert.admins(self.app)
        if not admins:
            return "no alert email: [directory] admins is empty"
        context = {
            "backend": settings.mailbox.backend,
            "since": uk_time(outage.started),
            # For the Welsh part of a bilingual council's alert, which writes its own date.
            "since_day": outage.started.astimezone(LONDON).date(),
            "since_time": f"{outage.started.astimezone(LONDON):%H:%M}",
            "problem": outage.problem,
            "max_wait": span_in_words(self.max_wait),
            "advice": _advice(error),
        }
        try:
            with self.app.store.transaction() as session:
                row = admin_alert.queue_alert(
                    self.app,
                    session,
                    template="mailbox_alert",  # in both languages at Cardiff
                    purpose=ALERT_PURPOSE,
                    dedup_key=f"{ALERT_KEY}{outage.started.isoformat()}",  # one per outage
                    context=context,
                    now=now,
                )
        except SQLAlchemyError as db_error:
            return f"no alert email: the database refused it ({db_error})"
        row_id = row.id if row is not None else None  # the commit assigned it
        queued = f"an alert email to {', '.join(admins)} is queued"
        if row_id is None:
            return f"{queued} (by an earlier run, for this outage)"
        if not settings.mailbox.smtp.host:
            return f"{queued} but {sending_route(settings)}"
        failure = self._send_by_smtp(row_id, now)
        if isinstance(failure, TransientError):
            self._try_again_later(outage, row_id, now)
            return (
                f"{queued} but the SMTP server did not take it ({failure}), so it is handed "
                "to it again while the outage lasts, else goes out once the mailbox works again"
            )
        if failure is not None:
            return (
                f"{queued} but sending it through SMTP failed ({failure}), so it goes out "
                "once the mailbox works again"
            )
        return f"an alert email was sent to {', '.join(admins)} through the SMTP server"

    def _try_again_later(self, outage: Outage, row_id: int, now: datetime) -> None:
        with self.app.store.transaction() as session:
            row = session.get(OutboxRow, row_id)
            attempts = row.attempts if row is not None else 1
        outage.alert_row, outage.alert_retry_at = row_id, now + outbox.wait_after(attempts)

    def _alert_again(self, outage: Outage, now: datetime) -> None:
        """Hand the alert to the [mailbox.smtp] server again, once its wait is over, if it
        refused it for a passing reason: an outage of days must not keep it till the end."""
        row_id, due = outage.alert_row, outage.alert_retry_at
        if row_id is None or due is None or now < due:
            return
        outage.alert_row = outage.alert_retry_at = None
        try:
            failure = self._send_by_smtp(row_id, now)
        except SQLAlchemyError as db_error:
            log.warning("could not send the mailbox alert again: %s", db_error)
            return
        if isinstance(failure, TransientError):
            self._try_again_later(outage, row_id, now)
        elif failure is None:
            log.info("the alert email about the mailbox outage was sent through the SMTP "
                     "server, on a later try")

    def _send_by_smtp(self, row_id: int, now: datetime) -> BackendError | None:
        """Hand the alert row straight to the [mailbox.smtp] server, with the outbox's
        own bookkeeping (marked sending before, sent after). No Sent copy is kept: the
        mailbox is what is down. Returns the failure, or None once sent."""
        smtp = self.app.settings.mailbox.smtp
        server = SmtpSettings(
            host=smtp.host,
            port=smtp.port,
            security=smtp.security,
            username=smtp.username,
            password=smtp.password,
        )
        with self.app.store.transaction() as session:
            row = session.get(OutboxRow, row_id)
            assert row is not None
            if row.status != "pending":  # sent meanwhile (`mailbot flush` by hand)
                return None
            row.status, row.attempts = "sending", row.attempts + 1
            mail = OutgoingMail(row.message_id, tuple(row.recipients.split(",")), row.mime)
        try:
            submit(server, mail, self.app.mailbox_address)
        except BackendError as error:
            with self.app.store.transaction() as session:
                row = session.get(OutboxRow, row_id)
                assert row is not None
                row.status, row.last_error = "pending", str(error)[:1000]
            return error
        with self.app.store.transaction() as session:
            row = session.get(OutboxRow, row_id)
            assert row is not None
            row.status, row.sent_at = "sent", now
            ledger.record_event(
                session, now, "outbox", "sent", f"{row.purpose} to {row.recipients} by SMTP",
                case_id=row.case_id,
            )
        return None

    # --- the database ------------------------------------------------------------------

    def _record(self, action: str, detail: str, now: datetime) -> None:
        try:
            with self.app.store.transaction() as session:
                ledger.record_event(session, now, ACTOR, action, detail[:2000])
        except SQLAlchemyError as db_error:
            log.warning("could not record the mailbox %s event: %s", action, db_error)

    def _save(self, outage: Outage | None) -> None:
        """Keep the outage's start and problem across a restart of the daemon. Its tries
        and backoff are this process's: a restarted daemon tries again at once."""
        record = None
        if outage is not None:
            record = OutageRecord(outage.started, outage.problem, 0, outage.started)
        try:
            with self.app.store.transaction() as session:
                write_record(session, STATE_KEY, record)
        except SQLAlchemyError as db_error:
            log.warning("could not store the mailbox outage state: %s", db_error)

    def _load(self) -> Outage | None:
        """An outage a previous run of the daemon left open: tried again at once."""
        try:
            with self.app.store.transaction() as session:
                record = read_record(session, STATE_KEY)
        except SQLAlchemyError:
            return None
        if record is None:
            return None
        return Outage(started=record.since, problem=record.problem)


def is_throttling(error: BackendError) -> bool:
    """The server asked for a pause (a Retry-After or BackOffMilliseconds hint): it is up
    and answering, and will take requests again after the pause."""
    return isinstance(error, TransientError) and bool(error.retry_after)


def describe(error: BackendError) -> str:
    """The problem in one line, the same text for the same problem: memory addresses
    (which exchangelib and requests put in their messages) are dropped."""
    text = " ".join(str(error).split()) or type(error).__name__
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def sending_route(settings: Settings) -> str:
    """Where a queued alert goes without an SMTP server of its own, for the log line."""
    if settings.mailbox.backend == "imap":
        return "cannot be sent: the imap backend has no [mailbox.smtp] host"
    return (
        f"the {settings.mailbox.backend} mailbox cannot send while it is down, so it goes "
        "out once the mailbox works again"
    )


def _advice(error: BackendError) -> str:
    if isinstance(error, TransientError):
        return (
            "check that the mail server is running and reachable from the mailbot server; "
            "if it comes back on its own, nothing needs doing."
        )
    return (
        "fix what the problem names and test it with `mailbot check-config --connect`; "
        "if you change mailbot's configuration or environment, restart mailbot."
    )


def uk_time(moment: datetime) -> str:
    return f"{moment.astimezone(LONDON):%d %b %Y %H:%M} (UK time)"


def span_in_words(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 1:
        return f"{round(span.total_seconds())} s"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
