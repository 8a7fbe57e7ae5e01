"""APScheduler 3.x wiring of the jobs, and the lock that keeps one daemon per data folder.

The poll and the flush go through a MailboxHealth (mailbot/health.py): a mailbox that is
down or refuses the login is retried with backoff, reported once and alerted once.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from filelock import FileLock, Timeout
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from mailbot import jobs, sending_hold, template_fallback
from mailbot.app import App
from mailbot.backends.base import BackendError, Interrupted
from mailbot.health import MailboxHealth
from mailbot.job_failures import JobFailures
from mailbot.outbox import FlushReport
from mailbot.store import Store
from mailbot.store.state import write_value

log = logging.getLogger(__name__)

# When `mailbot run` last stopped cleanly (UTC, ISO 8601); see note_stopped.
DAEMON_STOPPED_KEY = "daemon.stopped"
SWEEP_MINUTES = 15  # how often the reminder sweep and the digest check run
IDLE_MAX_SECONDS = 25.0
IDLE_MARGIN_SECONDS = 5.0
# After a stop, how long the job in hand may take to finish before its mailbox call is
# cut short: ample for the message in hand and the batch's move; far less than a read
# from a hung server (60 s, then retries) or an IDLE wait (up to IDLE_MAX_SECONDS).
STOP_GRACE_SECONDS = 3.0

Clock = Callable[[], datetime]


class AlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_instance(data_dir: Path, store: Store) -> Iterator[None]:
    """One poller per data folder (data_dir/mailbot.lock) and one per database, even when
    two machines share a PostgreSQL: a second poller gives a clear error instead."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "mailbot.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AlreadyRunning(
            f"another mailbot is already running on {data_dir} (lock {lock.lock_file})"
        ) from None
    try:
        with store.sole_poller() as sole:
            if not sole:
                raise AlreadyRunning(
                    "another mailbot (perhaps on another machine) is already polling the "
                    f"database {store.engine.url.render_as_string(hide_password=True)}"
                )
            yield
    finally:
        lock.release()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DatabaseWatch:
    """A database that cannot be reached (PostgreSQL restarting, SQLite locked for longer
    than the busy timeout) fails every job until it is back. Nothing is lost meanwhile
    (mail stays in the Inbox, rows are written later), so it is one ERROR line when it
    starts, one line when it ends, and not a traceback per job per minute."""

    def __init__(
        self, reachable: Callable[[], bool], forget_connections: Callable[[], None] = lambda: None
    ) -> None:
        self.reachable = reachable
        self.forget_connections = forget_connections
        self.down_since: datetime | None = None

    def failed(self, job: str, error: DBAPIError, now: datetime) -> None:
        # The next try on fresh connections: one kept open may be what fails (a SQLite
        # file opened read-only stays so while the process has it open).
        self.forget_connections()
        if self.down_since is None:
            self.down_since = now
            log.error(
                "database unavailable (%s: %s); every job waits and tries again on its "
                "schedule; nothing is lost meanwhile", job, _first_line(error.orig)
            )
        else:
            log.debug("%s: the database is still unavailable", job)

    def worked(self, now: datetime) -> None:
        # A job can succeed without the database (the reminder sweep at night), so only
        # a real connection says the outage is over.
        if self.down_since is not None and self.reachable():
            log.info("database works again (unavailable since %s)", f"{self.down_since:%H:%M}")
            self.down_since = None


def _first_line(error: BaseException | None) -> str:
    """PostgreSQL adds CONTEXT and HINT lines; the log keeps one line per event."""
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


