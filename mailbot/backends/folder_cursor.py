"""The cursor of a backend that watches two folders (Inbox and Sent Items, `watch_sent`):
a JSON object {"inbox": …, "sent": …}. A plain string is an Inbox-only cursor, as stored
before watch_sent was switched on; the servers' own states (EWS base64 sync states,
Graph delta links) never start with "{", so the two cannot be confused."""

from __future__ import annotations

import json

from mailbot.backends.base import CursorExpired


def split(cursor: str | None, backend: str) -> tuple[str | None, str | None]:
    """(Inbox place, Sent Items place); a cursor we cannot read means starting afresh."""
    if cursor is None or not cursor.startswith("{"):
        return cursor, None
    try:
        parts = json.loads(cursor)
        inbox, sent = parts.get("inbox"), parts.get("sent")
    except (ValueError, AttributeError):
        unreadable = f"{backend}: the stored cursor is unreadable; starting afresh"
        raise CursorExpired(unreadable) from None
    return (inbox if isinstance(inbox, str) else None), (sent if isinstance(sent, str) else None)


def join(inbox: str | None, sent: str | None) -> str:
    return json.dumps({"inbox": inbox, "sent": sent})
