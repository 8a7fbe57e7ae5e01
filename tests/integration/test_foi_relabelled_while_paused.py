"""An enquiry paused by its officer for a reason that is neither a clarification nor a
fees notice, then relabelled an FOI request, is not given a fresh 20 working days by the
member's reply. It was: the reply ended any FOI pause but a fees notice's with a restart
(FOIA s.1(3)'s, which only a clarification the council asked for gives) and sent the
member 'Thank you for clarifying your request ...'. Now, as for any FOI pause the Act does
not know (foi_pause: the officer's RESUME does the same), the reply ends it with a resume:
the paused working days are disregarded and the statutory date moves on by them, and the
member is not thanked for a clarification.

Dates: received Monday 2 November 2026 (FOI: 20 working days, Tuesday 1 December, since
St Andrew's Day, Monday 30 November, is a bank holiday in Scotland); paused Wednesday 4
November; relabelled FOI Thursday 5 November; the member writes Monday 9 November: 4, 5,
6 and 9 November disregarded, due Monday 7 December (a fresh 20 from 9 November, as
before, gave Tuesday 8 December)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.model import Kind
from mailbot.store.tables import ClockEventRow, OutboxRow
from mailbot.triage import relabel_case

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
RELABELLED = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
WRITES = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""),
                  ("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
    ) as made:
        yield made


def test_the_members_reply_resumes_a_relabelled_pause_without_a_fresh_20_days(
    council: Council,
) -> None:
    out = council.deliver(council.mail(
        JO, "Potholes on Castle Road", "The potholes on Castle Road are getting worse. "
        "When will they be filled?", date=RECEIVED), now=RECEIVED)
    [ack] = [m for m in out if m["To"] == JO]
    [assignment] = [m for m in out if m["To"] == SAM]
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the member: which '
                                  'end of the road"', date=PAUSED), now=PAUSED)
    relabel_case(council.app, council.case().ref, Kind.FOI, who="admin@council.gov.uk",
                 now=RELABELLED)
    assert council.case().status == "paused"

    council.deliver(council.reply(ack, JO, "The end by the school, from the bridge to no. 40.",
                                  date=WRITES), now=WRITES)

    case = council.case()
    assert case.kind == "foi" and case.status == "open"
    assert case.response_due == date(2026, 12, 7)
    assert [r.action for r in rows(council.app, ClockEventRow)
            if r.clock == "response"] == ["pause", "resume"]
    assert rows(council.app, OutboxRow,
                OutboxRow.purpose == "clarification_received") == []


def _words(mail: EmailMessage, part: str = "plain") -> str:
    """The words of a mail's text or HTML part (its tags taken out), as a reader sees them."""
    text = body_text(mail, part)
    if part == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def _relabelled_and_answered(council: Council, member: str,
                             answer: str) -> tuple[EmailMessage, list[EmailMessage]]:
    """The member's enquiry, paused, relabelled FOI, and their answer: (that answer's mail,
    what left when it came)."""
    out = council.deliver(council.mail(
        member, "Potholes on Castle Road", "The potholes on Castle Road are getting worse. "
        "When will they be filled?", date=RECEIVED), now=RECEIVED)
    [ack] = [m for m in out if m["To"] == member]
    [assignment] = [m for m in out if m["To"] == SAM]
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the member: which '
                                  'end of the road"', date=PAUSED), now=PAUSED)
    relabel_case(council.app, council.case().ref, Kind.FOI, who="admin@council.gov.uk",
                 now=RELABELLED)
    reply = council.reply(ack, member, answer, date=WRITES)
    return reply, council.deliver(reply, now=WRITES)


def test_the_member_is_sent_the_statutory_date_their_reply_moved_once(
    council: Council,
) -> None:
    """The date the member was given (Tuesday 1 December) moved on by the paused days, as
    an enquiry's member is told: they are sent it in reply, once."""
    reply, out = _relabelled_and_answered(
        council, JO, "The end by the school, from the bridge to no. 40.")
    ref = council.case().ref
    [letter] = [m for m in out if m["To"] == JO]
    assert letter["In-Reply-To"] == reply.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert (f"Thank you for your reply about your request for information ({ref}), "
                "received on Monday 9 November 2026.") in text
        assert ("you will have a full response by Monday 7 December 2026, not Tuesday 1 "
                "December 2026 as we said") in text
        assert "clarifying" not in text
    # The FOI team's mail: the relabelled request's assignment, and the update.
    [update] = [m for m in out if m["To"] == FOI_TEAM and "written again" in _words(m)]
    assert ("The member will be sent the new date, Monday 7 December 2026, unless the case "
            "is answered or paused again before it goes.") in _words(update)
    # Sam paused it, not the FOI team, who hold it now.
    for part in ("plain", "html"):
        assert ("The clock Sam Patel paused is running again: see the new date below."
                in _words(update, part))
        assert "you paused" not in _words(update, part)
    # The same mail read again, the member writing again: no second letter.
    assert [m for m in council.deliver(reply, now=WRITES) if m["To"] == JO] == []
    more = council.reply(letter, JO, "There is a second one by no. 20.", date=WRITES)
    assert [m for m in council.deliver(more, now=WRITES) if m["To"] == JO] == []
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "reply_received")
    assert (row.recipients, row.status) == (JO, "sent")


def test_a_welsh_member_is_sent_the_moved_date_welsh_first(tmp_path: Path) -> None:
    rhian = "rhian.evans@council.gov.uk"
    with Council(
        tmp_path / "cardiff", name="Cardiff Council", mailbox=MAILBOX, policy="cardiff",
        members=[("Cllr Rhian Evans", rhian, "Tref", "cy")],
        officers=[("Sam Patel", SAM, "Highways", "", ""),
                  ("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
    ) as cardiff:
        _, out = _relabelled_and_answered(cardiff, rhian, "Pen gogleddol y ffordd.")
        ref = cardiff.case().ref
    [update] = [m for m in out if m["To"] == FOI_TEAM and "written again" in _words(m)]
    assert "Mae'r cloc a oedwyd gan Sam Patel yn rhedeg eto" in _words(update)
    assert "a oedwyd gennych" not in _words(update)
    [letter] = [m for m in out if m["To"] == rhian]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert "Annwyl Cllr Rhian Evans" in text
        assert f"Diolch am eich ateb am eich cais am wybodaeth ({ref})" in text
        assert "erbyn dydd Llun 7 Rhagfyr 2026, nid dydd Mawrth 1 Rhagfyr 2026" in text
        assert "Monday 7 December 2026" in text
        assert text.index("Annwyl") < text.index("Dear")
