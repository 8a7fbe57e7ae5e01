"""Messages a backend cannot read, and the rule that keeps one of them from stopping every
poll: a message whose download fails UNREADABLE_AFTER times is left in the mailbox for a
person, and the messages behind it are read.

Without the rule, a message the server fails on every time (a Graph 500, an unexpected EWS
fault for one item, an IMAP FETCH Dovecot cannot answer, a maildir file mailbot may not
open) fails the fetch, the cursor stays before it, and every later poll meets it first:
nothing behind it is ever read. Each backend counts its failures here, by its own key for
the message, and hands over what it gave up on (`take_left`) so the poll can record it
where an administrator looks (mailbot/left_unread.py).

The memory is kept in the database (mailbot/store/read_failures.py): the poll loads it
into the backend before it reads (`at`, `restore`) and writes it back after, whether the
read failed or not (`snapshot`). So the count reaches UNREADABLE_AFTER across runs of
`mailbot poll --once` (from cron or a timer each builds a fresh backend) and restarts of
the daemon: else a message failing every time would be counted once a run, never left,
and hold back the mail behind it for good. It is bounded: a message read, or found gone,
is forgotten at once, and beyond KEEP_AT_MOST the oldest are let go (a message left alone
is then tried again, twice, and left again, still one record).

Time is the poll's: `at(now)` says what time it is, and nothing here reads a clock. A
memory that was never told the time (a backend used outside a poll) tries no message
left for a person again.

A message left for a person is tried again once a day (TRY_AGAIN_AFTER), on every backend,
without a restart: the cause may have gone (an administrator put a file's owner right, an
Exchange conversion works now), and the member's mail is then read like any other, once
(a backend whose place has moved past it asks for it by its key: see due_again). A retry
that fails leaves it again at once, for another day, with no new record or alert.

A failure counts against a message only when the same fetch read another message (or it
was the only one tried): when every message fails, the server is at fault, not they, and
leaving them all for a person would send the admins an alert per message (see FetchRound).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

UNREADABLE_AFTER = 2  # failed reads of one message, alone, before it is left unread
KEEP_AT_MOST = 1_000  # messages remembered; a shared mailbox never has this many broken
# A message left for a person is tried again once this long (seconds) has passed: the cause
# may have gone (a file's owner put right, an Exchange conversion that works now), and the
# mail is then read without a restart. A retry that fails leaves it again at once, for
# another day, with no new record or alert (left_unread keys those by the message).
TRY_AGAIN_AFTER = 24 * 3600.0


@dataclass(frozen=True)
class LeftUnread:
    """A message left in the mailbox for a person: the backend's own ref for it (an EWS
    item id, a Graph id, an IMAP "UIDVALIDITY:UID", a maildir file name), its folder
    ("inbox" or "sent") and that folder's name as a person sees it, and why; and, where
    the server could still say them, its sender and subject, so a person can find it."""

    ref: str
    folder: str
    shown: str
    problem: str
    sender: str = ""
    subject: str = ""


@runtime_checkable
class ReportsUnread(Protocol):
    """Optional: backends that leave messages they cannot read for a person."""

    def take_left_unread(self) -> list[LeftUnread]:
        """The messages given up on since the last call (each once per run)."""
        ...


@dataclass(frozen=True)
class Remembered:
    """What is remembered of one message: failed reads of it alone counted against it (0:
    it was in a request of several that failed, so it is read alone from now on), when it
    first and last failed, and when it was last left for a person (None: not left)."""

    key: str
    failures: int
    first_failed: datetime
    last_failed: datetime
    left_at: datetime | None = None


# The time of a memory never told it (see ReadFailures.at): such a memory is never kept.
NO_TIME = datetime.min.replace(tzinfo=UTC)


class ReadFailures:
    """Failed reads by message, and the messages given up on not yet handed over."""

    def __init__(
        self,
        after: int = UNREADABLE_AFTER,
        keep: int = KEEP_AT_MOST,
        *,
        again_after: float = TRY_AGAIN_AFTER,
    ) -> None:
        self.after = after
        self.keep = keep
        self.again_after = timedelta(seconds=again_after)
        self.now: datetime | None = None  # the poll's time (see at)
        # key -> what is remembered of it, the least recently failed first
        self._entries: OrderedDict[str, Remembered] = OrderedDict()
        self._left: list[LeftUnread] = []

    def __len__(self) -> int:
        return len(self._entries)

    def at(self, now: datetime) -> None:
        """The time of the poll that reads now: failures are dated by it, and a message
        left for a person is due again by it."""
        self.now = now

    def restore(self, remembered: list[Remembered]) -> None:
        """What was kept (see snapshot) in place of what is remembered now: the database
        is the memory, and a fresh backend (`poll --once`, a restart) starts from it."""
        ordered = sorted(remembered, key=lambda one: one.last_failed)
        self._entries = OrderedDict((one.key, one) for one in ordered)
        self._trim()

    def snapshot(self) -> list[Remembered]:
        """Everything remembered now, to keep (see restore)."""
        return list(self._entries.values())

    def suspected(self, key: str) -> bool:
        """A read of this message, or of a request it was in, has failed."""
        return key in self._entries

    def given_up(self, key: str) -> bool:
        """It failed alone UNREADABLE_AFTER times, or the server said it never can give it:
        it is not asked for again until TRY_AGAIN_AFTER has passed (see due_again)."""
        return self.counted(key) >= self.after and not self._due(key)

    def due_again(self) -> list[str]:
        """Messages left for a person whose time to be tried again has come: a backend
        whose place has moved past them asks for them again (by their key)."""
        return [key for key in self._entries if self._due(key)]

    def _due(self, key: str) -> bool:
        entry = self._entries.get(key)
        if entry is None or entry.left_at is None or self.now is None:
            return False
        return self.now - entry.left_at >= self.again_after

    def counted(self, key: str) -> int:
        """Failed reads of this message alone that were counted against it."""
        entry = self._entries.get(key)
        return entry.failures if entry is not None else 0

    def suspect(self, keys: list[str]) -> None:
        """A request for all of these failed: each is read alone from now on, so the one
        at fault can be told from the rest."""
        now = self.now or NO_TIME
        for key in keys:
            if key not in self._entries:
                self._entries[key] = Remembered(key, 0, now, now)
        self._trim()

    def failed(self, key: str) -> bool:
        """A read of this message alone failed. True if that makes it given up on: the
        backend then hands it over (`report`)."""
        count = self.counted(key) + 1
        self._note(key, count, left=count >= self.after)  # left again, if a retry failed
        return count >= self.after

    def _note(self, key: str, failures: int, *, left: bool) -> None:
        now = self.now or NO_TIME
        known = self._entries.pop(key, None)
        first = known.first_failed if known is not None else now
        left_at = now if left else (known.left_at if known is not None else None)
        # moved to the newest end: the last to be let go
        self._entries[key] = Remembered(key, failures, first, now, left_at)
        self._trim()

    def report(self, left: LeftUnread) -> None:
        """Hand this message over as left for a person (see take_left), once."""
        if all(known.ref != left.ref for known in self._left):
            self._left.append(left)
        del self._left[: -self.keep]

    def leave(self, left: LeftUnread) -> None:
        """A message the server says it can never give (an item Exchange cannot convert to
        MIME): left at once, without waiting for a second failure."""
        self._note(left.ref, max(self.after, self.counted(left.ref)), left=True)
        self.report(left)

    def settled(self, key: str) -> None:
        """Read, or gone: nothing to remember."""
        self._entries.pop(key, None)

    def remembered(self) -> list[str]:
        """The messages remembered now, to forget those found gone."""
        return list(self._entries)

    def take_left(self) -> list[LeftUnread]:
        left, self._left = self._left, []
        return left

    def _trim(self) -> None:
        while len(self._entries) > self.keep:
            self._entries.popitem(last=False)
        del self._left[: -self.keep]


@runtime_checkable
class KeepsReadFailures(Protocol):
    """Backends whose memory of failed reads the poll keeps in the database."""

    def read_failures(self) -> ReadFailures:
        """The backend's memory of failed reads (see ReadFailures)."""
        ...


