"""What check-config warns of in the policy pack as the council uses it (the pack file with
the config's [policy] overrides merged in) that validates but would make the council's
mail wrong. Each warning names the file and the key to change: the config's
`policy.KEY` where the council's override sets it, else the pack's own `KEY`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailbot.directory import Directory
from mailbot.policy import Policy


@dataclass(frozen=True)
class PackPlace:
    """Where the pack's keys are written: the pack file, and the council's config with
    its [policy] overrides."""

    pack: Path | str
    config: Path | str
    overrides: Mapping[str, Any]

    def key(self, *path: str) -> str:
        """'<config>: policy.a.b.c' if the override writes the key (a list such as
        closures is replaced whole, so writing it counts), else '<pack>: a.b.c'."""
        node: Any = self.overrides
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                return f"{self.pack}: {'.'.join(path)}"
            node = node[part]
        return f"{self.config}: policy.{'.'.join(path)}"


def pack_warnings(policy: Policy, directory: Directory, place: PackPlace) -> list[str]:
    """Every warning of this module about `policy` as `place` says it is written."""
    return ack_words_without_welsh(policy, directory, place)


def _welsh_readers(policy: Policy, directory: Directory) -> str:
    """Why this council's mail has a Welsh side ("" if it has none): a bilingual pack, or
    members in members.csv who prefer Welsh (mailbot.languages)."""
    if policy.language == "cy-en":
        return 'the pack\'s language = "cy-en" sends every letter in Welsh and English'
    welsh = sum(1 for member in directory.members.values() if member.language == "cy")
    if welsh:
        return (f"{welsh} member{'s' if welsh > 1 else ''} in members.csv "
                f"prefer{'' if welsh > 1 else 's'} Welsh")
    return ""


def ack_words_without_welsh(policy: Policy, directory: Directory, place: PackPlace) -> list[str]:
    """`[ack.KIND] must_say` with no `must_say_cy`, in a council whose mail has a Welsh
    side: that side would promise the member, and ask of the officer, less than the
    English one does."""
    why = _welsh_readers(policy, directory)
    if not why:
        return []
    found = []
    for kind, rule in policy.ack.items():
        if rule.by != "officer" or not rule.must_say.strip() or rule.must_say_cy.strip():
            continue
        found.append(
            f"{place.key('ack', kind.value, 'must_say')}: is set without must_say_cy, and "
            f"{why}: the Welsh side of the member's acknowledgement and the officer's "
            "assignment and reminder would say nothing of what the acknowledgement "
            f"contains while the English side does; set must_say_cy beside it, in Welsh"
        )
    return found
