"""A council's mail gateway tags mail from outside ("[EXTERNAL] Automatic reply: ..."): the
loop guard's subject rules, anchored at the start of the subject, read it without the tag.
Members' own subjects are not changed by it."""

from __future__ import annotations

import pytest
from helpers import eml
from test_loops import build

from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message
from mailbot.spam import spam_verdict


@pytest.mark.parametrize(("subject", "body", "expected"), [
    ("[EXTERNAL] Undeliverable: Pothole outside 14 Castle Street",
     "Your message could not be sent.", Automatic.BOUNCE),
    ("[External] Accepted: Ward walkabout", "", Automatic.CALENDAR),
    ("*EXTERNAL* Read: Pothole outside 14 Castle Street",
     "Your message was read on Monday.", Automatic.RECEIPT),
    ("[ALLANOL] Ateb awtomatig: Twll yn y ffordd", "Diolch am eich neges.", Automatic.AUTO_REPLY),
    ("CAUTION: External email - Automatic reply: Pothole", "Thanks.", Automatic.AUTO_REPLY),
    ("[EXTERNAL] [EXT] Out of Office - Cllr Bloggs", "Back on Monday.", Automatic.AUTO_REPLY),
])
def test_robots_subjects_behind_a_gateway_tag(
    subject: str, body: str, expected: Automatic
) -> None:
    verdict = detect_automatic(build(subject=subject, body=body))
    assert verdict is not None and verdict.automatic == expected


@pytest.mark.parametrize("subject", [
    "[EXTERNAL] Out of hours noise from the Castle pub",
    "[EXTERNAL] Undelivered council tax letters in Mill Lane",
    "[EXTERNAL] Read receipt request - complaint about the planning team",
    "Caution: external Undelivered mail",  # a member's words, not a gateway's tag
])
def test_members_subjects_behind_a_gateway_tag_stay_members(subject: str) -> None:
    body = "Residents have asked me about this. Could someone look into it, please?"
    assert detect_automatic(build(subject=subject, body=body)) is None


def test_a_spam_tag_after_the_gateway_tag_is_seen() -> None:
    assert spam_verdict(build(subject="[EXTERNAL] [SPAM] Claim your prize")) is not None


def test_a_forwarded_invitation_behind_a_gateway_tag_is_still_the_members() -> None:
    raw = eml("member_forwards_meeting_request_outlook.eml").replace(
        b"Subject: FW: Castle", b"Subject: [EXTERNAL] FW: Castle"
    )
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert detect_automatic(message) is None
