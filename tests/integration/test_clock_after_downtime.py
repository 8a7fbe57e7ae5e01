"""Clock events that come from mail are dated when the mail was sent, not when a daemon
that was down over a weekend got round to it (as a new case's clock already is: pipeline
receipt_time). Otherwise a member's answer sent on Friday would resume a paused clock on
Monday, and an officer's Friday answer would count as given on Monday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, rows
from test_officers import JO, SAM, _council, _open_pothole

from mailbot.store.tables import CaseRow, ClockEventRow

FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    made = _council(tmp_path / "wiltshire")
    yield made
    made.app.close()


def test_a_members_friday_answer_resumes_the_clock_on_friday(council: Council) -> None:
    out = _open_pothole(council)  # Wed 25 Nov 2026; Wiltshire: response due Wed 9 Dec
    council.deliver(council.reply(out[SAM], SAM, 'PAUSE "asked the member which lamp"'))
    answer = council.mail(
        f"Cllr Jo Bloggs <{JO}>",
        f"Re: {out[JO]['Subject']}",
        "It is the one outside no. 12.",
        in_reply_to=out[JO]["Message-ID"],
        date=FRIDAY_3PM,
    )
    council.deliver(answer, now=MONDAY_10AM)  # the daemon was down all weekend
    case = council.case()
    # Paused Wed 25 to Fri 27 Nov: Thu 26 and Fri 27 do not count, so 9 Dec becomes 11 Dec.
    # Resumed on Monday, Mon 30 Nov would not count either (14 Dec).
    assert case.status == "open"
    assert case.response_due is not None and case.response_due.isoformat() == "2026-12-11"
    resume = rows(council.app, ClockEventRow, ClockEventRow.action == "resume")[0]
    assert resume.at == FRIDAY_3PM


def test_an_officers_friday_answer_counts_as_given_on_friday(council: Council) -> None:
    out = _open_pothole(council)
    answer = council.mail(
        SAM,
        f"RE: {out[JO]['Subject']}",
        "The pothole is booked for repair on Tuesday.",
        cc=JO,
        in_reply_to=out[JO]["Message-ID"],
        date=FRIDAY_3PM,
    )
    council.deliver(answer, now=MONDAY_10AM)
    [case] = rows(council.app, CaseRow)
    [stop] = rows(council.app, ClockEventRow, ClockEventRow.action == "stop")
    assert stop.at == FRIDAY_3PM
    assert case.responded_at == FRIDAY_3PM


def test_a_date_before_the_last_clock_event_cannot_reorder_the_clock(council: Council) -> None:
    # A member's Date header from before the officer's pause (a slow or wrong clock) must
    # not put the resume before the pause, which would leave the clock paused for good.
    out = _open_pothole(council)
    council.deliver(
        council.reply(out[SAM], SAM, 'PAUSE "asked the member which lamp"'), now=FRIDAY_3PM
    )
    answer = council.mail(
        f"Cllr Jo Bloggs <{JO}>",
        f"Re: {out[JO]['Subject']}",
        "It is the one outside no. 12.",
        in_reply_to=out[JO]["Message-ID"],
        date=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    )
    council.deliver(answer, now=MONDAY_10AM)
    case = council.case()
    assert case.status == "open" and case.response_due is not None
    pause, resume = rows(council.app, ClockEventRow)
    assert (pause.action, resume.action) == ("pause", "resume")
    assert resume.at >= pause.at


def test_an_officers_friday_done_read_on_monday_counts_on_friday(council: Council) -> None:
    out = _open_pothole(council)
    done = council.mail(
        SAM, f"RE: {out[SAM]['Subject']}", "DONE", in_reply_to=out[SAM]["Message-ID"],
        date=FRIDAY_3PM,
    )
    council.deliver(done, now=MONDAY_10AM)
    case = council.case()
    assert case.status == "responded" and case.responded_at == FRIDAY_3PM
    [stop] = rows(council.app, ClockEventRow, ClockEventRow.action == "stop")
    assert (stop.at, stop.who) == (FRIDAY_3PM, SAM)


def test_an_officers_friday_pause_read_on_monday_pauses_from_friday(council: Council) -> None:
    out = _open_pothole(council)
    pause = council.mail(
        SAM, f"RE: {out[SAM]['Subject']}", 'PAUSE "waiting for the contractor"',
        in_reply_to=out[SAM]["Message-ID"], date=FRIDAY_3PM,
    )
    council.deliver(pause, now=MONDAY_10AM)
    [paused] = rows(council.app, ClockEventRow, ClockEventRow.action == "pause")
    assert paused.at == FRIDAY_3PM

