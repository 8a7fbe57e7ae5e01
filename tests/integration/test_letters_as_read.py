"""Letters read as the people who get them read them: what left the outbox, in both
parts, must be true on the day it is read and must agree with itself."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from test_stale_reminders import JO, SAM, council, enquiry, officer_says, sweep_and_flush


def words(message: EmailMessage, subtype: str) -> str:
    return " ".join(body_text(message, subtype).split())


def extended_on(it: Council, at: datetime) -> EmailMessage:
    """Sam answers his assignment with EXTEND 3 on `at`; Jo's letter about it."""
    assignment = enquiry(it)
    sweep_and_flush(it, at)
    left = officer_says(it, assignment, f"Sam Patel <{SAM}>",
                        'EXTEND 3 "waiting for the contractor"', at)
    [letter] = [m for m in left if str(m["To"]) == JO]
    return letter


def test_an_extension_after_the_due_date_says_the_date_was_missed(tmp_path: Path) -> None:
    """Given on 17 December for a response due on 7 December: the member is not told the
    response "will not be ready by Monday 7 December", ten days after it."""
    with council(tmp_path) as it:
        letter = extended_on(it, datetime(2026, 12, 17, 10, 0, tzinfo=UTC))
    for part in ("plain", "html"):
        said = words(letter, part)
        assert ("the full response to your enquiry (MB-2026-00001) was not ready by Monday "
                "7 December 2026 as we said") in said
        assert "will not be ready" not in said
        assert "will send you a full response by" in said and "Tuesday 22 December 2026" in said


def test_an_extension_before_the_due_date_says_it_will_not_be_ready(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        letter = extended_on(it, datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    for part in ("plain", "html"):
        assert ("the full response to your enquiry (MB-2026-00001) will not be ready by Monday "
                "7 December 2026 as we said") in words(letter, part)


def test_the_answer_to_done_does_not_say_a_response_is_still_due(tmp_path: Path) -> None:
    """The line about the case after DONE: answered, without "response due Monday 7
    December", which reads as if a response were still owed."""
    with council(tmp_path) as it:
        assignment = enquiry(it)
        done = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
        [reply] = officer_says(it, assignment, f"Sam Patel <{SAM}>", "DONE", done)
    for part in ("plain", "html"):
        said = words(reply, part)
        assert ("Pothole on Castle Road\"): answered, with Sam Patel (sam@wiltshire.gov.uk)."
                in said.replace("&ldquo;", "\"").replace("&rdquo;", "\""))
        assert "response due" not in said
