"""The digest's protocol KPIs count from the day the pack's clock counts from."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@colchester.gov.uk"
JO = "jo.bloggs@colchester.gov.uk"
SAM = "sam.patel@colchester.gov.uk"
CHIEF = "chief.executive@colchester.gov.uk"


def test_a_case_answered_on_its_due_date_took_the_target_not_a_day_more(
    tmp_path: Path,
) -> None:
    """Colchester's clock counts mail at or after 17:00 as received the next day: an
    enquiry sent at 17:30 on Monday 2 November 2026 is due on Tuesday 17 November (10
    working days from Tuesday 3). Answered that day, it is on time and took 10 working
    days; counted from the Monday, the median said 11, over the target it met."""
    with Council(
        tmp_path, mailbox=MAILBOX, name="Colchester City Council", policy="colchester",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nrecipients = ["{CHIEF}"]\n',
        mail_headers=PLAIN_UTF8,
    ) as council:
        sent = datetime(2026, 11, 2, 17, 30, tzinfo=UTC)  # GMT: London time
        left = council.deliver(
            council.mail(JO, "Pothole on Castle Street", "Please look at it.", date=sent),
            sent.replace(minute=31),
        )
        assert council.case().response_due.isoformat() == "2026-11-17"
        [assignment] = [m for m in left if m["To"] == SAM]
        answered = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
        council.deliver(council.reply(assignment, SAM, "DONE", date=answered), answered)
        monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
        jobs.send_digests(council.app, monday)
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "digest")
        message = email.message_from_bytes(row.mime, policy=email.policy.default)
        text = body_text(message, "plain")  # type: ignore[arg-type]
        assert "  Enquiry                         1       1 wd     100%   10 wd     100%" \
            "            10" in text
