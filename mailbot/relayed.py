"""Mail a list relay passed on before [loops] relay_list_ids named it: read it again.

A shared mailbox fed through a Google Group or another list relay records every member's
mail as bulk (list) mail, and nobody is answered, until the relay is named in
[loops] relay_list_ids (`mailbot status` says when that seems to be the case). The
messages dropped before then are still in the ledger with their bytes (for
[retention] dropped_mail_days): `mailbot relay reread` runs each through the pipeline
again, now seeing it as its sender sent it. Each is handled as if it had just arrived,
its clock counted from when it first did, so a member's enquiry is acknowledged and
assigned, and shows as late if it is. A newsletter that came through the relay is still
bulk mail and is dropped again. Each message is read again once only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mailbot import ledger
from mailbot.model import Automatic, MessageStatus
from mailbot.own_relay import came_through_relay
from mailbot.parse import ParseFailure, parse_message
from mailbot.pipeline import Outcome, reprocess
from mailbot.store.tables import EventRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App

REREAD = "relay reread"  # the event that marks a message as read again


@dataclass(frozen=True)
class Dropped:
    """A message recorded as list mail that came through a configured relay."""

    id: int
    received_at: datetime
    message_id: str
    sender: str
    subject: str


@dataclass(frozen=True)
class Found:
    dropped: list[Dropped]
    erased: int  # dropped through the relay too, but the retention purge erased the bytes


def find_dropped(app: App, since: datetime) -> Found:
    """Messages received since `since`, dropped as bulk mail, that came through a relay in
    [loops] relay_list_ids and were not read again yet; oldest first."""
    relays = set(app.settings.loops.relay_list_ids)
    dropped: list[Dropped] = []
    erased = 0
    if not relays:
        return Found(dropped, erased)
    with app.store.reading() as session:
        for row in session.scalars(_candidates(since)):
            if row.purged_at is not None or not row.raw:
                erased += 1  # cannot tell its List-Id any more; counted, not shown
            elif _came_through(row.raw, relays):
                dropped.append(
                    Dropped(row.id, row.received_at, row.message_id, row.sender, row.subject)
                )
    return Found(dropped, erased)


def _came_through(raw: bytes, relays: Collection[str]) -> bool:
    parsed = parse_message(raw)
    return not isinstance(parsed, ParseFailure) and came_through_relay(parsed, relays)


def reread(app: App, row_id: int, now: datetime, *, by: str) -> Outcome:
    """Run one dropped message through the pipeline again, in one transaction."""
    with app.store.transaction() as session:
        row = session.get(MessageRow, row_id, with_for_update=True)
        if row is None or not _still_dropped(session, row):
            raise ValueError(f"message row {row_id} is not relay mail waiting to be read again")
        ledger.record_event(
            session, now, by, REREAD, f"was dropped: {row.reason}"[:1000], message=row
        )
        return reprocess(app, session, row, now)


def _candidates(since: datetime) -> Select[MessageRow]:
    already = select(EventRow.message_id).where(
        EventRow.action == REREAD, EventRow.message_id.is_not(None)
    )
    return (
        select(MessageRow)
        .where(
            MessageRow.status == MessageStatus.AUTOMATIC,
            MessageRow.automatic == Automatic.BULK.value,
            MessageRow.received_at >= since,
            MessageRow.id.not_in(already),
        )
        .order_by(MessageRow.received_at, MessageRow.id)
    )


def _still_dropped(session: Session, row: MessageRow) -> bool:
    if row.status != MessageStatus.AUTOMATIC or row.automatic != Automatic.BULK.value:
        return False
    if row.purged_at is not None or not row.raw:
        return False
    done = session.scalar(
        select(EventRow.id).where(EventRow.action == REREAD, EventRow.message_id == row.id)
    )
    return done is None
