"""Who gets a digest, and whose cases each one covers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailbot.addresses import address_key

if TYPE_CHECKING:
    from mailbot.app import App


@dataclass(frozen=True)
class Scope:
    """Whose cases a digest covers: a manager's team, or everyone (officers None)."""

    key: str  # "council" or "team": part of the dedup key
    label: str
    officers: frozenset[str] | None
    label_cy: str = ""  # for a bilingual council's digest; "" when the label is the same


WHOLE_COUNCIL = Scope("council", "the whole council", None, "y cyngor cyfan")


def digest_targets(app: App) -> list[tuple[str, Scope]]:
    """(recipient, scope): the configured council-wide recipients, then each manager.
    One digest per person: an address written in two forms (caerdydd-ŵ.cymru and
    xn--caerdydd--j9b.cymru, in the config or as different officers' manager_email) is
    one recipient, sent to in the form first written. A manager who is also a council-wide
    recipient gets the whole council's digest only: it lists their team's cases among
    everyone's, and a second one the same morning, its overdue count different, would
    leave them to work out which to believe."""
    config = app.settings.digest
    targets = [(r, WHOLE_COUNCIL) for r in _first_of_each(r.lower() for r in config.recipients)]
    if not config.managers:
        return targets
    whole_council = {address_key(r) for r, _ in targets}
    managers: dict[str, str] = {}  # address_key -> the manager's address as first written
    teams: dict[str, set[str]] = {}
    for officer in app.directory.officers.values():
        if officer.manager_email:
            key = address_key(officer.manager_email)
            managers.setdefault(key, officer.manager_email)
            teams.setdefault(key, set()).add(officer.email)
    for manager, key in sorted((written, key) for key, written in managers.items()):
        if key in whole_council:
            continue
        team = teams[key]
        services = sorted(
            {o.service for e in team if (o := app.directory.officer(e)) and o.service}
        )
        label, label_cy = (", ".join(services),) * 2 if services else ("your team", "eich tîm")
        # The manager's own cases are under their address as officers.csv lists it.
        own = app.directory.as_listed(manager)
        targets.append((manager, Scope("team", label, frozenset({*team, own}), label_cy)))
    return targets


def _first_of_each(addresses: Iterable[str]) -> list[str]:
    """The addresses in order, each person once (by address_key), as first written."""
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address_key(address), address)
    return list(seen.values())
