"""Messages recorded in the database but not yet moved out of the Inbox.

A poll moves each batch once its transactions have committed and are on disk. When that
move cannot happen (the mailbox went away, readers kept the database from syncing, the
login may not write to Processed), the poll's cursor has still passed those messages, so
no later fetch would see them again and they would sit in the Inbox looking unhandled.
Their refs are kept here instead, and every poll first tries again to move them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from mailbot.backends.base import BackendError, Mailbox, mark_all_processed
from mailbot.store import Store
from mailbot.store.state import read_value, write_value

log = logging.getLogger(__name__)

UNMOVED_KEY = "backend.unmoved"
# Beyond this many (a login that may never move anything), the oldest are let go: they are
# recorded and handled, only left in the Inbox, and `mailbot status` shows the log's cause.
KEEP_AT_MOST = 10_000


def remember(store: Store, refs: Sequence[str]) -> None:
    """Keep these refs to move at the next poll."""
    if not refs:
        return
    with store.transaction() as session:
        known = _decode(read_value(session, UNMOVED_KEY))
        merged = list(dict.fromkeys([*known, *refs]))[-KEEP_AT_MOST:]
        write_value(session, UNMOVED_KEY, json.dumps(merged))


def move_remembered(store: Store, mailbox: Mailbox) -> int:
    """Move what earlier polls could not; how many are still waiting afterwards. Their
    rows committed long ago, but the database is synced to disk first all the same."""
    with store.transaction() as session:
        refs = _decode(read_value(session, UNMOVED_KEY))
    if not refs:
        return 0
    if not store.make_durable():
        return len(refs)
    try:
        mark_all_processed(mailbox, refs)
    except BackendError as exc:
        log.info("poll: %d recorded message(s) still not moved in the mailbox: %s",
                 len(refs), exc)
        return len(refs)
    with store.transaction() as session:
        # Only this poller remembers refs (one per database), so all of them were moved.
        write_value(session, UNMOVED_KEY, None)
    log.info("poll: moved %d message(s) recorded by an earlier poll", len(refs))
    return 0


def waiting(session: Session) -> int:
    """How many recorded messages are waiting to be moved out of the Inbox."""
    return len(_decode(read_value(session, UNMOVED_KEY)))


def _decode(value: str | None) -> list[str]:
    if not value:
        return []
    decoded = json.loads(value)
    return [str(ref) for ref in decoded] if isinstance(decoded, list) else []
