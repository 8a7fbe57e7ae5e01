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

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, rows

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
