"""Who an officer's PAUSE waits for, and the day a RESUME says the wait ended.

A member's reply ends a PAUSE on an enquiry or complaint only when its reason says it
waits for the member (their answer, photos, consent, an address...). A pause that waits
for someone else ("waiting for Highways to inspect") stays paused: the member's "Any
news?" goes to the officer as an update saying so, and the member is sent no new date.
A reason that says neither is kept paused too (RESUME with the day of the reply loses
nothing; a wrong new date sent to the member cannot be taken back), and the update says
how to end it as of that day.

RESUME takes an optional date, the day the fee or the answer came (FOIA s.10(2): the
days until the fee is received do not count; from receipt they do): no earlier than the
pause, never in the future.

The officer's update that the member will be sent a new date says it goes unless the
case is answered or paused first (the letter is withdrawn then).

Dates by hand, as test_new_date_after_pause: enquiry (10 working days) received Mon 2 Nov
2026, due Mon 16 Nov; paused Wed 4 Nov; ended as of Mon 9 Nov: 4, 5, 6, 9 Nov
disregarded, due Fri 20 Nov (ended Wed 11 Nov: Tue 24 Nov). FOI received Mon 2 Nov, due
Tue 1 Dec; fees notice Wed 4 Nov, fee received Mon 9 Nov: due Mon 7 Dec; a clarification
received Mon 9 Nov: a fresh 20 working days, due Tue 8 Dec."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import FOI_TEAM, JO, SAM, SIAN, foi_and_highways
from paused_council import command as _command
from paused_council import words as _words
from test_new_date_after_pause import MONDAY, NOTICE, WEDNESDAY, _open

from mailbot.store.tables import ClockEventRow, OutboxRow


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with foi_and_highways(tmp_path / "council") as made:
        yield made


def _enquiry(council: Council, member: str = JO) -> tuple[EmailMessage, EmailMessage]:
    ack, assignment = _open(council, member, "Pothole on Castle Road",
                            "Please could someone look at the deep pothole on Castle Road.", SAM)
    assert council.case().response_due == date(2026, 11, 16)
    return ack, assignment


def _foi(council: Council) -> EmailMessage:
    _, assignment = _open(
        council, JO, "Freedom of Information request: road budgets",
        "Under the Freedom of Information Act 2000 please send me the road budgets.", FOI_TEAM)
    assert council.case().response_due == date(2026, 12, 1)
    return assignment


def _member_letters(council: Council) -> list[OutboxRow]:
    return rows(council.app, OutboxRow,
                OutboxRow.purpose.in_(("reply_received", "fee_received",
                                       "clarification_received")))


# -- 1. a member's reply ends only a pause that waits for them ---------------------------


def test_any_news_leaves_a_pause_that_waits_for_highways(council: Council) -> None:
    ack, assignment = _enquiry(council)
    said, _ = _command(council, assignment, SAM,
                       'PAUSE "waiting for Highways to inspect"', NOTICE)
    assert "If they reply in this case's thread, the clock runs again" not in said
    assert ("This pause waits for someone other than the member: their reply in this "
            "case's thread will not end it.") in said
    out = council.deliver(council.reply(ack, JO, "Any news?", date=MONDAY), now=MONDAY)
    case = council.case()
    assert case.status == "paused" and case.response_due is None
    assert [r.action for r in rows(council.app, ClockEventRow)
            if r.clock == "response"] == ["pause"]
    # Only the holding reply: the case is paused (test_member_hears_of_pause), no new date.
    [holding] = [m for m in out if m["To"] == JO]
    assert "Highways to inspect" not in _words(holding)
    assert _member_letters(council) == []
    [update] = [m for m in out if m["To"] == SAM]
    words = _words(update)
    assert "The member has written again about this case." in words
    assert ("The clock stays paused: the pause waits for someone other than the member, so "
            "their mail does not end it, and they have not been sent a new date. Reply "
            "RESUME when what it waits for has come (RESUME 09/11/2026 if it came on "
            "that day).") in words
    assert "> Any news?" in words
    assert "running again" not in words


def test_a_reason_that_names_neither_keeps_the_pause_and_says_how_to_end_it(
    council: Council,
) -> None:
    ack, assignment = _enquiry(council)
    said, _ = _command(council, assignment, SAM, 'PAUSE "on hold for now"', NOTICE)
    assert ("mailbot cannot tell from the reason whether this pause waits for the member: "
            "if they reply in this case's thread, the clock stays paused and you are sent "
            "their mail.") in said
    out = council.deliver(council.reply(ack, JO, "The north end, by no. 12.", date=MONDAY),
                          now=MONDAY)
    assert council.case().status == "paused"
    assert _member_letters(council) == []
    [update] = [m for m in out if m["To"] == SAM]
    assert ("The clock stays paused: mailbot cannot tell from the pause's reason whether it "
            "waits for the member, so it has not ended it, and has not sent them a new "
            "date. If their mail is what it waited for, reply RESUME 09/11/2026 (the day "
            "they wrote): the days from then count. Otherwise reply RESUME when it should "
            "run again.") in _words(update)


@pytest.mark.parametrize("reason", [
    "waiting for the member's photos", "asked Cllr Bloggs for the exact address",
    "need their consent to pass it on",
])
def test_a_pause_that_waits_for_the_member_ends_on_their_reply(
    council: Council, reason: str
) -> None:
    ack, assignment = _enquiry(council)
    _command(council, assignment, SAM, f'PAUSE "{reason}"', NOTICE)
    out = council.deliver(council.reply(ack, JO, "Here you are.", date=MONDAY), now=MONDAY)
    assert council.case().status == "open"
    assert council.case().response_due == date(2026, 11, 20)
    assert [m for m in out if m["To"] == JO] != []


def test_the_update_in_welsh_says_the_clock_stays_paused(tmp_path: Path) -> None:
    with foi_and_highways(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack, assignment = _enquiry(cardiff, SIAN)
        _command(cardiff, assignment, SAM, 'PAUSE "aros i\'r contractwr archwilio"', NOTICE)
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Unrhyw newyddion?", date=MONDAY),
                              now=MONDAY)
        assert cardiff.case().status == "paused"
    [update] = [m for m in out if m["To"] == SAM]
    words = _words(update)
    assert ("Mae'r cloc yn dal wedi'i oedi: mae'r oedi'n aros am rywun heblaw'r aelod, "
            "felly nid yw eu neges yn dod ag ef i ben, ac nid ydynt wedi cael dyddiad "
            "newydd. Atebwch RESUME pan ddaw'r hyn y mae'n aros amdano (RESUME 09/11/2026 "
            "os daeth ar y diwrnod hwnnw).") in words
    assert "The clock stays paused: the pause waits for someone other than the member" in words


# -- 2. RESUME with the day the wait ended -----------------------------------------------


def test_resume_dated_the_day_the_fee_came_gives_the_lawful_date(council: Council) -> None:
    assignment = _foi(council)
    _command(council, assignment, FOI_TEAM, 'PAUSE "fees notice sent: £45"', NOTICE)
    said, others = _command(council, assignment, FOI_TEAM,
                            "RESUME 09/11/2026 fee received", WEDNESDAY)
    assert council.case().status == "open"
    assert council.case().response_due == date(2026, 12, 7)
    assert "running again: due Monday 7 December 2026" in said
    assert ("The working days from the fees notice to Monday 9 November 2026 do not count "
            "(FOIA s.10(2)).") in said
    [letter] = [m for m in others if m["To"] == JO]
    assert "received on Monday 9 November 2026" in _words(letter)
    assert "by Monday 7 December 2026 at the latest" in _words(letter)


def test_resume_dated_the_day_the_clarification_came_counts_from_it(
    council: Council,
) -> None:
    assignment = _foi(council)
    _command(council, assignment, FOI_TEAM, 'PAUSE "clarification: which roads"', NOTICE)
    said, others = _command(council, assignment, FOI_TEAM, "RESUME 9 November 2026",
                            WEDNESDAY)
    assert council.case().response_due == date(2026, 12, 8)
    assert ("The clarification has come, so a fresh 20 working days count from Monday 9 "
            "November 2026 (FOIA s.1(3)).") in said
    [letter] = [m for m in others if m["To"] == JO]
    assert "received on Monday 9 November 2026" in _words(letter)
    assert "Tuesday 8 December 2026" in _words(letter)


def test_resume_dated_ends_an_enquirys_pause_that_day(council: Council) -> None:
    _, assignment = _enquiry(council)
    _command(council, assignment, SAM, 'PAUSE "waiting for Highways to inspect"', NOTICE)
    said, _ = _command(council, assignment, SAM, "RESUME 9/11/2026 inspected Monday",
                       WEDNESDAY)
    assert council.case().response_due == date(2026, 11, 20)
    assert "running again: due Friday 20 November 2026" in said
    [event] = [r for r in rows(council.app, ClockEventRow) if r.action == "resume"]
    assert event.why == "inspected Monday"


@pytest.mark.parametrize(("line", "refusal"), [
    ("RESUME 03/11/2026", "RESUME 03/11/2026: the clock of {ref} was paused on Wednesday 4 "
     "November 2026, so the date must be from then to today, Wednesday 11 November 2026."),
    ("RESUME 12/11/2026", "RESUME 12/11/2026: that day has not come yet. Give the day the "
     "clock should have run again from, up to today, Wednesday 11 November 2026."),
])
def test_resume_dated_outside_the_pause_is_refused_naming_the_date(
    council: Council, line: str, refusal: str
) -> None:
    _, assignment = _enquiry(council)
    _command(council, assignment, SAM, 'PAUSE "waiting for Highways to inspect"', NOTICE)
    said, others = _command(council, assignment, SAM, line, WEDNESDAY)
    assert said.startswith("Not done.")
    assert refusal.format(ref=council.case().ref) in said
    assert council.case().status == "paused" and others == []


# -- 3. the update says the new-date letter goes unless the case is answered first -------


def test_the_update_says_the_new_date_goes_unless_answered_or_paused_first(
    council: Council,
) -> None:
    ack, assignment = _enquiry(council)
    _command(council, assignment, SAM, 'PAUSE "waiting for the member: which end"', NOTICE)
    out = council.deliver(council.reply(ack, JO, "The north end.", date=MONDAY), now=MONDAY)
    [update] = [m for m in out if m["To"] == SAM]
    words = _words(update)
    assert ("The member will be sent the new date, Friday 20 November 2026, unless the case "
            "is answered or paused again before it goes.") in words
    assert "has been sent the new date" not in words


def test_help_lists_resume_with_a_date(council: Council) -> None:
    _, assignment = _enquiry(council)
    said, _ = _command(council, assignment, SAM, "HELP", NOTICE)
    # The example is the day HELP is answered (test_example_date_is_the_day_written).
    assert (f"RESUME {NOTICE:%d/%m/%Y} start it again as of that day (the day the fee or the "
            "answer came)") in said
