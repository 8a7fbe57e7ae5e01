"""The commands offered with an FOI request (assignment and reminders) said 'EXTEND 20 "EIR
reg 7: complex and voluminous"   an EIR request: 40 working days (within the 20)' and
'EXTEND 10 "public interest test: why"   FOIA s.10(3): up to 20 more working days (within
the 20)': an officer could not tell what had to be within which 20. The law (EIR reg 7(3),
FOIA s.17(2)), and mailbot's refusal of a later EXTEND, want the extension given within the
first 20 working days; the lines now say so, '(send it within the first 20 working days)',
and the Welsh beside them '(anfonwch ef o fewn yr 20 diwrnod gwaith cyntaf)', text and
HTML. An FOI request from Cllr Jo Bloggs (Cllr Siân Evans in Cardiff, who prefers Welsh)
is received on Tuesday 1 December 2026."""

from __future__ import annotations

import html as markup
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import body_text
from paused_council import FOI_TEAM, JO, SIAN, foi_and_highways

RECEIVED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WITHIN = "(send it within the first 20 working days)"
O_FEWN = "(anfonwch ef o fewn yr 20 diwrnod gwaith cyntaf)"


@pytest.mark.parametrize(("policy", "member"), [("wiltshire", JO), ("cardiff", SIAN)])
def test_the_foi_extensions_say_within_which_twenty(
        tmp_path: Path, policy: str, member: str) -> None:
    with foi_and_highways(tmp_path, policy=policy) as council:
        out = council.deliver(council.mail(
            member, "Freedom of Information request: road gritting",
            "Under the Freedom of Information Act 2000 please send me the gritting routes.",
            date=RECEIVED), now=RECEIVED)
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    for part in ("plain", "html"):
        said = " ".join(markup.unescape(body_text(assignment, part)).split())
        assert f"an EIR request: 40 working days {WITHIN}" in said, said
        assert f"up to 20 more working days {WITHIN}" in said, said
        assert "(within the 20)" not in said
        if policy == "cardiff":
            assert f"cais EIR: 40 diwrnod gwaith {O_FEWN}" in said, said
            assert f"hyd at 20 diwrnod gwaith arall {O_FEWN}" in said, said
            assert "(o fewn yr 20)" not in said
