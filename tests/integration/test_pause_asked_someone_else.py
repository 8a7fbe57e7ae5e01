"""An officer's PAUSE whose reason names who else was asked ('asked Streetscene for
photos') is not ended by the member's 'Any news?': the council still waits for
Streetscene, and the member is sent no new date.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 14 December 2026, due
Wednesday 30 December (25 and 28 December are bank holidays); paused Wednesday 16
December; the member writes on Friday 18 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.store.tables import ClockEventRow, OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
LEE = "ann.lee@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 12, 16, 14, 0, tzinfo=UTC)
WRITES = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, policy="wiltshire",
        members=[("Cllr Ann Lee", LEE, "Abbey", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def test_any_news_leaves_a_pause_for_photos_asked_of_streetscene(council: Council) -> None:
    out = council.deliver(council.mail(
        LEE, "Fly-tipping in Church Lane",
        "There is a pile of fly-tipped mattresses in Church Lane again. Can it be cleared?",
        date=RECEIVED), now=RECEIVED)
    assert council.case().response_due == date(2026, 12, 30)
    [ack] = [m for m in out if m["To"] == LEE]
    [assignment] = [m for m in out if m["To"] == SAM]
    out = council.deliver(council.reply(assignment, SAM, 'PAUSE "asked Streetscene for photos"',
                                        date=PAUSED), now=PAUSED)
    [confirmation] = [m for m in out if m["To"] == SAM]
    assert ("This pause waits for someone other than the member: their reply in this "
            "case's thread will not end it.") in " ".join(body_text(confirmation, "plain").split())

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
