"""The outbox: the only place that sends mail.

Stages write rows (`queue`); `flush` sends them. A row's dedup_key is unique, so a stage
re-run after a crash cannot queue the same mail twice, and a row is marked `sending`
(committed) before the backend is called, so a crash mid-send is noticed on restart and
resolved by asking the mailbox whether the mail went out, never by sending blindly again.

Mail can wait in the outbox for a day or more (sending held, the mail server down). A
`review`, given to `flush` by the caller that knows the cases (jobs.flush_outbox, with
mailbot.still_due), looks at each mail again just before it goes: one that is no longer
true is `withdrawn` (kept, never sent), one out of its hours waits, and one whose words
have aged is written afresh. This module only carries out what the review says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from mailbot import ledger, sending_hold
from mailbot.addresses import address_forms
from mailbot.backends.base import (
    BackendError,
    Mailbox,
    MaybeSent,
    SendingBlocked,
    TransientError,
    Unreachable,
)
from mailbot.compose import Envelope, InlineImage, compose, new_message_id
from mailbot.model import OutgoingMail
from mailbot.render import Rendered
from mailbot.store.db import Store
from mailbot.store.insert_now import insert_now
from mailbot.store.tables import CaseRow, OutboxRow

log = logging.getLogger(__name__)

# A mail that could not go for a passing reason (a 4xx reply such as 451, a timeout, a
# server that cannot be reached) is tried again as a mail server would: after 2, 4, 8 ...
# minutes, then every LONGEST_WAIT, until KEEP_TRYING after it was queued (Postfix keeps
# mail five days too) and at least MAX_ATTEMPTS tries. Eight tries alone (about four
# hours) meant a relay answering 451 through one night left every acknowledgement,
# reminder and digest `failed` for good; `mailbot status` says from the first half hour
# that mail is waiting. A mail a person sends again (`mailbot outbox resend`) gets
# MAX_ATTEMPTS fresh tries.
KEEP_TRYING = timedelta(days=5)
LONGEST_WAIT = timedelta(hours=1)
# A check before sending that breaks (a bug, a template error) is no passing reason: the
# mail is left for a person after this many tries, rather than sent unchecked.
MAX_ATTEMPTS = 8


def wait_after(attempts: int) -> timedelta:
    """How long a mail waits after its `attempts`-th try failed for a passing reason."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), LONGEST_WAIT)


def tried_long_enough(row: OutboxRow, now: datetime) -> bool:
    """Whether a mail that failed for a passing reason has been tried for long enough."""
    return row.attempts >= MAX_ATTEMPTS and now - row.created_at >= KEEP_TRYING
# An uncertain mail's copy may reach Sent Items a little after the send: look again now
# and then for a while, before it is left to a person (`mailbot outbox`).
RECHECK_FOR = timedelta(days=2)
RECHECK_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class Rewritten:
    """A queued mail written again from the case as it is now: it replaces the queued MIME
    (same Message-ID, so a send cut short is still found in Sent Items; Date is now)."""

    rendered: Rendered
    envelope: Envelope
    inline_images: Sequence[InlineImage] = ()  # the weekly digest's chart, drawn again


@dataclass(frozen=True)
class Verdict:
    """What a send-time review says of one pending mail: send it (as queued, or
    `rewritten`), not yet (`wait_until`), or never (`withdrawn`, with the reason)."""

    withdrawn: str = ""
    wait_until: datetime | None = None
    rewritten: Rewritten | None = None


SEND_AS_QUEUED = Verdict()
# Called inside the row's transaction, with the row locked, before it is marked sending.
Review = Callable[[Session, OutboxRow, datetime], Verdict]


class ReviewFailed(Exception):
    """The review itself broke (a bug, a template error): the mail is tried again later,
    and after MAX_ATTEMPTS left `failed` for a person, rather than sent unchecked."""


