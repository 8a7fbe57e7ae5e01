"""Where the poll is in the mailbox, and whose place that is.

The stored cursor is one backend's own, for one mailbox: an EWS sync state handed to Graph
would be sent to it as a URL, and a Graph delta link or an IMAP UIDVALIDITY:UID names the
mailbox or account it was made for. So the cursor is stored with marks saying which
backend wrote it, for which mailbox, and when; a cursor that is not the configured
backend's and mailbox's is not used, and the Inbox is read afresh, once (mail already
recorded is known by its Message-ID, so nothing is answered twice). See
docs/backends/switching.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot.backends.base import kind_of
from mailbot.store.state import read_value, write_value

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

CURSOR_KEY = "backend.cursor"
# Which backend wrote the cursor ("ews", "graph"...). A cursor is one backend's own: an EWS
# sync state handed to Graph would be sent to it as a URL. Cursors stored before this mark
# existed have none; each backend then refuses one it cannot read (CursorExpired).
CURSOR_BACKEND_KEY = "backend.cursor_backend"
# When the poll that stored the cursor ran (UTC, ISO 8601): where the next backend starts
# Sent Items after a change (every poll since may not have saved one: an earlier time is
# safe, what is read twice is a duplicate).
CURSOR_SAVED_KEY = "backend.cursor_saved"
# Which mailbox the cursor is for (see mailbox_read): a Graph delta link or an EWS sync
# state names the mailbox it was made for, an IMAP UIDVALIDITY:UID is one account's, so
# another [mailbox] address or IMAP account must start afresh. A cursor stored before this
# mark existed has none; it is taken to be the configured mailbox's and marked so.
CURSOR_MAILBOX_KEY = "backend.cursor_mailbox"


@dataclass(frozen=True)
class Place:
    """The cursor to fetch from (None: the whole Inbox), and why it is a fresh start if so."""

    cursor: str | None
    # (the backend that wrote the stored cursor, the one in use) after a change of backend
    switched: tuple[str, str] | None = None
    # (the mailbox the stored cursor was for, the one read now) on the same backend
    mailbox_changed: tuple[str, str] | None = None

    @property
    def afresh(self) -> bool:
        return self.switched is not None or self.mailbox_changed is not None


def load(app: App) -> Place:
    """The stored cursor, or a fresh start if another backend wrote it (the mailbox moved
    from EWS to Graph, say) or it is another mailbox's."""
    kind = kind_of(app.backend)
    here = mailbox_read(app, kind)
    with app.store.transaction() as session:
        cursor = read_value(session, CURSOR_KEY)
        writer = read_value(session, CURSOR_BACKEND_KEY)
        saved = read_value(session, CURSOR_SAVED_KEY)
        owner = read_value(session, CURSOR_MAILBOX_KEY)
        if cursor is not None and writer == kind and owner is None:
            write_value(session, CURSOR_MAILBOX_KEY, here)  # marked before mailboxes were
            owner = here
    if cursor is None or writer is None:
        return Place(cursor)
    if writer == kind:
        if owner == here:
            return Place(cursor)
        log.warning(
            "poll: [mailbox] now reads another mailbox, %s, than the stored cursor's, %s: "
            "reading its Inbox afresh, once (mail already recorded is not answered again)",
            here, owner,
        )  # fmt: skip
        return Place(None, mailbox_changed=(owner or "", here))
    log.warning(
        "poll: [mailbox] backend changed from %s to %s: reading the Inbox afresh, once "
        "(mail already recorded is not answered again)",
        writer, kind,
    )  # fmt: skip
    return Place(_fresh_cursor(app, saved), switched=(writer, kind))


def save(app: App, cursor: str | None, now: datetime) -> None:
    with app.store.transaction() as session:
        write_value(session, CURSOR_KEY, cursor)
        kind = kind_of(app.backend)
        write_value(session, CURSOR_BACKEND_KEY, kind if cursor else None)
        write_value(session, CURSOR_MAILBOX_KEY, mailbox_read(app, kind) if cursor else None)
        write_value(session, CURSOR_SAVED_KEY, now.isoformat() if cursor else None)


def mailbox_read(app: App, kind: str) -> str:
    """The mailbox the `kind` backend reads under the configuration, in words: the
    [mailbox] address; for IMAP also the account and folder, which are what its cursor
    belongs to; for a maildir its folder."""
    box = app.settings.mailbox
    address = box.address.lower()
    if kind == "imap":
        imap = box.imap
        return (f"{address} (IMAP {imap.username} at {imap.host.lower()}:{imap.port}, "
                f"{imap.inbox})")
    if kind == "maildir":
        return f"{address} (maildir {box.maildir.path})"
    return address


def _fresh_cursor(app: App, saved: str | None) -> str | None:
    """Where the new backend starts: from nothing, or where the old one left off if it
    can (Graph's Sent Items from that time, with watch_sent)."""
    start: Callable[[datetime], str | None] | None = getattr(app.backend, "fresh_cursor", None)
    if start is None or saved is None:
        return None
    try:
        since = datetime.fromisoformat(saved)
    except ValueError:
        return None
    return start(since) if since.tzinfo is not None else None
