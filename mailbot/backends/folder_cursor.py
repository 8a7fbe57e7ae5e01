"""The cursor of a backend that watches two folders (Inbox and Sent Items, `watch_sent`):
a JSON object {"inbox": …, "sent": …}. A plain string is an Inbox-only cursor, as stored
before watch_sent was switched on; the servers' own states (EWS base64 sync states,
Graph delta links) never start with "{", so the two cannot be confused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from mailbot.backends.base import CursorExpired
from mailbot.model import FetchedMessage

Found = TypeVar("Found")  # what a round finds: item ids, (id, changekey) pairs...
Round = Callable[[str | None], tuple[Found, str | None]]


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


def fetch_both(
    cursor: str | None,
    backend: str,
    *,
    watch_sent: bool,
    inbox_round: Round[Found],
    sent_round: Round[Found],
    download: Callable[[Found, str], list[FetchedMessage]],
) -> tuple[list[FetchedMessage], str | None]:
    """One fetch over the Inbox, and Sent Items with watch_sent. If only the Inbox place
    has expired, CursorExpired carries a resume cursor that keeps the Sent Items place,
    so no officer's reply sent meanwhile is skipped."""
    inbox_place, sent_place = split(cursor, backend)
    try:
        found, inbox_next = inbox_round(inbox_place)
    except CursorExpired as expired:
        if not watch_sent or sent_place is None:
            raise
        resume = join(None, sent_place)
        raise CursorExpired(str(expired), resume_cursor=resume) from expired
    messages = download(found, "inbox")
    if not watch_sent:
        return messages, inbox_next
    sent_found, sent_next = sent_round(sent_place)
    messages += download(sent_found, "sent")
    return messages, join(inbox_next, sent_next)
