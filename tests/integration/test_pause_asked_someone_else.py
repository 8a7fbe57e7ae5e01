"""An officer's PAUSE whose reason names who else was asked ('asked Streetscene for
photos') is not ended by the member's 'Any news?': the council still waits for
Streetscene, and the member is sent no new date.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 14 December 2026, due
Wednesday 30 December (25 and 28 December are bank holidays); paused Wednesday 16
December; the member writes on Friday 18 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from paused_council import ANN as LEE
from paused_council import SAM, command, opened, sams_council
from test_pause_for_the_resident import PAUSED, RECEIVED, WRITES

from mailbot.store.tables import ClockEventRow, OutboxRow


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with sams_council(tmp_path / "council") as made:
        yield made


def test_any_news_leaves_a_pause_for_photos_asked_of_streetscene(council: Council) -> None:
    ack, assignment = opened(
        council, member=LEE, subject="Fly-tipping in Church Lane",
        body="There is a pile of fly-tipped mattresses in Church Lane again. Can it be cleared?",
        received=RECEIVED, officer=SAM)
    assert council.case().response_due == date(2026, 12, 30)
    said, _ = command(council, assignment, SAM, 'PAUSE "asked Streetscene for photos"', PAUSED)
    assert ("This pause waits for someone other than the member: their reply in this "
            "case's thread will not end it.") in said

    out = council.deliver(council.reply(ack, LEE, "Any news?", date=WRITES), now=WRITES)

    case = council.case()
    assert case.status == "paused" and case.response_due is None
    assert [r.action for r in rows(council.app, ClockEventRow)
            if r.clock == "response"] == ["pause"]
    # Only the holding reply: the case is paused (test_member_hears_of_pause), no new date.
    [holding] = [m for m in out if m["To"] == LEE]
    assert "while we wait for something we need from someone else" in " ".join(
        body_text(holding, "plain").split())
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "reply_received") == []
    [update] = [m for m in out if m["To"] == SAM]
    assert "The clock stays paused: the pause waits for someone other than the member" in (
        " ".join(body_text(update, "plain").split()))
