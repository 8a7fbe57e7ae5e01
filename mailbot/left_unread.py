"""Mail the backend could not read, left in the mailbox for a person: recorded where an
administrator looks, and told to the admins once.

A backend leaves a message in its folder when the server can never give it (Exchange
cannot turn S/MIME mail into MIME) or failed to give it UNREADABLE_AFTER times (see
mailbot/backends/unreadable.py): else one such message would stop every poll. Before, such
a message was only named in the log, which an administrator does not read, so a member's
enquiry could sit unanswered in the Inbox with no clock running. Each one is now:

- a quarantine row with the reason and no bytes (there are none: mailbot never read it),
  so `mailbot status` and `mailbot quarantine list` show it with the others. Its
  Message-ID is made from the backend, the mailbox and the message's ref, so a message
  left again (after a restart, or a resync) is recorded once;
- one email to the [directory] admins, keyed in the outbox by the same, so never twice;
  and no more than ALERTS_A_DAY of them in a day, however many messages are left (a mail
  store whose files all became unreadable, after a restore with the wrong owner, say):
  the last says that more are listed only in `mailbot status`. One still waiting in the
  outbox when its message has been read after all or dealt with is not sent
  (mailbot.alerts_at_send), and does not count towards the day's.

The row is a note for a person, not a message to run again: there is nothing to run. A
person opens the message in the mailbox (Outlook, a mail client), deals with it by hand,
and moves it out of the Inbox.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot import admin_alert, ledger
from mailbot.backends.base import kind_of
from mailbot.backends.unreadable import KeepsReadFailures, LeftUnread, ReportsUnread
from mailbot.mailbox_cursor import mailbox_read
from mailbot.model import FetchedMessage, MessageStatus
from mailbot.store import read_failures
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import MessageRow, OutboxRow

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

PURPOSE = "left_unread_alert"
# The last message row looked at for mail left unread and read after all (see
# _close_read_after_all)
CHECKED_KEY = "left_unread.checked_to"
# The Message-ID of a row for a message never read starts so: @mailbot.invalid can never
# be a real message's (RFC 6761 reserves .invalid).
ID_PREFIX = "<left-unread."
ID_DOMAIN = "@mailbot.invalid>"
ALERTS_A_DAY = 5  # alert mails in 24 hours, at most; the rest are in `mailbot status`
TO_DO = ("open it in the mailbox (Outlook, webmail or a mail client), deal with it by "
         "hand, and move it out of the folder")


@dataclass(frozen=True)
class Recorded:
    row_id: int
    alerted: bool  # an alert was queued now (False: no admins, or told before)


def is_left_unread(message_id: str) -> bool:
    """The row is for a message left in the mailbox unread, not one mailbot holds."""
    return message_id.startswith(ID_PREFIX) and message_id.endswith(ID_DOMAIN)


def recall(app: App, now: datetime) -> None:
    """Before a poll reads: the backend's memory of the messages it failed to read, from
    the database (see unreadable.ReadFailures), and the poll's time. A fresh backend
    (`mailbot poll --once`, a restart) so counts on from where the last run stopped."""
    backend = app.backend
    if not isinstance(backend, KeepsReadFailures):
        return
    memory = backend.read_failures()
    memory.at(now)
    kind = kind_of(backend)
    with app.store.transaction() as session:
        memory.restore(read_failures.load(session, kind, mailbox_read(app, kind)))


def _keep(app: App) -> None:
    """The backend's memory of failed reads, into the database (see recall)."""
    backend = app.backend
    if not isinstance(backend, KeepsReadFailures):
        return
    kind = kind_of(backend)
    with app.store.transaction() as session:
        read_failures.save(session, kind, mailbox_read(app, kind),
                           backend.read_failures().snapshot())


def record_left(app: App, now: datetime) -> list[Recorded]:
    """After each fetch, whether it failed or not: keep the backend's memory of failed
    reads (see recall); record what it left unread since it was last asked, and alert the
    admins once for each message not recorded before."""
    _keep(app)
    backend = app.backend
    if not isinstance(backend, ReportsUnread):
        return []
    kind = kind_of(backend)
    _close_read_after_all(app, kind, now)
    left = backend.take_left_unread()
    if not left:
        return []
    mailbox = mailbox_read(app, kind)
    return [r for r in (_record_one(app, kind, mailbox, one, now) for one in left) if r]


def _left_rows(session: Session, kind: str, status: str, refs: set[str] | None = None
               ) -> list[tuple[int, str]]:
    """(row id, ref) of this backend's left-unread rows in `status`, of `refs` if given.
    Only those columns: a quarantined or ignored message's bytes are not loaded."""
    query = select(MessageRow.id, MessageRow.backend_ref).where(
        MessageRow.status == status,
        MessageRow.message_id.startswith(f"{ID_PREFIX}{kind}.", autoescape=True),
        MessageRow.message_id.endswith(ID_DOMAIN, autoescape=True),
    )
    if refs is not None:
        query = query.where(MessageRow.backend_ref.in_(sorted(refs)))
    return [(row_id, ref) for row_id, ref in session.execute(query)]


def _ref_of(fetched_ref: str) -> str:
    """The message's ref as a LeftUnread names it: an EWS ref carries "|<change key>"."""
    return fetched_ref.partition("|")[0]


def _read_since(session: Session, after_id: int) -> dict[str, int]:
    """The messages mailbot recorded after message row `after_id`, by ref: their row id.
    (A range of the primary key: no scan of the whole table, which holds the mail.)"""
    found = session.execute(select(MessageRow.id, MessageRow.backend_ref, MessageRow.message_id)
                            .where(MessageRow.id > after_id))
    return {_ref_of(ref): row_id for row_id, ref, message_id in found
            if ref and not is_left_unread(message_id)}


