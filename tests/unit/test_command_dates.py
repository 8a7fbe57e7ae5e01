"""Commands as officers in an English council write them. EXTEND: dates in words, "by 5 days",
"to 29/12/2026"; a day and a month are never read as a number of working days. REASSIGN:
"to", a name before the address, and Outlook's "<mailto:...>" after it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mailbot.commands import Command, Unparsed, parse_command
from mailbot.languages import welsh_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'EXTEND 29 December 2026 "the contractor cannot come before Christmas"',
            Command("EXTEND", new_date=date(2026, 12, 29),
                    reason="the contractor cannot come before Christmas"),
        ),
        (
            "Extend 29th Dec 2026 contractor after Christmas",
            Command("EXTEND", new_date=date(2026, 12, 29), reason="contractor after Christmas"),
        ),
        (
            'EXTEND 4 Jan, 2027 "site visit"',
            Command("EXTEND", new_date=date(2027, 1, 4), reason="site visit"),
        ),
        (
            'EXTEND to 29/12/2026 "site visit"',
            Command("EXTEND", new_date=date(2026, 12, 29), reason="site visit"),
        ),
        ('Extend by 5 days "contractor"', Command("EXTEND", days=5, reason="contractor")),
        (
            "extend 5 working days: survey next week",
            Command("EXTEND", days=5, reason="survey next week"),
        ),
    ],
)
def test_extend_as_officers_write_it(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    ['EXTEND 29 December "the contractor"', "EXTEND 29 Dec the contractor",
     'EXTEND 29/12 "the contractor"'],
)
def test_a_date_without_its_year_is_asked_for_not_read_as_days(text: str) -> None:
    # "EXTEND 29 December" was read as 29 working days, with the reason 'December "the
    # contractor"': about six weeks, and that reason, sent to the member.
    found = parse_command(text)
    assert isinstance(found, Unparsed)
    # Without the day it is read, no year can be given: the date typed, the year to write.
    assert re.match(r'EXTEND to a date needs the year: EXTEND 29(/12/| Dec\w* )yyyy "reason"',
                    str(found.problem)), found.problem


@pytest.mark.parametrize(
    "text",
    [
        "Reassign to tom.archer@borsetshire.gov.uk",
        "REASSIGN Tom Archer <Tom.Archer@borsetshire.gov.uk>",
        # Outlook's plain-text part of a reply in which the address was made a link:
        "REASSIGN tom.archer@borsetshire.gov.uk<mailto:tom.archer@borsetshire.gov.uk>",
        "REASSIGN mailto:tom.archer@borsetshire.gov.uk",
    ],
)
def test_reassign_finds_the_address_as_officers_and_outlook_write_it(text: str) -> None:
    # Each of these was refused with "REASSIGN needs an email address", though it has one.
    assert parse_command(text) == Command("REASSIGN", address="tom.archer@borsetshire.gov.uk")


def test_reassign_keeps_the_reason_after_an_outlook_link() -> None:
    text = 'REASSIGN tom.archer@borsetshire.gov.uk<mailto:tom.archer@borsetshire.gov.uk> "on leave"'
    assert parse_command(text) == Command(
        "REASSIGN", address="tom.archer@borsetshire.gov.uk", reason="on leave"
    )


@pytest.mark.parametrize(
    ("text", "today", "en", "cy"),
    [
        ("RESUME 24/12 fee received", date(2026, 12, 28),
         '24/12 has no year: write 24/12/2026 (RESUME 24/12/2026 "fee received")',
         'nid oes blwyddyn yn 24/12: ysgrifennwch 24/12/2026 (RESUME 24/12/2026 '
         '"ffi wedi dod i law")'),
        # RESUME takes a day gone: the last 24 December, in the year before in January.
        ("RESUME 24/12", date(2027, 1, 5),
         '24/12 has no year: write 24/12/2026 (RESUME 24/12/2026 "fee received")', None),
        # A comma after it: this was taken for a RESUME from today, '24/12, fee received'
        # its reason.
        ("RESUME 24/12, fee received", date(2026, 12, 28),
         '24/12 has no year: write 24/12/2026 (RESUME 24/12/2026 "fee received")', None),
        ("RESUME 24 December", date(2026, 12, 28),
         '24 December has no year: write 24 December 2026 (RESUME 24 December 2026 '
         '"fee received")', None),
        # EXTEND takes a day to come: the next 24 December, the year after once it is gone.
        ('EXTEND 24/12 "contractor"', date(2026, 12, 18),
         '24/12 has no year: write 24/12/2026 (EXTEND 24/12/2026 "reason", or a number of '
         'working days: EXTEND 5 "reason")',
         'nid oes blwyddyn yn 24/12: ysgrifennwch 24/12/2026 (EXTEND 24/12/2026 "rheswm", '
         'neu nifer o ddiwrnodau gwaith: EXTEND 5 "rheswm")'),
        ('EXTEND 4/1 "contractor"', date(2026, 12, 18),
         '4/1 has no year: write 4/1/2027 (EXTEND 4/1/2027 "reason", or a number of '
         'working days: EXTEND 5 "reason")', None),
    ],
)
def test_a_date_without_its_year_is_refused_saying_the_year_is_missing(
    text: str, today: date, en: str, cy: str | None,
) -> None:
    # 'RESUME 24/12' was refused with RESUME's general date hint ('RESUME takes the day
    # the clock runs again from as 23/11/2026'), which does not say what was wrong.
    found = parse_command(text, today=today)
    assert isinstance(found, Unparsed)
    assert str(found.problem) == en
    if cy is not None:
        assert welsh_of(found.problem) == cy
