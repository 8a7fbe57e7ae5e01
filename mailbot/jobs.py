"""The scheduled jobs. Each is a function of (app, now): no job reads the clock itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from mailbot import (
    access_request_reminder,
    complaints_before_upgrade,
    confidentiality_chase,
    digest,
    ledger,
    left_unread,
    mailbox_cursor,
    outbox,
    pause_chase,
    recalculate,
    reminders,
    retention,
    still_due,
    unmoved,
)
from mailbot.app import App
from mailbot.backends.base import (
    BackendError,
    CursorExpired,
    Interrupted,
    kind_of,
    mark_all_processed,
    refused_for_good,
)
from mailbot.model import FetchedMessage, MessageStatus, ParsedMessage
from mailbot.parse import message_id_of, parse_message
from mailbot.pipeline import Outcome, process
from mailbot.store.state import write_value

log = logging.getLogger(__name__)

DAEMON_POLLED_KEY = "daemon.polled"  # when `mailbot run` last began a poll (UTC, ISO 8601)
MAX_BATCHES = 50  # a poll takes at most this many fetches, so one run cannot go on forever


@dataclass
class PollReport:
    outcomes: list[Outcome] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)  # committed but not yet moved in the mailbox
    resynced: bool = False
    # (the backend that wrote the stored cursor, the one in use) when [mailbox] backend has
    # changed since: this poll read the Inbox afresh for that, not because a cursor expired.
    switched: tuple[str, str] | None = None
    # (the mailbox the stored cursor was for, the one read now) when [mailbox] names another
    # mailbox on the same backend: read afresh for that (see mailbox_read).
    mailbox_changed: tuple[str, str] | None = None
    still_unmoved: int = 0  # recorded by earlier polls, and still not moved in the mailbox
    # The mailbox's words when it refused a move (no right to move or to make Processed),
    # as opposed to failing for a passing reason: `poll --once` says so and exits 4.
    move_refused: str = ""
    left_for_later: int = 0  # fetched but not handled: the daemon was stopping


def _fetch(
    app: App, cursor: str | None, report: PollReport
) -> tuple[list[FetchedMessage], str | None]:
    try:
        return app.backend.fetch_new(cursor)
    except CursorExpired as expired:
        log.warning("poll: the mailbox cursor expired; resyncing (Message-ID dedup keeps it safe)")
        report.resynced = True
        # Usually None; with watch_sent it keeps our place in Sent Items (see CursorExpired).
        return app.backend.fetch_new(expired.resume_cursor)


def _never() -> bool:
    return False


def poll(app: App, now: datetime, *, stop: Callable[[], bool] = _never) -> PollReport:
    """Fetch new mail and run each message through the pipeline, one transaction each.

    A message is marked processed in the mailbox only after its transaction commits; if
    we die in between, the next poll fetches it again and the ledger skips it.

    `stop` is asked between messages: once it says so (the daemon was told to stop), the
    messages handled so far are moved and the rest wait in the Inbox, so a stop during a
    large backlog takes a moment, not the whole backlog. The cursor is then left where it
    was, and the next start fetches the rest again.
    """
    report = PollReport()
    place = mailbox_cursor.load(app)
    cursor = place.cursor
    report.switched, report.mailbox_changed = place.switched, place.mailbox_changed
    report.resynced = place.afresh
    # Refs stored without the name of their mailbox are the stored cursor's mailbox's.
    previous = place.mailbox_changed[0] if place.mailbox_changed else ""
    report.still_unmoved, error = unmoved.move_remembered(
        app.store, app.backend, mailbox_cursor.mailbox_read(app, kind_of(app.backend)),
        previous=previous,
    )
    _note_refusal(report, error)
    # What the backend failed to read before, counted on (a fresh backend each --once run).
    left_unread.recall(app, now)
    for _ in range(MAX_BATCHES):
        try:
            messages, new_cursor = _fetch(app, cursor, report)
        finally:
            # The failures kept, even when they failed this fetch; mail the backend left
            # unread for a person (it would stop every poll) recorded for `mailbot status`,
            # and the admins told once (mailbot/left_unread.py).
            left_unread.record_left(app, now)
        # One left unread, dealt with by hand, and read by a later try: not answered again.
        messages = left_unread.not_dealt_with(app, messages)
        fetched = len(messages)
        done = _handle_batch(app, messages, now, report, stop)
        # Let the batch go before the next is read: each can hold the backend's whole byte
        # budget of mail (big attachments), and two at once would double the poll's memory.
        del messages
        if done < fetched:
            report.left_for_later = fetched - done
            log.info("poll: stopping; %d message(s) wait in the Inbox for the next start",
                     report.left_for_later)
            break
        if new_cursor != cursor:
            mailbox_cursor.save(app, new_cursor, now)
        if not fetched or new_cursor == cursor or stop():
            break
        cursor = new_cursor
    return report


def _handle_batch(
    app: App,
    messages: list[FetchedMessage],
    now: datetime,
    report: PollReport,
    stop: Callable[[], bool],
) -> int:
    """Each message through the pipeline, one transaction each, until `stop` says so; then
    the ones handled are moved. How many were handled."""
    done: list[FetchedMessage] = []
    for fetched in messages:
        if stop():
            break
        report.outcomes.append(_process_one(app, fetched, now))
        done.append(fetched)
    _mark_processed(app, done, report)
    return len(done)


def note_daemon_poll(app: App, now: datetime) -> None:
    """The daemon is alive and polling: `mailbot status` says so, and says when it stopped."""
    with app.store.transaction() as session:
        write_value(session, DAEMON_POLLED_KEY, now.isoformat())


def _mark_processed(app: App, messages: list[FetchedMessage], report: PollReport) -> None:
    """Move a whole batch at once (one IMAP MOVE, not one per message). Every message in it
    has committed, and is synced to disk first. If that cannot be done now, the batch is
    remembered and the next poll moves it (mailbot/unmoved.py); if we die first, the next
    poll re-fetches it and the ledger counts the messages as duplicates."""
    if not messages:
        return
    if not app.store.make_durable():
        log.warning(
            "poll: the database could not be synced to disk (readers kept it busy); "
            "%d message(s) stay in the Inbox until the next poll moves them",
            len(messages),
        )
        _not_moved(app, messages, report)
        return
    try:
        mark_all_processed(app.backend, [m.ref for m in messages])
    except (BackendError, Interrupted) as exc:
        log.warning(
            "poll: %d message(s) recorded but not moved in the mailbox (the next poll tries "
            "again): %s", len(messages), exc,
        )
        _not_moved(app, messages, report)
        if isinstance(exc, BackendError):
            _note_refusal(report, exc)


def _note_refusal(report: PollReport, error: BackendError | None) -> None:
    """Keep the words of a move the mailbox refused; a passing failure is not kept."""
    if error is not None and refused_for_good(error):
        report.move_refused = str(error)


def _not_moved(app: App, messages: list[FetchedMessage], report: PollReport) -> None:
    owner = mailbox_cursor.mailbox_read(app, kind_of(app.backend))
    unmoved.remember(app.store, app.backend, [m.ref for m in messages], owner)
    report.unmarked.extend(message_id_of(m.raw) for m in messages)


# SQLite's result codes that say the database, not the statement, is the trouble: another
# process holds the lock, the disk is full or failing, the file cannot be written.
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR",
                       "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_NOMEM", "SQLITE_PROTOCOL")


# PostgreSQL's SQLSTATEs that say the same: the connection (class 08), a login refused or
# its database gone when connecting again (28, 3D), resources such as disk, memory or
# connection slots (53), the server shutting down or starting (57P0x), and
# a lock, deadlock or serialization conflict that a later try gets past. Others, even where
# the driver calls them OperationalError (a value past an index's size limit, 54000), are
# the statement's: retrying them would hold every later message up behind this one.
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "28", "3D", "53", "57P0")
# 25006: the database takes no writes (a standby promoted late after a failover, or
# default_transaction_read_only set for maintenance); the driver calls it an InternalError.
_POSTGRES_UNAVAILABLE = frozenset({"25006", "40001", "40P01", "55P03", "57014"})


def database_unavailable(error: BaseException) -> bool:
    """True if `error` says the database cannot be used just now (a lost connection, a
    server restarting, a lock held too long, a full disk), as opposed to a fault in what
    was being done. Such an error is nobody's message's fault."""
    if not isinstance(error, DBAPIError):
        return False
    operational = isinstance(error, (OperationalError, InterfaceError))
    if operational and error.connection_invalidated:
        return True
    name = getattr(error.orig, "sqlite_errorname", None)
    if name is not None:
        return operational and str(name).startswith(_SQLITE_UNAVAILABLE)
    state = getattr(error.orig, "sqlstate", None)
    if state is None:  # no answer from the server at all: the connection itself failed
        return operational
    state = str(state)
    return state.startswith(_POSTGRES_UNAVAILABLE_CLASSES) or state in _POSTGRES_UNAVAILABLE


def _process_one(app: App, fetched: FetchedMessage, now: datetime) -> Outcome:
    try:
        with app.store.transaction() as session:
            return process(app, session, fetched, now)
    except Exception as exc:  # noqa: BLE001 - one bad message must not stop the poll
        if database_unavailable(exc):
            # Not the message's fault: stop the poll (the daemon reports the outage once);
            # the message stays in the Inbox and is handled when the database is back.
            raise
        log.exception("poll: internal error on a message; quarantining it")
        return _quarantine_after_error(app, fetched, now, f"internal error: {one_line(exc)}")


def one_line(error: BaseException) -> str:
    """An error in one line, for the quarantine list and `mailbot status`: a database
    error's own first line, without the SQL statement, CONTEXT lines and help link that
    SQLAlchemy and PostgreSQL add."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _sender_if_any(fetched: FetchedMessage) -> ParsedMessage | None:
    """The parsed message, so the quarantine list can say who it was from; None if the
    error was in the parser itself."""
    try:
        parsed = parse_message(fetched.raw)
    except Exception:  # noqa: BLE001 - the parser was what failed
        return None
    return parsed if isinstance(parsed, ParsedMessage) else None


