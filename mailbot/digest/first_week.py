"""A new installation's first digest goes at the next digest time, not the moment it first
runs: a council that starts mailbot on a Wednesday, after that week's Monday digest time,
would otherwise be sent a digest at once reporting a week mailbot was not there for (all
noughts). A daemon that was down at the digest time still sends that week's when it is
back (send.py): what tells the two apart is when mailbot began on this database.

That is recorded once, the first time the digest job looks (the `state` table). A database
with history from before this release (a ledger entry) began at its oldest entry, so an
upgrade never loses a digest that was due.

The same moment bounds the digest's trend (`weeks_shown`): weeks that ended before mailbot
began are left out rather than shown as noughts, as if nothing had come in. A case received
earlier (history brought in, or a test's) moves that moment back.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.digest.periods import WEEKS, Periods, local_day, monday_of
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import CaseRow, EventRow

log = logging.getLogger(__name__)

BEGAN_KEY = "digest_began"


def mailbot_began(session: Session, now: datetime) -> datetime:
    """When mailbot began on this database, recorded the first time it is asked."""
    saved = read_value(session, BEGAN_KEY)
    if saved is not None:
        return datetime.fromisoformat(saved)
    oldest = session.scalar(select(func.min(EventRow.at)))
    began = min(oldest, now) if oldest is not None else now
    write_value(session, BEGAN_KEY, began.isoformat())
    return began


def began_after(session: Session, slot: datetime, now: datetime, *, say: bool) -> bool:
    """Whether mailbot began on this database after this week's digest time; `say`: in the
    log, once, when it is first known."""
    known = read_value(session, BEGAN_KEY) is not None
    after = mailbot_began(session, now) > slot
    if after and not known and say:
        log.info("digest: mailbot began after this week's digest time (%s): the first "
                 "digest goes at next week's", f"{slot:%A %H:%M}")
    return after


def began_on(session: Session) -> date | None:
    """The day (in London) mailbot began on this database, as far as its rows show; read
    only, so a digest drawn by hand before the first weekly one changes nothing."""
    saved = read_value(session, BEGAN_KEY)
    moments = [
        datetime.fromisoformat(saved) if saved is not None else None,
        session.scalar(select(func.min(EventRow.at))),
        session.scalar(select(func.min(CaseRow.received_at))),
    ]
    known = [moment for moment in moments if moment is not None]
    return local_day(min(known)) if known else None


def weeks_shown(periods: Periods, began: date | None) -> int:
    """How many of the window's last weeks the trend shows: those from the week mailbot
    began in (all 12 once it has run that long, or when nothing says when it began)."""
    if began is None:
        return WEEKS
    skipped = (monday_of(began) - periods.window_start).days // 7
    return WEEKS - min(WEEKS, max(0, skipped))
