"""A pause's reason that names who was asked, or who is to act, is read for them.

'asked Streetscene for photos' waits for Streetscene, not the member, though photos are
what a member often gives: read as the member's, their 'Any news?' would end it and send
them a new date while the council still waits. The member, named or meant (the resident
they write for, 'them'), still makes it theirs."""

from __future__ import annotations

import pytest

from mailbot.pause_reason import waits_for


@pytest.mark.parametrize("why", [
    "asked Streetscene for photos",
    "waiting for Kier to send details",
    "waiting for Amey to confirm the address",
    "asked Environmental Health for more information",
    "asked Parking for the location",
    "asked the school for details",
    "waiting for Welsh Water to confirm details",
    "waiting for the developer to provide details",
    "asked the housing officer for evidence",
    "emailed Biffa for evidence of collection",
    "waiting on planning for information",
    "chased Bob in Finance for details",
    "aros am wybodaeth gan Briffyrdd",
    "aros i Briffyrdd archwilio",
    "wedi gofyn i'r ysgol am fanylion",
])
def test_someone_else_asked_or_to_act_is_not_the_member(why: str) -> None:
    assert waits_for(why) == "other"


@pytest.mark.parametrize("why", [
    "asked Cllr Lee for photos",
    "asked the member for photos",
    "asked the councillor which house",
    "waiting for the resident to send photos",
    "asked the resident for photos",
    "asked them for the exact address",
    "waiting for Cllr Lee to confirm",
    "waiting on photos",
    "asked for photos of Mill Lane",
    "need photos of the Church Lane site from the member",
    "wedi gofyn i'r aelod am luniau",
])
def test_the_member_asked_or_to_act_is_still_the_member(why: str) -> None:
    assert waits_for(why) == "member"
