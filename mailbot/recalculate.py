"""Open cases' stored due dates, worked out again when what they depend on has changed.

A case's due dates are derived from its receipt time, its clock events and the policy
(mailbot/clock.py). The cases table keeps a copy for listing, sorting and the digest, and
that copy would go stale when a council proclaims a bank holiday or adds a closure day
to its config, or when a new release of the `holidays` package adds one: the next start
would load the new calendar, but the open cases would keep their old dates until
something else touched them. So the policy's fingerprint is kept in `state`, and when it
differs every open case's dates are derived again and any move is recorded on the case.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import ledger
from mailbot.cases import refresh_deadlines
from mailbot.model import FINISHED
from mailbot.policy import Policy
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from datetime import date, datetime

    from mailbot.app import App

log = logging.getLogger(__name__)

FINGERPRINT_KEY = "policy_fingerprint"
BATCH = 200  # cases per transaction, so a large council's first run stays light


def policy_fingerprint(policy: Policy) -> str:
    """Changes whenever a due date could: any value of the pack or the council's overrides
    (days, cutoff, one-off holidays, closures, region) or the holidays package's release."""
    text = f"{policy.model_dump_json()}\nholidays {holidays.__version__}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recalculate_if_policy_changed(app: App, now: datetime) -> int | None:
    """Derive open cases' due dates again if the policy changed since the last run.
    Returns how many cases' dates moved, or None if nothing had changed."""
    fingerprint = policy_fingerprint(app.policy)
    with app.store.transaction() as session:
        if read_value(session, FINGERPRINT_KEY) == fingerprint:
            return None
        ids = list(session.scalars(select(CaseRow.id).where(CaseRow.status.not_in(FINISHED))))
    moved = 0
    for start in range(0, len(ids), BATCH):
        with app.store.transaction() as session:
            chunk = ids[start : start + BATCH]
            for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(chunk))):
                moved += _recalculate(app, session, case, now)
    with app.store.transaction() as session:
        write_value(session, FINGERPRINT_KEY, fingerprint)
    if ids:
        log.info(
            "policy %s or its calendar changed: due dates of %d open cases worked out again, "
            "%d moved", app.policy.name, len(ids), moved,
        )
    return moved


def _recalculate(app: App, session: Session, case: CaseRow, now: datetime) -> int:
    before = (case.ack_due, case.response_due)
    if case.status in FINISHED:  # answered between the two transactions
        return 0
    refresh_deadlines(app, session, case)
    after = (case.ack_due, case.response_due)
    if after == before:
        return 0
    changes = [
        f"{what} due {_iso(old)} -> {_iso(new)}"
        for what, old, new in zip(("acknowledgement", "response"), before, after, strict=True)
        if old != new
    ]
    ledger.record_event(
        session,
        now,
        "mailbot",
        "due dates moved",
        "the policy or its calendar changed (a holiday or closure day added or removed): "
        + "; ".join(changes),
        case=case,
    )
    return 1


def _iso(day: date | None) -> str:
    return "none" if day is None else str(day)