def queue(
    session: Session,
    *,
    purpose: str,
    dedup_key: str,
    case: CaseRow | None,
    rendered: Rendered,
    envelope: Envelope,
    now: datetime,
    automatic: bool = True,
    inline_images: Sequence[InlineImage] = (),
) -> OutboxRow | None:
    """Add a mail to the outbox unless one with the same dedup_key is already there.

    The row is written at once, by one prebuilt INSERT on the session's connection, and
    handed to the session as the row it now is (persistent, every column known): a change
    made to it later is written by the next flush. Nothing else the session holds needs
    writing first: the case it names is in the table from the moment it was opened."""
    if already_queued(session, dedup_key):
        return None
    message_id = new_message_id(envelope.sender)
    row = OutboxRow(
        dedup_key=dedup_key[:200],
        message_id=message_id,
        case_id=case.id if case is not None else None,
        purpose=purpose,
        recipients=",".join([*envelope.to, *envelope.cc]),
        mime=compose(
            rendered, envelope, message_id=message_id, now=now, inline_images=inline_images
        ),
        automatic=automatic,
        status="pending",
        attempts=0,
        last_error="",
        created_at=now,
        not_before=now,
        sent_at=None,
        purged_at=None,
    )
    return insert_now(session, row, flush_first=False)


# Built once, and run as plain (Core) statements on the session's connection: they run
# for every mail queued. The ORM's flush of one new row costs more than its INSERT, and
# the check must not flush the session anyway (see already_queued).
_OUTBOX = OutboxRow.metadata.tables[OutboxRow.__tablename__]
_QUEUED_ID = select(_OUTBOX.c.id).where(_OUTBOX.c.dedup_key == bindparam("dedup_key"))


def already_queued(session: Session, dedup_key: str) -> bool:
    """Whether a mail with this dedup key is in the outbox (queued, sent or failed), the
    key compared as it is stored: its first 200 characters. Looks at the table, where
    every row queued is written at once, without flushing the session: what it holds
    unwritten is written at commit, in a few statements."""
    stored = dedup_key[:200]
    found = session.connection().execute(_QUEUED_ID, {"dedup_key": stored}).first()
    return found is not None


@dataclass
class FlushReport:
    sent: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # no longer true when it was to go
    waiting: list[str] = field(default_factory=list)  # out of its hours: goes when they open
    failed: list[str] = field(default_factory=list)
    held: str = ""  # why sending is held back (sending_hold), if it is
    unreachable: str = ""  # why this flush stopped early: the server could not be reached
    # (row id, the server's words) of each mail refused for itself (a 5xx for every
    # recipient, say) and left failed; a refusal of every mail is `held` instead
    refused: list[tuple[int, str]] = field(default_factory=list)


def _recently_sent(session: Session, recipient: str, since: datetime) -> int:
    # In either form of its domain: the cap is per person, however the address is written.
    forms = {recipient, *address_forms(recipient)}
    return (
        session.scalar(
            select(func.count(OutboxRow.id)).where(
                OutboxRow.status == "sent",
                OutboxRow.automatic.is_(True),
                OutboxRow.sent_at >= since,
                or_(*(OutboxRow.recipients.contains(form) for form in forms)),
            )
        )
        or 0
    )


def _over_cap(session: Session, row: OutboxRow, now: datetime, cap: int, window: timedelta) -> str:
    if not row.automatic:
        return ""
    for recipient in row.recipients.split(","):
        if _recently_sent(session, recipient, now - window) >= cap:
            return recipient
    return ""


def _resolve_interrupted(store: Store, backend: Mailbox, now: datetime) -> None:
    """Rows left `sending` by a crash: ask the mailbox; resend only if it says not sent."""
    with store.transaction() as session:
        stuck = session.scalars(
            select(OutboxRow).where(OutboxRow.status == "sending").with_for_update()
        ).all()
        for row in stuck:
            was_sent: Callable[[str, datetime], bool | None] | None = getattr(
                backend, "was_sent", None
            )
            verdict = was_sent(row.message_id, row.created_at) if was_sent else None
            if verdict is True:
                row.status, row.sent_at = "sent", now
            elif verdict is False:
                row.status = "pending"
            else:
                row.status, row.not_before = "uncertain", now + RECHECK_EVERY
                ledger.record_event(
                    session,
                    now,
                    "outbox",
                    "uncertain",
                    f"{row.purpose} {row.message_id} may or may not have gone; not resent",
                    case_id=row.case_id,
                )
                log.warning("outbox: %s interrupted mid-send; not resent", row.message_id)


