"""An enquiry the member marked important (Colchester 16(2): 5 working days, not 10) is
marked so in the officer's reminders and daily summary, as in the assignment: the member's
acknowledgement says "the officer dealing with it sees it marked important".

Found by reading a simulated fortnight's mail: the assignment said "Enquiry (marked
important)", but the reminder two days before the shorter date said only "Enquiry", and so
did the summary that listed it among ten-day cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

D = "colchester.gov.uk"
MAILBOX, JO, SAM = f"memberenquiries@{D}", f"jo@{D}", f"sam@{D}"
MONDAY = datetime(2026, 11, 30, 10, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 12, 7, 10, tzinfo=UTC)
THURSDAY = datetime(2026, 12, 10, 9, tzinfo=UTC)  # two working days before Monday 14th


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX, name="Colchester City Council", policy="colchester",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{D}", "Tref", "cy")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        yield place


def _important(council: Council, sender: str, subject: str) -> None:
    council.deliver(council.mail(
        sender, subject, "Residents need an answer before the meeting: urgent please.",
        extra="Importance: high", date=NEXT_MONDAY), NEXT_MONDAY)


def _reminders(council: Council) -> list:  # type: ignore[type-arg]
    council.left()
    jobs.send_reminders(council.app, THURSDAY)
    return council.flush(THURSDAY)


def test_the_reminder_of_an_important_enquiry_says_so(council: Council) -> None:
    _important(council, f"Cllr Jo Bloggs <{JO}>", "Flooded underpass on Mill Lane")
    [reminder] = _reminders(council)
    assert str(reminder["Subject"]).startswith("Reminder: Flooded underpass")
    assert "What:      Enquiry (marked important)" in body_text(reminder, "plain")
    assert "Enquiry (marked important)</td>" in body_text(reminder, "html")


def test_in_a_bilingual_council_it_is_marked_in_both_languages(tmp_path: Path) -> None:
    # Cardiff sets no shorter time for important enquiries, but the member is told the
    # same about the mark.
    d = "cardiff.gov.uk"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{d}", name="Cardiff Council", policy="cardiff",
        members=[("Cllr Rhian Evans", f"rhian@{d}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{d}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{d}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as council:
        council.deliver(council.mail(
            f"Cllr Rhian Evans <rhian@{d}>", "Llifogydd ar Heol y Felin",
            "Brys, os gwelwch yn dda.",
            extra="Importance: high", date=MONDAY), MONDAY)
        [reminder] = _reminders(council)
    text = body_text(reminder, "plain")
    assert "Ymholiad (wedi'i nodi'n bwysig)" in text
    assert "Enquiry (marked important)" in text


def test_the_daily_summary_marks_the_important_one_only(council: Council) -> None:
    for street in ("Castle Road", "High Street", "Church Walk"):
        council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", f"Pothole on {street}",
            f"There is a pothole on {street}.", date=MONDAY), MONDAY)
    _important(council, f"Cllr Jo Bloggs <{JO}>", "Flooded underpass on Mill Lane")
    [summary] = _reminders(council)
    assert str(summary["Subject"]).startswith("Your cases to answer: 0 overdue, 0 due today, 4")
    text = body_text(summary, "plain")
    assert text.count("(marked important)") == 1
    assert "What:      Enquiry (marked important): Flooded underpass on Mill Lane" in text
    assert "What:      Enquiry: Pothole on Castle Road" in text
    assert body_text(summary, "html").count("(marked important)") == 1