@dataclass(frozen=True)
class _Failure:
    key: str
    error: Exception
    describe: Callable[[], LeftUnread]


class FetchRound:
    """The reads of one fetch. A message that fails is not allowed to stop the others:
    the backend notes it (`fail`) and reads on; `close` then decides. If the fetch read
    another message, or tried none but this one, each failure counts against its message,
    and one failing UNREADABLE_AFTER times is left for a person (handed over, logged);
    while any has not failed that often yet, close raises its error, so the fetch fails
    and is tried again. If every message tried failed, the server is at fault: close
    raises and counts against none but those already counted once (see settle)."""

    def __init__(self, memory: ReadFailures, where: str) -> None:
        self.memory = memory
        self.where = where
        self.read = 0
        self._failed: list[_Failure] = []

    def ok(self, key: str) -> None:
        self.read += 1
        self.memory.settled(key)

    def fail(self, key: str, error: Exception, describe: Callable[[], LeftUnread]) -> None:
        self._failed.append(_Failure(key, error, describe))

    def close(self) -> None:
        pending = self.settle()
        if pending:
            raise pending[0][1]

    def settle(self) -> list[tuple[str, Exception]]:
        """Count this fetch's failures, as close does, without failing the fetch: the
        messages that may yet be read (each key with its error), for a backend that can
        keep its place before them and hand over what it read meanwhile (IMAP). Raises, as
        close does, when every message tried failed: the server's fault."""
        if not self._failed:
            return []
        # When nothing could be read, the server is at fault, not the messages; except a
        # message already counted (it failed alone in a fetch that read others), which is
        # counted again: else two such messages, alone in the Inbox once the others were
        # read, would fail every poll until new mail came, and never be left.
        blame_all = self.read > 0 or len(self._failed) == 1
        blamed = [f for f in self._failed if blame_all or self.memory.counted(f.key)]
        if not blamed:
            raise self._failed[0].error  # nothing could be read: the server's fault
        pending: list[tuple[str, Exception]] = []
        for failure in self._failed:
            if failure not in blamed:
                pending.append((failure.key, failure.error))
                continue
            if not self.memory.failed(failure.key):
                pending.append((failure.key, failure.error))
                continue
            left = failure.describe()
            log.error(
                "%s: reading %s message %s failed %d times (%s); it is left there for a "
                "person to look at, and the messages after it are read",
                self.where, left.shown, failure.key, self.memory.after, failure.error,
            )  # fmt: skip
            self.memory.report(left)
        return pending
