"""What check-config warns of in the policy pack as the council uses it (the pack file with
the config's [policy] overrides merged in) that validates but would make the council's
mail wrong. Each warning names the file and the key to change: the config's
`policy.KEY` where the council's override sets it, else the pack's own `KEY`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mailbot.clock_days import day_text
from mailbot.directory import Directory
from mailbot.policy import Policy
from mailbot.settings import Settings
from mailbot.settings.sections import CouncilSettings
from mailbot.workdays import Closure


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


def pack_warnings(
    policy: Policy, settings: Settings, directory: Directory, place: PackPlace, today: date
) -> list[str]:
    """Every warning of this module about `policy` as `place` says it is written; closures
    over before `today` are no longer any business of the council's mail."""
    return [*ack_words_without_welsh(policy, directory, place),
            *ack_words_nobody_reads(policy, place),
            *overlapping_closures(policy, place),
            *another_councils_pack(policy, settings.council, place),
            *closures_without_an_emergency_number(policy, settings.council, place, today)]


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


def ack_words_nobody_reads(policy: Policy, place: PackPlace) -> list[str]:
    """`[ack.KIND] must_say` (or must_say_cy) where mailbot sends the acknowledgement
    (by = "mailbot"): no officer's acknowledgement is asked for, so nothing reads the
    words, and the protocol they were copied from most likely has the officer do it."""
    found = []
    for kind, rule in policy.ack.items():
        if rule.by == "officer":
            continue
        for key in ("must_say", "must_say_cy"):
            if getattr(rule, key).strip():
                found.append(
                    f"{place.key('ack', kind.value, key)}: is set, but with by = \"mailbot\" "
                    "mailbot's own acknowledgement counts and no officer's is asked for, so "
                    "nothing uses these words; set by = \"officer\" beside it if the "
                    "protocol has the officer acknowledge, else remove it"
                )
    return found


def _span(first: date, last: date) -> str:
    return day_text(first) if first == last else f"{day_text(first)} to {day_text(last)}"


def overlapping_closures(policy: Policy, place: PackPlace) -> list[str]:
    """Two closures that share days: each day is closed once whichever names it, so no date
    moves twice, but one of the two is most likely mistyped or written twice."""
    closures = policy.closures()
    found = []
    for i, first in enumerate(closures):
        for j in range(i + 1, len(closures)):
            second = closures[j]
            start, end = max(first.start, second.start), min(first.end, second.end)
            if start > end:
                continue
            found.append(
                f"{place.key('calendar', 'closures')}: number {i + 1} ({_named(first)}) and "
                f"number {j + 1} ({_named(second)}) overlap on {_span(start, end)}: a day is "
                "closed once whichever names it, so one of them is probably mistyped or "
                "written twice; check the dates"
            )
    return found


def _named(closure: Closure) -> str:
    return f"{closure.name}, {_span(closure.start, closure.end)}"


def another_councils_pack(
    policy: Policy, council: CouncilSettings, place: PackPlace
) -> list[str]:
    """The pack's `council` line is not the config's [council] name: a pack copied from
    another council's and not told whose it now is, or a shipped pack chosen for the
    wrong council. A council that has adopted another's protocol says so in its config."""
    written, ours = policy.council.strip(), council.name.strip()
    if " ".join(written.casefold().split()) == " ".join(ours.casefold().split()):
        return []
    return [
        f"{place.key('council')}: is {written!r}, but council.name is {ours!r}: "
        "check council.policy names your council's protocol. If it is your own pack, set "
        f"council = {_toml(ours)} in it; if {ours} has adopted {written}'s protocol, say so "
        f"with council = {_toml(ours)} under [policy] in the config (mail names "
        f"{ours} either way)"
    ]


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def closures_without_an_emergency_number(
    policy: Policy, council: CouncilSettings, place: PackPlace, today: date
) -> list[str]:
    """Closures still to come (or under way) with no [council] out_of_hours_telephone: a
    member acknowledged while the offices are shut is told to ring the usual number (or
    the council, unnamed) about what cannot wait, and nobody answers it then."""
    if council.out_of_hours_telephone:
        return []
    coming = [c for c in policy.closures() if c.end >= today]
    if not coming:
        return []
    usual = council.telephone or "the council's usual number"
    names = "; ".join(_named(c) for c in coming)
    return [
        f"{place.key('calendar', 'closures')}: council.out_of_hours_telephone is not set, so "
        f"a member acknowledged during a closure ({names}) is told to ring {usual} about "
        "what cannot wait (a danger to people or property), which nobody answers while "
        "the offices are shut; set council.out_of_hours_telephone to the emergency number"
    ]
