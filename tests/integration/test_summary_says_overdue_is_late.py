"""An officer's daily summary lists cases already overdue. Under a pack that does not tell
members when a response is late (Hackney: tell_member_when_late = []), each such case
used to say "If it will be late, the protocol asks you to tell ... why and when", as if
it might not be, as the overdue reminder alone did before (d90e619). An overdue case in
the summary now says the response is late; a case not yet due keeps "If it will be late".
Judged by the summary that left, plain and HTML, English and Welsh."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

D = "hackney.gov.uk"
SAM, MAILBOX = f"sam.patel@{D}", f"memberenquiries@{D}"
OPENED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday


def _summaries(home: Path, policy: str, language: str = "en") -> list[EmailMessage]:
    """Five enquiries for Sam (no manager: no escalation), then the daily sweeps for five
    weeks: Sam's summaries."""
    with Council(
        home, mailbox=MAILBOX, policy=policy,
        members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", language)],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as council:
        for n in range(1, 6):
            council.deliver(council.mail(
                f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain on Mill Lane ({n})",
                f"The drain outside {n} Mill Lane is blocked again.", cc=SAM, date=OPENED),
                OPENED)
        council.left()
        sent: list[EmailMessage] = []
        day = OPENED.date() + timedelta(days=1)
        while day <= date(2027, 1, 8):
            now = datetime.combine(day, time(9, 30), tzinfo=UTC)
            jobs.send_reminders(council.app, now)
            sent += council.flush(now)
            day += timedelta(days=1)
    return [m for m in sent if str(m["To"]) == SAM
            and str(m["Subject"]).startswith("Your cases to answer")]


def _one_line(mail: EmailMessage, part: str) -> str:
    return " ".join(body_text(mail, part).split())


def test_an_overdue_case_in_the_summary_is_late_not_perhaps_late(tmp_path: Path) -> None:
    summaries = _summaries(tmp_path, "hackney")
    before = [m for m in summaries if str(m["Subject"]).startswith("Your cases to answer: 0 ")]
    overdue = [m for m in summaries if m not in before]
    assert before and overdue, [str(m["Subject"]) for m in summaries]
    for mail in overdue:
        text, html = _one_line(mail, "plain"), _one_line(mail, "html")
        assert "If it will be late" not in text + html
        assert ("The response is late: the protocol asks you to tell Cllr Jo Bloggs why and "
                'when: EXTEND n "reason" sends that with the new date.') in text
        assert 'The response is late: EXTEND n "reason" tells the member why' in html
        assert "has been told" not in text  # Hackney tells members nothing
    for mail in before:
        assert "If it will be late, the protocol asks you" in _one_line(mail, "plain")
        assert "The response is late" not in _one_line(mail, "plain")
