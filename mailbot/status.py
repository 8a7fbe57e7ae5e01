"""`mailbot status`: what an administrator checks first. Is the mailbox reachable, is
anything stuck, was anything quarantined, and how many cases need a person."""

from __future__ import annotations

import os
import pwd
import shlex
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, or_, select

from mailbot import sending_hold, unmoved
from mailbot.app import App
from mailbot.backends.base import kind_of
from mailbot.cases import LONDON
from mailbot.health import STATE_KEY as OUTAGE_KEY
from mailbot.job_failures import failing_jobs
from mailbot.jobs import DAEMON_POLLED_KEY
from mailbot.leavers import cases_with_leavers, still_listed_leavers
from mailbot.left_unread import ID_DOMAIN, ID_PREFIX
from mailbot.mailbox_cursor import (
    CURSOR_BACKEND_KEY,
    CURSOR_KEY,
    CURSOR_MAILBOX_KEY,
    mailbox_read,
)
from mailbot.model import FINISHED, Automatic, CaseStatus, MessageStatus
from mailbot.outage_record import decode
from mailbot.scheduler import DAEMON_STOPPED_KEY
from mailbot.store.backup import sqlite_path
from mailbot.store.db import LOW_DISK_BYTES, free_bytes
from mailbot.store.state import read_value
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow, StateRow
from mailbot.stuck_mail import NEEDS_A_PERSON
from mailbot.template_check import broken_templates
from mailbot.template_fallback import fallback_line

LISTED = 20
# A daemon begins a poll every minute or so, but one poll of a large backlog, or a long
# flush before it, can take many minutes: only a silence longer than this is reported.
DAEMON_SILENT_AFTER = timedelta(minutes=30)
# A shared mailbox fed through a Google Group or another list relay gets list headers on
# every message, so every member's mail is recorded as bulk and nobody is answered. Real
# bulk mail is a small share of a members' mailbox: most of it over a fortnight is not.
RELAY_WINDOW = timedelta(days=14)
RELAY_LEAST = 10  # messages in the window before the share is read at all
RELAY_SHARE = 0.8
# An auto-reply saying an officer has left is shown this long while their row remains.
LEFT_WINDOW = timedelta(days=60)
# Mail tried and not sent is retried for hours before it is 'failed' and listed for a
# person: a server unreachable for longer than this is worth a person's look meanwhile.
NOT_SENT_AFTER = timedelta(minutes=30)
# How long `mailbot status` waits for the SQLite database's write lock: the daemon's own
# units of work hold it for well under a second, so a longer wait means another program
# (a sqlite3 shell left inside BEGIN) is keeping the daemon from recording anything.
WRITE_LOCK_WAIT_MS = 5_000


@dataclass
class Status:
    outage: str | None
    polled_before: bool
    messages: dict[str, int]
    outbox: dict[str, int]
    cases: dict[str, int]
    overdue: int
    unassigned: int = 0  # open cases with no officer: nobody was told of them
    # (address, open cases) for addresses no longer in officers.csv: a leaver's cases
    with_leavers: list[tuple[str, int]] = field(default_factory=list)
    # What members.csv / officers.csv accept but is probably wrong (a manager with no row)
    directory_warnings: list[str] = field(default_factory=list)
    # ... read from the daemon's kept copy (directory_keep.py), taken then, in words; ""
    # when read from the files as they are now
    directory_warnings_kept: str = ""
    # (address, when) for officers whose auto-reply says they have left, still listed
    left_but_listed: list[tuple[str, str]] = field(default_factory=list)
    unmoved: int = 0  # handled, but not yet moved out of the Inbox (each poll tries again)
    held: str | None = None  # why no mail can be sent now (sending_hold), since when
    quarantined: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, when, id, why
    # (row, when, folder, why) for mail the backend could not read, left in the mailbox for
    # a person: no case, no acknowledgement, no clock until someone deals with it
    left_unread: list[tuple[int, str, str, str]] = field(default_factory=list)
    stuck_mail: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    daemon: str | None = None  # when `mailbot run` last polled; None if it never has
    daemon_silent: bool = False  # ... and that was too long ago: it is not running
    mostly_bulk: str | None = None  # nearly all recent mail dropped as list mail: a relay?
    # (the backend that wrote the stored cursor, the backend configured now) when they
    # differ: the next poll reads the Inbox afresh (docs/backends/switching.md)
    switched: tuple[str, str] | None = None
    # (the mailbox the stored cursor is for, the one configured now) on the same backend:
    # the next poll reads the configured mailbox's Inbox afresh
    mailbox_changed: tuple[str, str] | None = None
    # members.csv or officers.csv does not validate, and what the daemon runs on meanwhile
    directory_unread: str | None = None
    # council templates mailbot cannot use: what is wrong, and what the daemon uses instead
    templates_unused: list[str] = field(default_factory=list)
    # daemon jobs whose runs fail with an error of their own: "poll since ...: error"
    failing: list[str] = field(default_factory=list)
    # mail tried and not sent yet, still retried on its own: what the server said
    not_sent: str | None = None
    not_sent_long: bool = False  # ... the oldest of it queued over NOT_SENT_AFTER ago
    # why the daemon cannot write to its SQLite database now (locked, read-only, disk full),
    # or NOT_CHECKED and why: then the daemon line tells (a daemon that cannot write stops
    # recording its polls, and is reported silent)
    database: str | None = None

    @property
    def healthy(self) -> bool:
        return (self.outage is None and not self.stuck_mail and self.held is None
                and not self.daemon_silent and self.mostly_bulk is None
                and self.directory_unread is None and not self.templates_unused
                and not self.failing
                and not self.left_unread and not self.not_sent_long
                and (self.database is None or self.database.startswith(NOT_CHECKED)))


