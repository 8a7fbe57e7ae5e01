"""The working days an FOI request is said to have left, or to be overdue by, are counted
on the statutory calendar its due date was (FOIA s.10(6): a bank holiday in any part of
the UK is not a working day; a council's closure day is), not on the council's own.
Dates checked by hand with holidays.UK(subdiv=...): St Andrew's Day is Mon 30 Nov 2026
(Scotland), the Scottish 2 January holiday of 2027 is observed on Mon 4 Jan, St Patrick's
Day is Wed 17 Mar 2027 (Northern Ireland); none is a bank holiday in England."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text

from mailbot import jobs
from mailbot.console import query_cases
from mailbot.reminders import sweep

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
CHIEF = "chief.executive@council.gov.uk"
MANAGER = "info.manager@council.gov.uk"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    """An English council (Wiltshire's pack) with a Christmas shutdown."""
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", MANAGER, ""),
                  ("Kim Shaw", MANAGER, "Information governance", "", "")],
        threshold=0.0,
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n'
        "[policy.calendar]\n"
        'closures = [{ start = 2026-12-29, end = 2026-12-31, name = "Christmas shutdown" }]\n',
    ) as made:
        yield made


def _foi(council: Council, received: datetime) -> None:
    council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: road budgets",
            "Under the Freedom of Information Act 2000 please send me the road budgets.",
            date=received,
        ),
        now=received,
    )
    assert council.case().kind == "foi"


def _reminders(council: Council, now: datetime) -> list[EmailMessage]:
    sweep(council.app, now)
    return [m for m in council.flush(now) if m["To"] == FOI_TEAM]


def test_the_day_before_st_andrews_day_an_foi_is_one_working_day_from_due(
    council: Council,
) -> None:
    _foi(council, datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    assert str(council.case().response_due) == "2026-12-01"  # Mon 30 Nov is not counted
    [reminder] = _reminders(council, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    assert "is due in 1 working day, by Tuesday 1 December 2026" in body_text(reminder, "plain")


def test_st_andrews_day_is_not_counted_as_a_day_overdue(council: Council) -> None:
    _foi(council, datetime(2026, 10, 30, 10, 0, tzinfo=UTC))
    assert str(council.case().response_due) == "2026-11-27"
    tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    [reminder] = _reminders(council, tuesday)
    assert reminder["Subject"].startswith("Overdue by 1 working day:")
    assert "is now 1 working day overdue" in body_text(reminder, "plain")
    [line] = query_cases(council.app, tuesday)
    assert line.days_overdue == 1


def test_closure_days_count_and_scotlands_new_year_holiday_does_not(council: Council) -> None:
    _foi(council, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert str(council.case().response_due) == "2026-12-24"
    # Overdue on Tue 29, Wed 30, Thu 31 Dec (the shutdown counts for the Act); not on
    # Fri 1 Jan, nor on Mon 4 Jan, Scotland's 2 January holiday.
    monday = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    jobs.send_digests(council.app, monday)
    [digest] = [m for m in council.flush(monday) if m["To"] == CHIEF]
    assert "MB-2026-00001    3 wd overdue  due Thu 24 Dec 2026" in body_text(digest, "plain")
    assert query_cases(council.app, monday)[0].days_overdue == 3
    tuesday = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
    assert query_cases(council.app, tuesday)[0].days_overdue == 4


def test_st_patricks_day_is_not_counted_as_a_day_overdue(council: Council) -> None:
    _foi(council, datetime(2027, 2, 15, 10, 0, tzinfo=UTC))
    assert str(council.case().response_due) == "2027-03-15"
    wednesday = datetime(2027, 3, 17, 10, 0, tzinfo=UTC)
    [reminder] = _reminders(council, wednesday)
    assert reminder["Subject"].startswith("Overdue by 1 working day:")
    assert query_cases(council.app, wednesday)[0].days_overdue == 1


def test_an_foi_escalation_asks_for_the_answer_not_a_new_date(council: Council) -> None:
    # FOI time cannot be extended by agreement (EXTEND is refused on an FOI case), so the
    # manager must not be asked for "an explanation with a new date", nor the officer
    # warned about "no response or new date".
    _foi(council, datetime(2026, 10, 30, 10, 0, tzinfo=UTC))
    [overdue] = _reminders(council, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    sweep(council.app, monday)
    [escalation] = [m for m in council.flush(monday) if m["To"] == MANAGER]
    assert escalation["Subject"].startswith("Escalation: overdue by 5 working days")
    for text in (body_text(overdue, "plain"), body_text(overdue, "html")):
        assert "new date" not in text
        assert "If there is no response by Monday 7 December 2026" in " ".join(text.split())
    for text in (body_text(escalation, "plain"), body_text(escalation, "html")):
        flat = " ".join(text.split())
        assert "new date" not in flat
        assert "Please make sure Cllr Jo Bloggs gets a response as soon as possible." in flat
        assert "set by law and cannot be extended by agreement" in flat