def _quarantine_after_error(
    app: App, fetched: FetchedMessage, now: datetime, reason: str
) -> Outcome:
    try:
        return _record_quarantined(app, fetched, now, reason, _sender_if_any(fetched))
    except Exception as exc:
        if database_unavailable(exc):
            raise
        # What failed may be the sender or subject themselves (a value the database
        # refuses): the bytes alone are recorded, so this message cannot stop the poll.
        log.exception("poll: could not quarantine the message with its sender and subject; "
                      "keeping its bytes alone")
        return _record_quarantined(app, fetched, now, reason, None)


def _record_quarantined(
    app: App, fetched: FetchedMessage, now: datetime, reason: str, parsed: ParsedMessage | None
) -> Outcome:
    with app.store.transaction() as session:
        message_id, row = ledger.ledger_key(session, fetched.raw)
        if row is None:
            row = ledger.record_message(session, fetched, message_id, now, parsed)
        row.status, row.reason = MessageStatus.QUARANTINED, reason[:2000]
        ledger.record_event(session, now, "pipeline", "quarantined", reason[:2000], message=row)
    return Outcome(message_id, MessageStatus.QUARANTINED, reason)


def flush_outbox(
    app: App, now: datetime, *, stop: Callable[[], bool] = _never
) -> outbox.FlushReport:
    """Send what is due; `stop` is asked between mails (see `poll`). A reminder that is
    no longer true is withdrawn, not sent, and one out of working hours waits for them
    (mailbot.still_due)."""
    loops = app.settings.loops
    return outbox.flush(
        app.store,
        app.backend,
        now,
        cap=loops.max_per_recipient,
        window=timedelta(hours=loops.window_hours),
        stop=stop,
        review=still_due.reviewer(app),
    )


