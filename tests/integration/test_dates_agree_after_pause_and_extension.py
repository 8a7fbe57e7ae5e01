"""One Scottish case over the festive period, paused and extended by officers' commands:
the extension letter to the member, the case row, `mailbot case` (its header line and the
explanation) and the managers' digest must all give the same date, and it must be the
independent reckoner's (tests/deadline_oracle.py).

Strathmore's pack (tests/data): enquiries in 15 working days, a 17:00 cutoff, a festive
closure 29-31 Dec 2026; Scotland's bank holidays: Christmas Day, Boxing Day's substitute
(Mon 28 Dec), New Year's Day and 2 January's substitute (Mon 4 Jan 2027)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import deadline_oracle as oracle
from helpers import Council, body_text, by_recipient
from test_reopened_stage_two import SCOTTISH

from mailbot import jobs
from mailbot.console import describe_case

MAILBOX = "memberenquiries@strathmore.gov.scot"
JO = "jo@strathmore.gov.scot"
SAM = "sam.patel@strathmore.gov.scot"
CHIEF = "chief.executive@strathmore.gov.scot"
FESTIVE = (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))


def text(message: object) -> str:
    return " ".join(body_text(message, "plain").split())  # type: ignore[arg-type]


def test_pause_over_new_year_then_extend_every_view_gives_one_date(tmp_path: Path) -> None:
    sent = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)
    paused = datetime(2026, 12, 23, 11, 0, tzinfo=UTC)
    resumed = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    extended = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)
    scotland = oracle.council_calendar("scotland", FESTIVE)
    # 15 working days from Tue 15 Dec, the paused Wed 23, Thu 24 Dec and Tue 5 Jan not
    # counted: 16-18, 21-22 Dec, 6-8, 11-15, 18-19 Jan.
    after_pause = oracle.nth_working_day(
        scotland, date(2026, 12, 15), 15, [(date(2026, 12, 23), date(2027, 1, 5))])
    assert after_pause == date(2027, 1, 19)
    want = oracle.nth_working_day(scotland, after_pause, 3)
    assert want == date(2027, 1, 22)

    with Council(
        tmp_path, name="Strathmore and Glen Council", policy=str(SCOTTISH), mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Glen", "en")],
        officers=[("Sam Patel", SAM, "Roads", "", "")], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n'
        f'[digest]\nrecipients = ["{CHIEF}"]\nmanagers = false\n',
    ) as it:
        out = by_recipient(it.deliver(it.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Glen Road",
            "Please could you look into the pothole on Glen Road.", date=sent), sent))
        ref = it.case().ref
        it.deliver(it.reply(out[SAM], f"Sam Patel <{SAM}>", 'PAUSE "waiting for the survey"',
                            date=paused), paused)
        assert it.case().response_due is None
        it.deliver(it.reply(out[SAM], f"Sam Patel <{SAM}>", "RESUME", date=resumed), resumed)
        assert it.case().response_due == after_pause
        left = by_recipient(it.deliver(it.reply(
            out[SAM], f"Sam Patel <{SAM}>", 'EXTEND 3 "contractor booked"', date=extended),
            extended))
        assert it.case().response_due == want
        assert "Friday 22 January 2027" in text(left[JO])
        shown = describe_case(it.app, ref) or ""
        assert "Due: Fri 22 Jan 2027" in shown, shown
        assert "2027-01-22" in shown or "22 January 2027" in shown, shown
        monday = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)
        jobs.send_digests(it.app, monday)
        [digest] = [m for m in it.flush(monday) if str(m["To"]) == CHIEF]
    listed = text(digest)
    assert "Overdue (0)" in listed and "Due this week (1)" in listed, listed
    assert ref in listed.split("Due this week (1)", 1)[1], listed
    assert "Fri 22 Jan" in listed.split("Due this week (1)", 1)[1], listed
