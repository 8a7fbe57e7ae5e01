"""Sending held back: the mail server refuses every mail until an administrator acts.

A refused login, an untrusted certificate or a sender address the server will not take
(backends.base.SendingBlocked) would fail every queued mail the same way. Failing them
would leave each to be released by hand, and trying each one would spend its retries and
count failed logins against the service account (enough of them lock it). So the outbox
stops at the first such refusal, puts that mail back as it was, and holds all sending:
it tries one mail again after 5 minutes, then 10, 20, and at most hourly. The hold (since
when, why, next try) is kept in the state table, for `mailbot status` and across restarts.
A restarted daemon (how a corrected password or certificate is read) and `mailbot poll
--once` try at once (try_now): the first flush tries one mail, the mail the hold put back
as due as the rest, and a refusal then carries on the hold's backoff from its stored tries.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import update

from mailbot.backends.retry import Backoff
from mailbot.outage_record import OutageRecord, decode, read_record, write_record
from mailbot.store import Store
from mailbot.store.tables import OutboxRow

log = logging.getLogger(__name__)

HOLD_KEY = "outbox.hold"
FIRST_WAIT = timedelta(minutes=5)
MAX_WAIT = timedelta(hours=1)
HOLD_BACKOFF = Backoff(base=FIRST_WAIT.total_seconds(), cap=MAX_WAIT.total_seconds())


Hold = OutageRecord
__all__ = ["HOLD_KEY", "Hold", "current", "decode", "hold", "release", "try_now"]


def current(store: Store) -> Hold | None:
    with store.transaction() as session:
        return read_record(session, HOLD_KEY)


def hold(store: Store, now: datetime, problem: str) -> Hold:
    """Start the hold, or extend it after another refused try."""
    with store.transaction() as session:
        before = read_record(session, HOLD_KEY)
        tries = before.tries + 1 if before else 1
        wait = timedelta(seconds=HOLD_BACKOFF.delay(tries))
        held = Hold(before.since if before else now, problem, tries, now + wait)
        write_record(session, HOLD_KEY, held)
    if before is None or before.problem != problem:
        log.error(
            "outbox: no mail can be sent: %s. Every mail waits (none is lost or failed); "
            "trying again in %d min, then less often", problem, wait.total_seconds() // 60,
        )
    return held


def try_now(store: Store, now: datetime) -> None:
    """Keep the hold, but try at once: at the next flush, with the mail the hold put back
    (due at the hold's next try) due now. For `mailbot poll --once`, run by hand just
    after the permission or password was put right, or by a timer: one mail each run; and
    for a daemon starting, at its first flush. Only pending mail is touched: nothing sent,
    being sent or uncertain is sent again."""
    with store.transaction() as session:
        held = read_record(session, HOLD_KEY)
        if held is None:
            return
        write_record(session, HOLD_KEY, replace(held, retry_at=held.since))
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == "pending", OutboxRow.not_before > now,
                   OutboxRow.last_error == held.problem[:1000])
            .values(not_before=now)
        )


def release(store: Store, held: Hold, now: datetime) -> None:
    with store.transaction() as session:
        write_record(session, HOLD_KEY, None)
    log.info("outbox: mail is being sent again (held since %s: %s)",
             held.since.isoformat(timespec="minutes"), held.problem)

