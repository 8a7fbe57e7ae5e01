"""A councillor's thank-you, signed as councillors sign it."""

from __future__ import annotations

import pytest

from mailbot.directory import Member
from mailbot.member_thanks import member_thanks_only

JO = Member("Cllr Jo Bloggs", "jo.bloggs@council.gov.uk", "Castle")
SUBJECT = "RE: Pothole in Mill Lane [MB-2026-00001]"


@pytest.mark.parametrize("body", [
    "Thank you Sam, much appreciated.\n\nJo\n\nCllr Jo Bloggs\nCastle Ward\n",
    "Thanks Sam\n\nCllr Jo Bloggs\nCouncillor for Castle Ward\nTest Council\n",
    "Thanks!\n\nJo Bloggs\n",
])
def test_a_thank_you_over_the_members_sign_off_is_thanks(body: str) -> None:
    assert member_thanks_only(body, SUBJECT, JO, "Test Council")


@pytest.mark.parametrize("body", [
    "The pothole is still there.\n\nJo\n\nCllr Jo Bloggs\nCastle Ward\n",
    "Thanks Sam. Elm Road bins too\n\nCllr Jo Bloggs\nCastle Ward\n",
    "Thank you, but it is not fixed.\n\nJo\n",
])
def test_more_than_thanks_is_not_thanks(body: str) -> None:
    assert not member_thanks_only(body, SUBJECT, JO, "Test Council")


def test_another_persons_sign_off_still_counts_as_names() -> None:
    body = "Thank you Sam, much appreciated.\n\nPat Smith\nMill Lane Residents Group\n"
    assert not member_thanks_only(body, SUBJECT, JO, "Test Council")
    assert not member_thanks_only(body, SUBJECT, None, "Test Council")
