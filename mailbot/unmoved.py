"""Messages recorded in the database but not yet moved out of the Inbox.

A poll moves each batch once its transactions have committed and are on disk. When that
move cannot happen (the mailbox went away, readers kept the database from syncing, the
login may not write to Processed), the poll's cursor has still passed those messages, so
no later fetch would see them again and they would sit in the Inbox looking unhandled.
Their refs are kept here instead, and every poll first tries again to move them.

A ref is one backend's own (an EWS item id, an IMAP "UIDVALIDITY:UID"), so the refs are
kept with the name of the backend that wrote them and the mailbox they are in (see
mailbot.mailbox_cursor.mailbox_read): {"backend": "ews", "mailbox": "...", "refs": [...]}. After the
mailbox moves to another backend, or [mailbox] names another mailbox, they are let go, not
handed to it on every poll (an IMAP UIDVALIDITY:UID can name another account's message):
the poll starts from a fresh cursor, finds those messages still in the Inbox, knows them
by their Message-ID and moves them itself. A plain list, or no "mailbox", is as stored
before those were kept, and is still read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from mailbot.backends.base import BackendError, Mailbox, kind_of, mark_all_processed
from mailbot.store import Store
from mailbot.store.state import read_value, write_value

log = logging.getLogger(__name__)

UNMOVED_KEY = "backend.unmoved"
# Beyond this many (a login that may never move anything), the oldest are let go: they are
# recorded and handled, only left in the Inbox, and `mailbot status` shows the log's cause.
KEEP_AT_MOST = 10_000


def remember(store: Store, mailbox: Mailbox, refs: Sequence[str], owner: str = "") -> None:
    """Keep these refs, written by `mailbox` reading the mailbox `owner`, to move at the
    next poll."""
    if not refs:
        return
    kind = kind_of(mailbox)
    with store.transaction() as session:
        writer, kept_for, known = _decode(read_value(session, UNMOVED_KEY))
        if (writer is not None and writer != kind) or (kept_for and kept_for != owner):
            known = []  # another backend's or mailbox's refs: see move_remembered
        merged = list(dict.fromkeys([*known, *refs]))[-KEEP_AT_MOST:]
        write_value(session, UNMOVED_KEY,
                    json.dumps({"backend": kind, "mailbox": owner, "refs": merged}))


def move_remembered(
    store: Store, mailbox: Mailbox, owner: str = "", *, previous: str = ""
) -> tuple[int, BackendError | None]:
    """Move what earlier polls could not: how many are still waiting afterwards, and the
    mailbox's error if it would not move them. Their rows committed long ago, but the
    database is synced to disk first all the same. `owner` is the mailbox now read; refs
    kept for another are let go. `previous` is the mailbox read before, if [mailbox] has
    changed since: refs stored without the name of their mailbox (by an earlier version)
    are taken to be its."""
    with store.transaction() as session:
        writer, kept_for, refs = _decode(read_value(session, UNMOVED_KEY))
    kept_for = kept_for or previous
    if not refs:
        return 0, None
    kind = kind_of(mailbox)
    if writer is not None and writer != kind:
        log.warning(
            "poll: %d recorded message(s) the %s backend could not move to Processed are "
            "not handed to the %s backend (their ids are the %s backend's); the first poll "
            "finds them in the Inbox, knows them, and moves them",
            len(refs), writer, kind, writer,
        )
        return _let_go(store), None
    if kept_for and owner and kept_for != owner:
        log.warning(
            "poll: %d recorded message(s) that could not be moved to Processed in %s are "
            "not moved in %s, the mailbox now read (their ids are the other mailbox's)",
            len(refs), kept_for, owner,
        )
        return _let_go(store), None
    if not store.make_durable():
        return len(refs), None
    try:
        mark_all_processed(mailbox, refs)
    except BackendError as exc:
        log.info("poll: %d recorded message(s) still not moved in the mailbox: %s",
                 len(refs), exc)
        return len(refs), exc
    with store.transaction() as session:
        # Only this poller remembers refs (one per database), so all of them were moved.
        write_value(session, UNMOVED_KEY, None)
    log.info("poll: moved %d message(s) recorded by an earlier poll", len(refs))
    return 0, None


def waiting(session: Session, kind: str) -> int:
    """How many recorded messages are waiting to be moved out of the Inbox by the `kind`
    backend; another backend's are let go at the next poll (see move_remembered)."""
    writer, _, refs = _decode(read_value(session, UNMOVED_KEY))
    return len(refs) if writer is None or writer == kind else 0


def _let_go(store: Store) -> int:
    with store.transaction() as session:
        write_value(session, UNMOVED_KEY, None)
    return 0


def _decode(value: str | None) -> tuple[str | None, str, list[str]]:
    """(the backend that wrote the refs, None if not said; the mailbox they are in, "" if
    not said; the refs)."""
    if not value:
        return None, "", []
    decoded = json.loads(value)
    writer, owner = None, ""
    if isinstance(decoded, dict):
        named = decoded.get("backend")
        writer = named if isinstance(named, str) and named else None
        kept_for = decoded.get("mailbox")
        owner = kept_for if isinstance(kept_for, str) else ""
        decoded = decoded.get("refs")
    return writer, owner, [str(ref) for ref in decoded] if isinstance(decoded, list) else []
