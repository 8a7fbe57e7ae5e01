"""An officer who gives the same CONFIDENTIAL answer twice (the member wrote again and the
update reached them, or they could not remember answering) does not send the member the
same letter twice; a changed answer is still sent.

Found by tests/integration/test_year.py: after a follow-up reopened a confidential case,
the officer's second CONFIDENTIAL OK sent Cllr Evans the identical letter again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam

NOW = datetime(2027, 2, 22, 11, 0, tzinfo=UTC)
JO = "jo@wiltshire.gov.uk"
SAM = "sam@wiltshire.gov.uk"


def test_the_same_confidentiality_answer_reaches_the_member_once(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as council:
        out = _ask_for_confidence(council, JO, SAM)
        assignment = next(m for m in out if m["To"] == SAM)
        first = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK", date=NOW + timedelta(hours=1),
        ), NOW + timedelta(hours=1))
        assert sorted(str(m["To"]) for m in first) == [JO, SAM]

        again = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK", date=NOW + timedelta(days=2),
        ), NOW + timedelta(days=2))
        [confirmation] = again
        assert confirmation["To"] == SAM
        text = " ".join(body_text(confirmation, "plain").split())
        assert "already told on Monday 22 February 2027" in text
        assert "not written to again" in text

        changed = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", 'CONFIDENTIAL NO "the tenant must be named"',
            date=NOW + timedelta(days=3),
        ), NOW + timedelta(days=3))
        assert sorted(str(m["To"]) for m in changed) == [JO, SAM]
        letter = next(m for m in changed if m["To"] == JO)
        assert "the tenant must be named" in body_text(letter, "plain")


def _ask_for_confidence(council: Council, member: str, officer: str) -> list[EmailMessage]:
    """The member's request for confidence, copied to the officer; what mailbot sent."""
    return council.deliver(council.mail(
        f"Cllr Jo Bloggs <{member}>", "CONFIDENTIAL: a resident's circumstances",
        "Please keep this confidential. Can advice about a resident be given in "
        "confidence?", cc=officer, date=NOW - timedelta(minutes=5),
    ), NOW)


def _ask_lines(message: EmailMessage) -> list[str]:
    """The lines of both parts that ask the officer for CONFIDENTIAL OK or NO."""
    return [line for part in ("plain", "html") for line in body_text(message, part).splitlines()
            if "CONFIDENTIAL OK" in line or "straight away" in line]


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])
def test_an_update_after_the_answer_does_not_ask_the_question_again(
    tmp_path: Path, pack: str
) -> None:
    # Found by a simulated fortnight: Sam answered CONFIDENTIAL OK, the member was told,
    # then the member's next mail reached Sam as an update asking him, again, to "say
    # straight away whether that is possible".
    jo, sam = f"jo@{pack}.gov.uk", f"sam@{pack}.gov.uk"
    with council_with_sam(tmp_path, pack) as council:
        out = _ask_for_confidence(council, jo, sam)
        ack = next(m for m in out if m["To"] == jo)
        assignment = next(m for m in out if m["To"] == sam)
        assert _ask_lines(assignment)
        before = council.deliver(council.reply(
            ack, f"Cllr Jo Bloggs <{jo}>", "One more thing: the resident has moved flat.",
            date=NOW + timedelta(minutes=30)), NOW + timedelta(minutes=30))
        [update] = before
        assert update["To"] == sam and _ask_lines(update)

        council.deliver(council.reply(
            assignment, f"Sam Patel <{sam}>", "CONFIDENTIAL OK", date=NOW + timedelta(hours=1),
        ), NOW + timedelta(hours=1))
        after = council.deliver(council.reply(
            ack, f"Cllr Jo Bloggs <{jo}>", "And the resident's landlord has been told.",
            date=NOW + timedelta(hours=2)), NOW + timedelta(hours=2))
        [update] = after
        assert update["To"] == sam
        assert str(update["Subject"]).startswith("Update")
        assert _ask_lines(update) == []
