"""The protocol KPIs committees ask for, per kind, over the cases received in the 12 weeks:
acknowledged in time, answered in time, and the median working days to an answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from mailbot.clock import counted_from
from mailbot.digest.figures import Received
from mailbot.digest.periods import local_day
from mailbot.model import Kind
from mailbot.policy import Policy


@dataclass
class KpiTally:
    received: int = 0
    with_ack: int = 0  # acknowledged, or past the date to acknowledge by
    acked: int = 0
    decided: int = 0  # answered, or past its due date
    in_time: int = 0
    spans: list[int] = field(default_factory=list)  # working days to respond

    def add(self, other: KpiTally) -> None:
        self.received += other.received
        self.with_ack += other.with_ack
        self.acked += other.acked
        self.decided += other.decided
        self.in_time += other.in_time
        self.spans.extend(other.spans)


def _receipt_day(policy: Policy, kind: Kind, received: datetime) -> date:
    """The day the response clock counts from: mail at or after the pack's cutoff counts
    as received the next day (protocol clocks; the statutory FOI clock has no cutoff), so
    a case answered on its due date spans exactly the target, not a day more."""
    cutoff = None if kind == Kind.FOI else policy.clock.cutoff
    return counted_from(received, cutoff)


def working_days_to_answer(
    policy: Policy, kind: Kind, received: datetime, answered_on: date
) -> int:
    """Working days from receipt to an answer, counted as the due date is (the case's
    response calendar, its cutoff): an answer on a day the clock does not count (a
    weekend, Good Friday) counts on the next working day. Then an answer is on time if
    and only if it took no more days than the target: one given on Good Friday after a
    Thursday due date is late and took a day more than the target, not exactly it."""
    calendar = policy.response_calendar(kind)
    return calendar.working_days_between(
        _receipt_day(policy, kind, received), calendar.next_working_day(answered_on)
    )


def kpi_tallies(policy: Policy, received: Iterable[Received], today: date) -> dict[str, KpiTally]:
    """By kind value. One pass over the rows; each row's dates are converted once."""
    tallies: dict[str, KpiTally] = {}
    for row in received:
        tally = tallies.setdefault(row.kind, KpiTally())
        tally.received += 1
        acked = row.acknowledged_at
        # Not yet acknowledged and not yet due (an officer's three days still running) is
        # neither in time nor late: counted once it is one or the other.
        if row.ack_due is not None and (acked is not None or row.ack_due < today):
            tally.with_ack += 1
            tally.acked += acked is not None and local_day(acked) <= row.ack_due
        due = row.response_due
        if row.responded_at is not None:
            answered_on = local_day(row.responded_at)
            tally.decided += 1
            tally.in_time += due is not None and answered_on <= due
            kind = Kind(row.kind)
            tally.spans.append(working_days_to_answer(policy, kind, row.received_at, answered_on))
        elif due is not None and due < today:
            tally.decided += 1
    return tallies
