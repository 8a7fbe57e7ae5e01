"""A member's mail that only asks for news ('Any news?') is not the answer a pause that
waits for them was held for: their photos, or an FOI request's clarification. It used to
end the pause and send them 'Thank you for clarifying your request ...' or 'Thank you for
your reply ...' with a new date, though they had clarified nothing. Now the clock stays
paused, the member is sent only a short holding reply (test_member_hears_of_pause), and
the officer's update says so and gives the dated RESUME to type if the mail did give what
the pause waited for. A real answer still ends it.

Dates: an enquiry (Wiltshire, 10 working days) received Monday 14 December 2026, due
Wednesday 30 December; paused Wednesday 16 December. An FOI request received Tuesday 1
December, due Thursday 31 December; paused for clarification Wednesday 2 December. The
member writes on Wednesday 9 December (FOI) or Friday 18 December (enquiry)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import ANN as LEE
from paused_council import (
    ANN_LEE,
    FOI_TEAM,
    SAM,
    SAM_PATEL,
    SIAN,
    SIAN_EVANS,
    THE_FOI_TEAM,
    foi_and_highways,
    opened_and_paused,
)
from paused_council import words as _words

from mailbot.store.tables import OutboxRow

ENQUIRY = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
ENQUIRY_PAUSED = datetime(2026, 12, 16, 14, 0, tzinfo=UTC)
ENQUIRY_WRITES = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)
FOI = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FOI_PAUSED = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
FOI_WRITES = datetime(2026, 12, 9, 11, 0, tzinfo=UTC)
MEMBER_LETTERS = ("reply_received", "clarification_received")
# What the holding reply to "Any news?" says (test_member_hears_of_pause).
HOLDING = "the time we have to respond to it has been paused since"


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return foi_and_highways(home, policy=policy, members=(ANN_LEE, SIAN_EVANS),
                            officers=(SAM_PATEL, THE_FOI_TEAM))


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _paused_enquiry(council: Council, member: str, reason: str) -> EmailMessage:
    ack, _ = opened_and_paused(
        council, member=member, subject="Fly-tipping in Church Lane",
        body="There is a pile of fly-tipped mattresses in Church Lane again. Can it be cleared?",
        received=ENQUIRY, officer=SAM, reason=reason, paused=ENQUIRY_PAUSED)
    return ack


def _member_letters(council: Council) -> list[OutboxRow]:
    return rows(council.app, OutboxRow, OutboxRow.purpose.in_(MEMBER_LETTERS))


@pytest.mark.parametrize("news", [
    "Any news?", "Hi Sam, any update on this please? Thanks, Ann",
    "Is there any news on this yet?", "Just chasing this. Cllr Ann Lee",
    # Asking for news about something ("the bins") is still only asking for news.
    "any update on the bins please?", "Is there any progress with the mattresses?",
    "Chasing this one – any news?",
])
def test_any_news_leaves_a_pause_for_the_members_photos(council: Council, news: str) -> None:
    ack = _paused_enquiry(council, LEE, "asked Cllr Lee for photos")
    out = council.deliver(council.reply(ack, LEE, news, date=ENQUIRY_WRITES), now=ENQUIRY_WRITES)
    case = council.case()
    assert case.status == "paused" and case.response_due is None
    assert [HOLDING in _words(m) for m in out if m["To"] == LEE] == [True]
    assert _member_letters(council) == []
    [update] = [m for m in out if m["To"] == SAM]
    assert ("The member has written again about this case. They seem only to ask for news, so "
            "the clock stays paused and they have not been sent a new date. If their mail does "
            "give what the pause waits for, reply RESUME 18/12/2026 (the day they "
            "wrote).") in _words(update)


def test_an_answer_still_ends_a_pause_for_the_members_photos(council: Council) -> None:
    ack = _paused_enquiry(council, LEE, "asked Cllr Lee for photos")
    out = council.deliver(council.reply(ack, LEE, "Photos attached? No - it is the lane "
                                        "behind the school, by the gate.", date=ENQUIRY_WRITES),
                          now=ENQUIRY_WRITES)
    assert council.case().status == "open"
    assert council.case().response_due == date(2027, 1, 5)
    assert [m for m in out if m["To"] == LEE] != []


@pytest.mark.parametrize("answer", [
    "Update: the resident says it's the lane behind the school",
    "Any news? The resident says it's the lane behind the school.",
])
def test_an_answer_with_news_in_it_still_ends_the_pause(council: Council, answer: str) -> None:
    ack = _paused_enquiry(council, LEE, "asked Cllr Lee which lane")
    out = council.deliver(council.reply(ack, LEE, answer, date=ENQUIRY_WRITES),
                          now=ENQUIRY_WRITES)
    assert council.case().status == "open"
    assert [r.recipients for r in _member_letters(council)] == [LEE]
    [update] = [m for m in out if m["To"] == SAM]
    assert "They seem only to ask for news" not in _words(update)


def test_any_news_leaves_an_foi_clarification_pause(council: Council) -> None:
    ack, _ = opened_and_paused(
        council, member=LEE, subject="Freedom of Information request: road gritting",
        body="Under the Freedom of Information Act 2000 please send me the gritting routes.",
        received=FOI, officer=FOI_TEAM, reason="clarification: which year", paused=FOI_PAUSED)
    out = council.deliver(council.reply(ack, LEE, "Any news on this please?", date=FOI_WRITES),
                          now=FOI_WRITES)
    assert council.case().status == "paused"
    assert [HOLDING in _words(m) for m in out if m["To"] == LEE] == [True]
    assert _member_letters(council) == []
    [update] = [m for m in out if m["To"] == FOI_TEAM]
    assert "They seem only to ask for news, so the clock stays paused" in _words(update)
    assert "RESUME 09/12/2026 (the day they wrote)" in _words(update)


def test_unrhyw_newyddion_leaves_the_pause_in_welsh_too(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack = _paused_enquiry(cardiff, SIAN, "wedi gofyn i'r aelod am luniau")
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Unrhyw newyddion?",
                                            date=ENQUIRY_WRITES), now=ENQUIRY_WRITES)
        assert cardiff.case().status == "paused"
        assert _member_letters(cardiff) == []
    [update] = [m for m in out if m["To"] == SAM]
    assert ("Mae'r aelod wedi ysgrifennu eto am yr achos hwn. Mae'n ymddangos mai dim ond "
            "gofyn am newyddion y maent, felly mae'r cloc yn dal wedi'i oedi") in _words(update)
