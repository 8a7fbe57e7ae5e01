"""docs/deadlines.md lists the keys of every table a pack takes: an administrator writing
their council's pack from that page alone must find each key the pack loader accepts, and
what `[ack.KIND] must_say` / `must_say_cy` put in the member's and officer's mail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from mailbot.policy.rules import (
    AckRule,
    ClockRules,
    ConfidentialityRules,
    FoiRules,
    Reminders,
    Routing,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deadlines.md"
HACKNEY = Path(__file__).resolve().parents[2] / "config" / "policies" / "hackney.toml"


def _listing(table: str) -> str:
    """The lines of the page's key listing for `[table]`, up to the next table's."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"    [{table}]")
    following = re.search(r"\n    \[", text[start + 5:])
    end = start + 5 + following.start() if following else len(text)
    return text[start:end]


@pytest.mark.parametrize(("table", "model"), [
    ("ack.KIND", AckRule), ("clock", ClockRules), ("foi", FoiRules), ("routing", Routing),
    ("confidentiality", ConfidentialityRules), ("reminders", Reminders),
])
def test_every_key_of_a_pack_table_is_listed(table: str, model: type[BaseModel]) -> None:
    listed = set(re.findall(r"[a-z_]+", _listing(table)))
    assert [key for key in model.model_fields if key not in listed] == []


def test_must_say_is_explained_with_what_mail_says_without_it() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    section = text[text.index("### What the officer's acknowledgement must say"):]
    section = section[:section.index(" ## ") if " ## " in section else len(section)]
    for words in ("must_say_cy", "assignment", "ack_reminder", "the same words",
                  "Without `must_say`", "Welsh", "check-config` warns"):
        assert words in section, words
    # The example the page gives is Hackney's own clause, as its pack writes it.
    assert ("saying whether action will be taken or how long an investigation needs"
            in HACKNEY.read_text(encoding="utf-8"))
    assert "saying whether action will be taken or how long an investigation needs" in section