class SolePoller:
    """Before each poll and flush: is this still the one poller of its database? Its
    PostgreSQL lock goes with a lost connection (a database restart), and another daemon
    may have taken it meanwhile; then this one stops polling and sending, and says so
    once, until the lock is its own again."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.lost = False

    def confirmed(self) -> bool:
        sole = self.app.store.still_sole_poller()
        if not sole and not self.lost:
            log.error(
                "another mailbot has taken over polling this database (this one's lock went "
                "with a lost database connection); this one no longer polls or sends: stop "
                "one of them"
            )
        elif sole and self.lost:
            log.info("this mailbot is again the only one polling its database")
        self.lost = not sole
        return sole


def _guarded(
    name: str,
    job: Callable[[datetime], Any],
    clock: Clock,
    database: DatabaseWatch,
    failures: JobFailures,
) -> Callable[[], None]:
    """Run a job with the time from `clock`; no failure stops the daemon. A job that
    fails with an error of its own is noted for `mailbot status` until it works again."""

    def run() -> None:
        now = clock()
        try:
            job(now)
        except BackendError as exc:
            log.warning("%s: mailbox unavailable, will retry on the next run: %s", name, exc)
        except Interrupted as exc:
            log.info("%s: %s; the next start carries on", name, exc)
        except (OperationalError, InterfaceError) as exc:
            database.failed(name, exc, now)
        except Exception as exc:  # noqa: BLE001 - the daemon outlives any one failed run
            if isinstance(exc, DBAPIError) and jobs.database_unavailable(exc):
                database.failed(name, exc, now)  # e.g. PostgreSQL taking no writes
                return
            log.exception("%s: failed; will run again on schedule", name)
            failures.failed(name, exc, now)
        else:
            database.worked(now)
            failures.worked(name)

    return run


def idle_seconds(poll_seconds: int) -> float:
    """How long the poll job waits on IDLE: most of the gap to the next poll, but short
    enough that the one worker soon gets to the other jobs, and a stop is not held up."""
    return max(0.0, min(IDLE_MAX_SECONDS, poll_seconds - IDLE_MARGIN_SECONDS))


def _wait_for_mail(app: App, health: MailboxHealth, now: datetime) -> bool:
    """After a poll: wait on IMAP IDLE for new mail, where the backend and the server
    offer it. True if mail came, so the caller polls (and sends) at once."""
    seconds = idle_seconds(app.settings.scheduler.poll_seconds)
    backend = app.backend
    offers_idle = getattr(backend, "offers_idle", None)
    wait_for_new = getattr(backend, "wait_for_new", None)
    if not app.settings.scheduler.idle or seconds <= 0 or health.down:
        return False
    if offers_idle is None or wait_for_new is None:
        return False
    if not health.run("idle", offers_idle, now, probe=False):
        return False
    return bool(health.run("idle", lambda: wait_for_new(seconds), now, probe=False))


def daemon_jobs(
    app: App,
    health: MailboxHealth,
    clock: Clock = _utc_now,
    stopping: threading.Event | None = None,
) -> dict[str, Callable[[], None]]:
    """The daemon's jobs by id, each reading the time from `clock` when it runs. Once
    `stopping` is set, the poll and the flush end after the message or mail in hand."""
    database = DatabaseWatch(app.store.reachable, app.store.forget_connections)
    failures = JobFailures(app.store)
    sole = SolePoller(app)
    stop = (stopping or threading.Event()).is_set

    def poll(now: datetime) -> None:
        if not sole.confirmed():
            return
        jobs.note_daemon_poll(app, now)  # even while the mailbox is down: we are alive
        log_polled(health.run("poll", lambda: jobs.poll(app, now, stop=stop), now))
        if not stop() and _wait_for_mail(app, health, now):
            later = clock()  # the wait took time: the next steps read the clock again
            log_polled(health.run("poll", lambda: jobs.poll(app, later, stop=stop), later))
            log_flushed(health.run(
                "flush", lambda: jobs.flush_outbox(app, later, stop=stop), later, probe=False
            ))

    def flush(now: datetime) -> None:
        if not sole.confirmed():
            return
        # Never a probe: it waits while the mailbox is down (see mailbot/health.py).
        log_flushed(
            health.run("flush", lambda: jobs.flush_outbox(app, now, stop=stop), now, probe=False)
        )

    def guarded(name: str, job: Callable[[datetime], Any]) -> Callable[[], None]:
        def job_then_tell(now: datetime) -> None:
            job(now)
            # A council template that failed while this job made mail: the admins' alert.
            template_fallback.alert_made_with_own(app, now)

        return _guarded(name, job_then_tell, clock, database, failures)

    return {
        "poll": guarded("poll", poll),
        "flush": guarded("flush", flush),
        "reminders": guarded("reminders", lambda now: jobs.send_reminders(app, now)),
        "digest": guarded("digest", lambda now: jobs.send_digests(app, now)),
        "purge": guarded("purge", lambda now: jobs.purge_if_due(app, now)),
    }


def log_polled(report: jobs.PollReport | None) -> None:
    """One INFO line for a poll that found mail, in counts (no address, no subject): the
    journal then shows the daemon at work, not only that it started."""
    if report is None or not report.outcomes:
        return
    counts = Counter(outcome.status.value for outcome in report.outcomes)
    log.info("poll: %d message(s): %s", len(report.outcomes),
             ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


def log_flushed(report: FlushReport | None) -> None:
    """One INFO line for a flush that sent, held back or failed mail, in counts."""
    if report is None:
        return
    parts = [f"{len(found)} {what}" for what, found in (
        ("sent", report.sent), ("failed", report.failed),
        ("suppressed by the per-recipient cap", report.suppressed),
        ("withdrawn as no longer true", report.withdrawn),
    ) if found]
    if parts:
        log.info("outbox: %s", ", ".join(parts))


def next_quarter_hour(now: datetime) -> datetime:
    """The first whole quarter hour (of UTC, so of UK time too) after `now`."""
    step = SWEEP_MINUTES * 60
    return datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step, UTC)


def build_scheduler(app: App, stopping: threading.Event | None = None) -> BackgroundScheduler:
    # One worker: the jobs share one mailbox connection (an IMAP client is not thread-safe)
    # and one database writer, so they run one after another, never side by side.
    scheduler = BackgroundScheduler(
        timezone="Europe/London", executors={"default": ThreadPoolExecutor(max_workers=1)}
    )
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    schedule = app.settings.scheduler
    run = daemon_jobs(app, MailboxHealth(app), stopping=stopping)
    scheduler.add_job(
        run["poll"],
        "interval",
        seconds=schedule.poll_seconds,
        id="poll",
        name="poll",
        next_run_time=datetime.now(UTC),
        **defaults,
    )
    scheduler.add_job(
        run["flush"],
        "interval",
        seconds=schedule.flush_seconds,
        id="flush",
        name="flush",
        **defaults,
    )
    # Both jobs decide for themselves whether anything is due (working hours, the digest's
    # day and time, the dedup ledger), so running them often is cheap and catches up
    # after downtime without ever sending twice.
    # On the quarter hours (UK offsets are whole hours, so UTC's quarter hours are the same
    # minutes): the reminders' first sweep of the day is at 09:00 and a digest due at 08:00
    # goes at 08:00, not up to 15 minutes later depending on when the daemon started.
    sweeps_from = next_quarter_hour(datetime.now(UTC))
    scheduler.add_job(
        run["reminders"],
        "interval",
        minutes=SWEEP_MINUTES,
        start_date=sweeps_from,
        id="reminders",
        name="reminders",
        **defaults,
    )
    scheduler.add_job(
        run["digest"],
        "interval",
        minutes=SWEEP_MINUTES,
        start_date=sweeps_from,
        id="digest",
        name="digest",
        **defaults,
    )
    # Once a night from 03:30 (Europe/London, retention.PURGE_AT): the job asks at each
    # sweep whether tonight's purge is done, so a night the daemon was not running at
    # 03:30 is purged at its first sweep after, not skipped.
    scheduler.add_job(
        run["purge"],
        "interval",
        minutes=SWEEP_MINUTES,
        start_date=sweeps_from,
        id="purge",
        name="purge",
        **defaults,
    )
    return scheduler


@contextmanager
def cut_short_after(seconds: float, app: App) -> Iterator[None]:
    """While the block waits for the running job: once `seconds` have passed, interrupt
    the mailbox call it may be stuck in (mailbot/backends/base.py, Interruptible)."""
    interrupt = getattr(app.backend_in_use, "interrupt", None)
    if interrupt is None:
        yield
        return
    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def run_daemon(app: App) -> None:
    """Run the jobs until SIGTERM or SIGINT, then stop after the message in hand.

    The signal handler only queues the signal (SimpleQueue.put is safe there); the stop
    itself runs in ordinary code. Stopping inside the handler waited for the job thread
    while the interrupted main thread could still hold a lock that job needed to finish
    (APScheduler's executor lock, a logging handler's lock): the daemon then hung."""
    stopping = threading.Event()
    signals: queue.SimpleQueue[int] = queue.SimpleQueue()
    scheduler = build_scheduler(app, stopping)

    def queue_signal(signum: int, _frame: FrameType | None) -> None:
        signals.put(signum)

    signal.signal(signal.SIGTERM, queue_signal)
    signal.signal(signal.SIGINT, queue_signal)
    log.info(
        "mailbot running: policy %s, backend %s", app.policy.name, app.settings.mailbox.backend
    )
    # A restart is how a corrected password or certificate is read: the first flush tries
    # one mail at once, the mail the hold put back included; refused again, the hold's
    # backoff goes on from its stored tries (one login, not one per restart's flush).
    sending_hold.try_now(app.store, _utc_now())
    scheduler.start()
    log.info("received %s; stopping after the running job", _signal_name(_first(signals)))
    stopping.set()  # a poll or flush in progress ends after the message in hand
    stop_scheduler(scheduler, app, signals)
    note_stopped(app, _utc_now())
    log.info("mailbot stopped")


def stop_scheduler(
    scheduler: BackgroundScheduler, app: App, signals: queue.SimpleQueue[int]
) -> None:
    """Shut the scheduler down, waiting for the running job; a further Ctrl-C or SIGTERM
    meanwhile is only logged: leaving at once would release the lock and close the
    database under that job."""

    def shut_down() -> None:
        with cut_short_after(STOP_GRACE_SECONDS, app):
            scheduler.shutdown(wait=True)

    closer = threading.Thread(target=shut_down, name="mailbot-stop", daemon=True)
    closer.start()
    while closer.is_alive():
        try:
            again = signals.get(timeout=0.2)
        except queue.Empty:
            continue
        log.info("received %s again; still finishing the message in hand", _signal_name(again))
    closer.join()


def _first(signals: queue.SimpleQueue[int]) -> int:
    """The first signal queued. Python runs a signal's handler in the main thread, which
    a signal the kernel gave another thread does not wake: waking each second lets it."""
    while True:
        try:
            return signals.get(timeout=1.0)
        except queue.Empty:
            continue


def _signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def note_stopped(app: App, now: datetime) -> None:
    """Record a clean stop, so `mailbot status` says at once that nobody is polling (the
    time of the last poll alone looks the same as a running daemon's for half an hour)."""
    try:
        with app.store.transaction() as session:
            write_value(session, DAEMON_STOPPED_KEY, now.isoformat())
    except (OperationalError, InterfaceError) as exc:  # stopping during a database outage
        log.warning("could not record the stop for mailbot status: %s", _first_line(exc.orig))
