"""A PAUSE that waits for the resident the member writes for ('awaiting info from
resident') waits for the member: the councillor passes the resident's answer on. It was
read as waiting for someone else (any 'from ...' was), so the member's answer left the
clock paused and the officer was told it waited for someone other than the member, while
'awaiting resident's consent' was read as the member's. Now both end on the member's reply.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 14 December 2026, due
Wednesday 30 December (25 and 28 December are bank holidays); paused Wednesday 16
December; the member answers on Friday 18 December: the three working days from the
pause to the answer do not count, so due Tuesday 5 January 2027 (1 January is a bank
holiday)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import ANN as LEE
from paused_council import SAM, command, opened, sams_council
from paused_council import words as _words

from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 12, 16, 14, 0, tzinfo=UTC)
WRITES = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with sams_council(tmp_path / "council") as made:
        yield made


@pytest.mark.parametrize("reason", [
    "awaiting info from resident",
    "asked the requester to clarify which lamp",
    "waiting for details from the tenant",
    "aros am wybodaeth gan y preswylydd",
])
def test_the_members_answer_ends_a_pause_for_their_resident(council: Council,
                                                             reason: str) -> None:
    ack, assignment = opened(
        council, member=LEE, subject="Street light out in Church Lane",
        body="A resident says the street light in Church Lane has been out for a week.",
        received=RECEIVED, officer=SAM)
    said, _ = command(council, assignment, SAM, f'PAUSE "{reason}"', PAUSED)
    assert ("If they reply in this case's thread, the clock runs again and mailbot sends "
            "them the new date.") in said
    assert "someone other than the member" not in said

    answer_ends_the_pause(
        council, ack, "The resident says it is the lamp outside number 4, by the bus stop.")


def answer_ends_the_pause(council: Council, ack: EmailMessage, answer: str) -> None:
    """The member's `answer` to their acknowledgement, on Friday 18 December, ends the
    pause: the clock runs again, due Tuesday 5 January 2027, the member is sent the new
    date, and the officer's update does not say the clock stays paused."""
    out = council.deliver(council.reply(ack, LEE, answer, date=WRITES), now=WRITES)
    case = council.case()
    assert case.status == "open" and case.response_due == date(2027, 1, 5)
    assert [r.recipients for r in rows(council.app, OutboxRow,
                                       OutboxRow.purpose == "reply_received")] == [LEE]
    [update] = [m for m in out if m["To"] == SAM]
    assert "The clock stays paused" not in _words(update)
