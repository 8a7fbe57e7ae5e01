"""What a member hears while an officer's PAUSE holds their case.

Before, mailbot wrote nothing to the member when an officer paused the clock, even when it
waited for something only the member could give (photos, a resident's consent, proof of
ID, an FOI request's clarification or fee), and a member writing "Any news?" while it was
paused got nothing back: only the officer was told. Now:

- a PAUSE that waits for the member sends them one letter saying the time to respond is
  paused, what is awaited (in the member's terms, never the officer's reason text) and from
  whom, who has the case, and that it runs again when it arrives; a PAUSE that waits for
  someone else sends nothing (the officer is asked to explain, as before);
- a member who only asks for news while the case is paused gets one short holding reply
  per pause (never to a robot), saying the same; the officer's update says it went. When
  the officer's RESUME ends a pause the member was told of, they are sent the new date.

Dates as test_pause_any_news_from_the_member: an enquiry received Monday 14 December 2026
(Wiltshire, due Wednesday 30 December), paused Wednesday 16 December, the member writes on
Friday 18 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import opened, opened_and_paused
from test_pause_any_news_from_the_member import (
    ENQUIRY,
    ENQUIRY_PAUSED,
    ENQUIRY_WRITES,
    FOI,
    FOI_PAUSED,
    FOI_TEAM,
    FOI_WRITES,
    LEE,
    SAM,
    SIAN,
    _council,
    _paused_enquiry,
    _words,
)
from test_subject_access_reminders import SENT as SAR_SENT
from test_subject_access_reminders import council as sar_council
from test_subject_access_reminders import open_sar

from mailbot.store.tables import OutboxRow

LATER = datetime(2026, 12, 21, 11, 0, tzinfo=UTC)
RESUMED = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _to(out: list[EmailMessage], who: str) -> list[EmailMessage]:
    return [m for m in out if m["To"] == who]


def _purposes(council: Council, purpose: str) -> list[OutboxRow]:
    return rows(council.app, OutboxRow, OutboxRow.purpose == purpose)


def _pause(council, reason: str
           ) -> tuple[EmailMessage, EmailMessage, list[EmailMessage]]:
    ack, assignment = opened(
        council, member=LEE, subject="Fly-tipping in Church Lane",
        body="There is a pile of fly-tipped mattresses in Church Lane again. Can it be cleared?",
        received=ENQUIRY, officer=SAM)
    out = council.deliver(council.reply(assignment, SAM, f'PAUSE "{reason}"',
                                        date=ENQUIRY_PAUSED), now=ENQUIRY_PAUSED)
    return ack, assignment, out


@pytest.mark.parametrize(("reason", "awaited"), [
    ("asked Cllr Lee for photos", "more information from you"),
    ("waiting for the resident's consent", "consent from the person you wrote to us about"),
])
def test_a_pause_for_the_member_tells_them(council: Council, reason: str, awaited: str) -> None:
    _, _, out = _pause(council, reason)
    [letter] = _to(out, LEE)
    words = _words(letter)
    assert ("the time we have to respond to it has been paused since Wednesday 16 December "
            f"2026, while we wait for {awaited}.") in words
    assert "Sam Patel" in words
    assert "the time to respond runs again from that day" in words
    assert reason not in words  # the officer's words are not the member's
    [row] = _purposes(council, "pause_notice")
    assert row.recipients == LEE
    [confirmation] = _to(out, SAM)
    assert ("Cllr Ann Lee has been sent a letter saying the clock is paused until what it "
            "waits for comes from them") in _words(confirmation)
    assert "has not been told of this pause" not in _words(confirmation)


def test_a_pause_for_someone_else_sends_the_member_nothing(council: Council) -> None:
    _, _, out = _pause(council, "waiting for Kier to inspect")
    assert _to(out, LEE) == []
    assert _purposes(council, "pause_notice") == []
    [confirmation] = _to(out, SAM)
    assert "has not been told of this pause" in _words(confirmation)


@pytest.mark.parametrize(("reason", "awaited", "what_they_were_told"), [
    ("clarification: which year", "you to clarify your request",
     "paused until what it waits for comes from them, and that you will tell them exactly "
     "what is needed"),
    ("fees notice sent", "the fee in the fees notice",
     "paused until the fee is received, and that you will send them the fees notice if you "
     "have not"),
])
def test_an_foi_pause_tells_the_member(
    council: Council, reason: str, awaited: str, what_they_were_told: str
) -> None:
    _, assignment = opened(
        council, member=LEE, subject="Freedom of Information request: road gritting",
        body="Under the Freedom of Information Act 2000 please send me the gritting routes.",
        received=FOI, officer=FOI_TEAM)
    out = council.deliver(council.reply(assignment, FOI_TEAM, f'PAUSE "{reason}"',
                                        date=FOI_PAUSED), now=FOI_PAUSED)
    [letter] = _to(out, LEE)
    assert f"while we wait for {awaited}." in _words(letter)
    [confirmation] = _to(out, FOI_TEAM)
    assert "has not written to them now" not in _words(confirmation)
    assert "has been sent a letter saying the clock is paused" in _words(confirmation)
    assert what_they_were_told in _words(confirmation)


def test_any_news_gets_one_holding_reply_per_pause(council: Council) -> None:
    ack, assignment, _ = _pause(council, "waiting for Kier to inspect")
    out = council.deliver(council.reply(ack, LEE, "Any news?", date=ENQUIRY_WRITES),
                          now=ENQUIRY_WRITES)
    [reply] = _to(out, LEE)
    words = _words(reply)
    assert reply["In-Reply-To"] == f"<{council.message_ids}{council.count}@test.example>"
    assert ("Thank you for your message of Friday 18 December 2026 about your enquiry") in words
    assert ("has been paused since Wednesday 16 December 2026, while we wait for something we "
            "need from someone else before we can respond") in words
    assert "Kier" not in words
    assert "Sam Patel" in words
    [update] = _to(out, SAM)
    assert ("mailbot has sent them a short reply saying the case is paused and what it "
            "waits for") in _words(update)
    again = council.deliver(council.reply(ack, LEE, "Any update please?", date=LATER),
                            now=LATER)
    assert _to(again, LEE) == []
    [update] = _to(again, SAM)
    assert "mailbot has sent them a short reply" not in _words(update)
    assert len(_purposes(council, "pause_holding")) == 1
    # The officer's RESUME ends a pause the member was told of: they have the new date.
    out = council.deliver(council.reply(assignment, SAM, "RESUME", date=RESUMED), now=RESUMED)
    [dated] = _to(out, LEE)
    assert "we said we would write to you with the date" in _words(dated)


def test_any_news_while_it_waits_for_the_member(council: Council) -> None:
    ack = _paused_enquiry(council, LEE, "asked Cllr Lee for photos")
    out = council.deliver(council.reply(ack, LEE, "Any news?", date=ENQUIRY_WRITES),
                          now=ENQUIRY_WRITES)
    assert council.case().status == "paused"
    [reply] = _to(out, LEE)
    words = _words(reply)
    assert "while we wait for more information from you" in words
    assert "if it gives what we are waiting for" in words
    assert len(_purposes(council, "pause_holding")) == 1


def test_no_holding_reply_to_a_robot(council: Council) -> None:
    ack, assignment, _ = _pause(council, "waiting for Kier to inspect")
    robot = council.mail(LEE, f"Automatic reply: {ack['Subject']}",
                         "Any news? I am out of the office until Monday.",
                         in_reply_to=str(ack["Message-ID"]), extra="Auto-Submitted: auto-replied",
                         date=ENQUIRY_WRITES)
    out = council.deliver(robot, now=ENQUIRY_WRITES)
    assert _to(out, LEE) == []
    assert _purposes(council, "pause_holding") == []


def test_a_mail_that_may_give_what_was_awaited_goes_to_the_officer(council: Council) -> None:
    ack, assignment, _ = _pause(council, "waiting for the landlord's report")
    out = council.deliver(council.reply(ack, LEE, "The landlord has sent me his report: it "
                                        "says the drains were cleared on Monday.",
                                        date=ENQUIRY_WRITES), now=ENQUIRY_WRITES)
    assert _to(out, LEE) == []
    [update] = _to(out, SAM)
    assert "RESUME 18/12/2026" in _words(update)


def test_welsh_beside_english_for_a_member_who_prefers_welsh(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack = _paused_enquiry(cardiff, SIAN, "aros am adroddiad gan Kier")
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Unrhyw newyddion?",
                                            date=ENQUIRY_WRITES), now=ENQUIRY_WRITES)
    [reply] = _to(out, SIAN)
    words = _words(reply)
    assert "Diolch am eich neges" in words
    assert "Thank you for your message" in words
    assert "Kier" not in words


def test_a_confidential_case_s_reply_keeps_its_subject_out(council: Council) -> None:
    out = council.deliver(council.mail(
        LEE, "Mr Brown's tenancy",
        "Please keep this confidential: Mr Brown at 4 Mill Lane is being evicted. Can "
        "housing help?", date=ENQUIRY), now=ENQUIRY)
    [ack] = _to(out, LEE)
    assert council.case().confidential
    [assignment] = [m for m in out if m["To"] != LEE]
    holder = assignment["To"]
    council.deliver(council.reply(assignment, holder, 'PAUSE "waiting for Housing to reply"',
                                  date=ENQUIRY_PAUSED), now=ENQUIRY_PAUSED)
    out = council.deliver(council.reply(ack, LEE, "Any news?", date=ENQUIRY_WRITES),
                          now=ENQUIRY_WRITES)
    # The member's own subject line stays, as on their acknowledgement; the body names
    # neither the matter nor the officer's reason.
    [reply] = _to(out, LEE)
    assert "Brown" not in _words(reply) and "Housing to reply" not in _words(reply)
    assert "while we wait for something we need from someone else" in _words(reply)


def test_proof_of_id_on_a_subject_access_request(tmp_path: Path) -> None:
    with sar_council(tmp_path) as place:
        case, assignment = open_sar(place)
        holder = case.officer_email or ""
        paused = SAR_SENT + timedelta(hours=1)
        out = place.deliver(place.reply(assignment, holder, 'PAUSE "waiting for proof of ID"',
                                        date=paused), paused)
    [letter] = _to(out, case.member_email)
    assert "while we wait for proof of identity from you." in _words(letter)
    assert "proof of ID" not in _words(letter)


def _fee_paused(council: Council) -> EmailMessage:
    ack, _ = opened_and_paused(
        council, member=LEE, subject="Freedom of Information request: road gritting",
        body="Under the Freedom of Information Act 2000 please send me the gritting routes.",
        received=FOI, officer=FOI_TEAM, reason="fees notice sent", paused=FOI_PAUSED)
    return ack


def test_a_mail_saying_the_fee_is_paid_is_put_to_the_officer(council: Council) -> None:
    ack = _fee_paused(council)
    out = council.deliver(council.reply(ack, LEE, "I paid the £45 fee by card this morning.",
                                        date=FOI_WRITES), now=FOI_WRITES)
    assert council.case().status == "paused"
    assert _to(out, LEE) == []  # no "please wait": it may be what the pause waits for
    [update] = _to(out, FOI_TEAM)
    assert ("If their mail says the fee has been paid, check it was received and reply "
            "RESUME 09/12/2026 if it came that day.") in _words(update)


def test_any_news_on_a_fee_pause_gets_the_holding_reply(council: Council) -> None:
    ack = _fee_paused(council)
    out = council.deliver(council.reply(ack, LEE, "Any news?", date=FOI_WRITES),
                          now=FOI_WRITES)
    [reply] = _to(out, LEE)
    assert "while we wait for the fee in the fees notice" in _words(reply)
    [update] = _to(out, FOI_TEAM)
    assert "If their mail says the fee has been paid" not in _words(update)
    assert "mailbot has sent them a short reply" in _words(update)
