"""The mail mailbot writes, read as the people who get it: on a phone (what the subject and
the first lines say), with a screen reader (the HTML's language and structure) and in
Welsh. Every assertion is on the MIME in the outbox rows, parsed with the email package."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, parse_sent, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SIAN = "sian.evans@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Siân Evans", SIAN, "Llandaf", "cy")]
OFFICERS = [("Sam Patel", SAM, "Highways", DANA, ""), ("Dana Reed", DANA, "Highways", "", "")]
# Monday 14 December 2026: ten working days on is Wednesday 30 December, past Christmas
# Day and the Boxing Day holiday (Monday 28th).
RECEIVED = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def _council(home: Path, policy: str) -> Council:
    return Council(
        home, policy=policy, mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
        threshold=0.0, config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=(*PLAIN_UTF8, "Content-Transfer-Encoding: 8bit"), encoded_subjects=True,
    )


@pytest.fixture(params=["wiltshire", "cardiff"])
def council(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / request.param, request.param) as made:
        yield made


def outbox(council: Council) -> list[tuple[str, EmailMessage]]:
    """Every mail in the outbox, oldest first: (purpose, the MIME parsed)."""
    return [(row.purpose, parse_sent(row.mime)) for row in rows(council.app, OutboxRow)]


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _live_month(council: Council, sender: str, subject: str) -> None:
    """The member writes on RECEIVED; then a month of reminder and digest ticks."""
    council.deliver(council.mail(sender, subject, "Please can someone look at this.",
                                 date=RECEIVED - timedelta(hours=1)), RECEIVED)
    for day in range(32):
        for hour in (8, 9):
            now = RECEIVED.replace(hour=hour) + timedelta(days=day)
            jobs.send_reminders(council.app, now)
            jobs.send_digests(council.app, now)
            council.flush(now)


@pytest.mark.parametrize("member", ["jo", "sian"])
def test_a_reminders_subject_gives_the_date_the_body_gives_in_words(
    council: Council, member: str
) -> None:
    # 09/12/2026 in a subject under "Wednesday 9 December 2026" in the body: read as 12
    # September by anyone whose phone or screen reader reads dates the American way, and
    # not the same words as the letter. Every subject now gives the date as the body does,
    # in Welsh and English where the mail is bilingual.
    sender = {"jo": f"Cllr Jo Bloggs <{JO}>", "sian": f"Cllr Siân Evans <{SIAN}>"}[member]
    _live_month(council, sender, "Pothole on Castle Road")
    sent = outbox(council)
    reminders = [m for purpose, m in sent if purpose == "reminder"]
    assert len(reminders) == 2  # before, and on the day
    bilingual = council.app.policy.language == "cy-en"
    for reminder in reminders:
        subject, text = str(reminder["Subject"]), _text(reminder)
        assert "Wednesday 30 December 2026" in subject
        assert "Wednesday 30 December 2026" in text
        if bilingual:
            assert "dydd Mercher 30 Rhagfyr 2026" in subject
            assert "dydd Mercher 30 Rhagfyr 2026" in text
            welsh_first = member == "sian"
            assert (subject.index("Rhagfyr") < subject.index("December")) is welsh_first
    for purpose, message in sent:
        assert not NUMERIC_DATE.search(str(message["Subject"])), (purpose, message["Subject"])
    digests = [m for purpose, m in sent if purpose == "digest"]
    assert digests and all("week of Monday" in str(d["Subject"]) for d in digests)
