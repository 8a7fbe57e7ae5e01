"""The daemon's schedule as APScheduler runs it: the council's clock changes, and what the
scheduler itself writes to the administrator's log."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from helpers import make_app, rows

from mailbot.health import MailboxHealth
from mailbot.logs import configure_logging
from mailbot.scheduler import SWEEP_MINUTES, build_scheduler, daemon_jobs
from mailbot.store.tables import EventRow

LONDON = ZoneInfo("Europe/London")
SPRING_FORWARD = datetime(2027, 3, 28, tzinfo=UTC)  # last Sunday of March: 01:00 -> 02:00
FALL_BACK = datetime(2027, 10, 31, tzinfo=UTC)  # last Sunday of October: 02:00 -> 01:00


def fire_times(
    scheduler: BackgroundScheduler, job: str, start: datetime, days: int
) -> list[datetime]:
    """Every time the job's own trigger fires from `start` for `days` days, in UTC."""
    trigger = scheduler.get_job(job).trigger
    fired: list[datetime] = []
    previous, now = None, start
    while (moment := trigger.get_next_fire_time(previous, now)) < start + timedelta(days=days):
        fired.append(moment.astimezone(UTC))
        previous = now = moment
    return fired


@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK], ids=["march", "october"])
def test_the_purge_runs_once_a_night_at_half_past_three_uk_time_across_a_clock_change(
    tmp_path: Path, change: datetime
) -> None:
    """The purge job runs at every sweep and purges when tonight's is still to do: run at
    each of its turns over three nights, it purges at 03:30 on each, the Sunday too."""
    app, _ = make_app(tmp_path)
    try:
        scheduler = build_scheduler(app)
        turns = fire_times(scheduler, "purge", change - timedelta(days=1), 3)
        clock = {"now": turns[0]}
        purge = daemon_jobs(app, MailboxHealth(app), lambda: clock["now"])["purge"]
        for moment in turns:
            clock["now"] = moment
            purge()
        nights = [event.at for event in rows(app, EventRow, EventRow.action == "purge")]
    finally:
        app.close()
    local = [moment.astimezone(LONDON) for moment in nights]
    saturday, sunday, monday = ((change + timedelta(days=d)).date() for d in (-1, 0, 1))
    # the first turn purges at once (none had ever run), then 03:30 each night
    assert [m.date() for m in local[1:]] == [saturday, sunday, monday]  # the Sunday too
    assert {(m.hour, m.minute) for m in local[1:]} == {(3, 30)}
    assert local[0] == turns[0].astimezone(LONDON) and local[0].hour != 3


@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK], ids=["march", "october"])
@pytest.mark.parametrize("job", ["reminders", "digest"])
def test_the_sweeps_keep_every_quarter_hour_of_real_time_across_a_clock_change(
    tmp_path: Path, change: datetime, job: str
) -> None:
    """No lost hour in March and no hour run twice in October: both sweeps decide for
    themselves what is due, so they only need to run steadily."""
    app, _ = make_app(tmp_path)
    try:
        fired = fire_times(build_scheduler(app), job, change - timedelta(hours=3), 1)
    finally:
        app.close()
    gaps = {later - earlier for earlier, later in zip(fired, fired[1:], strict=False)}
    assert gaps == {timedelta(minutes=SWEEP_MINUTES)}
    assert len(fired) == 24 * 60 // SWEEP_MINUTES


def test_a_missed_run_is_logged_under_the_jobs_name(tmp_path: Path) -> None:
    """After a suspend APScheduler logs 'Run time of job "<job>" was missed by 3:00:00':
    the administrator must be able to tell which job it means."""
    app, _ = make_app(tmp_path)
    try:
        scheduler = build_scheduler(app)
        described = {job.id: str(job) for job in scheduler.get_jobs()}
    finally:
        app.close()
    for job, text in described.items():
        assert text.startswith(f"{job} (trigger:"), text


def test_a_job_still_running_does_not_fill_the_log_with_skip_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One worker runs the jobs one after another, so a long poll makes the others wait:
    that is the design, not something to warn about twice every few seconds."""
    app, _ = make_app(tmp_path)
    configure_logging(app.settings)
    app.close()
    release = threading.Event()
    scheduler = BackgroundScheduler(timezone="Europe/London")
    scheduler.add_job(
        lambda: release.wait(5), "interval", seconds=0.2, id="poll", name="poll",
        max_instances=1, coalesce=True, next_run_time=datetime.now(UTC),
    )  # fmt: skip
    scheduler.start()
    try:
        time.sleep(1.2)  # five more runs come due while the first still waits
    finally:
        release.set()
        scheduler.shutdown(wait=True)
    assert "maximum number of running instances" not in capsys.readouterr().err


@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK], ids=["march", "october"])
def test_the_sweeps_run_on_the_quarter_hours_of_uk_time(tmp_path: Path, change: datetime) -> None:
    """docs/reminders.md: reminders go at the first sweep in working hours, 09:00, and the
    digest at its time (08:00): not up to 15 minutes later, depending on when the daemon
    happened to start."""
    app, _ = make_app(tmp_path)
    try:
        scheduler = build_scheduler(app)
        fired = {job: fire_times(scheduler, job, change, 2) for job in ("reminders", "digest")}
    finally:
        app.close()
    monday = (change + timedelta(days=1)).date()
    for job, moments in fired.items():
        local = [moment.astimezone(LONDON) for moment in moments]
        assert {(m.minute, m.second, m.microsecond) for m in local} <= {
            (0, 0, 0),
            (15, 0, 0),
            (30, 0, 0),
            (45, 0, 0),
        }, job
        assert datetime(monday.year, monday.month, monday.day, 9, tzinfo=LONDON) in local, job