def send_reminders(app: App, now: datetime) -> reminders.ReminderReport:
    """The reminder sweep: queues what the pack's schedule says is due (working hours only),
    the chases of unanswered confidentiality questions (mailbot/confidentiality_chase.py)
    and of paused cases nobody has taken up again (mailbot/pause_chase.py), and the
    reminders of a subject access request's legal date (mailbot/access_request_reminder.py).
    First, if the policy or its calendar changed since the last sweep (a proclaimed holiday,
    a closure day), every open case's stored due dates are worked out again, at any hour."""
    # The directory is otherwise re-read only when mail arrives: a quiet day must not send
    # an escalation to the manager an officer had before the last edit of officers.csv.
    app.directory.refresh()
    recalculate.recalculate_if_policy_changed(app, now)
    complaints_before_upgrade.record_whom_old_complaints_name(app, now)
    report = reminders.sweep(app, now)
    report.queued.extend(confidentiality_chase.sweep(app, now).queued)
    report.queued.extend(pause_chase.sweep(app, now).queued)
    report.queued.extend(access_request_reminder.sweep(app, now).queued)
    return report


def send_digests(app: App, now: datetime, *, by_hand: bool = False) -> digest.DigestReport:
    """Queues this ISO week's digests once their time has come; at most one per recipient.
    The digest lists stored due dates, so they are brought up to date first. `by_hand`:
    an administrator asked (`mailbot digest`), so a new installation's first week too."""
    app.directory.refresh()  # who manages whom, as officers.csv says now
    recalculate.recalculate_if_policy_changed(app, now)
    return digest.send_digests(app, now, by_hand=by_hand)


def purge_if_due(app: App, now: datetime) -> retention.PurgeReport | None:
    """The daemon's nightly purge: once a night from 03:30, or at the first sweep after
    it for a night the daemon was not running then (retention.purge_due)."""
    return purge(app, now) if retention.purge_due(app, now) else None


def purge(app: App, now: datetime) -> retention.PurgeReport:
    """Erases personal data past its [retention] period (docs/retention.md); then, once
    the day's deletions are done, refreshes the database's query statistics."""
    report = retention.purge(app, now)
    try:
        app.store.refresh_statistics()
    except OperationalError as error:  # locked or busy: the erasing is done all the same
        log.warning("purge: the database's query statistics were not refreshed: %s", error)
    return report
