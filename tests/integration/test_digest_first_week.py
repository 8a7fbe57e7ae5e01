"""A council that starts mailbot after its week's digest time gets its first digest at the
next one, not at once: a Wednesday start with a Monday 08:00 digest used to send managers
a digest straight away, reporting a week mailbot had not seen ("0 overdue"). A daemon
that was down at the digest time still sends that week's when it is back, and so does a
database upgraded from a release before this rule; `mailbot digest` by hand sends it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, body_text, queued_digests, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.digest.first_week import BEGAN_KEY
from mailbot.store.state import write_value
from mailbot.store.tables import OutboxRow

JO, SAM, CHIEF = "jo.bloggs@wiltshire.gov.uk", "sam.patel@wiltshire.gov.uk", \
    "chief.executive@wiltshire.gov.uk"
LAST_FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY_EARLY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # the digest is Monday 08:00
MONDAY_LATE = datetime(2026, 11, 23, 8, 20, tzinfo=UTC)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)


def council(home: Path) -> Council:
    return Council(
        home, mailbox="memberenquiries@wiltshire.gov.uk", policy="wiltshire", threshold=0.0,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[digest]\nday = "monday"\ntime = "08:00"\nrecipients = ["{CHIEF}"]\n'
               "managers = false\n",
    )


def enquiry(place: Council, now: datetime) -> None:
    place.deliver(place.mail(JO, "Pothole on Castle Road", "Please get it filled.",
                             cc=SAM, date=now), now)


def test_a_wednesday_start_waits_for_next_mondays_digest(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        enquiry(place, WEDNESDAY)
        assert queued_digests(place, WEDNESDAY) == {}
        assert queued_digests(place, datetime(2026, 11, 27, 16, 0, tzinfo=UTC)) == {}
        digest = queued_digests(place, NEXT_MONDAY)[CHIEF]
        assert re.search(r"Last week \(Monday 23 November.*\r?\n\s+Opened:\s+1\r?\n",
                         body_text(digest, "plain"))


def test_a_start_before_the_digest_time_gets_that_weeks(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        assert queued_digests(place, MONDAY_EARLY) == {}  # not yet its time
        enquiry(place, datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
        assert set(queued_digests(place, MONDAY_LATE)) == {CHIEF}


def test_a_daemon_down_at_the_digest_time_sends_it_when_back(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        enquiry(place, LAST_FRIDAY)  # running since last week (its own first week)
        assert queued_digests(place, datetime(2026, 11, 20, 12, 0, tzinfo=UTC)) == {}
        # down over Monday, back on Wednesday
        assert set(queued_digests(place, WEDNESDAY)) == {CHIEF}
        assert len(rows(place.app, OutboxRow, OutboxRow.purpose == "digest")) == 1


def test_an_upgraded_database_with_history_sends_the_weeks_digest(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        enquiry(place, LAST_FRIDAY)  # handled by a release before the rule
        with place.app.store.transaction() as session:
            write_value(session, BEGAN_KEY, None)  # which recorded nothing of it
        assert set(queued_digests(place, WEDNESDAY)) == {CHIEF}


def test_the_digest_by_hand_goes_in_the_first_week(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        config = place.app.settings.config_path
        assert config is not None
        result = CliRunner().invoke(cli, ["digest", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert f"queued the digest for {CHIEF}" in result.output
        assert len(rows(place.app, OutboxRow, OutboxRow.purpose == "digest")) == 1
