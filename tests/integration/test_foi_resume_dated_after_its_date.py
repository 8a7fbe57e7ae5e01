"""An FOI request's RESUME dated back to the day the fee or the clarification came can
give a statutory date that has already passed. The member must not be sent a letter
promising the response 'by' that past date, and the officer must be told it has passed.

Dates (FOIA working days): received Thursday 1 October 2026, due Thursday 29 October.
Paused Friday 2 October (a fees notice, or asking for clarification); on Tuesday 10
November the FOI team writes 'RESUME 05/10/2026 ...'. The fee received Monday 5 October:
2 to 5 October disregarded, 20 working days from Tuesday 6 October, due Monday 2
November. The clarification received Monday 5 October: a fresh 20 working days from it,
due Monday 2 November too. On 10 November that is 6 working days past."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
RECEIVED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
PAUSED = datetime(2026, 10, 2, 14, 0, tzinfo=UTC)
RESUMED = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{FOI_TEAM}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
    ) as made:
        yield made


@pytest.mark.parametrize(("pause", "resume", "letter"), [
    ('PAUSE "fees notice sent: £60"', "RESUME 05/10/2026 fee received", "fee_received"),
    ('PAUSE "clarification: which months"', "RESUME 05/10/2026 clarified by phone",
     "clarification_received"),
])
def test_no_letter_promises_a_date_that_has_passed(
    council: Council, pause: str, resume: str, letter: str
) -> None:
    out = council.deliver(council.mail(
        JO, "Freedom of Information request: parking fines",
        "Under the Freedom of Information Act 2000 please send me the parking fines issued "
        "on Castle Street in 2025.", date=RECEIVED), now=RECEIVED)
    assert council.case().response_due == date(2026, 10, 29)
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    council.deliver(council.reply(assignment, FOI_TEAM, pause, date=PAUSED), now=PAUSED)

    out = council.deliver(council.reply(assignment, FOI_TEAM, resume, date=RESUMED),
                          now=RESUMED)

    assert council.case().response_due == date(2026, 11, 2)
    assert [m for m in out if m["To"] == JO] == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == letter) == []
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    said = " ".join(body_text(confirmation, "plain").split())
    assert "running again: due Monday 2 November 2026" in said
    assert ("Its date, Monday 2 November 2026, has passed: the case is 6 working days "
            "overdue.") in said
    assert ("mailbot has not written to the member about this date: tell them when they "
            "will have a response, unless you have.") in said
    assert "will be sent" not in said
