"""The FOI team's update when the member writes during a fees notice's pause says 'Reply
by: the response clock is paused'; it must not go on to say the member was told the
request's handling 'with the date above', as there is no date above. Text and HTML,
English and Welsh (Cardiff). Read as the mail that left."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
WROTE = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


def _words(mail: EmailMessage, part: str) -> str:
    text = body_text(mail, part)
    if part == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_the_update_during_a_fees_pause_names_no_date_above(
    tmp_path: Path, policy: str
) -> None:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX, policy=policy,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{FOI_TEAM}"\n'
               f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n',
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