# By id, newest first, as `id + 0`: ordered by the bare id, SQLite walks the whole outbox
# backwards looking for the few rows in a status, instead of finding them by its index and
# sorting those (bench/bench_large_database.py). The same order on every database.
NEWEST_FIRST = (OutboxRow.id + 0).desc()


def _counts(session, column, table) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = session.execute(select(column, func.count()).select_from(table).group_by(column))
    return {str(key): int(n) for key, n in rows}


def gather_status(app: App, now: datetime) -> Status:
    today = now.astimezone(LONDON).date()
    database = _database_problem(app)
    with app.store.reading() as session:
        outage_value = read_value(session, OUTAGE_KEY)
        outage = None
        if outage_value is not None:
            record = decode(outage_value)
            # As every other time here: UK time, not the stored UTC (an hour out in summer).
            outage = (f"since {_when(record.since)}: {record.problem}" if record is not None
                      else outage_value)
        overdue = session.scalar(
            select(func.count(CaseRow.id)).where(
                CaseRow.status.in_([CaseStatus.OPEN, CaseStatus.NEEDS_TRIAGE]),
                CaseRow.response_due < today,
            )
        )
        unassigned = session.scalar(
            select(func.count(CaseRow.id)).where(
                CaseRow.officer_email.is_(None), CaseRow.status.not_in(FINISHED)
            )
        )
        never_read = MessageRow.message_id.startswith(ID_PREFIX, autoescape=True) \
            & MessageRow.message_id.endswith(ID_DOMAIN, autoescape=True)
        quarantined = session.execute(
            select(MessageRow.id, MessageRow.received_at, MessageRow.message_id,
                   MessageRow.reason)
            # erased (the retention purge, a request): nothing kept to look at or retry
            .where(MessageRow.status == MessageStatus.QUARANTINED, ~never_read,
                   MessageRow.purged_at.is_(None))
            .order_by(MessageRow.id.desc())
            .limit(LISTED)
        ).all()
        left_unread = session.execute(
            select(MessageRow.id, MessageRow.received_at, MessageRow.folder, MessageRow.reason)
            # once the retention purge has blanked it there is nothing left to show
            .where(MessageRow.status == MessageStatus.QUARANTINED, never_read,
                   MessageRow.purged_at.is_(None))
            .order_by(MessageRow.id.desc())
            .limit(LISTED)
        ).all()
        stuck = session.execute(
            select(OutboxRow.id, OutboxRow.created_at, OutboxRow.purpose, OutboxRow.recipients,
                   OutboxRow.last_error)
            .where(OutboxRow.status.in_(NEEDS_A_PERSON))
            .order_by(NEWEST_FIRST)
            .limit(LISTED)
        ).all()
        daemon, daemon_silent = _daemon(read_value(session, DAEMON_POLLED_KEY),
                                        read_value(session, DAEMON_STOPPED_KEY), now)
        bulk, received = _bulk_share(session, now - RELAY_WINDOW)
        not_sent, oldest = _not_sent(session, now)
        return Status(
            database=database,
            not_sent=not_sent,
            not_sent_long=oldest is not None and now - oldest > NOT_SENT_AFTER,
            with_leavers=cases_with_leavers(app, session),
            directory_warnings=list(app.directory.warnings),
            directory_warnings_kept=app.directory.kept_copy,
            directory_unread=_directory_unread(app),
            templates_unused=[fallback_line(t) for t in broken_templates(app.settings)],
            left_but_listed=[(a, _when(at)) for a, at
                             in still_listed_leavers(app, session, now - LEFT_WINDOW)],
            mostly_bulk=_relay_suspected(bulk, received, app.settings.loops.relay_list_ids),
            daemon=daemon,
            daemon_silent=daemon_silent,
            failing=[f"{f.job} FAILING since {_when(f.since)} ({f.runs} run(s) in a row): "
                     f"{f.error}" for f in failing_jobs(session)],
            outage=outage,
            polled_before=session.get(StateRow, CURSOR_KEY) is not None,
            switched=_switched(read_value(session, CURSOR_BACKEND_KEY), _backend_kind(app)),
            mailbox_changed=_mailbox_changed(app, read_value(session, CURSOR_KEY),
                                             read_value(session, CURSOR_BACKEND_KEY),
                                             read_value(session, CURSOR_MAILBOX_KEY)),
            messages=_counts(session, MessageRow.status, MessageRow),
            outbox=_counts(session, OutboxRow.status, OutboxRow),
            cases=_counts(session, CaseRow.status, CaseRow),
            overdue=int(overdue or 0),
            unassigned=int(unassigned or 0),
            unmoved=unmoved.waiting(session, _backend_kind(app)),
            held=_held(sending_hold.decode(read_value(session, sending_hold.HOLD_KEY))),
            quarantined=[
                (row_id, _when(at), mid, why) for row_id, at, mid, why in quarantined
            ],
            left_unread=[
                (row_id, _when(at), folder, why) for row_id, at, folder, why in left_unread
            ],
            stuck_mail=[
                (row_id, _when(at), purpose, to, error)
                for row_id, at, purpose, to, error in stuck
            ],
        )


