"""An officer with many cases due gets one daily summary, not a mail per case; judged by
the mail that left and the outbox rows.

Wiltshire's pack: answer in 10 working days; reminders 2 working days before, on the day,
then every 2 working days overdue; the manager after 2 overdue reminders; more than 3
reminders to one officer on one day go as one summary (`summary_above = 3`). Sam Patel
gets five cases on Monday 30 November 2026 (one a confidentiality request), Lee Wong one.
All are due on Monday 14 December.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows
from typer.testing import CliRunner

from mailbot import jobs, reminders
from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow, OutboxRow

D = "wiltshire.gov.uk"
SAM, LEE, DANA = f"sam.patel@{D}", f"lee.wong@{D}", f"dana.reed@{D}"
MAILBOX = f"memberenquiries@{D}"
SECRET = "tenant's mental health"


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)  # GMT: UTC is London


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Lee Wong", LEE, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        opened = at(date(2026, 11, 30), 10)
        for n in range(1, 5):
            place.deliver(place.mail(
                f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain on Mill Lane ({n})",
                f"The drain outside {n} Mill Lane is blocked again; please send someone.",
                cc=SAM, date=opened), opened)
        place.deliver(place.mail(
            f"Cllr Jo Bloggs <jo@{D}>", "CONFIDENTIAL: a resident's circumstances",
            f"Please keep this confidential. A resident's {SECRET} is affected by damp; can "
            "advice be given in confidence?", cc=SAM, date=opened), opened)
        place.deliver(place.mail(
            f"Cllr Jo Bloggs <jo@{D}>", "Street light out on Church Road",
            "The street light outside the church has been out for a week.", cc=LEE,
            date=opened), opened)
        place.left()
        yield place


def reminders_to(mail: list[EmailMessage], address: str) -> list[EmailMessage]:
    """Reminders and summaries addressed to `address` (not escalations copied to them)."""
    return [m for m in mail if str(m["To"]) == address
            and not str(m["Subject"]).startswith(("Escalation", "Confidentiality"))]


def tick(place: Council, now: datetime) -> list[EmailMessage]:
    jobs.send_reminders(place.app, now)
    return place.flush(now)


def test_five_reminders_on_a_day_go_as_one_summary_and_one_alone_goes_alone(
    council: Council,
) -> None:
    sent = tick(council, at(date(2026, 12, 10)))
    [summary] = reminders_to(sent, SAM)
    [alone] = reminders_to(sent, LEE)
    assert str(alone["Subject"]).startswith("Reminder: Street light out on Church Road")
    assert str(summary["Subject"]) == (
        "Your cases to answer: 0 overdue, 0 due today, 5 due soon - Thursday 10 December 2026"
    )
    text, html = body_text(summary, "plain"), body_text(summary, "html")
    sams = rows(council.app, CaseRow, CaseRow.officer_email == SAM)
    assert len(sams) == 5
    for case in sams:
        # What, for whom, by when and how: each case with its reference and the commands.
        assert f"[{case.ref}]" in text and "Monday 14 December 2026" in text
        assert f"mailto:{MAILBOX}?subject=%5B{case.ref}%5D" in html
    assert text.count("Commands:  DONE, EXTEND or REASSIGN") == 5
    assert f"copying in {MAILBOX}" in text and "Blocked drain on Mill Lane (3)" in text
    # The confidential case is listed without its subject or content.
    assert "circumstances" not in text + html and SECRET not in text + html
    assert "(confidential: not repeated here" in text
    # Each case's reminder is in the ledger under its own key, kept back for the summary.
    listed = rows(council.app, OutboxRow, OutboxRow.purpose == "reminder",
                  OutboxRow.recipients == SAM)
    assert [(r.status, r.last_error) for r in listed] == [
        ("withdrawn", f"listed in the daily summary reminder_summary:{SAM}:2026-12-10")] * 5
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY)
    assert row.status == "sent"
    # An administrator reading the case sees where its reminder went.
    shown = CliRunner().invoke(
        cli, ["case", sams[0].ref, "--config", str(council.home / "mailbot.toml")]
    )
    assert shown.exit_code == 0, shown.output
    assert (f"reminder               withdrawn  to {SAM} (listed in the daily summary "
            f"reminder_summary:{SAM}:2026-12-10)") in shown.output
    # The sweep runs every 15 minutes: nothing more that day.
    assert reminders_to(tick(council, at(date(2026, 12, 10), 14)), SAM) == []


def test_a_case_answered_before_the_summary_goes_is_left_out_of_it(council: Council) -> None:
    """The summary is checked when it goes, case by case, as a reminder alone would be."""
    jobs.send_reminders(council.app, at(date(2026, 12, 10)))  # queued, not yet sent
    first = rows(council.app, CaseRow, CaseRow.officer_email == SAM)[0]
    council.server.deliver(council.mail(SAM, f"RE: [{first.ref}]", "DONE",
                                        date=at(date(2026, 12, 10))))
    jobs.poll(council.app, at(date(2026, 12, 10), 10))
    [summary] = [m for m in council.flush(at(date(2026, 12, 10), 10))
                 if str(m["Subject"]).startswith("Your cases to answer")]
    text = body_text(summary, "plain")
    assert f"[{first.ref}]" not in text
    assert "4 of your cases need a response" in text


def test_escalations_still_go_one_per_case_and_the_officer_gets_one_summary_a_day(
    council: Council,
) -> None:
    days = [date(2026, 12, d) for d in (10, 11, 14, 15, 16, 17, 18, 21, 22)]
    by_day = {day: tick(council, at(day)) for day in days}
    assert {day: len(reminders_to(mail, SAM)) for day, mail in by_day.items()} == {
        date(2026, 12, 10): 1, date(2026, 12, 11): 0, date(2026, 12, 14): 1,
        date(2026, 12, 15): 0, date(2026, 12, 16): 1, date(2026, 12, 17): 0,
        date(2026, 12, 18): 1, date(2026, 12, 21): 0, date(2026, 12, 22): 0,
    }
    overdue = reminders_to(by_day[date(2026, 12, 16)], SAM)[0]
    assert str(overdue["Subject"]).startswith("Your cases to answer: 5 overdue")
    assert "OVERDUE by 2 working days" in body_text(overdue, "plain")
    assert "referred to Dana Reed" in body_text(overdue, "plain")
    # The manager is told of each case, once, on the day the schedule says.
    escalations = [m for m in by_day[date(2026, 12, 22)]
                   if str(m["Subject"]).startswith("Escalation")]
    assert sorted(str(m["To"]) for m in escalations) == [DANA] * 6
    assert {str(m["Cc"]) for m in escalations} == {SAM, LEE}


@pytest.mark.parametrize("config", [
    "[policy.reminders]\nsummary_above = 0\n",
    # An out-of-office answering a case's reminder moves that case on; answering a summary
    # it could not say which case: such officers keep their reminders one by one.
    "[loops]\nofficer_auto_replies = true\n",
])
def test_every_reminder_alone_when_summaries_are_off_or_out_of_office_is_heard(
    tmp_path: Path, config: str,
) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        config=(f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n'
                + config),
        mail_headers=PLAIN_UTF8,
    ) as place:
        opened = at(date(2026, 11, 30), 10)
        for n in range(1, 6):
            place.deliver(place.mail(f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain ({n})",
                                     f"The drain at {n} Mill Lane is blocked.", date=opened),
                          opened)
        place.left()
        sent = reminders_to(tick(place, at(date(2026, 12, 10))), SAM)
        assert [str(m["Subject"])[:9] for m in sent] == ["Reminder:"] * 5


def test_a_command_in_reply_to_the_summary_is_not_applied_and_the_officer_is_told(
    council: Council,
) -> None:
    """The summary lists many cases: DONE in reply to it names none. Nothing is closed,
    and the officer hears so, with how to name the case, rather than silence."""
    [summary] = reminders_to(tick(council, at(date(2026, 12, 10))), SAM)
    answer = council.deliver(council.reply(summary, SAM, "DONE"), at(date(2026, 12, 10), 11))
    assert [c.status for c in rows(council.app, CaseRow)] == ["open"] * 6
    [told] = [m for m in answer if str(m["To"]) == SAM]
    assert "names no case" in body_text(told, "plain")


def working_days_from(day: date, n: int) -> date:
    """The nth weekday after `day` (n may be negative): no bank holiday falls in November
    2026 or early December in England."""
    step = 1 if n > 0 else -1
    while n:
        day = date.fromordinal(day.toordinal() + step)
        if day.weekday() < 5:
            n -= step
    return day


def test_an_officer_with_forty_open_cases_gets_one_reminder_mail_a_day_listing_the_right_ones(
    tmp_path: Path,
) -> None:
    """Four cases a working day for two weeks, none answered. Every working day of the
    fortnight after Sam gets at most one reminder mail, and the cases it lists are exactly
    those whose schedule (counted here on its own) has a step that day; the third overdue
    step of each case goes to Dana as an escalation instead, and the officer's overdue
    steps after it go weekly."""
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        day, n = date(2026, 11, 2), 0
        while n < 40:
            if day.weekday() < 5:
                for _ in range(4):
                    n += 1
                    place.deliver(place.mail(
                        f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain ({n})",
                        f"The drain at {n} Mill Lane is blocked.", date=at(day, 10)),
                        at(day, 10))
            day = date.fromordinal(day.toordinal() + 1)
        place.left()
        due = {c.ref: c.response_due for c in rows(place.app, CaseRow)}
        assert len(due) == 40
        days = [date(2026, 11, 12) + timedelta(days=n) for n in range(23)]
        summaries, escalated = 0, []
        for day in [d for d in days if d.weekday() < 5]:
            mail = tick(place, at(day))
            escalated += [(str(m["To"]), re.findall(r"\[(MB-[\d-]+)\]", str(m["Subject"]))[0])
                          for m in mail if str(m["Subject"]).startswith("Escalation")]
            sent = reminders_to(mail, SAM)
            want = {ref for ref, d in due.items() if d is not None and day in (
                working_days_from(d, -2), d,
                *(working_days_from(d, 2 * k) for k in (1, 2)),
                # weekly after the escalation (overdue_every_after_escalation = 5)
                *(working_days_from(d, 6 + 5 * k) for k in range(1, 8)))}
            if len(want) <= 3:  # few enough to go one by one
                got = {re.findall(r"\[(MB-[\d-]+)\]", str(m["Subject"]))[0] for m in sent}
                assert (len(sent), got) == (len(want), want), day
                continue
            [summary] = sent  # one mail, however many cases
            summaries += 1
            listed = re.findall(r"^\d+\. \[(MB-\d{4}-\d{5})\]", body_text(summary, "plain"),
                                re.M)
            assert sorted(listed) == sorted(want), day
        assert summaries >= 10
        assert sorted(escalated) == sorted(
            (DANA, ref) for ref, d in due.items()
            if d is not None and working_days_from(d, 6) <= days[-1])
