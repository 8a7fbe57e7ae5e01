"""A council that adopted a shipped pack (Borsetshire, on Wiltshire's) or copied one and
kept its `council` line: a REASSIGN of a complaint to the officer it is about was refused
'(Wiltshire Council protocol: 16.2 (the individual's relevant Director, ...))', as if
another council's rules bound the manager. Letters already name the council's own protocol ('Under
Borsetshire District Council's protocol', test_own_council); the refusal now does too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from complaint_council import at, complain, complaint_council, words

LATER = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
SAM, PAT, LEE = at("sam"), at("pat"), at("lee")
NAME = "Borsetshire District Council"


def test_the_refusal_cites_the_councils_own_protocol(tmp_path: Path) -> None:
    with complaint_council(
        tmp_path, default_officer=LEE, complaints_team=False, name=NAME,
        officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                  ("Lee Wong", LEE, "Highways", PAT, ""),
                  ("Pat Moss", PAT, "Place", "", "")],
        config=f'[policy.routing]\ncomplaints = "{LEE}"\n',
    ) as council:
        out = complain(council, "Complaint about an officer",
                       "I wish to make a formal complaint about Sam Patel, who was rude and "
                       "dismissive to my constituent on the phone on Monday.")
        assignment = next(m for m in out if m["To"] == PAT)
        [answer] = council.deliver(council.reply(assignment, f"Pat Moss <{PAT}>",
                                                 f"REASSIGN {SAM}", date=LATER), LATER)
    text = words(answer)
    assert f"({NAME}'s protocol: " in text and "16.2" in text, text
    assert "Wiltshire" not in text, text