def _database_problem(app: App) -> str | None:
    """Why nothing can be recorded in the SQLite database now, in words for the
    administrator. The daemon cannot say so itself: it keeps its state in that database.
    Its reads still work, so the rest of the status would look well."""
    path = sqlite_path(app.store.url)
    problem = app.store.write_problem(WRITE_LOCK_WAIT_MS)
    if path is None:  # PostgreSQL: one that cannot be reached refuses this command too
        return None if problem is None else (
            f"NOT WRITABLE ({problem}): a standby not yet promoted, or "
            "default_transaction_read_only set? The daemon records no mail and sends none "
            "until it takes writes, and the mail waits in the Inbox")
    if problem is not None and "locked" in problem:
        return (f"NOT WRITABLE ({problem}): another program has held the write lock on "
                f"{path} for over {WRITE_LOCK_WAIT_MS // 1000} s (a sqlite3 shell left "
                f"inside BEGIN? fuser {path} names it); the daemon records no mail and "
                "sends none until it lets go, and the mail waits in the Inbox")
    if problem is not None and "readonly" in problem:
        other_user = someone_elses(path, os.geteuid())
        if other_user is not None:
            return (f"{NOT_CHECKED}: {path} belongs to user {other_user}, and this command "
                    "runs as another, who may not write it; run it as the daemon's user "
                    f"(sudo -u {shlex.quote(other_user)} mailbot status ...) to see what the "
                    "daemon sees")
        return (f"NOT WRITABLE ({problem}): {path}, its -wal and -shm files and its folder "
                "must be writable by the user the daemon runs as (chown them to it); "
                "until then the mail waits in the Inbox")
    if problem is not None:
        return f"NOT WRITABLE ({problem}): {path}; until it is, the mail waits in the Inbox"
    free = free_bytes(path)
    if free is not None and free < LOW_DISK_BYTES:
        return (f"the disk holding {path} is full or nearly ({free // 1024} KB free): "
                "the daemon cannot record mail once SQLite says \"database or disk is "
                "full\", and the mail waits in the Inbox; free some space")
    return None


NOT_CHECKED = "not checked"


