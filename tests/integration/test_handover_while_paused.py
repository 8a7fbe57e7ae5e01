"""An officer handed a case whose clock stays paused is told so, why, and what ends it.

An out-of-office redirect moves a paused case as it is (its pause is the officer's PAUSE,
"waiting for Highways to inspect"), and REASSIGN of an FOI request keeps the Act's pause
(the member's clarification or fee is awaited whoever has it). The new holder's mail said
only 'Reply by: the response clock is paused': not why, not that their RESUME ends it, nor
whether the member's reply does; the officer who passed it on had been told, the one who
now holds it had not.

Dates: an enquiry (10 working days) received Wednesday 25 November 2026, paused by Sam
on Thursday 26 November; an FOI request received Tuesday 1 December, paused for
clarification on Wednesday 2 December and passed to Lee on Thursday 3 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council
from paused_council import DANA, FOI_TEAM, JO, LEE, SAM, THE_FOI_TEAM, paused_council
from paused_council import words as _words

RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
AWAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
FOI = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FOI_PAUSED = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
FOI_PASSED = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with paused_council(
        tmp_path / "council",
        [("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "Highways", "", ""),
         ("Lee Wong", LEE, "Information governance", "", ""), THE_FOI_TEAM],
        default_officer=SAM, routes={"foi_team": FOI_TEAM},
    ) as made:
        yield made


def test_the_colleague_an_out_of_office_redirects_to_is_told_the_clock_stays_paused(
    council: Council,
) -> None:
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM, date=RECEIVED),
                          now=RECEIVED)
    assignment = next(m for m in out if m["To"] == SAM)
    out = council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for Highways to '
                                        'inspect"', date=PAUSED), now=PAUSED)
    confirmation = next(m for m in out if m["To"] == SAM)
    out = council.deliver(council.mail(
        f"Sam Patel <{SAM}>", f"Automatic reply: {confirmation['Subject']}",
        "I am on leave until Monday 7 December. Please contact Dana Reed in my absence.",
        in_reply_to=str(confirmation["Message-ID"]), date=AWAY,
        extra="Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All",
    ), now=AWAY)
    case = council.case()
    assert case.officer_email == DANA and case.status == "paused"
    [redirect] = [m for m in out if m["To"] == DANA]
    assert ("The response clock stays paused (waiting for Highways to inspect, since "
            "Thursday 26 November 2026): reply RESUME when it should run again (RESUME with "
            "a date, as RESUME 26/11/2026, if the wait ended on an earlier day); the days in "
            "between do not count. It waits for someone other than the member: their reply "
            "in this case's thread will not end it.") in _words(redirect)


def test_the_officer_an_foi_request_is_reassigned_to_is_told_what_ends_its_pause(
    council: Council,
) -> None:
    out = council.deliver(council.mail(
        JO, "Freedom of Information request: road gritting",
        "Under the Freedom of Information Act 2000 please send me the gritting routes.",
        date=FOI), now=FOI)
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "clarification: which year"',
                                  date=FOI_PAUSED), now=FOI_PAUSED)
    out = council.deliver(council.reply(assignment, FOI_TEAM, f"REASSIGN {LEE}",
                                        date=FOI_PASSED), now=FOI_PASSED)
    assert council.case().status == "paused"
    [passed] = [m for m in out if m["To"] == LEE]
    assert ("The response clock stays paused (clarification: which year, since Wednesday 2 "
            "December 2026) until the member's clarification arrives: their reply in this "
            "case's thread starts a fresh 20 working days from that day (FOIA s.1(3)); if "
            "it comes another way, reply RESUME on the day it arrives.") in _words(passed)
