"""A queued digest looked at again when it is about to go (the outbox's send-time review).

A digest is rendered when its time comes, but the mail server may be down, or sending
held, for days. Sent as rendered, Monday's digest would reach managers on Thursday with
Monday's "overdue" and "due this week", saying nothing of its age. So, just before it goes:

- a digest whose ISO week is over, or for whose recipient and scope a later week's digest
  is queued, or whose next digest is due within a day, is withdrawn (kept, never sent):
  the next digest's "last week" is that week, and its "now" is current. Two digests never
  arrive together;
- one queued more than REWRITE_AFTER ago is drawn again from the cases as they are now,
  under the same dedup key and Message-ID (never a second digest that week), and says
  that it was held back and when its figures are from;
- a recipient who no longer gets that digest (a manager left officers.csv, the digest
  turned off) is not sent it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.addresses import same_address
from mailbot.digest.context import build_digest
from mailbot.digest.keys import PURPOSE, DigestKey, read_key, scope_prefix
from mailbot.digest.periods import iso_week, local_day
from mailbot.digest.recipients import Scope, digest_targets
from mailbot.digest.send import digest_envelope, digest_slot, render_digest
from mailbot.outbox import SEND_AS_QUEUED, Rewritten, Verdict
from mailbot.store.tables import OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

# A digest that waited longer than this is drawn again: a retry after a busy server a few
# minutes on keeps the figures it was rendered with.
REWRITE_AFTER = timedelta(hours=2)
# Held until Sunday evening, a Monday digest would arrive hours before the next one.
NEXT_TOO_CLOSE = timedelta(hours=24)


def review_digest(app: App, session: Session, row: OutboxRow, now: datetime) -> Verdict:
    """Send it as rendered, drawn again for `now`, or not at all (see the module's words)."""
    key = read_key(row.dedup_key)
    if key is None:
        return Verdict(withdrawn=f"its dedup key {row.dedup_key!r} names no digest")
    if newer := _newer_digest(session, row, key):
        return Verdict(withdrawn=f"the digest of {newer} is queued for {key.recipient}, "
                                 "with the figures as they are now")
    if iso_week(local_day(now)) != key.week:
        return Verdict(withdrawn=f"its week ({key.week}) is over: the next week's digest "
                                 "covers it as last week, with the figures as they are now")
    next_due = digest_slot(app, now + timedelta(days=7))
    if next_due - now <= NEXT_TOO_CLOSE:
        return Verdict(withdrawn=f"the next digest is due within a day "
                                 f"({next_due:%A %d %B %H:%M}), with the figures then")
    scope = _scope_of(app, key)
    if scope is None:
        return Verdict(withdrawn=f"{key.recipient} no longer gets the {key.scope} digest")
    if now - row.created_at <= REWRITE_AFTER:
        return SEND_AS_QUEUED
    return Verdict(rewritten=_drawn_again(app, session, row, key, scope, now))


def _newer_digest(session: Session, row: OutboxRow, key: DigestKey) -> str:
    """The week of a later digest queued for the same recipient and scope, or ""."""
    prefix = scope_prefix(key.recipient, key.scope)
    later = session.scalars(
        select(OutboxRow.dedup_key).where(
            OutboxRow.purpose == PURPOSE,
            OutboxRow.dedup_key.startswith(prefix, autoescape=True),
            OutboxRow.dedup_key > row.dedup_key,
        ).order_by(OutboxRow.dedup_key.desc())
    ).first()
    return later.removeprefix(prefix) if later else ""


def _scope_of(app: App, key: DigestKey) -> Scope | None:
    if not app.settings.digest.enabled:
        return None
    return next((scope for recipient, scope in digest_targets(app)
                 if same_address(recipient, key.recipient) and scope.key == key.scope), None)


def _drawn_again(
    app: App, session: Session, row: OutboxRow, key: DigestKey, scope: Scope, now: datetime
) -> Rewritten:
    context = build_digest(app, session, scope, now, key.recipient)
    local = now.astimezone(LONDON)
    context["digest"] = {
        **context["digest"],
        "held_since": row.created_at.astimezone(LONDON).date(),
        "as_at": local.date(),
        "as_at_time": f"{local:%H:%M}",
    }
    rendered, images = render_digest(app, context)
    return Rewritten(rendered, digest_envelope(app, key.recipient), tuple(images))
