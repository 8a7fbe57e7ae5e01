"""Who gets a digest, and whose cases each one covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    """(recipient, scope): the configured council-wide recipients, then each manager."""
    config = app.settings.digest
    targets = [(r.lower(), WHOLE_COUNCIL) for r in config.recipients]
    if not config.managers:
        return targets
    teams: dict[str, set[str]] = {}
    for officer in app.directory.officers.values():
        if officer.manager_email:
            teams.setdefault(officer.manager_email, set()).add(officer.email)
    for manager, team in sorted(teams.items()):
        services = sorted(
            {o.service for e in team if (o := app.directory.officer(e)) and o.service}
        )
        label, label_cy = (", ".join(services),) * 2 if services else ("your team", "eich tîm")
        targets.append((manager, Scope("team", label, frozenset({*team, manager}), label_cy)))
    return targets