def _close_read_after_all(app: App, kind: str, now: datetime) -> None:
    """A message left unread that a later try read (see unreadable.TRY_AGAIN_AFTER) has
    been recorded like any other mail: its row comes off `mailbot status`, which would
    otherwise ask a person to deal by hand with mail mailbot has answered. Only the rows
    recorded since the last look are read (CHECKED_KEY), so a poll stays cheap."""
    with app.store.transaction() as session:
        open_rows = _left_rows(session, kind, MessageStatus.QUARANTINED)
        top = session.scalar(select(func.max(MessageRow.id))) or 0
        checked = read_value(session, CHECKED_KEY)
        if open_rows:
            after = int(checked) if checked and checked.isdigit() else min(i for i, _ in open_rows)
            read = _read_since(session, min(after, top))
            for row_id, ref in open_rows:
                if ref not in read:
                    continue
                row = session.get(MessageRow, row_id)
                assert row is not None
                row.status = MessageStatus.IGNORED
                ledger.record_event(session, now, kind, "left unread, read after all",
                                    f"a later try read it (message row {read[ref]}); was: "
                                    f"{row.reason}"[:1000], message=row)
                log.info("poll: the message of quarantine row %d, left unread, was read after "
                         "all (message row %d)", row_id, read[ref])
        write_value(session, CHECKED_KEY, str(top))


def not_dealt_with(app: App, messages: list[FetchedMessage]) -> list[FetchedMessage]:
    """`messages` without those a person dealt with by hand after mailbot left them unread
    (`mailbot quarantine done`) and that a later try read (see unreadable.TRY_AGAIN_AFTER):
    answering one now would answer the member a second time. They stay where they are."""
    if not messages:
        return messages
    kind = kind_of(app.backend)
    refs = {_ref_of(m.ref) for m in messages}
    with app.store.transaction() as session:
        closed = _left_rows(session, kind, MessageStatus.IGNORED, refs)
        # (a row closed because mailbot read the message after all is not a person's: that
        # message, fetched again, goes its usual way, the Message-ID ledger knowing it)
        done = set()
        for row_id, ref in closed:
            if ref not in _read_since(session, row_id):
                done.add(ref)
    if not done:
        return messages
    for message in messages:
        if _ref_of(message.ref) in done:
            log.info("poll: message %s was left unread, and a person has dealt with it by "
                     "hand (mailbot quarantine done); it is left alone", message.ref)
    return [m for m in messages if _ref_of(m.ref) not in done]


def _record_one(
    app: App, kind: str, mailbox: str, left: LeftUnread, now: datetime
) -> Recorded | None:
    digest = hashlib.sha256(f"{kind}\n{mailbox}\n{left.ref}".encode()).hexdigest()[:40]
    message_id = f"{ID_PREFIX}{kind}.{digest}{ID_DOMAIN}"
    reason = (f"left unread in {left.shown} of {mailbox} ({kind}, message {left.ref}"
              f"{_described(left)}): {left.problem}; {TO_DO}")[:2000]
    with app.store.transaction() as session:
        known = session.scalar(select(MessageRow).where(MessageRow.message_id == message_id))
        if known is not None:
            return None  # recorded, and the admins told, when it was first left
        row = MessageRow(
            message_id=message_id, folder=left.folder, backend_ref=left.ref, raw=b"", size=0,
            received_at=now, status=MessageStatus.QUARANTINED, reason=reason,
            sender=left.sender, subject=left.subject,
        )
        session.add(row)
        session.flush()
        ledger.record_event(session, now, kind, "left unread", reason, message=row)
        alerted = _alert(app, session, left, kind, mailbox, digest, now)
        row_id = row.id
    log.warning("poll: %s (quarantine row %d)", reason, row_id)
    return Recorded(row_id, alerted)


def _described(left: LeftUnread) -> str:
    """", from X, subject 'Y'" for the parts the server could still tell."""
    said = f", from {left.sender}" if left.sender else ""
    return said + (f", subject {left.subject!r}" if left.subject else "")


def _alert(app: App, session: Session, left: LeftUnread, kind: str, mailbox: str,
           digest: str, now: datetime) -> bool:
    if not admin_alert.admins(app):
        return False
    sent_today = session.scalar(
        select(func.count(OutboxRow.id)).where(
            OutboxRow.purpose == PURPOSE, OutboxRow.created_at > now - timedelta(days=1),
            # one withdrawn unsent (its message dealt with first: alerts_at_send) told nobody
            OutboxRow.status != "withdrawn",
        )
    ) or 0
    if sent_today >= ALERTS_A_DAY:
        log.warning("poll: no alert mail for this message: %d were sent in the last 24 hours; "
                    "`mailbot status` lists it", sent_today)
        return False
    row = admin_alert.queue_alert(
        app,
        session,
        template=PURPOSE,
        dedup_key=f"{PURPOSE}:{digest}",  # once per message, across restarts
        context={
            "mailbox": mailbox,
            "backend": kind,
            "folder": left.shown,
            "ref": left.ref,
            "problem": left.problem,
            "sender": left.sender,
            "subject": left.subject,
            # the last alert allowed today says the next are only in `mailbot status`
            "last_today": ALERTS_A_DAY if sent_today + 1 == ALERTS_A_DAY else 0,
        },
        now=now,
    )
    return row is not None
