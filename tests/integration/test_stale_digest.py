"""The weekly digest is rendered on Monday at 08:00, but the mail server may answer 451 to
everything for days. What left once it took mail again: one digest per manager and week,
with the figures as they were when it went and saying so, or none for a week that is over
(the next week's digest covers it). Read from the MIME a real SMTP server (aiosmtpd)
received, and the outbox rows.

Wiltshire: Jo's two enquiries of Monday 2 November 2026 are due Monday 16 November, so
both are overdue when the digest of the week of Monday 23 November is rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import Council, body_text, parse_sent, rows
from test_stale_reminders import SendsThroughSmtp

from mailbot import jobs
from mailbot.store.tables import OutboxRow

D = "wiltshire.gov.uk"
JO, SAM, DANA, CHIEF = (f"{who}@{D}" for who in ("jo", "sam", "dana", "chief"))
RECEIVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # the digest's time (GMT: UTC is London)
THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def council(home: Path) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=(f'[routing]\ndefault_officer = "{SAM}"\n'
                f'[digest]\nday = "monday"\ntime = "08:00"\nrecipients = ["{CHIEF}"]\n'),
    )


def two_overdue_cases(it: Council) -> list[EmailMessage]:
    """Jo's two enquiries; Sam's two assignments."""
    assignments = []
    for street in ("Castle Road", "Mill Lane"):
        left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"Pothole on {street}",
                                  f"There is a deep pothole on {street}. Can it be repaired?",
                                  date=RECEIVED), RECEIVED)
        assignments += [m for m in left if str(m["To"]) == SAM]
    return assignments


def server_busy_from_monday(it: Council, smtpd: SmtpServer) -> None:
    """From Monday morning the mail server answers 451 to every mail; the digests are
    rendered and queued at 08:00 and cannot go."""
    it.app.backend_override = SendsThroughSmtp(it, smtpd)
    smtpd.fail_next(10_000)
    jobs.send_digests(it.app, MONDAY)
    jobs.flush_outbox(it.app, MONDAY)


def received(smtpd: SmtpServer) -> list[EmailMessage]:
    return [parse_sent(mail.raw) for mail in smtpd.received]


def digests(mail: list[EmailMessage]) -> dict[str, EmailMessage]:
    found = [m for m in mail if str(m["Subject"]).startswith("Weekly digest")]
    by_to = {str(m["To"]): m for m in found}
    assert len(by_to) == len(found), "two digests to one manager"
    return by_to


def said(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def digest_rows(it: Council) -> dict[str, tuple[str, str]]:
    return {r.dedup_key: (r.status, r.last_error)
            for r in rows(it.app, OutboxRow, OutboxRow.purpose == "digest")}


@pytest.mark.timeout(90)
def test_a_digest_held_from_monday_to_thursday_goes_once_with_thursdays_figures(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with council(tmp_path) as it:
        castle, _ = two_overdue_cases(it)
        server_busy_from_monday(it, smtpd)
        # Tuesday: Sam answers the Castle Road case; its confirmation waits too.
        tuesday = MONDAY + timedelta(days=1, hours=2)
        it.deliver(it.reply(castle, f"Sam Patel <{SAM}>", "DONE", date=tuesday), tuesday)
        jobs.send_digests(it.app, THURSDAY)  # the job runs all week: nothing new is queued
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, THURSDAY)
        jobs.flush_outbox(it.app, THURSDAY + timedelta(hours=1))
        states = digest_rows(it)
    sent = digests(received(smtpd))
    assert sorted(sent) == [CHIEF, DANA]
    for digest in sent.values():
        subject = str(digest["Subject"])
        assert subject.endswith("week of Monday 23 November 2026: 1 overdue, 0 due this week")
        text = said(digest)
        assert ("Figures as at Thursday 26 November 2026, 10:00: this digest was due on "
                "Monday 23 November 2026 but could not be sent until now") in text
        assert "Overdue: 1" in text and "Open: 1" in text
        assert "Pothole on Mill Lane" in text and "Pothole on Castle Road" not in text
        assert "Figures as at Thursday 26 November 2026, 10:00" in " ".join(
            body_text(digest, "html").split())
        # The chart is drawn again with the figures: still an inline image.
        assert [p.get_content_type() for p in digest.walk()].count("image/png") == 1
        assert digest["Date"].datetime == THURSDAY
    # The same rows, sent once each, under their week's key: never a second digest.
    assert {key: status for key, (status, _) in states.items()} == {
        f"digest:{CHIEF}:council:2026-W48": "sent", f"digest:{DANA}:team:2026-W48": "sent"}


@pytest.mark.timeout(90)
def test_a_digest_still_held_when_the_next_weeks_is_queued_is_withdrawn(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """The server is busy for a whole week: on Monday 30 November the week of 23 November
    is "last week" in the new digest; the old one would only say it again, out of date."""
    smtpd.reset()
    with council(tmp_path) as it:
        two_overdue_cases(it)
        server_busy_from_monday(it, smtpd)
        jobs.send_digests(it.app, NEXT_MONDAY)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, NEXT_MONDAY + timedelta(hours=1))
        states = digest_rows(it)
    sent = digests(received(smtpd))
    assert sorted(sent) == [CHIEF, DANA]
    assert all("week of Monday 30 November 2026" in str(m["Subject"]) for m in sent.values())
    assert all("Figures as at" not in said(m) for m in sent.values())  # rendered at 08:00
    assert states == {
        f"digest:{CHIEF}:council:2026-W48": (
            "withdrawn", f"the digest of 2026-W49 is queued for {CHIEF}, with the figures "
                         "as they are now"),
        f"digest:{DANA}:team:2026-W48": (
            "withdrawn", f"the digest of 2026-W49 is queued for {DANA}, with the figures "
                         "as they are now"),
        f"digest:{CHIEF}:council:2026-W49": ("sent", ""),
        f"digest:{DANA}:team:2026-W49": ("sent", ""),
    }


@pytest.mark.timeout(90)
def test_a_digest_whose_week_is_over_is_withdrawn_before_the_next_is_due(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """The server takes mail again at 07:00 on the next Monday, before that week's digest
    is due: last week's is not sent an hour before the new one."""
    smtpd.reset()
    with council(tmp_path) as it:
        two_overdue_cases(it)
        server_busy_from_monday(it, smtpd)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, NEXT_MONDAY - timedelta(hours=1))
        before = digests(received(smtpd))
        jobs.send_digests(it.app, NEXT_MONDAY)
        jobs.flush_outbox(it.app, NEXT_MONDAY)
        states = digest_rows(it)
    assert before == {}
    assert sorted(digests(received(smtpd))) == [CHIEF, DANA]
    assert states[f"digest:{CHIEF}:council:2026-W48"] == (
        "withdrawn", "its week (2026-W48) is over: the next week's digest covers it as last "
                     "week, with the figures as they are now")
    assert states[f"digest:{CHIEF}:council:2026-W49"] == ("sent", "")


