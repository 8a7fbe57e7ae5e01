"""The council the FOI extension tests build: the FOI team alone (the pack's foi_team
route) for Cllr Jo Bloggs under Wiltshire's pack, the member's mail as a mail program
sends it. foi_request is the member's request received on Monday 2 November 2026, due by
the Act on Tuesday 1 December (working day 20, St Andrew's Day skipped)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council
from paused_council import FOI_TEAM, JO, THE_FOI_TEAM, opened, paused_council

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def foi_council(home: Path, config: str = "") -> Council:
    """The FOI team's council; `config` (a [policy] section, say) added after the rest."""
    return paused_council(home, [THE_FOI_TEAM], routes={"foi_team": FOI_TEAM},
                          plain_utf8=False, config=config)


def foi_request(council: Council, subject: str, body: str) -> EmailMessage:
    """Cllr Jo Bloggs's request, read at RECEIVED, taken for an FOI request due Tuesday 1
    December: the FOI team's assignment."""
    _, assignment = opened(council, member=JO, sender=f"Cllr Jo Bloggs <{JO}>",
                           subject=subject, body=body, received=RECEIVED, officer=FOI_TEAM)
    assert council.case().kind == "foi"
    assert council.case().response_due == date(2026, 12, 1)
    return assignment
