"""A RESUME dated back to the day the wait ended can give a date that has passed: the
officer must be told so, and what follows, not just 'running again: due ...'.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 2 November 2026, due
Monday 16 November; paused Wednesday 4 November 'waiting for the contractor'. On Monday
30 November the officer writes 'RESUME 05/11/2026': 4 and 5 November disregarded, due
Wednesday 18 November, 8 working days ago (19, 20, 23, 24, 25, 26, 27, 30)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from paused_council import ANN as LEE
from paused_council import SAM, sams_council

from mailbot.jobs import send_reminders
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 14, 0, tzinfo=UTC)
RESUMED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with sams_council(tmp_path / "council") as made:
        yield made


def _words(text: str) -> str:
    return " ".join(text.split())


def test_a_resume_dated_past_the_new_date_says_it_has_passed(council: Council) -> None:
    out = council.deliver(council.mail(
        LEE, "Street light out on Elm Road",
        "The street light outside 14 Elm Road has been out for a week. Please fix it.",
        date=RECEIVED), now=RECEIVED)
    [assignment] = [m for m in out if m["To"] == SAM]
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the contractor"',
                                  date=PAUSED), now=PAUSED)

    out = council.deliver(council.reply(assignment, SAM, "RESUME 05/11/2026 light fixed",
                                        date=RESUMED), now=RESUMED)

    assert council.case().response_due == date(2026, 11, 18)
    [confirmation] = [m for m in out if m["To"] == SAM]
    said = _words(body_text(confirmation, "plain"))
    assert "running again: due Wednesday 18 November 2026" in said
    assert ("Its date, Wednesday 18 November 2026, has passed: the case is 8 working days "
            "overdue.") in said
    assert ("Cllr Ann Lee has been sent the letter saying the response is late, who is "
            "dealing with it, and that you will tell them the reason and when they will "
            "have it.") in said
    assert "still expects the date they were given" not in said
    [late] = [m for m in out if m["To"] == LEE]
    # The date Ann was given, not the one the paused days moved it to (never sent to her).
    told = _words(body_text(late, "plain"))
    assert "we told you that you would have the response" in told
    assert "by Monday 16 November 2026, and it has not been sent yet." in told
    assert "18 November" not in told

    send_reminders(council.app, RESUMED.replace(hour=11))
    council.flush(RESUMED.replace(hour=11))
    assert len(rows(council.app, OutboxRow, OutboxRow.purpose == "late_notice")) == 1

