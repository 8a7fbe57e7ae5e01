"""What an officer reads in a reminder: the facts of the case, one to a line, as the
assignment gave them. The lines are read by people on phones and in Outlook's plain-text
view; a subject run on into the kind ("What: Enquiry  Subject: Pothole ...") reads as one
field."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, council_with_sam

from mailbot.reminders import sweep

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # two working days before the 9th
OVERDUE = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)  # two working days after


def _lines(message: EmailMessage) -> list[str]:
    return [line.strip() for line in body_text(message, "plain").splitlines()]


def _reminders(council: Council, member: str, officer: str, subject: str,
               at: datetime) -> list[EmailMessage]:
    council.deliver(council.mail(member, subject, "A deep pothole by no. 12.", cc=officer,
                                 date=RECEIVED), now=RECEIVED)
    sweep(council.app, at)
    return [m for m in council.flush(at) if m["To"] == officer]


def _reminder_lines(tmp_path: Path, subject: str, at: datetime) -> list[str]:
    """The lines of the one reminder Sam gets at `at` for Jo's mail about `subject`."""
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
        mail_headers=PLAIN_UTF8,
    ) as council:
        [reminder] = _reminders(council, f"Cllr Jo Bloggs <{JO}>", SAM, subject, at)
    return _lines(reminder)


@pytest.mark.parametrize("at", [BEFORE, OVERDUE])
def test_a_reminder_gives_the_kind_and_the_subject_on_lines_of_their_own(
    tmp_path: Path, at: datetime
) -> None:
    lines = _reminder_lines(tmp_path, "Pothole on Castle Road", at)
    assert "What:      Enquiry" in lines
    assert "Subject:   Pothole on Castle Road" in lines


def test_a_confidential_reminder_says_so_on_a_line_of_its_own(tmp_path: Path) -> None:
    lines = _reminder_lines(tmp_path, "CONFIDENTIAL: a neighbour dispute", BEFORE)
    assert "What:      Enquiry" in lines
    assert ("Content:   confidential - not repeated here; read it in the shared mailbox"
            in lines)


def test_a_welsh_reminder_gives_the_kind_and_the_subject_on_lines_of_their_own(
    tmp_path: Path,
) -> None:
    with council_with_sam(tmp_path / "council", "cardiff") as council:
        [reminder] = _reminders(council, "Cllr Rhian Evans <rhian@cardiff.gov.uk>",
                                "sam@cardiff.gov.uk", "Twll yn y ffordd", BEFORE)
    lines = _lines(reminder)
    assert any(line.startswith("Beth:") and "Pwnc" not in line for line in lines)
    assert any(line.startswith("Pwnc:") and line.endswith("Twll yn y ffordd")
               for line in lines)
