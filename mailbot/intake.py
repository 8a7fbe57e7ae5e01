"""One message on its way through the pipeline's stages, and what became of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot.model import FetchedMessage, MessageStatus, ParsedMessage
from mailbot.store.tables import CaseRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App

PLAUSIBLE_DATE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Outcome:
    message_id: str
    status: MessageStatus
    reason: str = ""
    case_ref: str | None = None
    queued: tuple[str, ...] = ()  # outbox purposes written for this message


@dataclass
class Intake:
    """One message on its way through the stages."""

    app: App
    session: Session
    row: MessageRow
    message: ParsedMessage
    fetched: FetchedMessage
    now: datetime
    queued: list[str] = field(default_factory=list)
    parent: CaseRow | None = None  # an answered case this message follows up, past its window

    def settle(
        self, status: MessageStatus, reason: str = "", case: CaseRow | None = None
    ) -> Outcome:
        self.row.status = status
        self.row.reason = reason
        if case is not None:
            self.row.case_id = case.id
        return Outcome(
            self.row.message_id, status, reason, case.ref if case else None, tuple(self.queued)
        )


Stage = Callable[[Intake], Outcome | None]


def receipt_time(message: ParsedMessage, now: datetime) -> datetime:
    """When the member sent it, if their Date header is believable; else when we saw it.

    A daemon that was down over a weekend must not push a Friday message's clock to
    Monday, but a wrong or forged Date must not move a deadline into the past either.
    """
    if message.date and now - PLAUSIBLE_DATE_WINDOW <= message.date <= now:
        return message.date
    return now