@pytest.mark.timeout(90)
def test_a_digest_held_until_the_day_before_the_next_one_is_withdrawn(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """The server takes mail again on Sunday morning: Monday's digest would arrive less
    than a day before the next one, which has the figures of then."""
    smtpd.reset()
    with council(tmp_path) as it:
        two_overdue_cases(it)
        server_busy_from_monday(it, smtpd)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, NEXT_MONDAY - timedelta(hours=22))  # Sunday 10:00
        on_sunday = digests(received(smtpd))
        jobs.send_digests(it.app, NEXT_MONDAY)
        jobs.flush_outbox(it.app, NEXT_MONDAY)
        states = digest_rows(it)
    assert on_sunday == {}
    assert sorted(digests(received(smtpd))) == [CHIEF, DANA]
    assert states[f"digest:{DANA}:team:2026-W48"] == (
        "withdrawn", "the next digest is due within a day (Monday 30 November 08:00), with "
                     "the figures then")
    assert states[f"digest:{DANA}:team:2026-W49"] == ("sent", "")


@pytest.mark.timeout(90)
def test_a_digest_that_waited_minutes_goes_as_it_was_rendered(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with council(tmp_path) as it:
        two_overdue_cases(it)
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        smtpd.fail_next(1)  # one busy answer at 08:00; the retry a few minutes on goes
        jobs.send_digests(it.app, MONDAY)
        jobs.flush_outbox(it.app, MONDAY)
        jobs.flush_outbox(it.app, MONDAY + timedelta(minutes=5))
        states = digest_rows(it)
    sent = digests(received(smtpd))
    assert sorted(sent) == [CHIEF, DANA]
    for digest in sent.values():
        assert "Figures as at" not in said(digest)
        assert digest["Date"].datetime == MONDAY
        assert "Overdue: 2" in said(digest)
    assert all(status == "sent" for status, _ in states.values())


@pytest.mark.timeout(90)
def test_a_bilingual_digest_held_back_says_so_in_welsh_and_english(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    domain = "cardiff.gov.uk"
    rhian, sam, dana = (f"{who}@{domain}" for who in ("rhian", "sam", "dana"))
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", name="Cardiff Council",
        policy="cardiff", members=[("Cllr Rhian Evans", rhian, "Tref", "cy")],
        officers=[("Sam Patel", sam, "Priffyrdd", dana, ""), ("Dana Reed", dana, "", "", "")],
        config=f'[routing]\ndefault_officer = "{sam}"\n',
    ) as it:
        it.deliver(it.mail(f"Cllr Rhian Evans <{rhian}>", "Twll yn y ffordd", "Mae twll.",
                           date=RECEIVED), RECEIVED)
        server_busy_from_monday(it, smtpd)
        smtpd.fail_next(0)
        jobs.flush_outbox(it.app, THURSDAY)
    [digest] = digests(received(smtpd)).values()
    for part in ("plain", "html"):
        text = " ".join(body_text(digest, part).split())
        assert "Figures as at Thursday 26 November 2026, 10:00" in text
        assert "Ffigurau fel yr oeddent ar ddydd Iau 26 Tachwedd 2026, 10:00" in text
