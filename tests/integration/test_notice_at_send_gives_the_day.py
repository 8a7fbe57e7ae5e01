"""An officer's notice about an FOI case that waited in the outbox (the mail server away)
while the case was passed on is written again for its new officer when it goes: the
member's update, their Outlook recall, and our letter to them bouncing. Its commands'
fee line gave RESUME's example as the literal "RESUME dd/mm/yyyy"; it now gives the day
the notice goes, as the command reader takes it, as a notice written at once does.
Real mail in, the outbox's MIME out, text and HTML, on a day in 2026 and one in 2027."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, gmail_dsn
from paused_council import FOI_TEAM, JO, SAM, foi_and_highways, opened

from mailbot.cases import LONDON
from mailbot.commands import Command, parse_command
from mailbot.jobs import poll

SUBJECT = "Freedom of Information request: bus lane fines"
ASK = ("Under the Freedom of Information Act 2000 please send me every report on bus lane "
       "fines since 2014.")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
QUEUED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
# When the mail server comes back: (the moment, its London day as the example types it).
SENT = [
    (datetime(2026, 11, 9, 9, 30, tzinfo=UTC), "09/11/2026"),
    (datetime(2027, 1, 5, 9, 30, tzinfo=UTC), "05/01/2027"),
]
RESUME_EXAMPLE = re.compile(r"RESUME (\S+)\)")


def _update(council: Council, ack: EmailMessage) -> bytes:
    return council.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: {ack['Subject']}",
                        "Is there any news of my request?",
                        in_reply_to=str(ack["Message-ID"]), date=QUEUED)


def _recall(council: Council, ack: EmailMessage) -> bytes:
    return council.mail(f"Cllr Jo Bloggs <{JO}>", f"Recall: {SUBJECT}",
                        f"Cllr Jo Bloggs would like to recall the message, \u201c{SUBJECT}\u201d.",
                        date=QUEUED)


def _bounce(council: Council, ack: EmailMessage) -> bytes:
    return gmail_dsn(council, ack, JO)


NOTICES: dict[str, tuple[Callable[[Council, EmailMessage], bytes], str]] = {
    "update": (_update, "written again"),
    "recall": (_recall, "tried to recall"),
    "bounce": (_bounce, "could not be delivered"),
}


@pytest.mark.parametrize("notice", sorted(NOTICES))
@pytest.mark.parametrize(("sent", "typed"), SENT)
def test_a_fee_paused_case_s_notice_written_at_send_gives_the_day_it_goes(
    tmp_path: Path, notice: str, sent: datetime, typed: str
) -> None:
    make, says = NOTICES[notice]
    with foi_and_highways(tmp_path / "council") as council:
        ack, assignment = opened(council, member=JO, sender=f"Cllr Jo Bloggs <{JO}>",
                                 subject=SUBJECT, body=ASK, received=RECEIVED,
                                 officer=FOI_TEAM)
        assert council.case().kind == "foi"
        council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "fees notice sent"',
                                      date=PAUSED), now=PAUSED)
        # The notice is queued for the FOI team while the mail server is away...
        council.server.deliver(make(council, ack))
        poll(council.app, QUEUED)
        # ...and the team passes the case to Sam before it leaves.
        council.server.deliver(council.reply(assignment, FOI_TEAM, f"REASSIGN {SAM}",
                                             date=QUEUED))
        poll(council.app, QUEUED)
        left = council.flush(sent)
    [told] = [m for m in left if m["To"] == SAM and says in body_text(m, "plain")]
    assert not [m for m in left if m["To"] == FOI_TEAM and says in body_text(m, "plain")]
    for part in ("plain", "html"):
        text = body_text(told, part)
        assert "dd/mm/yyyy" not in text
        assert RESUME_EXAMPLE.findall(text) == [typed], part
    day = sent.astimezone(LONDON).date()
    found = parse_command(f'RESUME {typed} "fee received"', today=day)
    assert isinstance(found, Command) and found.new_date == day
    assert day == date(int(typed[6:]), int(typed[3:5]), int(typed[:2]))
