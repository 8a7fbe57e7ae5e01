"""The memory of messages the mailbox failed to give (mailbot/backends/unreadable.py), kept
in the database, so that it lasts across runs of `mailbot poll --once` and restarts of the
daemon. Rows are per backend and mailbox read: a mailbox switched to another, and back,
finds its own again. There are at most unreadable.KEEP_AT_MOST of them a mailbox, and
usually none: a message read, or gone, is forgotten."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mailbot.backends.unreadable import Remembered
from mailbot.store.tables import ReadFailureRow

# The message column's size. No backend's key comes near it (an EWS or Graph id is about
# 150 characters); one that did would be remembered only as long as the backend object.
MAX_KEY_CHARS = 1000


def mailbox_key(backend: str, mailbox: str) -> str:
    """The rows' key for one backend reading one mailbox (mailbox_cursor.mailbox_read)."""
    return hashlib.sha256(f"{backend}\n{mailbox}".encode()).hexdigest()[:40]


def load(session: Session, backend: str, mailbox: str) -> list[Remembered]:
    """What is remembered for this mailbox, the least recently failed first."""
    rows = session.scalars(
        select(ReadFailureRow)
        .where(ReadFailureRow.mailbox == mailbox_key(backend, mailbox))
        .order_by(ReadFailureRow.last_failed_at, ReadFailureRow.id)
    )
    return [_remembered(row) for row in rows]


def save(session: Session, backend: str, mailbox: str, remembered: list[Remembered]) -> None:
    """Make this mailbox's rows say `remembered`: rows of messages no longer remembered go,
    the others are written where they changed."""
    key = mailbox_key(backend, mailbox)
    rows = {row.message: row for row in session.scalars(
        select(ReadFailureRow).where(ReadFailureRow.mailbox == key))}
    wanted = {one.key: one for one in remembered if len(one.key) <= MAX_KEY_CHARS}
    gone = [row.id for message, row in rows.items() if message not in wanted]
    if gone:
        session.execute(delete(ReadFailureRow).where(ReadFailureRow.id.in_(gone)))
    for message, one in wanted.items():
        row = rows.get(message)
        if row is None:
            session.add(ReadFailureRow(backend=backend, mailbox=key, message=message,
                                       **_columns(one)))
        elif _remembered(row) != one:
            for name, value in _columns(one).items():
                setattr(row, name, value)


def _columns(one: Remembered) -> dict[str, object]:
    return {"failures": one.failures, "first_failed_at": one.first_failed,
            "last_failed_at": one.last_failed, "left_at": one.left_at}


def _remembered(row: ReadFailureRow) -> Remembered:
    return Remembered(row.message, row.failures, row.first_failed_at, row.last_failed_at,
                      row.left_at)
