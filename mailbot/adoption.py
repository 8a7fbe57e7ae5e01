"""Taking over a mailbox that people already use: the mail already in its Inbox is theirs.

A shared mailbox usually goes live with months of mail in its Inbox, answered or being
answered by hand. Left to the first poll, each of those messages would open a case, and
each member would be acknowledged for mail they sent long ago ("received today", as a
Date that old is not believed). `mailbot adopt`, run once before the daemon's first
start, reads the Inbox to its end and moves the poll's place past it. Each message is
recorded by its Message-ID, sender and subject (not its content), so a later full
reread (an expired cursor, a change of backend) knows it and never answers it; it stays
where it is, in the Inbox, for the people handling it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot import ledger, mailbox_cursor
from mailbot.jobs import DAEMON_POLLED_KEY
from mailbot.model import FetchedMessage, MessageStatus
from mailbot.parse import parse_message
from mailbot.store.state import read_value
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

LEFT_TO_PEOPLE = "in the mailbox before mailbot took it over (mailbot adopt): left to people"
MAX_BATCHES = 100_000  # a bound, not a limit a real mailbox reaches: each batch is hundreds


class AlreadyPolling(Exception):
    """mailbot has read this database's mailbox before: adopting now would skip mail."""


@dataclass
class AdoptReport:
    left: int = 0  # messages recorded as left to people
    known: int = 0  # already recorded (the same message twice in the Inbox)


def _no_report(report: AdoptReport) -> None:
    return None


def _last_read(saved: str | None) -> str:
    """' (last on 2026-11-27 04:04)': the stored ISO time as `mailbot status` shows times
    (London, to the minute; '2026-11-27T04:04:24.548646+00:00' was the raw value); ''
    when no time was stored (a release before 26 November 2026 kept the place alone, and
    only its daemon noted its polls)."""
    if not saved:
        return ""
    try:
        moment = datetime.fromisoformat(saved)
    except ValueError:
        return f" (last on {saved})"
    return f" (last on {moment.astimezone(LONDON):%Y-%m-%d %H:%M})"


def adopt_mailbox(
    app: App, now: datetime, progress: Callable[[AdoptReport], None] = _no_report
) -> AdoptReport:
    """Record every message now in the mailbox's Inbox as left to people, then store the
    place after them, so the poll starts with the next message to arrive. With watch_sent,
    whatever of Sent Items a backend reads on a first fetch is recorded the same way.
    Nothing is moved, answered or sent. `progress` is called after each batch. Raises
    AlreadyPolling if the poll has stored a place already."""
    with app.store.transaction() as session:
        stored = read_value(session, mailbox_cursor.CURSOR_KEY)
        saved = read_value(session, mailbox_cursor.CURSOR_SAVED_KEY) or read_value(
            session, DAEMON_POLLED_KEY)
    if stored is not None:
        raise AlreadyPolling(
            f"mailbot has read this mailbox already{_last_read(saved)}; "
            "adopt is for the first start, before `mailbot run` or `mailbot poll --once`"
        )
    report = AdoptReport()
    cursor: str | None = None
    for _ in range(MAX_BATCHES):
        messages, cursor_after = app.backend.fetch_new(cursor)
        _record(app, messages, now, report)
        if cursor_after is not None and cursor_after != cursor:
            mailbox_cursor.save(app, cursor_after, now)
        progress(report)
        if not messages or cursor_after == cursor:
            break
        cursor = cursor_after
    return report


def _record(app: App, messages: list[FetchedMessage], now: datetime, report: AdoptReport) -> None:
    """One transaction a batch: who sent each message and what about, never its bytes."""
    with app.store.transaction() as session:
        for fetched in messages:
            message_id, seen = ledger.ledger_key(session, fetched.raw)
            if seen is not None:
                report.known += 1
                continue
            without_content = replace(fetched, raw=b"")
            row = ledger.record_message(
                session, without_content, message_id, now, parse_message(fetched.raw)
            )
            row.size = len(fetched.raw)
            row.status, row.reason = MessageStatus.IGNORED, LEFT_TO_PEOPLE
            report.left += 1
