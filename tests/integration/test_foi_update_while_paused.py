"""The FOI team's update when the member writes during a fees notice's pause says 'Reply
by: the response clock is paused'; it must not go on to say the member was told the
request's handling 'with the date above', as there is no date above. Text and HTML,
English and Welsh (Cardiff). Read as the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from paused_council import FOI_TEAM, JO, THE_FOI_TEAM, paused_council
from paused_council import words as _words

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
WROTE = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_the_update_during_a_fees_pause_names_no_date_above(
    tmp_path: Path, policy: str
) -> None:
    with paused_council(
        tmp_path, [THE_FOI_TEAM], policy=policy, default_officer=FOI_TEAM,
        routes={"foi_team": FOI_TEAM},
    ) as council:
        out = council.deliver(council.mail(
            JO, "Freedom of Information request: road budgets",
            "Under the Freedom of Information Act 2000 please send me the road budgets.",
            date=RECEIVED), RECEIVED)
        [ack] = [m for m in out if m["To"] == JO]
        [assignment] = [m for m in out if m["To"] == FOI_TEAM]
        council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "fees notice sent"',
                                      date=NOTICE), NOTICE)
        out = council.deliver(council.reply(ack, JO, "Why is there a fee? I am a councillor.",
                                            date=WROTE), WROTE)
    [update] = [m for m in out if m["To"] == FOI_TEAM]
    for part in ("plain", "html"):
        words = _words(update, part)
        assert "the response clock is paused" in words
        assert "The member has been told the request will be handled under the FOIA" in words
        assert "with the date above" not in words
        assert "gyda'r dyddiad uchod" not in words
