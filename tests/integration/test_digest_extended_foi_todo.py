"""An FOI request due this week said what to do "by its date, the date the FOI Act sets"
after its officer had extended it (the public interest test, FOIA s.10(3); an EIR
request's 40 working days, EIR reg 7), when its date is the extended one, which the Act
does not set. The line now says whose date it is, in English and Welsh, text and HTML,
to the whole council's reader and to the FOI team who holds it. Each request goes in as
a member's mail and its EXTEND as the FOI team's reply (test_digest_read_as_a_manager's
builders); the digest job runs in the week the extended date falls (on Tuesday 29
December, the Monday a bank holiday)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_digest_read_as_a_manager import Week, _read

FOI_BODY = ("Under the Freedom of Information Act 2000 please send the spend on road repairs "
            "for 2025.")


def _digests(home: Path, policy: str, extend: str, monday: datetime) -> dict[str, EmailMessage]:
    """An FOI request of Monday 2 November 2026, extended by its team on 20 November, and
    the digests that left on `monday` (the chief executive's and the FOI team's), by To."""
    week = Week(home, policy, ("chief.executive", "foi"))
    with week.council:
        assigned = week.opened(week.jo, "Freedom of Information request: road repair spend",
                               FOI_BODY, datetime(2026, 11, 2, 10, 0, tzinfo=UTC), week.foi)
        week.command(assigned, week.foi, extend, datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
        sent = {str(m["To"]).split("@")[0]: m for m in week.digests(monday)}
    return sent


PUBLIC_INTEREST = 'EXTEND 10 "public interest test: s.43 commercial interests"'
DECEMBER = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # the week of Tuesday 15 December

NOT_YOURS = ("What to do: nothing unless it will not be answered by its date, the later "
             "date given for the public interest test (FOIA s.10(3)): then ask its officer "
             "about it now.")
YOURS = ("What to do: it is yours: answer it by its date, the later date given for the "
         "public interest test (FOIA s.10(3)).")
NOT_YOURS_CY = ("Beth i'w wneud: dim oni bai na chaiff ei ateb erbyn ei ddyddiad, y dyddiad "
                "hwyrach a roddwyd ar gyfer prawf budd y cyhoedd (FOIA a.10(3)): yna "
                "gofynnwch i'w swyddog amdano nawr.")
YOURS_CY = ("Beth i'w wneud: eich achos chi yw hwn: atebwch ef erbyn ei ddyddiad, y dyddiad "
            "hwyrach a roddwyd ar gyfer prawf budd y cyhoedd (FOIA a.10(3)).")


def _due_this_week(part: str) -> str:
    heading = re.search(r"Due this week( / I'w hateb yr wythnos hon)? \(1\)", part)
    assert heading is not None, part
    return part[heading.start():part.index("MB-2026-00001", heading.start())]


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_a_public_interest_extension_is_the_date_to_answer_by(tmp_path: Path, policy: str) -> None:
    sent = _digests(tmp_path, policy, PUBLIC_INTEREST, DECEMBER)
    for reader, todo, todo_cy in (("chief.executive", NOT_YOURS, NOT_YOURS_CY),
                                  ("foi", YOURS, YOURS_CY)):
        text, words = _read(sent[reader])
        assert "due Tue 15 Dec" in text
        for part in (text, words):
            said = " ".join(_due_this_week(part).split())
            assert todo in said, said
            assert (todo_cy in said) == (policy == "cardiff"), said
            assert "the date the FOI Act sets" not in part
            assert "y dyddiad a osodir gan y Ddeddf" not in part


def test_an_eir_extension_is_the_date_eir_reg_7_sets(tmp_path: Path) -> None:
    sent = _digests(tmp_path, "cardiff", 'EXTEND 20 "EIR reg 7: complex and voluminous"',
                    datetime(2026, 12, 29, 8, 0, tzinfo=UTC))
    text, words = _read(sent["chief.executive"])
    for part in (text, words):
        said = " ".join(_due_this_week(part).split())
        assert "(extended under EIR reg 7) / " in " ".join(part.split())
        assert "(estynnwyd dan reoliad 7 EIR)" in " ".join(part.split())
        assert ("What to do: nothing unless it will not be answered by its date, the later "
                "date EIR reg 7 sets (40 working days): then ask its officer about it now."
                ) in said, said
        assert ("Beth i'w wneud: dim oni bai na chaiff ei ateb erbyn ei ddyddiad, y dyddiad "
                "hwyrach a osodir gan reoliad 7 EIR (40 diwrnod gwaith): yna gofynnwch i'w "
                "swyddog amdano nawr.") in said, said
