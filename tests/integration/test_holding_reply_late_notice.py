"""A complaint answered by a holding reply ("we are investigating"), taken for the answer,
is reopened by the officer's RESUME "holding reply" with the date it had (Mon 16 Nov 2026,
10 working days after Mon 2 Nov, Wiltshire). When that date had already passed, the
officer was reminded but the member, promised a response by it in their acknowledgement,
was told nothing: the sweep's late notice counted the RESUME as a new date. The member is
now sent the late notice they would have had (once: none if they had it already), and
the RESUME confirmation says so. Read as the mail that left and the outbox rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, rows
from paused_council import COMPLAINTS, JO, complaints_council, copied_to_the_member, opened

from mailbot.reminders import sweep
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # due Mon 16 Nov 2026
HOLDING = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
WEDNESDAY_18 = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # the date passed on Monday
LATE_KEY_DAY = "2026-11-16"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with complaints_council(tmp_path / "council") as made:
        yield made


def _complaint(council: Council) -> tuple[EmailMessage, EmailMessage]:
    return opened(council, member=JO, sender=f"Cllr Jo Bloggs <{JO}>",
                  subject="Formal complaint about bin collections",
                  body="I wish to make a formal complaint: the bins in Castle ward have been "
                  "missed three weeks running.", received=RECEIVED, officer=COMPLAINTS)


def _holding_reply(council: Council, ack: EmailMessage, at: datetime) -> None:
    copied_to_the_member(council, ack, "Dear Cllr Bloggs, we are investigating and will send "
                         "you a full response as soon as we can.", at)
    assert council.case().status == "responded"


def _resume(
    council: Council, assignment: EmailMessage, at: datetime
) -> tuple[EmailMessage, list[EmailMessage]]:
    """The officer's RESUME "holding reply" at `at`: the confirmation, and what went to the
    member with it."""
    out = council.deliver(council.reply(assignment, COMPLAINTS, 'RESUME "holding reply"',
                                        date=at), now=at)
    [confirmation] = [m for m in out if m["To"] == COMPLAINTS]
    assert council.case().status == "open"
    return confirmation, [m for m in out if m["To"] == JO]


def _swept(council: Council, day: int) -> list[EmailMessage]:
    now = datetime(2026, 11, day, 9, 30, tzinfo=UTC)
    sweep(council.app, now)
    return council.flush(now)


def _words(mail: EmailMessage) -> str:
    return " ".join(body_text(mail, "plain").split())


def test_reopened_after_its_date_the_member_gets_the_late_notice_once(
    council: Council,
) -> None:
    ack, assignment = _complaint(council)
    _holding_reply(council, ack, HOLDING)
    confirmation, to_jo = _resume(council, assignment, WEDNESDAY_18)
    said = _words(confirmation)
    assert ("Its date, Monday 16 November 2026, has passed, so Cllr Jo Bloggs has been sent "
            "the letter saying the response is late, who is dealing with it, and that you "
            "will tell them the reason and when they will have it.") in said
    assert "The member has not been written to." not in said
    [letter] = to_jo
    assert str(letter["Subject"]) == "Re: Formal complaint about bin collections [MB-2026-00001]"
    text = _words(letter)
    assert ("the response to your complaint (MB-2026-00001) was due by Monday 16 November "
            "2026 and has not been sent yet") in text
    later = [m for day in (19, 20, 23, 25) for m in _swept(council, day)]
    assert [m for m in later if m["To"] == JO] == []  # once
    overdue = [m for m in later if m["To"] == COMPLAINTS]
    assert overdue and "Cllr Jo Bloggs has been told that the response is late" in _words(
        overdue[0])
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "late_notice")
    assert (row.status, row.recipients) == ("sent", JO)
    assert row.dedup_key.endswith(LATE_KEY_DAY)


def test_a_member_told_already_is_not_told_again(council: Council) -> None:
    # The date passed unanswered: the member had the late notice on Tuesday 17. The
    # officer's holding reply came after it, and the RESUME on Wednesday sends no second.
    ack, assignment = _complaint(council)
    assert [m["To"] for m in _swept(council, 17)] == [JO, COMPLAINTS]
    _holding_reply(council, ack, datetime(2026, 11, 17, 14, 0, tzinfo=UTC))
    confirmation, to_jo = _resume(council, assignment, WEDNESDAY_18)
    assert "has been sent the letter saying the response is late" not in _words(confirmation)
    assert to_jo == []
    assert [m for day in (19, 20, 23) for m in _swept(council, day) if m["To"] == JO] == []
    assert len(rows(council.app, OutboxRow, OutboxRow.purpose == "late_notice")) == 1


def test_reopened_before_its_date_the_member_is_told_when_it_passes(council: Council) -> None:
    ack, assignment = _complaint(council)
    _holding_reply(council, ack, HOLDING)
    confirmation, to_jo = _resume(council, assignment, datetime(2026, 11, 5, 10, 0, tzinfo=UTC))
    assert "The member has not been written to." in _words(confirmation) and to_jo == []
    assert [m for day in (13, 16) for m in _swept(council, day) if m["To"] == JO] == []
    [letter] = [m for day in (17, 18) for m in _swept(council, day) if m["To"] == JO]
    assert "was due by Monday 16 November 2026" in _words(letter)


def test_a_bilingual_council_says_so_in_welsh_too(tmp_path: Path) -> None:
    with complaints_council(tmp_path / "cardiff", policy="cardiff", name="Cyngor Caerdydd",
                            member=("Cllr Jo Bloggs", JO, "Castle", "cy")) as cardiff:
        ack, assignment = _complaint(cardiff)
        _holding_reply(cardiff, ack, HOLDING)
        confirmation, [letter] = _resume(cardiff, assignment, WEDNESDAY_18)
    said = _words(confirmation)
    assert ("Mae ei ddyddiad, dydd Llun 16 Tachwedd 2026, wedi mynd heibio, felly mae Cllr Jo "
            "Bloggs wedi cael y llythyr sy'n dweud bod yr ymateb yn hwyr") in said
    assert "Its date, Monday 16 November 2026, has passed" in said
    assert "16 Tachwedd 2026" in _words(letter)
