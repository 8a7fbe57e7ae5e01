"""A pause that ends moves the response date the member was given, and the member is sent
the new date once per pause, in their thread (in Welsh too where their other letters
are): when the FOI team's RESUME says a fees notice's fee was received (FOIA s.9, its days
disregarded, s.10(2)), and when the member's reply ends an officer's PAUSE on an enquiry
or complaint and the paused days push the date they were given later. A date that does
not move (the pause began after it had passed) sends nothing. Read as the mail that left
and the outbox rows.

Dates by hand. FOI calendar: received Mon 2 Nov 2026, due Tue 1 Dec (Mon 30 Nov, St
Andrew's Day, skipped); fees notice Wed 4 Nov, fee received Mon 9 Nov: 4, 5, 6 and 9 Nov
disregarded, due Mon 7 Dec. Enquiry (10 working days, England and Wales): received Mon
2 Nov, due Mon 16 Nov; paused Wed 4 Nov, the member's reply Mon 9 Nov: the same four
days disregarded, due Fri 20 Nov."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import FOI_TEAM, JO, SAM, SIAN, foi_and_highways, opened
from paused_council import command as _command
from paused_council import words as _words

from mailbot import jobs
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 9, 11, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 10, 11, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 11, 11, 11, 0, tzinfo=UTC)
FEE_LETTER = "fee_received"
REPLY_LETTER = "reply_received"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with foi_and_highways(tmp_path / "council") as made:
        yield made


def _open(council: Council, member: str, subject: str, body: str,
          officer: str) -> tuple[EmailMessage, EmailMessage]:
    """The member's mail: (their acknowledgement, the officer's assignment)."""
    return opened(council, member=member, subject=subject, body=body, received=RECEIVED,
                  officer=officer)


def _foi(council: Council, member: str = JO) -> tuple[EmailMessage, EmailMessage]:
    ack, assignment = _open(
        council, member, "Freedom of Information request: road budgets",
        "Under the Freedom of Information Act 2000 please send me the road budgets.",
        FOI_TEAM)
    assert council.case().kind == "foi"
    assert council.case().response_due == date(2026, 12, 1)
    return ack, assignment


def _enquiry(council: Council, member: str = JO) -> tuple[EmailMessage, EmailMessage]:
    ack, assignment = _open(
        council, member, "Pothole on Castle Road",
        "Please could someone look at the deep pothole on Castle Road.", SAM)
    assert council.case().kind == "enquiry"
    assert council.case().response_due == date(2026, 11, 16)
    return ack, assignment


def _letters(council: Council, purpose: str) -> list[OutboxRow]:
    return rows(council.app, OutboxRow, OutboxRow.purpose == purpose)


def _sweep(council: Council, now: datetime) -> list[EmailMessage]:
    jobs.send_reminders(council.app, now)
    return council.flush(now)


# -- (a) an FOI request's fee received -------------------------------------------------


def test_the_fee_received_sends_the_member_the_new_date_once(council: Council) -> None:
    ack, assignment = _foi(council)
    said, _ = _command(council, assignment, FOI_TEAM, 'PAUSE "fees notice sent: £45"', NOTICE)
    assert "mailbot then sends the member the new date" in said
    resume = council.reply(assignment, FOI_TEAM, "RESUME", date=MONDAY)
    out = council.deliver(resume, now=MONDAY)
    assert council.case().response_due == date(2026, 12, 7)
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    said = _words(confirmation)
    assert "running again: due Monday 7 December 2026" in said
    assert ("Cllr Jo Bloggs will be sent a letter saying the fee was received, with the "
            "new date, unless the case is answered or paused again before it goes.") in said
    assert "mailbot has not written to the member" not in said
    [letter] = [m for m in out if m["To"] == JO]
    ref = council.case().ref
    assert ref in letter["Subject"]
    assert letter["In-Reply-To"] == ack["In-Reply-To"]  # in the member's thread
    for text in (_words(letter), _words(letter, "html")):
        assert "Dear Cllr Jo Bloggs" in text
        assert (f"Thank you for your payment for your request for information ({ref}), "
                "received on Monday 9 November 2026.") in text
        assert "our fees notice of Wednesday 4 November 2026" in text
        assert "you will have our response by Monday 7 December 2026 at the latest" in text
        assert "Annwyl" not in text
    [row] = _letters(council, FEE_LETTER)
    assert row.recipients == JO and row.status == "sent"
    # The same RESUME read again, a second RESUME, the sweep: nothing more to the member.
    assert council.deliver(resume, now=MONDAY) == []
    said, others = _command(council, assignment, FOI_TEAM, "RESUME", TUESDAY)
    assert said.startswith("Not done.") and others == []
    assert [m for m in _sweep(council, WEDNESDAY) if m["To"] == JO] == []
    assert len(_letters(council, FEE_LETTER)) == 1


def test_a_welsh_member_is_told_of_the_fee_welsh_first(tmp_path: Path) -> None:
    with foi_and_highways(tmp_path / "cardiff", policy="cardiff") as cardiff:
        _, assignment = _foi(cardiff, SIAN)
        _command(cardiff, assignment, FOI_TEAM, 'PAUSE "fees notice sent"', NOTICE)
        said, others = _command(cardiff, assignment, FOI_TEAM, "RESUME", MONDAY)
        ref = cardiff.case().ref
    assert ("Bydd Cllr Siân Evans yn cael llythyr yn dweud bod y ffi wedi dod i law, gyda'r "
            "dyddiad newydd, oni bai bod yr achos yn cael ei ateb neu ei oedi eto cyn iddo "
            "fynd.") in said
    [letter] = [m for m in others if m["To"] == SIAN]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert "Annwyl Cllr Siân Evans" in text
        assert f"Diolch am eich taliad am eich cais am wybodaeth ({ref})" in text
        assert "dydd Llun 7 Rhagfyr 2026" in text
        assert "Monday 7 December 2026" in text
        assert text.index("Annwyl") < text.index("Dear")


# -- (b) an enquiry's pause ended by the member's reply ---------------------------------


def test_the_members_reply_that_moves_their_date_gets_the_new_date_once(
    council: Council,
) -> None:
    ack, assignment = _enquiry(council)
    said, _ = _command(council, assignment, SAM,
                       'PAUSE "waiting for the member: which end of the road"', NOTICE)
    assert ("If they reply in this case's thread, the clock runs again and mailbot sends "
            "them the new date.") in said
    reply = council.reply(ack, JO, "It is the north end, by no. 12.", date=MONDAY)
    out = council.deliver(reply, now=MONDAY)
    assert council.case().status == "open"
    assert council.case().response_due == date(2026, 11, 20)
    [letter] = [m for m in out if m["To"] == JO]
    ref = council.case().ref
    assert ref in letter["Subject"]
    assert letter["In-Reply-To"] == "<t3@test.example>"  # their reply
    for text in (_words(letter), _words(letter, "html")):
        assert (f"Thank you for your reply about your enquiry ({ref}), received on Monday "
                "9 November 2026.") in text
        assert "paused from Wednesday 4 November 2026 to the day of your reply" in text
        assert ("you will have a full response by Friday 20 November 2026, not Monday 16 "
                "November 2026 as we said") in text
    [update] = [m for m in out if m["To"] == SAM]
    assert ("The member will be sent the new date, Friday 20 November 2026, unless the case "
            "is answered or paused again before it goes.") in _words(update)
    [row] = _letters(council, REPLY_LETTER)
    assert row.recipients == JO and row.status == "sent"
    # The reply read again, the member writing again, the sweep: no second letter.
    assert [m for m in council.deliver(reply, now=MONDAY) if m["To"] == JO] == []
    more = council.reply(ack, JO, "There is a second one by no. 20.", date=TUESDAY)
    assert [m for m in council.deliver(more, now=TUESDAY) if m["To"] == JO] == []
    assert [m for m in _sweep(council, WEDNESDAY) if m["To"] == JO] == []
    assert len(_letters(council, REPLY_LETTER)) == 1


def test_a_reply_that_leaves_the_date_where_it_was_sends_nothing(council: Council) -> None:
    ack, assignment = _enquiry(council)
    # Paused the day after the date had passed: the clock had run out, so the days until
    # the member's reply hold nothing back and the date stays Mon 16 Nov.
    paused = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    replied = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    _command(council, assignment, SAM, 'PAUSE "waiting for the member: which road"', paused)
    out = council.deliver(council.reply(ack, JO, "Castle Road.", date=replied), now=replied)
    assert council.case().response_due == date(2026, 11, 16)
    assert [m for m in out if m["To"] == JO] == []
    assert _letters(council, REPLY_LETTER) == []
    [update] = [m for m in out if m["To"] == SAM]
    assert "sent the new date" not in _words(update)


def test_a_welsh_member_is_told_of_the_new_date_welsh_first(tmp_path: Path) -> None:
    with foi_and_highways(tmp_path / "cardiff", policy="cardiff") as cardiff:
        ack, assignment = _enquiry(cardiff, SIAN)
        _command(cardiff, assignment, SAM, 'PAUSE "waiting for the member"', NOTICE)
        out = cardiff.deliver(cardiff.reply(ack, SIAN, "Pen gogleddol y ffordd.", date=MONDAY),
                              now=MONDAY)
        ref = cardiff.case().ref
    [letter] = [m for m in out if m["To"] == SIAN]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert "Annwyl Cllr Siân Evans" in text
        assert f"Diolch am eich ateb am eich ymholiad ({ref})" in text
        assert "erbyn dydd Gwener 20 Tachwedd 2026, nid dydd Llun 16 Tachwedd 2026" in text
        assert "Friday 20 November 2026" in text
        assert text.index("Annwyl") < text.index("Dear")


def test_the_timeline_says_the_members_reply_resumed_the_clock(council: Council) -> None:
    """`mailbot case REF` shows the timeline entry as it is written: 'clock resumed', not
    'clock resumeed' (seen on an upgraded council's paused enquiry)."""
    ack, assignment = _enquiry(council)
    _command(council, assignment, SAM, 'PAUSE "waiting for the member: which road"', NOTICE)
    council.deliver(council.reply(ack, JO, "Castle Road, by no. 12.", date=MONDAY), now=MONDAY)
    [event] = council.events("resumed")
    assert event.detail == "the member replied; clock resumed, due 2026-11-20"
