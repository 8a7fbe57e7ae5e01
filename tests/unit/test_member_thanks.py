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


@pytest.mark.parametrize("words", [
    # Bug: each of these, in answer to the officer's answer within the follow-up window,
    # reopened the case and told the member so ("sorting", "getting", "letting", "update",
    # "looking into" were not known; a hyphen typed as a dash counted as a word).
    "Many thanks for sorting this so quickly.",
    "Thanks for getting this done",
    "Thank you for letting me know",
    "Thanks for the update",
    "Thanks for looking into it",
    "Thanks very much Sam - really appreciate it",
])
def test_thank_you_as_councillors_word_it(words: str) -> None:
    assert member_thanks_only(f"{words}\n\nJo\n", SUBJECT, JO, "Test Council")


@pytest.mark.parametrize("words", [
    "Thanks for looking into it - it is not done",
    "Thanks, let me know when the crew is booked",
    "Thanks for the update but the hole is still there",
])
def test_thanks_with_more_in_it_is_not_thanks(words: str) -> None:
    assert not member_thanks_only(f"{words}\n\nJo\n", SUBJECT, JO, "Test Council")


@pytest.mark.parametrize("body", [
    "Diolch yn fawr iawn Sam\n\nCyng. Rhian Evans\nWard Tref\nCyngor Sir Caerdydd\n",
    "Diolch\n\nRhian\n\nCynghorydd Rhian Evans\nAelod dros Ward Tref\n",
])
def test_a_welsh_thank_you_over_a_welsh_sign_off(body: str) -> None:
    rhian = Member("Cllr Rhian Evans", "rhian.evans@caerdydd.gov.uk", "Tref", "cy")
    assert member_thanks_only(body, SUBJECT, rhian, "Cardiff Council")