def _recheck_uncertain(store: Store, backend: Mailbox, now: datetime) -> None:
    was_sent: Callable[[str, datetime], bool | None] | None = getattr(backend, "was_sent", None)
    if was_sent is None:
        return
    with store.transaction() as session:
        rows = session.scalars(
            select(OutboxRow).where(
                OutboxRow.status == "uncertain",
                OutboxRow.created_at >= now - RECHECK_FOR,
                OutboxRow.not_before <= now,
            )
            .with_for_update()
        ).all()
        for row in rows:
            try:
                found = was_sent(row.message_id, row.created_at)
            except BackendError as exc:  # the mailbox is down: the next flush looks again
                log.info("outbox: cannot look for uncertain mail now: %s", exc)
                return
            if found is True:
                row.status, row.sent_at = "sent", now
                ledger.record_event(
                    session, now, "outbox", "sent",
                    f"{row.purpose} {row.message_id} found in Sent Items after all",
                    case_id=row.case_id,
                )
            else:
                row.not_before = now + RECHECK_EVERY


def flush(
    store: Store,
    backend: Mailbox,
    now: datetime,
    *,
    cap: int = 10,
    window: timedelta = timedelta(hours=3),
    stop: Callable[[], bool] | None = None,
    review: Review | None = None,
) -> FlushReport:
    """Send everything due, oldest first. Each row is its own transaction: one bad row
    stops nothing. Only the ids are read up front, so a large backlog costs little memory.
    `stop`, asked between rows, ends the flush early (the daemon is stopping); the rest
    stay pending for the next flush. `review`, if given, is asked about each row just
    before it is sent (see Verdict)."""
    report = FlushReport()
    held = sending_hold.current(store)
    if held is not None and now < held.retry_at:
        report.held = held.problem
        return report
    _resolve_interrupted(store, backend, now)
    _recheck_uncertain(store, backend, now)
    with store.transaction() as session:
        ids = session.scalars(
            select(OutboxRow.id)
            .where(OutboxRow.status == "pending", OutboxRow.not_before <= now)
            .order_by(OutboxRow.not_before, OutboxRow.id)
        ).all()
    for row_id in ids:
        if stop is not None and stop():
            break
        _send_one(store, backend, row_id, now, cap, window, report, review)
        if report.held or report.unreachable:
            break  # every other mail would be refused, or go unanswered, the same way
    if held is not None and report.sent:
        sending_hold.release(store, held, now)
    return report


def _send_one(
    store: Store,
    backend: Mailbox,
    row_id: int,
    now: datetime,
    cap: int,
    window: timedelta,
    report: FlushReport,
    review: Review | None = None,
) -> None:
    try:
        mail = _claim(store, row_id, now, cap, window, report, review)
    except ReviewFailed as exc:
        _review_failed(store, row_id, now, str(exc), report)
        return
    if mail is None:
        return
    try:
        backend.send(mail)
    except SendingBlocked as exc:
        held = sending_hold.hold(store, now, str(exc))
        _put_back(store, row_id, str(exc), held.retry_at)
        report.held = held.problem
        return
    except MaybeSent as exc:
        _mark_uncertain(store, row_id, now, str(exc), report)
        return
    except Unreachable as exc:
        # This mail waits its turn to be tried again, as after any transient failure;
        # the rest wait for the next flush without spending a try each.
        _retry_later(store, row_id, now, str(exc), report)
        report.unreachable = str(exc)
        return
    except TransientError as exc:
        _retry_later(store, row_id, now, str(exc), report)
        return
    except BackendError as exc:
        _give_up(store, row_id, now, str(exc), report)
        return
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.status, row.sent_at = "sent", now
        ledger.record_event(session, now, "outbox", "sent", f"{row.purpose} to {row.recipients}",
                            case_id=row.case_id)
    report.sent.append(mail.message_id)


def _claim(
    store: Store,
    row_id: int,
    now: datetime,
    cap: int,
    window: timedelta,
    report: FlushReport,
    review: Review | None,
) -> OutgoingMail | None:
    """Mark the row `sending` (committed) and return the mail to send; None if it is not
    to go now (gone, withdrawn, waiting, over the cap)."""
    with store.transaction() as session:
        # Locked until this commits: another flush (a second daemon on PostgreSQL) waits,
        # then sees `sending` and leaves the row alone.
        row = session.get(OutboxRow, row_id, with_for_update=True)
        if row is None or row.status != "pending":
            return None
        verdict = _reviewed(review, session, row, now)
        if verdict.withdrawn:
            _withdraw(session, row, now, verdict.withdrawn, report)
            return None
        if verdict.wait_until is not None:
            row.not_before = verdict.wait_until
            report.waiting.append(row.message_id)
            return None
        capped = _over_cap(session, row, now, cap, window)
        if capped:
            row.status = "suppressed"
            row.last_error = f"over {cap} automatic mails to {capped} in {window}"
            ledger.record_event(session, now, "outbox", "suppressed", row.last_error,
                                case_id=row.case_id)
            report.suppressed.append(row.message_id)
            return None
        if verdict.rewritten is not None:
            _rewrite(row, verdict.rewritten, now)
        row.status = "sending"
        row.attempts += 1
        return OutgoingMail(row.message_id, tuple(row.recipients.split(",")), row.mime)


