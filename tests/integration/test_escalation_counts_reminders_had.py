"""The manager's escalation says how many overdue reminders the officer has had: those
sent or listed in their summary, not the escalation's number less one, since the steps
before it may never have gone.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 2 November 2026, due
Monday 16 November; paused Wednesday 4 November 'waiting for the contractor'. On Monday
30 November the officer writes 'RESUME 05/11/2026': due Wednesday 18 November, 8
working days ago, so the escalation's day (Wiltshire: after 2 overdue reminders, 2 working
days apart) has passed too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot.jobs import send_reminders

MAILBOX = "memberenquiries@council.gov.uk"
LEE = "ann.lee@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 14, 0, tzinfo=UTC)
RESUMED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_escalation_counts_only_the_overdue_reminders_the_officer_had(
    tmp_path: Path,
) -> None:
    """The dated RESUME makes the case 8 working days overdue at once: the sweep sends
    Pat, his manager, the escalation (the latest step), Sam copied. Sam had no overdue
    reminder before (the case was paused): the escalation must not say he had 2 (its
    number less one)."""
    pat = "pat.moss@council.gov.uk"
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, policy="wiltshire",
        members=[("Cllr Ann Lee", LEE, "Abbey", "en")],
        officers=[("Sam Patel", SAM, "Highways", pat, ""), ("Pat Moss", pat, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        out = council.deliver(council.mail(
            LEE, "Street light out on Elm Road", "The street light outside 14 Elm Road is out.",
            date=RECEIVED), now=RECEIVED)
        [assignment] = [m for m in out if m["To"] == SAM]
        council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the contractor"',
                                      date=PAUSED), now=PAUSED)
        council.deliver(council.reply(assignment, SAM, "RESUME 05/11/2026 light fixed",
                                      date=RESUMED), now=RESUMED)
        send_reminders(council.app, RESUMED.replace(hour=11))
        out = council.flush(RESUMED.replace(hour=11))
    [escalation] = [m for m in out if m["To"] == pat]
    said = _words(body_text(escalation, "plain"))
    assert "now 8 working days overdue" in said
    assert "has had 2 overdue reminders" not in said
    # The latest step due is the escalation itself (the officer's next overdue reminder
    # is a week after it: overdue_every_after_escalation), so Sam has had none.
    assert "Sam Patel has not had an overdue reminder before this one and is copied in." in said
    assert escalation["Cc"] == SAM
