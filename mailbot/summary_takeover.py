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

from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mailbot.addresses import address_forms
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


class _Summary(NamedTuple):
    key: str
    status: str
    last_error: str
    id: int

    @property
    def day(self) -> str:
        """The ISO day its key ends with."""
        return _day(self.key)


def newer_summary(session: Session, row: OutboxRow) -> str:
    """The key of the newest later summary for the same officer, or "" if there is none."""
    day = _day(row.dedup_key)
    later = [s for s in _officers_summaries(session, row.dedup_key)
             if s.day > day and s.status not in _NOT_TOLD]
    return max(later, key=lambda s: s.day).key if later else ""


def taken_over(session: Session, row: OutboxRow) -> list[OutboxRow]:
    """The older summaries for the same officer whose cases `row` lists when it goes: those
    after the last one that went (or may have), still waiting, given up on (`failed`,
    never received), or withdrawn in favour of a newer one. Those before it had their
    turn: the one that went listed them."""
    day = _day(row.dedup_key)
    older = sorted((s for s in _officers_summaries(session, row.dedup_key) if s.day < day),
                   key=lambda s: s.day, reverse=True)
    found: list[OutboxRow] = []
    for summary in older:
        if summary.status in _TOLD:
            break
        if summary.status in ("pending", *_NOT_TOLD) or summary.last_error.startswith(
            _TAKEN_OVER
        ):
            found.append(session.get_one(OutboxRow, summary.id))
    return found


def _day(summary_key: str) -> str:
    return summary_key.rpartition(":")[2]


def _officers_summaries(session: Session, summary_key: str) -> list[_Summary]:
    """Every summary whose key names the same officer as `summary_key`, in any form of the
    address a mailbot wrote there: its address_key, or (before address_key) the address
    as the case held it in lower case, its domain in Unicode or ASCII. Compared by day,
    since keys in two forms do not sort together."""
    officer = officer_prefix(summary_key).removeprefix(f"{SUMMARY}:").removesuffix(":")
    found = session.execute(
        select(OutboxRow.dedup_key, OutboxRow.status, OutboxRow.last_error, OutboxRow.id)
        .where(
            OutboxRow.purpose == SUMMARY,
            or_(*(OutboxRow.dedup_key.startswith(f"{SUMMARY}:{form}:", autoescape=True)
                  for form in sorted(address_forms(officer)))),
        )
    ).all()
    return [_Summary(key, status, last_error or "", row_id)
            for key, status, last_error, row_id in found]


def listed(session: Session, summary: OutboxRow) -> list[OutboxRow]:
    """The reminders written for `summary`'s cases, kept back for it
    (reminder_summary.queue_listed): queued in the same transaction, so at the same
    moment."""
    return list(session.scalars(
        select(OutboxRow).where(
            OutboxRow.created_at == summary.created_at,
            OutboxRow.status == "withdrawn",
            OutboxRow.last_error == listed_reason(summary.dedup_key),
        ).order_by(OutboxRow.id)
    ).all())
