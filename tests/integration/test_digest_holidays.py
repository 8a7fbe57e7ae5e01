"""The weekly digest on a bank holiday and in a Christmas closure: which day the managers
get it, judged by the mail that left and the outbox rows.

Monday 28 December 2026 is the substitute Boxing Day bank holiday (England); 1 January
2027 is New Year's Day. The digest is set for Monday 08:00. The jobs run every hour of
the week, as the daemon would, and the test reads what left when.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import Council, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

DOMAIN = "wiltshire.gov.uk"
MANAGER = f"dana.reed@{DOMAIN}"
CHIEF = f"chief.executive@{DOMAIN}"
CHRISTMAS_CLOSURE = (
    '[policy.calendar]\nclosures = [{ start = 2026-12-29, end = 2026-12-31, '
    'name = "Christmas closure" }]\n'
)


def council(home: Path, *, day: str = "monday", extra: str = "") -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}",
        members=[("Cllr Jo Bloggs", f"jo@{DOMAIN}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{DOMAIN}", "Highways", MANAGER, ""),
                  ("Dana Reed", MANAGER, "Highways", "", "")],
        config=(f'[routing]\ndefault_officer = "sam@{DOMAIN}"\n'
                f'[digest]\nday = "{day}"\ntime = "08:00"\nrecipients = ["{CHIEF}"]\n' + extra),
    )


def hours(first: date, days: int) -> Iterator[datetime]:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)  # GMT: UTC is London
    for n in range(days * 24):
        yield start + timedelta(hours=n)


def digests_sent(place: Council, first: date, days: int) -> list[tuple[datetime, str, str]]:
    """(when, To, Subject) of every digest that left while the jobs ran hourly."""
    out = []
    for now in hours(first, days):
        jobs.send_digests(place.app, now)
        jobs.flush_outbox(place.app, now)
        out += [(now, str(m["To"]), str(m["Subject"])) for _, m in place.left()
                if str(m["Subject"]).startswith("Weekly digest")]
    return out


def test_a_bank_holiday_monday_moves_the_digest_to_tuesday(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        sent = digests_sent(place, date(2026, 12, 28), 7)
        assert sorted((when, to) for when, to, _ in sent) == [
            (datetime(2026, 12, 29, 8, tzinfo=UTC), CHIEF),
            (datetime(2026, 12, 29, 8, tzinfo=UTC), MANAGER),
        ]
        # Still the digest of its own week: last week is 21-27 December.
        assert all("week of Monday 28 December 2026" in subject for _, _, subject in sent)
        digests = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
        assert len(digests) == 2
        assert all(r.dedup_key.endswith(":2026-W53") for r in digests)


def test_an_ordinary_week_still_gets_its_digest_on_monday(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        sent = digests_sent(place, date(2026, 12, 7), 2)
        assert {when for when, _, _ in sent} == {datetime(2026, 12, 7, 8, tzinfo=UTC)}
        assert len(sent) == 2


def test_a_week_closed_throughout_keeps_the_configured_day(tmp_path: Path) -> None:
    """28 December a bank holiday, 29-31 a closure, 1 January a bank holiday: no working
    day that week. The digest goes on the Monday as configured, once; the next week's goes
    on Monday 4 January, so nobody gets two in a week and no week's figures are lost."""
    with council(tmp_path, extra=CHRISTMAS_CLOSURE) as place:
        sent = digests_sent(place, date(2026, 12, 28), 8)
        assert sorted((when, to) for when, to, _ in sent) == [
            (datetime(2026, 12, 28, 8, tzinfo=UTC), CHIEF),
            (datetime(2026, 12, 28, 8, tzinfo=UTC), MANAGER),
            (datetime(2027, 1, 4, 8, tzinfo=UTC), CHIEF),
            (datetime(2027, 1, 4, 8, tzinfo=UTC), MANAGER),
        ]


def test_a_friday_digest_on_a_bank_holiday_goes_on_the_thursday(tmp_path: Path) -> None:
    """Friday 25 December 2026: no working day after it that week, so the last one before."""
    with council(tmp_path, day="friday") as place:
        sent = digests_sent(place, date(2026, 12, 21), 7)
        assert {when for when, _, _ in sent} == {datetime(2026, 12, 24, 8, tzinfo=UTC)}
        assert len(sent) == 2
