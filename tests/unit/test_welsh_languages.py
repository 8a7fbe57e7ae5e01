"""The order of the languages in an officer's mail about many members' cases (the daily
summary of reminders): as for one case, Welsh first only when every member chose Welsh."""

from __future__ import annotations

import pytest

from mailbot.languages import ENGLISH, ENGLISH_FIRST, WELSH_FIRST, staff_languages_for_many


@pytest.mark.parametrize(("policy", "members", "expected"), [
    ("en", ["cy", "cy"], ENGLISH),  # an English council's staff mail is English
    ("en", ["en", None], ENGLISH),
    ("cy-en", ["cy", "cy", "cy"], WELSH_FIRST),
    ("cy-en", ["cy", "en"], ENGLISH_FIRST),
    ("cy-en", ["cy", None], ENGLISH_FIRST),  # a sender not in members.csv
    ("cy-en", ["en"], ENGLISH_FIRST),
    ("cy-en", [], ENGLISH_FIRST),
])
def test_welsh_first_only_when_every_member_chose_welsh(
    policy: str, members: list[str | None], expected: tuple[str, ...]
) -> None:
    assert staff_languages_for_many(policy, members) == expected
