"""HELP gave EXTEND's date form as a fixed `EXTEND 18/12/2026 "reason"`, and an EXTEND date
without its year mailbot could not place was answered with a fixed `EXTEND 29/12/2026`:
from 2027 both read as dates gone, which EXTEND refuses. HELP's example is now a working
day to come, counted on the council's own calendar from the day the mail is written (ten
working days after today, or after the case's response date when that is later), typed as
the command reader takes it; written back in an EXTEND it is taken as the new date. An
EXTEND day and month without a year is answered with the year it most likely means, and
one that is no date is named, with no fixed date in either. Judged by the mail that left
(text and HTML, English and Welsh), on days in 2026 and 2027."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

from mailbot.cases import LONDON
from mailbot.commands import Command, parse_command
from mailbot.render import long_date

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
# Late in the evening in UTC is already the next day in London in summer (BST); 18 December
# has Christmas and New Year's bank holidays within its ten working days.
DAYS = [
    datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
    datetime(2026, 12, 18, 10, 0, tzinfo=UTC),
    datetime(2027, 3, 10, 10, 0, tzinfo=UTC),
    datetime(2027, 6, 2, 23, 30, tzinfo=UTC),
]
EXTEND_EXAMPLE = re.compile(r'EXTEND (\d\d/\d\d/\d{4}) "(?:reason|rheswm)"')
FIXED = ("18/12/2026", "29/12/2026")


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return Council(
        home, name="Test Council", policy=policy, mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    )


def _assignment(council: Council, at: datetime) -> EmailMessage:
    """Sam's assignment of a pothole enquiry Jo sent an hour before `at`."""
    sent = at - timedelta(hours=1)
    return by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.", cc=SAM,
        date=sent), now=sent))[SAM]


def _examples(mail: EmailMessage) -> dict[str, list[str]]:
    return {part: EXTEND_EXAMPLE.findall(body_text(mail, part)) for part in ("plain", "html")}


def _words(mail: EmailMessage) -> str:
    return " ".join(body_text(mail, "plain").split())


def _fixed_in(text: str, today: date) -> list[str]:
    """The old fixed dates in `text`, but for today's (RESUME's example on 18/12/2026)."""
    return [fixed for fixed in FIXED if fixed in text and fixed != f"{today:%d/%m/%Y}"]


def _day(typed: str) -> date:
    day, month, year = (int(part) for part in typed.split("/"))
    return date(year, month, day)


@pytest.mark.parametrize("at", DAYS)
def test_help_gives_a_working_day_to_come_and_extend_takes_it(
    tmp_path: Path, at: datetime
) -> None:
    today = at.astimezone(LONDON).date()
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council, at)
        due = council.case().response_due
        assert due is not None
        [in_the_case] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "HELP", date=at), now=at)
        [no_case] = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "help", "HELP", date=at), now=at)
        calendar = council.app.policy.council_calendar()
        examples = {}
        for name, mail in (("case", in_the_case), ("none", no_case)):
            found = _examples(mail)
            assert len(found["plain"]) == 1 and found["html"] == found["plain"], found
            examples[name] = found["plain"][0]
            both = body_text(mail, "plain") + body_text(mail, "html")
            assert not _fixed_in(both, today)
        # Ten working days on the council's calendar (its bank holidays skipped): from
        # today without a case, from the case's date when that is later.
        assert _day(examples["none"]) == calendar.add_working_days(today, 10)
        assert _day(examples["case"]) == calendar.add_working_days(max(today, due), 10)
        for typed in examples.values():
            assert _day(typed) > today and calendar.is_working_day(_day(typed))
            found = parse_command(f'EXTEND {typed} "the contractor is booked"', today=today)
            assert isinstance(found, Command) and found.new_date == _day(typed)
        # Written back in the case, the example is taken: the case's new date, the member told.
        later = at + timedelta(minutes=5)
        answers = by_recipient(council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>",
            f'EXTEND {examples["case"]} "the contractor is booked"', date=later), now=later))
        new_date = _day(examples["case"])
        assert (f"is now {long_date(new_date)} (was {long_date(due)})"
                in _words(answers[SAM])), _words(answers[SAM])
        assert long_date(new_date) in _words(answers[JO])
        assert council.case().response_due == new_date


@pytest.mark.parametrize("at", [DAYS[0], DAYS[2]])
def test_welsh_help_gives_the_same_day_in_both_languages(tmp_path: Path, at: datetime) -> None:
    today = at.astimezone(LONDON).date()
    with _council(tmp_path / "cardiff", policy="cardiff") as council:
        [answer] = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "help", "HELP", date=at), now=at)
        expected = council.app.policy.council_calendar().add_working_days(today, 10)
    typed = f"{expected:%d/%m/%Y}"
    # Once in the English list and once in the Welsh one.
    assert _examples(answer) == {"plain": [typed, typed], "html": [typed, typed]}


@pytest.mark.parametrize(
    ("at", "line", "said"),
    [
        # The next 4 January: in the year to come.
        (DAYS[1], 'EXTEND 4/1 "contractor after Christmas"',
         '4/1 has no year: write 4/1/2027 (EXTEND 4/1/2027 "reason", or a number of working '
         'days: EXTEND 5 "reason")'),
        (DAYS[2], 'EXTEND 24 December "contractor"',
         '24 December has no year: write 24 December 2027 (EXTEND 24 December 2027 "reason"'),
        (DAYS[2], 'EXTEND 10/03 "contractor"',
         '10/03 has no year: write 10/03/2028 (EXTEND 10/03/2028 "reason"'),
        # No such day: it is named, and the form given, never a fixed date.
        (DAYS[2], 'EXTEND 31/02 "contractor"',
         '31/02 is not a date: EXTEND to a date needs its day, month and year: '
         'EXTEND dd/mm/yyyy "reason" (or a number of working days: EXTEND 5 "reason")'),
        (DAYS[1], 'EXTEND 30 February "contractor"',
         '30 February is not a date: EXTEND to a date needs its day, month and year: '
         'EXTEND dd/mm/yyyy "reason"'),
    ],
)
def test_an_extend_date_without_its_year_is_answered_with_the_year_it_means(
    tmp_path: Path, at: datetime, line: str, said: str
) -> None:
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council, at)
        due = council.case().response_due
        [answer] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", line, date=at), now=at)
        assert council.case().response_due == due
    words = _words(answer)
    assert f'"{line}"' in words and said in words, words
    assert not _fixed_in(words, at.astimezone(LONDON).date())


def test_welsh_refusal_gives_the_year_in_welsh_too(tmp_path: Path) -> None:
    at = DAYS[1]
    with _council(tmp_path / "cardiff", policy="cardiff") as council:
        assignment = _assignment(council, at)
        [answer] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", 'EXTEND 31/02 "contractor"', date=at), now=at)
        [other] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", 'EXTEND 4/1 "contractor"', date=at), now=at)
    words = _words(answer) + " " + _words(other)
    assert "31/02 is not a date" in words
    assert "nid yw 31/02 yn ddyddiad: mae EXTEND i ddyddiad angen ei ddiwrnod, ei fis a'i " \
        'flwyddyn: EXTEND dd/mm/bbbb "rheswm"' in words, words
    assert "nid oes blwyddyn yn 4/1: ysgrifennwch 4/1/2027" in words
    assert not _fixed_in(words, at.astimezone(LONDON).date())
