"""The holding reply to a member's "Any news?" on a case paused after its date had passed.

It used to say "The days while it is paused do not count. When the time to respond runs
again, we will write to you with the date by which you will have our response." But a
pause after the date leaves that date where it was: the RESUME gives it back, still past,
and no letter with a new date follows (nor from the member's own reply ending a pause
that waited for them). Now that holding reply names the date, says it had passed before
the pause, and says what the late notice says (the officer has been asked for the reason,
what is being done and when); the officer's update and the RESUME confirmation say the
member was told so. An FOI request paused for its clarification after its date still gets
the promise: that RESUME starts a fresh 20 working days and the letter with the date goes.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 2 November 2026, due Monday
16 November; the sweep's late notice on Tuesday 17th; paused Wednesday 18th; the member
writes Friday 20th; RESUME Tuesday 24th."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import opened
from paused_council import words as read
from test_member_hears_of_pause import _to
from test_pause_any_news_from_the_member import FOI_TEAM, LEE, SAM, SIAN, _council, _words

from mailbot import reminders
from mailbot.render import long_date
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SWEPT = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
WRITES = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
RESUMED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PASSED = ("The date for our response, Monday 16 November 2026, had passed before it was "
          "paused.")
ASKED = ("Sam Patel (Highways) is dealing with it and has been asked to tell you the reason "
         "for the delay, what is being done and when you will have a full response.")


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _late_and_paused(council: Council, member: str, reason: str
                     ) -> tuple[EmailMessage, EmailMessage]:
    """The enquiry, its late notice, then the officer's PAUSE: (ack, assignment)."""
    ack, assignment = opened(
        council, member=member, subject="Fly-tipping in Church Lane",
        body="There is a pile of fly-tipped mattresses in Church Lane again. Can it be cleared?",
        received=RECEIVED, officer=SAM)
    reminders.sweep(council.app, SWEPT)
    [late] = _to(council.flush(SWEPT), member)
    out = council.deliver(council.reply(assignment, SAM, f'PAUSE "{reason}"', date=PAUSED),
                          now=PAUSED)
    assert _to(out, member) == []  # paused after the date: no letter at the PAUSE
    return ack, assignment


@pytest.mark.parametrize("reason", ["waiting for Kier to inspect", "asked Cllr Lee for photos"])
def test_a_holding_reply_after_the_date_promises_no_new_date(council: Council,
                                                            reason: str) -> None:
    ack, assignment = _late_and_paused(council, LEE, reason)
    out = council.deliver(council.reply(ack, LEE, "Any news?", date=WRITES), now=WRITES)
    [reply] = _to(out, LEE)
    words = _words(reply)
    assert "has been paused since Wednesday 18 November 2026, while we wait for" in words
    assert PASSED in words
    assert ASKED in words
    assert "we will write to you with the date" not in words
    assert "do not count" not in words
    assert "the time to respond runs again" not in words
    [update] = _to(out, SAM)
    assert ("that its date, Monday 16 November 2026, had passed before the pause, and that "
            "you will tell them the reason for the delay") in _words(update)

    out = council.deliver(council.reply(assignment, SAM, "RESUME", date=RESUMED), now=RESUMED)
    assert _to(out, LEE) == []
    case = council.case()
    assert (case.status, str(case.response_due)) == ("open", "2026-11-16")
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "pause_ended") == []
    [confirmation] = _to(out, SAM)
    said = _words(confirmation)
    assert ("While it was paused the member was told that its date had passed before the "
            "pause") in said
    assert "has not been told of the pause" not in said
    assert [r.status for r in rows(council.app, OutboxRow,
                                   OutboxRow.purpose == "late_notice")] == ["sent"]


def test_welsh_beside_english(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack, _ = _late_and_paused(cardiff, SIAN, "aros am adroddiad gan Kier")
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Unrhyw newyddion?", date=WRITES),
                              now=WRITES)
    [reply] = _to(out, SIAN)
    for part in ("plain", "html"):
        words = _words(reply) if part == "plain" else read(reply, "html")
        assert "wedi mynd heibio cyn iddo gael ei oedi" in words
        assert "gofynnwyd iddynt ddweud wrthych y rheswm dros yr oedi" in words
        assert "had passed before it was paused" in words
        assert "byddwn yn ysgrifennu atoch gyda'r dyddiad" not in words
        assert "we will write to you with the date" not in words


def test_before_the_date_the_promise_and_the_new_date_stand(council: Council) -> None:
    """Paused before its date (as test_member_hears_of_pause): the promise is kept."""
    ack, assignment = opened(council, member=LEE, subject="Fly-tipping in Church Lane",
                             body="Mattresses dumped in Church Lane again.", received=RECEIVED,
                             officer=SAM)
    early = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for Kier to inspect"',
                                  date=early), now=early)
    [reply] = _to(council.deliver(council.reply(ack, LEE, "Any news?", date=WRITES),
                                  now=WRITES), LEE)
    assert "we will write to you with the date" in _words(reply)
    assert "had passed" not in _words(reply)
    [dated] = _to(council.deliver(council.reply(assignment, SAM, "RESUME", date=RESUMED),
                                  now=RESUMED), LEE)
    assert "we said we would write to you with the date" in _words(dated)


def test_an_foi_clarification_after_the_date_keeps_the_promise(council: Council) -> None:
    """Its RESUME starts a fresh 20 working days (FOIA s.1(3)): the date is written."""
    received = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # due Thursday 29 October
    ack, assignment = opened(
        council, member=LEE, subject="Freedom of Information request: road gritting",
        body="Under the Freedom of Information Act 2000 please send me the gritting routes.",
        received=received, officer=FOI_TEAM)
    council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "clarification: which year"',
                                  date=PAUSED), now=PAUSED)
    [reply] = _to(council.deliver(council.reply(ack, LEE, "Any news?", date=WRITES),
                                  now=WRITES), LEE)
    assert "we will write to you with the date" in _words(reply)
    assert "had passed" not in _words(reply)
    out = council.deliver(council.reply(assignment, FOI_TEAM, "RESUME", date=RESUMED),
                          now=RESUMED)
    [dated] = _to(out, LEE)
    due = council.case().response_due
    assert due is not None and due > RESUMED.date()
    assert long_date(due) in _words(dated)
