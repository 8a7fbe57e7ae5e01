"""APScheduler 3.x wiring of the jobs, and the lock that keeps one daemon per data folder."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout

from mailbot import jobs
from mailbot.app import App
from mailbot.backends.base import BackendError

log = logging.getLogger(__name__)

SWEEP_MINUTES = 15  # how often the reminder sweep and the digest check run


class AlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_instance(data_dir: Path) -> Iterator[None]:
    """Hold data_dir/mailbot.lock; a second poller on the same data gives a clear error."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "mailbot.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AlreadyRunning(
            f"another mailbot is already running on {data_dir} (lock {lock.lock_file})"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _guarded(name: str, job: Callable[[App, datetime], Any], app: App) -> Callable[[], None]:
    """Run a job with the current time; a mailbox outage is logged, never fatal."""

    def run() -> None:
        try:
            job(app, datetime.now(UTC))
        except BackendError as exc:
            log.warning("%s: mailbox unavailable, will retry on the next run: %s", name, exc)
        except Exception:  # noqa: BLE001 - the daemon outlives any one failed run
            log.exception("%s: failed; will run again on schedule", name)

    return run


def build_scheduler(app: App) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="Europe/London")
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    schedule = app.settings.scheduler
    scheduler.add_job(
        _guarded("poll", jobs.poll, app),
        "interval",
        seconds=schedule.poll_seconds,
        id="poll",
        next_run_time=datetime.now(UTC),
        **defaults,
    )
    scheduler.add_job(
        _guarded("flush", jobs.flush_outbox, app),
        "interval",
        seconds=schedule.flush_seconds,
        id="flush",
        **defaults,
    )
    # Both jobs decide for themselves whether anything is due (working hours, the digest's
    # day and time, the dedup ledger), so running them often is cheap and catches up
    # after downtime without ever sending twice.
    scheduler.add_job(
        _guarded("reminders", jobs.send_reminders, app),
        "interval",
        minutes=SWEEP_MINUTES,
        id="reminders",
        **defaults,
    )
    scheduler.add_job(
        _guarded("digest", jobs.send_digests, app),
        "interval",
        minutes=SWEEP_MINUTES,
        id="digest",
        **defaults,
    )
    return scheduler


def run_daemon(app: App) -> None:
    scheduler = build_scheduler(app)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping after the running job", signal.Signals(signum).name)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "mailbot running: policy %s, backend %s", app.policy.name, app.settings.mailbox.backend
    )
    scheduler.start()
    log.info("mailbot stopped")