def someone_elses(path: Path, me: int) -> str | None:
    """The name (or #id) of the user who owns the database file and may write it, when
    that is not `me`: an administrator who runs `mailbot status` as themselves, not as the
    service's user, is refused writes the daemon is allowed, and must not be told the
    database is broken (nor paged for it by a monitor reading the exit code)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if info.st_uid == me or not info.st_mode & stat.S_IWUSR:
        return None
    try:
        return pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        return f"#{info.st_uid}"  # as sudo -u takes a user id


def _not_sent(  # type: ignore[no-untyped-def]
    session, now: datetime
) -> tuple[str | None, datetime | None]:
    """Mail still waiting after a try (an SMTP server down, a timeout): how much, since
    when and the latest error, and when the oldest of it was queued. Counted with it is
    mail due that has not been tried yet: a flush stops at the first mail a server it
    cannot reach refused (outbox.flush), so the rest wait untried behind it."""
    tried = OutboxRow.attempts > 0
    error = session.scalar(
        select(OutboxRow.last_error)
        .where(OutboxRow.status == "pending", tried)
        .order_by(NEWEST_FIRST).limit(1)
    )
    if error is None:
        return None, None
    count, oldest = session.execute(
        select(func.count(OutboxRow.id), func.min(OutboxRow.created_at))
        .where(OutboxRow.status == "pending", or_(tried, OutboxRow.not_before <= now))
    ).one()
    if oldest.tzinfo is None:  # SQLite gives back naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return (f"{count} mail(s) not sent yet, the oldest queued {_when(oldest)}: "
            f"{error or 'no reason recorded'}; sending is tried again at every flush "
            "(`mailbot check-config --connect` tries the mail server)"), oldest


def _directory_unread(app: App) -> str | None:
    """Opened on the daemon's kept copy (directory_keep.py) because the files do not
    validate: what is wrong, and what the daemon goes on with."""
    directory = app.directory
    if not directory.last_error:
        return None
    return (f"{directory.last_error}; `mailbot run` goes on with the last directory that "
            f"could be read (after a restart, the copy kept on {directory.kept_copy}) until "
            "the file is put right, and reads it again when it is saved")


def _warnings_from(kept_copy: str) -> str:
    """Where the directory's warnings were read: the files as they are (check-config lists
    them too), or, while they do not validate, the copy the daemon kept of them."""
    if not kept_copy:
        return "(mailbot check-config lists them)"
    return (f"in the copy of these files kept on {kept_copy}, the last that could be read, "
            "which the daemon is using until they are put right")


def _backend_kind(app: App) -> str:
    """The backend in use, without making one (a connection) just to ask."""
    backend = app.backend_in_use
    return kind_of(backend) if backend is not None else app.settings.mailbox.backend


def _switched(writer: str | None, kind: str) -> tuple[str, str] | None:
    return (writer, kind) if writer is not None and writer != kind else None


def _mailbox_changed(app: App, cursor: str | None, writer: str | None,
                     owner: str | None) -> tuple[str, str] | None:
    """The stored cursor's mailbox and the configured one, when the backend is the same but
    [mailbox] now names another mailbox (as mailbox_cursor.load decides at the next poll).
    A cursor with no mailbox mark is taken to be the configured mailbox's there too."""
    kind = _backend_kind(app)
    if cursor is None or writer != kind or owner is None:
        return None
    here = mailbox_read(app, kind)
    return (owner, here) if owner != here else None


def _daemon(value: str | None, stopped: str | None, now: datetime) -> tuple[str | None, bool]:
    """When the daemon last began a poll, in words, and whether it has gone silent or was
    stopped since. No record: no daemon ever ran here (`poll --once` from cron, a fresh
    install)."""
    if value is None:
        return None, False
    try:
        last = datetime.fromisoformat(value)
        stop = datetime.fromisoformat(stopped) if stopped else None
    except ValueError:
        return None, False
    if stop is not None and stop >= last:
        return (f"STOPPED at {_when(stop)} (the last poll began {_when(last)}): nobody is "
                "reading the mailbox; systemctl start mailbot"), True
    if now - last <= DAEMON_SILENT_AFTER:
        return f"polling (last poll {_when(last)})", False
    return (f"NOT POLLING: the last poll began {_when(last)}; is `mailbot run` running? "
            "(systemctl status mailbot; its log says why it stopped)"), True


