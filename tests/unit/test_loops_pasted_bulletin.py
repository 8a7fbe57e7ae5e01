"""A bulletin sent without list headers is known by its unsubscribe line; a member who
pastes one into their own mail under a request to us is still a member asking."""

from __future__ import annotations

import pytest
from test_loops import build

from mailbot.loops import detect_automatic
from mailbot.model import Automatic

BULLETIN = (
    "WILTSHIRE WASTE NEWS - November\n"
    "The Mill Lane depot will close on 1 December. Collections move to Tuesday.\n"
    "Can you check your new collection day on our website?\n"
    "You are receiving this email because you signed up at our website.\n"
    "Click here to unsubscribe.\n"
)


@pytest.mark.parametrize("note", [
    "A resident sent me this, pasted below. Could someone check whether the council really "
    "is closing the Mill Lane depot? Residents are worried.",
    "Is this true? Could you look into it, please, before Friday's ward meeting.",
])
def test_a_members_note_over_a_pasted_bulletin_is_the_members(note: str) -> None:
    body = f"Hello,\n\n{note}\n\nJo\n\n{BULLETIN}"
    assert detect_automatic(build(subject="Is this right? Mill Lane depot", body=body)) is None


@pytest.mark.parametrize("body", [
    BULLETIN,
    # the bulletin's own "can you check" is below its first 1,000 characters
    "Dear subscriber,\n\n" + "News from around the county this month. " * 30 + BULLETIN,
])
def test_a_bulletin_without_list_headers_is_still_bulk(body: str) -> None:
    verdict = detect_automatic(build(subject="Wiltshire Waste News", body=body))
    assert verdict is not None and verdict.automatic == Automatic.BULK
