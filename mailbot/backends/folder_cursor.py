"""The cursor of a backend that watches two folders (Inbox and Sent Items, `watch_sent`):
a JSON object {"inbox": …, "sent": …}. A plain string is an Inbox-only cursor, as stored
before watch_sent was switched on; the servers' own states (EWS base64 sync states,
Graph delta links) never start with "{", so the two cannot be confused.

One fetch holds at most about `budget` bytes of mail (see byte_budget). The server's place
moves on a page of ids at a time, and a page of 35 MB planning drawings can be gigabytes,
so ids found but not yet read when the budget is spent are kept in the cursor, under
"unread" ({"inbox": [...], "sent": [...]}): the next fetch reads them first, before asking
the server for more. The cursor is then a JSON object even without watch_sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mailbot.backends.base import CursorExpired
from mailbot.model import FetchedMessage

Round = Callable[[str | None], tuple[list[Any], str | None]]
# Reads the ids of a folder ("inbox" or "sent") in order while the batch has room, given
# the bytes of mail the batch already holds: the messages read, and the ids left unread.
Download = Callable[[list[Any], str, int], tuple[list[FetchedMessage], list[Any]]]
FOLDERS = ("inbox", "sent")


def split(cursor: str | None, backend: str) -> tuple[str | None, str | None]:
    """(Inbox place, Sent Items place); a cursor we cannot read means starting afresh."""
    inbox, sent, _ = read(cursor, backend)
    return inbox, sent


def read(cursor: str | None, backend: str) -> tuple[str | None, str | None, dict[str, list[Any]]]:
    """(Inbox place, Sent Items place, ids still to read by folder)."""
    if cursor is None or not cursor.startswith("{"):
        return cursor, None, {}
    try:
        parts = json.loads(cursor)
        inbox, sent, unread = parts.get("inbox"), parts.get("sent"), parts.get("unread", {})
        left = {f: unread.get(f) for f in FOLDERS if isinstance(unread.get(f), list)}
    except (ValueError, AttributeError):
        unreadable = f"{backend}: the stored cursor is unreadable; starting afresh"
        raise CursorExpired(unreadable) from None
    return (
        (inbox if isinstance(inbox, str) else None),
        (sent if isinstance(sent, str) else None),
        {folder: ids for folder, ids in left.items() if ids},
    )


def join(inbox: str | None, sent: str | None, unread: dict[str, list[Any]] | None = None) -> str:
    parts: dict[str, Any] = {"inbox": inbox, "sent": sent}
    left = {folder: ids for folder, ids in (unread or {}).items() if ids}
    if left:
        parts["unread"] = left
    return json.dumps(parts)


def fetch_both(
    cursor: str | None,
    backend: str,
    *,
    watch_sent: bool,
    inbox_round: Round,
    sent_round: Round,
    download: Download,
) -> tuple[list[FetchedMessage], str | None]:
    """One fetch over the Inbox, and Sent Items with watch_sent, of at most about a byte
    budget of mail (see `download`). If only the Inbox place has expired, CursorExpired
    carries a resume cursor that keeps the Sent Items place, so no officer's reply sent
    meanwhile is skipped."""
    inbox_place, sent_place, unread = read(cursor, backend)
    if unread:  # the last fetch's ids first: its places already lie beyond them
        return _read_unread(inbox_place, sent_place, unread, watch_sent, download)
    try:
        found, inbox_next = inbox_round(inbox_place)
    except CursorExpired as expired:
        if not watch_sent or sent_place is None:
            raise
        resume = join(None, sent_place)
        raise CursorExpired(str(expired), resume_cursor=resume) from expired
    messages, left = download(found, "inbox", 0)
    if left:  # Sent Items wait until the Inbox ids found are read
        return messages, join(inbox_next, sent_place, {"inbox": left})
    if not watch_sent:
        return messages, inbox_next
    sent_found, sent_next = sent_round(sent_place)
    more, left = download(sent_found, "sent", _bytes(messages))
    return messages + more, join(inbox_next, sent_next, {"sent": left})


def _read_unread(
    inbox: str | None,
    sent: str | None,
    unread: dict[str, list[Any]],
    watch_sent: bool,
    download: Download,
) -> tuple[list[FetchedMessage], str | None]:
    messages: list[FetchedMessage] = []
    left: dict[str, list[Any]] = {}
    for folder in FOLDERS:
        ids = unread.get(folder, [])
        if left:  # the budget is spent: the rest waits too
            left[folder] = ids
            continue
        read_now, left_over = download(ids, folder, _bytes(messages))
        messages += read_now
        if left_over:
            left[folder] = left_over
    left = {folder: ids for folder, ids in left.items() if ids}
    if not left and not watch_sent and sent is None:
        return messages, inbox  # back to the plain cursor
    return messages, join(inbox, sent, left)


def _bytes(messages: list[FetchedMessage]) -> int:
    return sum(len(message.raw) for message in messages)