def _bulk_share(session, since: datetime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Messages received since `since` recorded as bulk mail, and all of them."""
    bulk, received = session.execute(
        select(
            func.count(MessageRow.id).filter(MessageRow.automatic == Automatic.BULK.value),
            func.count(MessageRow.id),
        ).where(MessageRow.received_at >= since)
    ).one()
    return int(bulk or 0), int(received or 0)


def _relay_suspected(bulk: int, received: int, relay_list_ids: list[str]) -> str | None:
    if received < RELAY_LEAST or bulk < RELAY_SHARE * received:
        return None
    configured = ", ".join(relay_list_ids) or "none"
    return (f"{bulk} of the {received} messages of the last {RELAY_WINDOW.days} days were "
            "recorded as bulk (list) mail and not answered. If the shared mailbox is fed "
            "through a Google Group or another list, put its address or List-Id in [loops] "
            f"relay_list_ids (now: {configured}), then run `mailbot relay reread` to answer "
            "the mail dropped so far; see docs/deployment.md")


def _held(hold: sending_hold.Hold | None) -> str | None:
    if hold is None:
        return None
    return (f"since {_when(hold.since)}: {hold.problem} (all mail waits; next try "
            f"{_when(hold.retry_at)})")


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def _mailbox_state(status: Status) -> str:
    if status.outage:
        return f"DOWN {status.outage}"
    if not status.polled_before:  # status itself never logs in: nothing is known yet
        return "not polled yet (`mailbot check-config --connect` tries the login)"
    return "OK"


def format_status(status: Status) -> str:
    lines = [
        "mailbox: " + _mailbox_state(status),
        "messages: " + _pairs(status.messages),
        "cases: " + _pairs(status.cases) + f"; {status.overdue} overdue",
        "outbox: " + _pairs(status.outbox),
    ]
    if status.unassigned:
        lines.insert(3, f"cases: {status.unassigned} open case(s) with no officer: "
                        "mailbot cases --triage")
    if status.with_leavers:
        lines[3:3] = [
            f"cases: {n} open case(s) with {address}, who is not in officers.csv (left, or "
            f"a changed address?): mailbot reassign --from {address} --to NEW"
            for address, n in status.with_leavers
        ]
    if status.switched:
        writer, kind = status.switched
        lines.insert(1, f"mailbox: the stored cursor is the {writer} backend's and backend is "
                        f"now {kind}: the next poll reads the Inbox afresh; mail already "
                        "recorded is not answered again (docs/backends/switching.md)")
    if status.mailbox_changed:
        owner, here = status.mailbox_changed
        lines.insert(1, f"mailbox: the stored cursor is for {owner} and [mailbox] now reads "
                        f"{here}: the next poll reads the new mailbox's Inbox afresh, once; "
                        "mail already recorded is not answered again "
                        "(docs/backends/switching.md)")
    if status.database:
        lines.insert(0, f"database: {status.database}")
    if status.daemon:
        lines.insert(0, f"daemon: {status.daemon}")
    lines[1:1] = [f"daemon: {failing}; the daemon's log has the traceback (journalctl -u "
                  "mailbot), and mailbot goes on trying at each run" for failing in status.failing]
    lines += [
        f"directory: {address} auto-replied on {when} that they have left, but is still in "
        f"officers.csv: delete their row, then mailbot reassign --from {address} --to NEW"
        for address, when in status.left_but_listed
    ]
    if status.directory_unread:
        lines.append(f"directory: NOT READ: {status.directory_unread}")
    lines += [f"templates: NOT USED: {unused}" for unused in status.templates_unused]
    if status.directory_warnings:
        lines.append(f"directory: {len(status.directory_warnings)} warning(s) "
                     f"{_warnings_from(status.directory_warnings_kept)}:")
        lines += [f"  {warning}" for warning in status.directory_warnings[:LISTED]]
    if status.held:
        lines.append(f"outbox: sending held {status.held}")
    elif status.not_sent:  # a hold says it already, for all the mail
        lines.append(f"outbox: {status.not_sent}")
    if status.mostly_bulk:
        lines.append(f"messages: {status.mostly_bulk}")
    if status.unmoved:
        lines.append(
            f"inbox: {status.unmoved} handled message(s) not yet moved to the Processed folder; "
            "each poll tries again, and the log says why it failed"
        )
    if status.quarantined:
        lines.append(f"quarantined (latest {len(status.quarantined)}; raw bytes kept):")
        lines += [f"  row {row_id}  {when}  {mid}  {why}"
                  for row_id, when, mid, why in status.quarantined]
        lines.append("  to look: mailbot quarantine save ROW FILE.eml; "
                     "once fixed: mailbot quarantine retry ROW")
    if status.left_unread:
        lines.append(f"inbox: {len(status.left_unread)} message(s) mailbot could not read, "
                     "left in the mailbox for a person (no case, no acknowledgement, no clock):")
        lines += [f"  row {row_id}  since {when}  {why}"
                  for row_id, when, _folder, why in status.left_unread]
        lines.append("  once dealt with in the mailbox: mailbot quarantine done ROW")
    if status.stuck_mail:
        lines.append("mail a person should check (failed, or may not have gone):")
        lines += [f"  row {row_id}  {when}  {purpose} to {to}: {error}"
                  for row_id, when, purpose, to, error in status.stuck_mail]
        lines.append("  once checked: mailbot outbox resend ROW, or mailbot outbox mark-sent ROW")
    return "\n".join(lines)


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {key}" for key, n in sorted(counts.items())) or "none"
