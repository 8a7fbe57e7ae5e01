"""A member's mail that only asks for news gives nothing a pause waits for, whatever it
is about: 'any update on the bins please?' was read as more than a request for news (the
bins were not one of its known words), so it ended a pause that waited for the member's
answer and they were sent a new date. 'Any news?' alone did not. A mail is read sentence
by sentence: each must ask for news (its topic free) or be a greeting, thanks or the
member's name; one that gives something (an answer, an address, consent, 'here are the
photos') makes it more than that."""

from __future__ import annotations

import pytest

from mailbot.directory import Member
from mailbot.member_thanks import member_asks_news_only

ANN = Member("Cllr Ann Lee", "ann.lee@council.gov.uk", "Abbey")
COUNCIL = "Test Council"


@pytest.mark.parametrize("body", [
    "Any news?",
    "any update on the bins please?",
    "Any update on this?",
    "Is there any progress with the bins?",
    "Chasing this one – any news?",
    "Chasing this one - any news?",
    "Unrhyw newyddion?",
    "Oes unrhyw newyddion am y biniau?",
    "Hi Sam, any update on the missed bins in Elm Road please? Thanks, Ann",
    "Just chasing this. Cllr Ann Lee",
    "Hi Sam,\n\nAny news on the fly-tipping in Church Lane? My residents keep asking me.\n\n"
    "Thanks\nAnn",
    "Where are we with the street light on Mill Lane?",
    "What's happening with the potholes on Castle Road?",
    "Have you heard anything back from Highways on this?",
    "Any joy with the bins?",
    "Could you give me an update on the hedge please?",
    "Any progress on this one? Many thanks",
    "Following up on this one - any news on the bins?",
    "Unrhyw ddiweddariad ar y biniau os gwelwch yn dda? Diolch",
])
def test_a_mail_that_only_asks_for_news_is_read_so(body: str) -> None:
    assert member_asks_news_only(body, "RE: Missed bins [MB-2026-00001]", ANN, COUNCIL)


@pytest.mark.parametrize("body", [
    "Update: the resident says it's 4 Elm Road",
    "Here are the photos you asked for",
    "Any news? The resident says it's 4 Elm Road.",
    "Any update on this? She is happy for you to share her details.",
    "It is the lamp outside number 4.",
    "Yes, the resident consents.",
    "Any news on the bins, the address is 4 Elm Road",
    "Chasing this one – the resident has now sent the photos, attached.",
    "The resident says it is the lamp outside number 4. Any news?",
    "Photos attached? No - it is the lane behind the school, by the gate.",
    "Mae'r preswylydd yn dweud mai 4 Heol y Llwyfen ydyw.",
    "Did you get my photos?",
])
def test_a_mail_that_gives_something_is_not(body: str) -> None:
    assert not member_asks_news_only(body, "RE: Missed bins [MB-2026-00001]", ANN, COUNCIL)
