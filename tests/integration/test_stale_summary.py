"""An officer's daily summary ("Your cases to answer") that waits in the outbox while the
mail server answers 451: once it takes mail again the officer gets one summary, not one
for each day it was down, listing every case still to answer as of the day it goes. Read
from the MIME a real SMTP server (aiosmtpd) received, and the outbox rows.

Wiltshire: answer in 10 working days, a reminder 2 working days before, more than 3
reminders to one officer on a day go as one summary. Sam gets four cases on Monday 30
November 2026 (due Monday 14 December, reminded Thursday 10) and four on Tuesday 1
December (due Tuesday 15, reminded Friday 11).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import PLAIN_UTF8, Council, body_text, parse_sent, rows
from sqlalchemy import select
from test_stale_reminders import SendsThroughSmtp

from mailbot import jobs, reminders
from mailbot.store.tables import CaseRow, OutboxRow

D = "wiltshire.gov.uk"
JO, SAM, DANA = (f"{who}@{D}" for who in ("jo", "sam", "dana"))
THURSDAY, FRIDAY, MONDAY = date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 14)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)  # GMT: UTC is London


def council(home: Path, days: tuple[date, ...]) -> Council:
    """Sam's council, with four of Jo's enquiries opened on each of `days`."""
    it = Council(
        home, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    )
    for day in days:
        for n in range(1, 5):
            it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"Drain {n} blocked on {day:%A}",
                               f"The drain outside {n} Mill Lane is blocked.",
                               date=at(day, 10)), at(day, 10))
    it.left()
    return it


def server_busy(it: Council, smtpd: SmtpServer) -> None:
    it.app.backend_override = SendsThroughSmtp(it, smtpd)
    smtpd.fail_next(10_000)


def sweep_and_flush(it: Council, day: date) -> None:
    jobs.send_reminders(it.app, at(day))
    jobs.flush_outbox(it.app, at(day))


def summaries_received(smtpd: SmtpServer) -> list[EmailMessage]:
    mail = [parse_sent(m.raw) for m in smtpd.received]
    return [m for m in mail if str(m["Subject"]).startswith("Your cases to answer")]


def refs_listed(summary: EmailMessage) -> set[str]:
    return set(re.findall(r"\[(MB-\d{4}-\d{5})\]", body_text(summary, "plain")))


def summary_rows(it: Council) -> dict[str, tuple[str, str]]:
    return {r.dedup_key.rpartition(":")[2]: (r.status, r.last_error)
            for r in rows(it.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY)}


@pytest.mark.timeout(90)
def test_summaries_held_from_thursday_to_monday_arrive_as_one(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with council(tmp_path, (date(2026, 11, 30), date(2026, 12, 1))) as it:
        server_busy(it, smtpd)
        for day in (THURSDAY, FRIDAY, MONDAY):
            sweep_and_flush(it, day)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, at(MONDAY, 10))
        jobs.flush_outbox(it.app, at(MONDAY, 11))
        cases = {c.ref for c in rows(it.app, CaseRow)}
        states = summary_rows(it)
    [summary] = summaries_received(smtpd)
    assert str(summary["To"]) == SAM
    assert str(summary["Subject"]).endswith("Monday 14 December 2026")
    assert "4 due today" in str(summary["Subject"]) and "4 due soon" in str(summary["Subject"])
    assert refs_listed(summary) == cases and len(cases) == 8
    # Thursday's gave way to Friday's at Friday's flush, Friday's to Monday's; Monday's
    # listed the cases of both.
    def taken(day: date) -> str:
        return (f"taken over by the daily summary {reminders.summary_key(SAM, day)}, which "
                "lists its cases still to answer")

    assert states == {"2026-12-10": ("withdrawn", taken(FRIDAY)),
                      "2026-12-11": ("withdrawn", taken(MONDAY)),
                      "2026-12-14": ("sent", states["2026-12-14"][1])}


@pytest.mark.timeout(90)
def test_fridays_summary_takes_over_thursdays_cases(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """Thursday's (cases opened Monday) and Friday's (opened Tuesday) both wait until
    Friday afternoon: one summary goes, listing all eight, for Friday."""
    smtpd.reset()
    with council(tmp_path, (date(2026, 11, 30), date(2026, 12, 1))) as it:
        server_busy(it, smtpd)
        sweep_and_flush(it, THURSDAY)
        sweep_and_flush(it, FRIDAY)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, at(FRIDAY, 14))
        states = summary_rows(it)
    [summary] = summaries_received(smtpd)
    assert str(summary["Subject"]).endswith("8 due soon - Friday 11 December 2026")
    assert len(refs_listed(summary)) == 8
    assert states["2026-12-10"][0] == "withdrawn"
    assert states["2026-12-10"][1].startswith(
        f"taken over by the daily summary {reminders.summary_key(SAM, FRIDAY)}")
    assert states["2026-12-11"][0] == "sent"


@pytest.mark.timeout(90)
def test_a_summary_held_past_its_day_with_no_newer_one_still_goes_once(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """Its day has passed, but no later summary lists its cases: their reminders were
    given to it and are never queued again, so it goes, written for the day it goes."""
    smtpd.reset()
    with council(tmp_path, (date(2026, 11, 30),)) as it:
        server_busy(it, smtpd)
        sweep_and_flush(it, THURSDAY)
        sweep_and_flush(it, FRIDAY)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, at(FRIDAY, 10))
        jobs.send_reminders(it.app, at(FRIDAY, 11))
        jobs.flush_outbox(it.app, at(FRIDAY, 11))
        states = summary_rows(it)
    [summary] = summaries_received(smtpd)
    assert str(summary["Subject"]).endswith("4 due soon - Friday 11 December 2026")
    assert len(refs_listed(summary)) == 4
    assert [status for status, _ in states.values()] == ["sent"]


@pytest.mark.timeout(120)
def test_a_summary_given_up_on_has_its_cases_listed_in_the_next(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """Thursday's summary left `failed` for a person (`mailbot outbox`): the relay refused
    it for good, or answered 451 for five days. Its cases' reminders were given to it and
    will not be queued again, so Friday's summary lists them too."""
    smtpd.reset()
    with council(tmp_path, (date(2026, 11, 30), date(2026, 12, 1))) as it:
        server_busy(it, smtpd)
        sweep_and_flush(it, THURSDAY)
        with it.app.store.transaction() as session:
            thursday = session.scalars(select(OutboxRow).where(
                OutboxRow.purpose == reminders.SUMMARY, OutboxRow.status == "pending")).one()
            thursday.status, thursday.last_error = "failed", "gave up: 451 4.3.0 Busy"
        failed = summary_rows(it)["2026-12-10"][0]
        smtpd.fail_next(0)
        sweep_and_flush(it, FRIDAY)
        states = summary_rows(it)
    assert failed == "failed"
    [summary] = summaries_received(smtpd)
    assert str(summary["Subject"]).endswith("8 due soon - Friday 11 December 2026")
    assert len(refs_listed(summary)) == 8
    assert states["2026-12-11"][0] == "sent"


@pytest.mark.timeout(90)
def test_a_summary_that_went_is_not_listed_again_by_the_next(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """Thursday's went; Friday's waits a day for the server and lists only its own cases."""
    smtpd.reset()
    with council(tmp_path, (date(2026, 11, 30), date(2026, 12, 1))) as it:
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        sweep_and_flush(it, THURSDAY)
        smtpd.fail_next(10_000)
        sweep_and_flush(it, FRIDAY)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, at(date(2026, 12, 14), 8))  # Monday, before the sweep
        jobs.flush_outbox(it.app, at(date(2026, 12, 14), 9))
        states = summary_rows(it)
    thursday, friday = summaries_received(smtpd)
    assert str(thursday["Subject"]).endswith("4 due soon - Thursday 10 December 2026")
    assert str(friday["Subject"]).endswith("4 due soon - Monday 14 December 2026")
    assert not refs_listed(thursday) & refs_listed(friday)
    assert [status for status, _ in states.values()] == ["sent", "sent"]