def _reviewed(review: Review | None, session: Session, row: OutboxRow, now: datetime) -> Verdict:
    if review is None:
        return SEND_AS_QUEUED
    try:
        return review(session, row, now)
    except Exception as exc:  # the row's transaction is rolled back: nothing half-written
        log.exception("outbox: could not check row %s before sending it", row.id)
        raise ReviewFailed(f"could not check it is still due: {exc!r}") from exc


def _withdraw(
    session: Session, row: OutboxRow, now: datetime, reason: str, report: FlushReport
) -> None:
    """Never sent, never deleted: the row keeps its dedup key, so nothing queues it again,
    and says why, for `mailbot status` and the case's audit trail."""
    row.status, row.last_error = "withdrawn", reason[:1000]
    ledger.record_event(
        session, now, "outbox", "withdrawn",
        f"{row.purpose} to {row.recipients} not sent: {reason}"[:1000], case_id=row.case_id,
    )
    report.withdrawn.append(row.message_id)


def _rewrite(row: OutboxRow, rewritten: Rewritten, now: datetime) -> None:
    envelope = rewritten.envelope
    row.recipients = ",".join([*envelope.to, *envelope.cc])
    row.mime = compose(rewritten.rendered, envelope, message_id=row.message_id, now=now,
                       inline_images=rewritten.inline_images)


def tried_often_enough(row: OutboxRow, _now: datetime) -> bool:
    return row.attempts >= MAX_ATTEMPTS


def _review_failed(
    store: Store, row_id: int, now: datetime, error: str, report: FlushReport
) -> None:
    """Counted as an attempt, so a review that always breaks ends in `failed`."""
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.attempts += 1
    _retry_later(store, row_id, now, error, report, enough=tried_often_enough)


def _put_back(store: Store, row_id: int, error: str, until: datetime) -> None:
    """Pending again, with its attempt given back: the refusal was not about this mail.
    Due with the hold's next try but after the mail already waiting, so that try is made
    with another mail: one mail that Exchange refuses in words meant for the account
    cannot keep all the others waiting."""
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.status, row.attempts, row.last_error = "pending", row.attempts - 1, error[:1000]
        row.not_before = until


def _retry_later(
    store: Store,
    row_id: int,
    now: datetime,
    error: str,
    report: FlushReport,
    enough: Callable[[OutboxRow, datetime], bool] = tried_long_enough,
) -> None:
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.last_error = error[:1000]
        if enough(row, now):
            row.status = "failed"
            report.failed.append(row.message_id)
            ledger.record_event(session, now, "outbox", "failed", f"gave up: {error}"[:1000],
                                case_id=row.case_id)
            return
        row.status = "pending"
        wait = wait_after(row.attempts)
        row.not_before = now + wait
        report.deferred.append(row.message_id)
    log.warning("outbox: row %s not sent (%s); trying again in %d min", row_id, error,
                wait // timedelta(minutes=1))


def _mark_uncertain(
    store: Store, row_id: int, now: datetime, error: str, report: FlushReport
) -> None:
    """The server may have it: never resend blindly, leave it for a person to check."""
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.status, row.last_error = "uncertain", error[:1000]
        row.not_before = now + RECHECK_EVERY
        ledger.record_event(session, now, "outbox", "uncertain", error[:1000], case_id=row.case_id)
    report.failed.append(str(row_id))
    log.warning("outbox: row %s may or may not have been delivered; not resent: %s",
                row_id, error)


def _give_up(store: Store, row_id: int, now: datetime, error: str, report: FlushReport) -> None:
    with store.transaction() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        row.status, row.last_error = "failed", error[:1000]
        ledger.record_event(session, now, "outbox", "failed", error[:1000], case_id=row.case_id)
    report.failed.append(str(row_id))
    report.refused.append((row_id, error))
    log.error("outbox: could not send row %s: %s", row_id, error)
