"""Settling what the classifier was unsure of: a person relabels a case, and the
correction becomes training data for the next `mailbot train`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from mailbot import ledger
from mailbot.cases import reconcile_acknowledgement, refresh_deadlines
from mailbot.classify import append_correction
from mailbot.model import CaseStatus, Kind
from mailbot.parse import ParseFailure, parse_message
from mailbot.store.tables import CaseRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App


class TriageError(ValueError):
    pass


def relabel_case(app: App, ref: str, kind: Kind, *, who: str, now: datetime) -> CaseRow:
    """Set the case's kind, re-derive its dates under that kind's clock, record who and
    why, and append the member's message with its right label to the corrections file."""
    with app.store.transaction() as session:
        case = session.scalar(
            select(CaseRow).where(CaseRow.ref == ref.upper()).with_for_update()
        )
        if case is None:
            raise TriageError(f"no case {ref}")
        first = session.scalar(
            select(MessageRow).where(MessageRow.message_id == case.root_message_id)
        )
        old = case.kind
        case.kind = kind.value
        if case.status == CaseStatus.NEEDS_TRIAGE:
            case.status = CaseStatus.OPEN
        case.updated_at = now
        refresh_deadlines(app, session, case)
        reconcile_acknowledgement(app, session, case)
        ledger.record_event(
            session, now, who, "relabelled", f"{old} → {kind.value}; response due "
            f"{case.response_due}", case=case,
        )
    if first is not None:
        parsed = parse_message(first.raw)
        if not isinstance(parsed, ParseFailure):
            append_correction(app.settings.corrections_path, parsed, kind, who=who, when=now)
    return case
