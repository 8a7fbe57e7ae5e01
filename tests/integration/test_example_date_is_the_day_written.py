"""Officers' mail gave RESUME's example date as a fixed 23/11/2026 (HELP's list, the daily
summary's FOI fee line, the refusal of a RESUME date mailbot could not read): from 2027 it
reads as a date long gone. The example is now the day the mail is written, in London, as
the command reader takes it (dd/mm/yyyy), and it reads back as that day. Judged by the mail
that left, text and HTML, English and Welsh, on a day in 2026 and one in 2027."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from foi_council import foi_council, foi_request
from helpers import Council, body_text, by_recipient
from paused_council import FOI_TEAM

from mailbot import jobs
from mailbot.cases import LONDON
from mailbot.commands import Command, parse_command

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
# Late in the evening in UTC is already the next day in London in summer (BST).
DAYS = [
    (datetime(2026, 11, 26, 10, 0, tzinfo=UTC), "26/11/2026"),
    (datetime(2027, 3, 10, 10, 0, tzinfo=UTC), "10/03/2027"),
    (datetime(2027, 6, 2, 23, 30, tzinfo=UTC), "03/06/2027"),
]
RESUME_EXAMPLE = re.compile(r"RESUME (\d\d/\d\d/\d{4})")


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return Council(
        home, name="Test Council", policy=policy, mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    )


def _examples(mail: EmailMessage) -> dict[str, list[str]]:
    return {part: RESUME_EXAMPLE.findall(body_text(mail, part)) for part in ("plain", "html")}


def _reads_back_as(example: str, day: date) -> None:
    found = parse_command(f'RESUME {example} "fee received"', today=day)
    assert isinstance(found, Command) and found.new_date == day


def _help_both_ways(home: Path, at: datetime) -> tuple[EmailMessage, EmailMessage]:
    """Sam's HELP at `at`, in reply to the assignment of Jo's open enquiry and as a new
    mail: (the answer in the case, the answer without one)."""
    with _council(home) as council:
        assignment = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.", cc=SAM,
            date=RECEIVED), now=RECEIVED))[SAM]
        [in_the_case] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "HELP", date=at), now=at)
        [no_case] = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "help", "HELP", date=at), now=at)
    return in_the_case, no_case


@pytest.mark.parametrize(("at", "typed"), DAYS)
def test_help_gives_the_day_it_is_written(tmp_path: Path, at: datetime, typed: str) -> None:
    in_the_case, no_case = _help_both_ways(tmp_path / "council", at)
    for mail in (in_the_case, no_case):
        assert _examples(mail) == {"plain": [typed], "html": [typed]}
        assert "23/11/2026" not in body_text(mail, "plain") + body_text(mail, "html")
    _reads_back_as(typed, _london(at))


def _london(at: datetime) -> date:
    return at.astimezone(LONDON).date()


@pytest.mark.parametrize(("at", "typed"), DAYS[:2])
def test_welsh_help_gives_the_day_in_both_languages(
    tmp_path: Path, at: datetime, typed: str
) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as council:
        [answer] = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", "help", "HELP", date=at), now=at)
    # Once in the English list and once in the Welsh one.
    assert _examples(answer) == {"plain": [typed, typed], "html": [typed, typed]}


@pytest.mark.parametrize(("at", "typed"), DAYS[:2])
def test_a_resume_date_not_read_is_answered_with_the_day_as_example(
    tmp_path: Path, at: datetime, typed: str
) -> None:
    with _council(tmp_path / "council") as council:
        assignment = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.", cc=SAM,
            date=RECEIVED), now=RECEIVED))[SAM]
        [answer] = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "RESUME 31/02/2027 fee received", date=at),
            now=at)
    said = " ".join(body_text(answer, "plain").split())
    assert f"RESUME takes the day the clock runs again from as {typed}" in said
    assert f'RESUME {typed} "fee received"' in said
    assert "23/11/2026" not in said and "23 November 2026" not in said
    _reads_back_as(typed, _london(at))


def test_unit_usage_reads_back_in_words(tmp_path: Path) -> None:
    day = date(2027, 1, 4)
    found = parse_command("RESUME 31/02/2027", today=day)
    assert not isinstance(found, Command) and found is not None
    said = str(found.problem)
    assert "04/01/2027 (or 4 January 2027)" in said
    _reads_back_as("04/01/2027", day)
    _reads_back_as("4 January 2027", day)


def test_the_summary_fee_line_gives_the_day_it_is_written(tmp_path: Path) -> None:
    """Four FOI requests for the FOI team (more than a pack's summary_above, 3), the sweeps
    from November 2026 to February 2027: each summary's fee line gives the day it went, in
    2026 and in 2027, as each assignment's gives the day it was written."""
    with foi_council(tmp_path / "council") as council:
        for topic in ("air quality", "bus lanes", "street lights", "parking fines"):
            assignment = foi_request(
                council, f"Freedom of Information request: {topic}",
                f"Under the Freedom of Information Act 2000 please send me every report on "
                f"{topic} since 2014.")
            # The assignment's fee line too, read on Monday 2 November 2026.
            assert _examples(assignment) == {"plain": ["02/11/2026"], "html": ["02/11/2026"]}
        council.left()
        sent: list[tuple[date, EmailMessage]] = []
        day = date(2026, 11, 3)
        while day <= date(2027, 2, 12):
            now = datetime.combine(day, time(9, 30), tzinfo=UTC)
            jobs.send_reminders(council.app, now)
            sent += [(day, m) for m in council.flush(now)]
            day += timedelta(days=1)
    summaries = [(day, m) for day, m in sent if str(m["To"]) == FOI_TEAM
                 and str(m["Subject"]).startswith("Your cases to answer")]
    years = {day.year for day, _ in summaries}
    assert years == {2026, 2027}, [(d, str(m["Subject"])) for d, m in sent]
    for day, mail in summaries:
        typed = f"{day:%d/%m/%Y}"
        assert _examples(mail) == {"plain": [typed], "html": [typed]}
        _reads_back_as(typed, day)


def _command_lines(mail: EmailMessage) -> list[str]:
    """The list's lines: the command words before their explanation, dates as their form
    (EXTEND's example counts from a case's response date, when it has one)."""
    text = body_text(mail, "plain")
    return [re.sub(r"\d\d/\d\d/\d{4}", "dd/mm/yyyy", line.strip().split("  ")[0])
            for line in text.splitlines() if line.startswith("    ") and line.strip()]


def test_help_without_a_case_lists_what_help_in_a_case_lists(tmp_path: Path) -> None:
    """HELP in an open case's thread and HELP as a new mail open alike (neither greets: both
    start with what to do) and list the same commands; only a case answered says it was,
    with RESUME "holding reply", which needs that case."""
    at = DAYS[0][0]
    in_the_case, no_case = _help_both_ways(tmp_path / "council", at)
    assert _command_lines(no_case) == _command_lines(in_the_case)
    assert "RESUME" in _command_lines(no_case) and "DONE" in _command_lines(no_case)
    for mail in (in_the_case, no_case):
        assert "Dear" not in body_text(mail, "plain") and "holding reply" not in body_text(
            mail, "plain")
