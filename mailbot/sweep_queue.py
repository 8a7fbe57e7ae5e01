"""Queueing one mail a sweep found due (a reminder, a chase) and saying so in the case's
timeline: the one way the reminder sweep and the chases write to the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from mailbot import ledger, outbox
from mailbot.compose import Envelope
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow


class SweepMail(Protocol):
    """The words and the envelope of the mail, as outbox.Rewritten has them."""

    @property
    def rendered(self) -> Rendered: ...

    @property
    def envelope(self) -> Envelope: ...


def queue_once(
    session: Session,
    case: CaseRow,
    mail: SweepMail,
    *,
    purpose: str,
    dedup_key: str,
    now: datetime,
    action: str,
    step: str,
    notes: Sequence[tuple[str, str]] = (),
) -> str | None:
    """Queue `mail` under `dedup_key` and record `action` ("<step> to <recipient>"), any
    `notes` (action, detail) first; returns the recipient, or None if that key was queued
    already (nothing is recorded then: the timeline says it once, with the mail). Not an
    automatic reply: the mail is bounded by its dedup key, and the per-recipient cap for
    automatic replies must not swallow an officer's fifth reminder of the day."""
    row = outbox.queue(
        session,
        purpose=purpose,
        dedup_key=dedup_key,
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
        automatic=False,
    )
    if row is None:
        return None
    for note, detail in notes:
        ledger.record_event(session, now, "mailbot", note, detail, case=case)
    recipient = mail.envelope.to[0]
    ledger.record_event(session, now, "mailbot", action, f"{step} to {recipient}", case=case)
    return recipient
