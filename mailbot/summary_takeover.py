"""An officer's daily summaries that waited in the outbox: the newest takes over the rest.

Each working day's summary ("Your cases to answer", reminders.SUMMARY) has its own dedup
key, reminder_summary:<officer>:<day>, and lists the cases whose reminders fell due that
day. With the mail server down from Thursday to Friday, Thursday's and Friday's would
arrive together, each written again for Friday, in two mails. So when summaries for one
officer are waiting, only the newest goes, listing the cases of the older ones too (each
checked as it would be alone, mailbot.still_due); the older ones are withdrawn, their
reason naming the summary that took them over. One the outbox gave up on (`failed`,
after its last try) is taken over the same way: it was never received.

An older summary is not withdrawn merely because its day has passed: with no newer one,
it is the only mail that tells the officer of its cases (their reminders are given, under
their own keys, and never queued again), so it goes, written again for the day it goes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.reminders import SUMMARY, listed_reason
from mailbot.store.tables import OutboxRow

# A summary whose mail went nowhere is no summary of its cases; one that went, or may
# have (a person decides), is.
_NOT_TOLD = ("failed",)
_TOLD = ("sent", "sending", "uncertain")
_TAKEN_OVER = "taken over by the daily summary "


def superseded_reason(newer_key: str) -> str:
    """What an older summary keeps as its reason (outbox last_error) when a newer one
    takes over its cases: by it the newer one finds them."""
    return f"{_TAKEN_OVER}{newer_key}, which lists its cases still to answer"


def officer_prefix(summary_key: str) -> str:
    """reminder_summary:<officer>: of reminder_summary:<officer>:<ISO day>."""
    return summary_key.rpartition(":")[0] + ":"


def newer_summary(session: Session, row: OutboxRow) -> str:
    """The key of the newest later summary for the same officer, or "" if there is none."""
    newer = session.scalars(
        select(OutboxRow.dedup_key).where(
            OutboxRow.purpose == SUMMARY,
            OutboxRow.dedup_key.startswith(officer_prefix(row.dedup_key), autoescape=True),
            OutboxRow.dedup_key > row.dedup_key,
            OutboxRow.status.not_in(_NOT_TOLD),
        ).order_by(OutboxRow.dedup_key.desc())
    ).first()
    return newer or ""


def taken_over(session: Session, row: OutboxRow) -> list[OutboxRow]:
    """The older summaries for the same officer whose cases `row` lists when it goes: those
    after the last one that went (or may have), still waiting, given up on (`failed`,
    never received), or withdrawn in favour of a newer one. Those before it had their
    turn: the one that went listed them."""
    older = session.scalars(
        select(OutboxRow).where(
            OutboxRow.purpose == SUMMARY,
            OutboxRow.dedup_key.startswith(officer_prefix(row.dedup_key), autoescape=True),
            OutboxRow.dedup_key < row.dedup_key,
        ).order_by(OutboxRow.dedup_key.desc())
    ).all()
    found: list[OutboxRow] = []
    for summary in older:
        if summary.status in _TOLD:
            break
        if summary.status in ("pending", *_NOT_TOLD) or summary.last_error.startswith(
            _TAKEN_OVER
        ):
            found.append(summary)
    return found


def listed(session: Session, summary: OutboxRow) -> list[OutboxRow]:
    """The reminders written for `summary`'s cases, kept back for it (reminders._queue_listed):
    queued in the same transaction, so at the same moment."""
    return list(session.scalars(
        select(OutboxRow).where(
            OutboxRow.created_at == summary.created_at,
            OutboxRow.status == "withdrawn",
            OutboxRow.last_error == listed_reason(summary.dedup_key),
        ).order_by(OutboxRow.id)
    ).all())
