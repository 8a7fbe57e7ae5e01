"""An EIR request that is complex and voluminous may take 40 working days in place of 20
(EIR reg 7(1)), the member told within the 20 (reg 7(3)): the one extension the law gives
an FOI request's date. No other EXTEND moves it.

Dates by hand (holidays.UK for ENG, WLS, SCT and NIR; the FOI calendar skips them all):
received Mon 2 Nov 2026, working day 20 is Tue 1 Dec (Mon 30 Nov, St Andrew's Day,
skipped), working day 40 is Thu 31 Dec 2026 (Fri 25 and Mon 28 Dec skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from foi_council import foi_council, foi_request
from helpers import Council
from paused_council import FOI_TEAM, JO
from paused_council import words as _flat

from mailbot.console import describe_case

DAY_TEN = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
REG_7 = 'EXTEND 20 "EIR reg 7: complex and voluminous, 12 years of air quality readings"'


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with foi_council(tmp_path / "council") as made:
        yield made


def _assignment(council: Council) -> EmailMessage:
    return foi_request(
        council, "Freedom of Information request: air quality",
        "Under the Freedom of Information Act 2000 please send me every air quality reading "
        "taken in the district since 2014.")


def test_a_complex_and_voluminous_eir_request_takes_forty_working_days(
    council: Council,
) -> None:
    assignment = _assignment(council)
    out = council.deliver(council.reply(assignment, FOI_TEAM, REG_7, date=DAY_TEN), now=DAY_TEN)
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    [letter] = [m for m in out if m["To"] == JO]
    said = _flat(confirmation)
    assert said.startswith("Done.")
    assert ("The response date of MB-2026-00001 is now Thursday 31 December 2026 (was "
            "Tuesday 1 December 2026): 40 working days, EIR reg 7(1).") in said
    assert "The member has been sent your reason and the new date (reg 7(3))." in said
    told = _flat(letter)
    assert "12 years of air quality readings" in told
    assert "by Thursday 31 December 2026" in told
    assert council.case().response_due == date(2026, 12, 31)
    explained = describe_case(council.app, council.case().ref) or ""
    assert ("complex and voluminous environmental information (EIR reg 7(1)), 40 working "
            "days in place of 20, from Tue 1 Dec 2026.") in explained
    assert "Due: Thu 31 Dec 2026 (working day 40 after Mon 2 Nov 2026)." in explained
    # Once only: the law gives one.
    again = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    out = council.deliver(council.reply(assignment, FOI_TEAM, REG_7.replace("12", "twelve"),
                                        date=again), now=again)
    [refused] = [m for m in out if m["To"] == FOI_TEAM]
    assert "has been extended under EIR reg 7 already: due Thursday 31 December 2026" in _flat(
        refused)
    assert council.case().response_due == date(2026, 12, 31)


def test_any_other_extension_of_an_foi_request_is_refused_and_says_what_is_allowed(
    council: Council,
) -> None:
    assignment = _assignment(council)
    out = council.deliver(council.reply(assignment, FOI_TEAM, 'EXTEND 10 "the service is slow"',
                                        date=DAY_TEN), now=DAY_TEN)
    [refused] = out
    said = _flat(refused)
    assert said.startswith("Not done.")
    assert "set by law (20 working days)" in said
    assert 'EXTEND 20 "EIR reg 7: complex and voluminous"' in said
    # It was "Ask the FOI team about a public interest extension", sent to the FOI team.
    assert "Ask the FOI team" not in said
    assert council.case().response_due == date(2026, 12, 1)


def test_a_reg_7_extension_after_the_twenty_days_is_refused(council: Council) -> None:
    assignment = _assignment(council)
    late = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    out = council.deliver(council.reply(assignment, FOI_TEAM, REG_7, date=late), now=late)
    [refused] = [m for m in out if m["To"] == FOI_TEAM]
    assert ("EIR reg 7(3): an extension is given within the 20 working days, and "
            "MB-2026-00001's ended on Tuesday 1 December 2026.") in _flat(refused)
    assert council.case().response_due == date(2026, 12, 1)
