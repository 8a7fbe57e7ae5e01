"""A councillor sends an ordinary enquiry, then writes again in its thread: "please keep
this confidential - the tenant does not want the landlord to know". That is a request for
confidence like one made in the first mail (Wiltshire 11.11; MWDA 7.2: the officer must
say straight away if it cannot be kept): the case becomes confidential, the officer's
update does not repeat the message and asks CONFIDENTIAL OK or NO, the member is told the
answer, and the officer is chased a working day after being asked, not from the day the
case was first assigned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam

from mailbot.jobs import send_reminders

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
JO = "jo@wiltshire.gov.uk"
SAM = "sam@wiltshire.gov.uk"
SECRET = "Mrs Green does not want the landlord to know she contacted me"


@pytest.fixture
def asked(tmp_path: Path) -> Iterator[tuple[Council, EmailMessage]]:
    """Jo's enquiry on Monday; on Thursday Jo asks, in its thread, for confidence. The
    council and the update Sam was sent."""
    with council_with_sam(tmp_path, "wiltshire") as it:
        left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Damp at 4 Oak Close",
                                  "Could housing look at the damp at 4 Oak Close?",
                                  date=MONDAY), MONDAY)
        ack = next(m for m in left if m["To"] == JO)
        assert not it.case().confidential
        left = it.deliver(it.reply(ack, f"Cllr Jo Bloggs <{JO}>",
                                   f"Sorry, I should have said: please keep this confidential - "
                                   f"{SECRET}.", date=THURSDAY), THURSDAY)
        [update] = left
        assert update["To"] == SAM
        yield it, update


def test_the_case_becomes_confidential_and_the_officer_is_asked(
    asked: tuple[Council, EmailMessage],
) -> None:
    it, update = asked
    assert it.case().confidential
    for part in ("plain", "html"):
        text = " ".join(body_text(update, part).split())
        assert "CONFIDENTIAL OK" in text
        assert "Mrs Green" not in text
    assert it.events("confidentiality requested")


def test_the_member_is_told_the_officers_answer(asked: tuple[Council, EmailMessage]) -> None:
    it, update = asked
    left = it.deliver(it.reply(update, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK", date=FRIDAY),
                      FRIDAY)
    assert sorted(str(m["To"]) for m in left) == [JO, SAM]


def test_the_officer_is_chased_from_the_day_they_were_asked(
    asked: tuple[Council, EmailMessage],
) -> None:
    it, _ = asked
    send_reminders(it.app, THURSDAY)
    assert it.flush(THURSDAY) == []  # asked today: day 0, nothing to chase yet
    send_reminders(it.app, FRIDAY)
    chased = [m for m in it.flush(FRIDAY) if "confidential" in body_text(m, "plain").lower()]
    assert [str(m["To"]) for m in chased] == [SAM]  # the chase, not an escalation
