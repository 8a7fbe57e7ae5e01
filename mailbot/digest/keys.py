"""A digest's dedup key in the outbox: digest:<recipient>:<council|team>:<ISO week>.

The outbox's unique index on it is the ledger: one digest per recipient, scope and week,
whatever restarts, re-runs or send-time rewriting (digest.at_send) happen.
"""

from __future__ import annotations

from typing import NamedTuple

PURPOSE = "digest"


class DigestKey(NamedTuple):
    recipient: str
    scope: str  # Scope.key: "council" or "team"
    week: str  # ISO week, "2026-W48"


def digest_key(recipient: str, scope: str, week: str) -> str:
    return f"{PURPOSE}:{recipient}:{scope}:{week}"


def scope_prefix(recipient: str, scope: str) -> str:
    """What every week's key for this recipient and scope starts with."""
    return f"{PURPOSE}:{recipient}:{scope}:"


def read_key(dedup_key: str) -> DigestKey | None:
    """The parts of a digest's key, read from the right (the week and the scope hold no
    colon); None for any other key."""
    head, _, rest = dedup_key.partition(":")
    rest, _, week = rest.rpartition(":")
    recipient, _, scope = rest.rpartition(":")
    if head != PURPOSE or not recipient or not scope or not week:
        return None
    return DigestKey(recipient, scope, week)
