"""The member's new-date letter (9e7cee8: reply_received when their reply ends an
officer's PAUSE, fee_received when the FOI team's RESUME says the fee came) is withdrawn
at send time when DONE or a new PAUSE arrives in the same poll, as the date in it no
longer holds. The officer was still told 'The member has been sent the new date' and
heard nothing more, so they believed the member had a date they never got. The
confirmation of the DONE or PAUSE that stops the letter now says it will not be sent.

Dates as in test_new_date_after_pause: enquiry received Mon 2 Nov 2026, due Mon 16 Nov;
paused Wed 4 Nov; the member's reply Mon 9 Nov moves it to Fri 20 Nov."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.jobs import poll
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 9, 11, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", "", ""),
                  ("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
    ) as made:
        yield made


def _words(mail: EmailMessage) -> str:
    return " ".join(body_text(mail, "plain").split())


def _opened(council: Council, subject: str, body: str,
            officer: str) -> tuple[EmailMessage, EmailMessage]:
    out = council.deliver(council.mail(JO, subject, body, date=RECEIVED), now=RECEIVED)
    [ack] = [m for m in out if m["To"] == JO]
    [assignment] = [m for m in out if m["To"] == officer]
    return ack, assignment


def _in_one_poll(council: Council, *mails: bytes) -> list[EmailMessage]:
    for raw in mails:
        council.server.deliver(raw)
    poll(council.app, MONDAY)
    return council.flush(MONDAY)


def _letter(council: Council, purpose: str) -> OutboxRow:
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == purpose)
    return row


@pytest.mark.parametrize(("command", "why"), [
    ("DONE", "now that the case is answered"),
    ('PAUSE "waiting for the member: photos"', "now that the case is paused again"),
])
def test_a_reply_letter_stopped_by_a_command_is_said_not_to_go(
    council: Council, command: str, why: str
) -> None:
    ack, assignment = _opened(council, "Pothole on Castle Road",
                              "Please could someone look at the deep pothole on Castle Road.",
                              SAM)
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the member: where"',
                                  date=NOTICE), now=NOTICE)
    out = _in_one_poll(council,
                       council.reply(ack, JO, "It is the north end, by no. 12.", date=MONDAY),
                       council.reply(assignment, SAM, command, date=MONDAY))
    assert _letter(council, "reply_received").status == "withdrawn"
    # Nothing with a date; a new PAUSE for the member's photos sends its own letter.
    to_jo = [_words(m) for m in out if m["To"] == JO]
    assert all("has been paused since" in words for words in to_jo)
    assert len(to_jo) == (1 if command.startswith("PAUSE") else 0)
    said = " ".join(_words(m) for m in out if m["To"] == SAM)
    assert ("The letter telling the member the new date, Friday 20 November 2026, will not "
            f"be sent {why}.") in said


def test_a_fee_letter_stopped_by_done_is_said_not_to_go(council: Council) -> None:
    _, assignment = _opened(
        council, "Freedom of Information request: road budgets",
        "Under the Freedom of Information Act 2000 please send me the road budgets.", FOI_TEAM)
    council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "fees notice sent: £45"',
                                  date=NOTICE), now=NOTICE)
    out = _in_one_poll(council, council.reply(assignment, FOI_TEAM, "RESUME", date=MONDAY),
                       council.reply(assignment, FOI_TEAM, "DONE", date=MONDAY))
    assert _letter(council, "fee_received").status == "withdrawn"
    said = " ".join(_words(m) for m in out if m["To"] == FOI_TEAM)
    assert ("The letter telling the member the new date, Monday 7 December 2026, will not be "
            "sent now that the case is answered.") in said
