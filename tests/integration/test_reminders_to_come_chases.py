"""`mailbot case` lists, with the protocol's reminders, the other mail the sweep sends
about a case: the chase of an unanswered confidentiality question and its escalation,
the chase of a pause nobody ended, and a subject access request's reminders of the
law's date. Each is checked as in test_reminders_to_come: every day is swept, and the
days on which that mail left must be the days the list gave."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import Council, by_recipient, rows

from mailbot import jobs
from mailbot.console import describe_case
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.workdays import LONDON

DOMAIN = "wiltshire.gov.uk"
JO, SAM, DANA = f"jo@{DOMAIN}", f"sam@{DOMAIN}", f"dana@{DOMAIN}"
SENT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
_DATED = re.compile(r"^  \w+day (\d+ \w+ \d{4}) +(.*)$")


def council(home: Path) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}", policy="wiltshire", threshold=0.0,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def listed(it: Council, now: datetime, words: str) -> list[date]:
    """The days of the lines under "Reminders to come" that contain `words`."""
    shown = describe_case(it.app, it.case().ref, now) or ""
    part = shown.split("Reminders to come", 1)[1].split("\n\n", 1)[0]
    days = []
    for line in part.splitlines():
        match = _DATED.match(line)
        if match and words in match[2]:
            days.append(datetime.strptime(match[1], "%d %B %Y").date())
    return days


def sent_days(it: Council, purpose: str, first: date, last: date) -> list[date]:
    """Sweep each day from first to last at 10:00; the days mail of `purpose` was queued."""
    day = first
    while day <= last:
        jobs.send_reminders(it.app, datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
        day += timedelta(days=1)
    return sorted(r.created_at.astimezone(LONDON).date()
                  for r in rows(it.app, OutboxRow, OutboxRow.purpose == purpose))


def test_confidentiality_chase_and_escalation(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: a resident's circumstances",
                           "Please keep this confidential. Can advice about a resident be "
                           "given in confidence?", cc=SAM, date=SENT), SENT)
        assert it.case().kind == "confidentiality" and it.case().officer_email == SAM
        now = SENT + timedelta(hours=1)
        chase = listed(it, now, "asked again whether it can be kept confidential")
        escalation = listed(it, now, "Dana Reed, Sam Patel's manager: the confidentiality")
        assert len(chase) == 1 and len(escalation) == 1
        assert sent_days(it, "confidentiality_chase", SENT.date(), date(2026, 12, 11)) == [
            chase[0], escalation[0]]


def test_a_pause_nobody_ended_is_chased_on_the_day_listed(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        out = by_recipient(it.deliver(it.mail(
            f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
            "Could someone fix the street light on Mill Lane please?", date=SENT), SENT))
        paused = SENT + timedelta(days=3)  # Monday 30 November
        it.deliver(it.reply(out[SAM], f"Sam Patel <{SAM}>", 'PAUSE "waiting for the survey"',
                            date=paused), paused)
        assert it.case().status == "paused"
        chase = listed(it, paused, "asked whether it is still waiting, and to RESUME it")
        assert len(chase) == 1
        assert sent_days(it, "pause_chase", paused.date(), date(2027, 1, 8)) == chase


def test_the_law_dates_reminders_of_a_subject_access_request(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(
            f"Cllr Jo Bloggs <{JO}>", "Mrs Smith's records",
            "My constituent Mrs Jane Smith would like a copy of all the personal data the "
            "council holds about her, under the Data Protection Act. She has signed an "
            "authority for me to act for her. This is a subject access request.",
            date=SENT), SENT)
        assert rows(it.app, CaseRow)[-1].subject_access
        now = SENT + timedelta(hours=1)
        before = listed(it, now, "data protection law's date for this subject access request")
        passed = listed(it, now, "data protection law's date has passed")
        # One calendar month: Sunday 27 December, Monday 28 a bank holiday, so Tuesday 29.
        assert (before, passed) == ([date(2026, 12, 18)], [date(2026, 12, 30)])
        assert sent_days(it, "access_request_reminder", SENT.date(), date(2027, 1, 4)) == [
            *before, *passed]
