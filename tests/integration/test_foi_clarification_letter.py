"""An FOI request paused for the member's clarification (FOIA s.1(3)) starts a fresh 20
working days the day the clarification arrives: by the member's reply in the thread, or
the officer's RESUME when it came another way. The member is then sent one short letter
saying it was received and the new date the answer is due by (in Welsh too where the
council writes Welsh to them); a second RESUME, or the member's out-of-office, sends
nothing more.

Dates by hand, FOI calendar: received Mon 2 Nov 2026 (due Tue 1 Dec), paused for
clarification Wed 4 Nov, clarification Mon 9 Nov: day one Tue 10 Nov, day 20 Tue 8 Dec."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from paused_council import (
    FOI_TEAM,
    JO,
    JO_BLOGGS,
    SIAN,
    SIAN_EVANS,
    THE_FOI_TEAM,
    command,
    opened,
    paused_council,
)

from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 9, 11, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 10, 11, 0, tzinfo=UTC)
PURPOSE = "clarification_received"


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return paused_council(home, [THE_FOI_TEAM], policy=policy, members=[JO_BLOGGS, SIAN_EVANS],
                          routes={"foi_team": FOI_TEAM})


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _foi(council: Council, member: str = JO) -> tuple[EmailMessage, EmailMessage]:
    """The member's FOI request: (their acknowledgement, the FOI team's assignment)."""
    ack, assignment = opened(
        council, member=member, subject="Freedom of Information request: road budgets",
        body="Under the Freedom of Information Act 2000 please send me the road budgets.",
        received=RECEIVED, officer=FOI_TEAM)
    assert council.case().kind == "foi"
    return ack, assignment


def _command(council: Council, to: EmailMessage, line: str, at: datetime) -> tuple[str, list]:
    """The officer's command: (their confirmation's words, the mail that went to others)."""
    return command(council, to, FOI_TEAM, line, at)


def _letters(council: Council) -> list[OutboxRow]:
    return rows(council.app, OutboxRow, OutboxRow.purpose == PURPOSE)


def _words(mail: EmailMessage, part: str = "plain") -> str:
    return " ".join(body_text(mail, part).split())


def test_the_members_clarification_in_the_thread_gets_the_new_date(council: Council) -> None:
    ack, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "clarification: which roads"', NOTICE)
    out = council.deliver(council.reply(ack, JO, "The A-roads in Castle ward.", date=MONDAY),
                          now=MONDAY)
    assert council.case().response_due == date(2026, 12, 8)
    [letter] = [m for m in out if m["To"] == JO]
    ref = council.case().ref
    assert ref in letter["Subject"]
    assert letter["In-Reply-To"] is not None
    for text in (_words(letter), _words(letter, "html")):
        assert f"Thank you for clarifying your request for information ({ref})" in text
        assert "received on Monday 9 November 2026" in text
        assert "Tuesday 8 December 2026" in text
        assert "Annwyl" not in text
    [row] = _letters(council)
    assert row.recipients == JO and row.status == "sent"
    # The FOI team's update says the member has been told, so they do not write again.
    [update] = [m for m in out if m["To"] == FOI_TEAM]
    assert ("The member will be sent the new date unless the case is answered or paused "
            "again before it goes.") in _words(update)


def test_resume_after_a_clarification_tells_the_member_once(council: Council) -> None:
    _, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "clarification: which roads"', NOTICE)
    said, others = _command(council, assignment, "RESUME", MONDAY)
    assert "running again: due Tuesday 8 December 2026" in said
    assert ("The member will be sent the new date unless the case is answered or paused "
            "again before it goes.") in said
    assert "mailbot has not written to the member about this date" not in said
    [letter] = [m for m in others if m["To"] == JO]
    assert "Tuesday 8 December 2026" in _words(letter)
    # A second RESUME (the officer unsure the first arrived) sends the member nothing.
    said, others = _command(council, assignment, "RESUME", TUESDAY)
    assert said.startswith("Not done.")
    assert others == []
    assert len(_letters(council)) == 1


def test_a_fee_received_is_not_a_clarification(council: Council) -> None:
    _, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "fees notice sent"', NOTICE)
    said, others = _command(council, assignment, "RESUME", MONDAY)
    assert "running again: due Monday 7 December 2026" in said
    # The member is sent the fee's letter (test_new_date_after_pause), not this one.
    assert [m["To"] for m in others] == [JO]
    assert "clarifying" not in _words(others[0]) and _letters(council) == []


def test_the_members_out_of_office_is_not_their_clarification(council: Council) -> None:
    ack, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "clarification: which roads"', NOTICE)
    out = council.deliver(council.mail(
        JO, f"Automatic reply: {ack['Subject']}", "I am away until Friday.",
        in_reply_to=str(ack["Message-ID"]), extra="Auto-Submitted: auto-replied", date=MONDAY,
    ), now=MONDAY)
    assert out == []
    assert council.case().status == "paused" and _letters(council) == []


def test_a_welsh_member_of_a_bilingual_council_gets_it_welsh_first(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack, assignment = _foi(cardiff, SIAN)
        _command(cardiff, assignment, 'PAUSE "clarification: which roads"', NOTICE)
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Y ffyrdd A yn Nhref.", date=MONDAY),
                              now=MONDAY)
        [letter] = [m for m in out if m["To"] == SIAN]
        ref = cardiff.case().ref
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert "Annwyl Cllr Siân Evans" in text
        assert f"Diolch am egluro eich cais am wybodaeth ({ref})" in text
        assert "dydd Mawrth 8 Rhagfyr 2026" in text
        assert "Tuesday 8 December 2026" in text
        assert text.index("Annwyl") < text.index("Dear")
