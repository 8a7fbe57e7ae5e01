"""Reading new mail from an IMAP folder in bounded batches, stepping around what the
server cannot read.

A poll asks each message's size first, then reads no more than a batch's worth, in FETCH
commands of bounded size, so a mailbox full of large attachments cannot make one poll
hold gigabytes. A message the server fails on (or hangs up on, as Dovecot does) is read
alone, and left for a person after UNREADABLE_AFTER tries, so it cannot stop every poll
at that message for good, and the mail behind it with it."""

from __future__ import annotations

import imaplib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from mailbot.backends import byte_budget
from mailbot.backends.base import TransientError
from mailbot.backends.imap_cursor import SENT_REF
from mailbot.backends.imap_errors import error_text, server_words
from mailbot.backends.unreadable import UNREADABLE_AFTER, FetchRound, LeftUnread, ReadFailures
from mailbot.model import FetchedMessage

log = logging.getLogger(__name__)

FETCH_CHUNK = 50  # messages per FETCH command: bounded memory per round trip
FETCH_BYTES = 16 * 1024 * 1024  # and at most this much mail per FETCH (one big one may exceed)
# Mail one fetch_new holds in memory at most (a message bigger than this comes alone),
# the same for every backend: see byte_budget.
BATCH_BYTES = byte_budget.BATCH_BYTES
SIZE_CHUNK = 500  # UIDs per size FETCH: keeps the command line well under server limits


class NewMailReader:
    """New messages of one mailbox's folders, batch by batch. It remembers the messages a
    FETCH failed on (see unreadable.ReadFailures), for as long as that memory can matter:
    see _forget_what_is_settled."""

    def __init__(
        self,
        where: str,
        batch_size: int,
        batch_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.where = where
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.clock = clock
        # Messages a FETCH failed on, keyed by their ref ("<UIDVALIDITY>:<UID>", with
        # SENT_REF before it in Sent), and the messages given up on not yet handed over.
        self._memory = ReadFailures()
        # When a message that may yet be read last failed alone (clock seconds): it is not
        # tried again before RETRY_GAP has passed, so its two failures are two polls apart.
        self._failed_at: dict[str, float] = {}

    def take_left_unread(self) -> list[LeftUnread]:
        """Messages left for a person since the last call, for `mailbot status` and the
        admins (see mailbot/left_unread.py); each once per run."""
        return self._memory.take_left()

    def read_failures(self) -> ReadFailures:
        """The messages a FETCH failed on, kept by the poll (see KeepsReadFailures)."""
        return self._memory

    @property
    def remembered(self) -> int:
        """How many messages a FETCH failed on are remembered now."""
        return len(self._memory)

    def read(
        self,
        client: IMAPClient,
        validity: int,
        last_uid: int,
        prefix: str,
        folder: str,
        *,
        shown: str,
        extent: FolderExtent | None = None,
        wait_at_deleted: bool = False,
        reopen: Callable[[], IMAPClient] | None = None,
    ) -> tuple[list[FetchedMessage], int]:
        """Messages above `last_uid` in the selected folder ("inbox" or "sent", named
        `shown` on the server), their refs starting with `prefix`: at most batch_size of
        them and, beyond the first, at most `batch_bytes` of mail (see BATCH_BYTES); and
        the UID to read on from next time. `extent` is the folder's size as its SELECT
        gave it (see uids_above). With `wait_at_deleted` that UID stays below a message
        marked \\Deleted among them (see below_deleted).

        A message the server fails on does not hold back the others of the batch: they
        are read in the same call, one at a time once a FETCH of several has failed, on
        a new connection from `reopen` (the same folder selected) when the server hung
        up, as Dovecot does on a message it cannot read. The UID returned stays below a
        message that failed but may yet be read, so the next poll tries it again; one that
        failed alone in UNREADABLE_AFTER polls is left for a person and passed (see
        unreadable.FetchRound). When every message tried failed, the server is at fault:
        the call fails, and no message is blamed."""
        newer, searched_to = uids_above(client, last_uid, self.batch_size, extent)
        self._forget_what_is_settled(client, prefix, validity, (last_uid, searched_to), newer)
        candidates = newer[: self.batch_size]
        job = _Reading(self, _Link(client, reopen), prefix, validity, folder, shown)
        now = self.clock()
        given_up = {uid for uid in candidates if self._memory.given_up(job.key(uid))}
        resting = {uid for uid in candidates if uid not in given_up
                   and now - self._failed_at.get(job.key(uid), now - RETRY_GAP) < RETRY_GAP}
        tried = [uid for uid in candidates if uid not in given_up and uid not in resting]
        sizes = job.sizes(tried)
        uids = within_budget(candidates, sizes, self.batch_bytes)
        wanted = [uid for uid in uids if uid in sizes]
        messages: list[FetchedMessage] = []
        for uid in self._due_below(prefix, validity, last_uid):
            messages += job.bodies([uid])  # left for a person a day ago: tried again, alone
        for chunk in chunks(wanted, sizes, FETCH_CHUNK, FETCH_BYTES):
            messages += job.bodies(chunk)
        pending = job.round.settle()
        for key, _error in pending:
            self._failed_at[key] = now
        for key in list(self._failed_at):
            if not self._memory.suspected(key) or self._memory.given_up(key):
                del self._failed_at[key]
        waiting = [uid for uid in uids if uid in resting] + [
            parse_key(key)[1] for key, _error in pending]
        top = max(uids, default=last_uid)
        if waiting:
            top = min(top, min(waiting) - 1)
        client = job.link.live()  # what follows (and the caller) needs a connection
        return messages, below_deleted(client, last_uid, top) if wait_at_deleted else top

    def _forget_what_is_settled(
        self,
        client: IMAPClient,
        prefix: str,
        validity: int,
        searched: tuple[int, int | None],
        newer: list[int],
    ) -> None:
        """Forget the failures that can no longer matter, so the memory holds no more than
        the unreadable messages still in the folder, however long the daemon runs: those of
        an older UIDVALIDITY (the folder was renumbered, the numbers now mean other
        messages or none), and those no longer in the folder (moved, deleted: a UID is
        never given again). A message read is forgotten as it is read (see read). What
        stays keeps its protection: a resync reads from the start again and must not
        spend its retries, again, on a message left for a person. `searched` is the
        range of UIDs whose SEARCH found `newer` (above the first, up to the second: None
        for all of them); UIDs past it are not known to be gone, so they are kept."""
        last_uid, searched_to = searched
        mine = [(key, *parse_key(key)) for key in self._memory.remembered()
                if key.startswith(prefix) and (prefix or not key.startswith(SENT_REF))]
        for key, key_validity, _uid in mine:
            if key_validity != validity:
                self._settle(key)
        older = sorted(uid for _, v, uid in mine if v == validity and uid <= last_uid)
        present = set(newer)
        for start in range(0, len(older), SIZE_CHUNK):
            present.update(client.search(["UID", _uid_set(older[start : start + SIZE_CHUNK])]))
        for key, key_validity, uid in mine:
            unsearched = searched_to is not None and uid > searched_to
            if key_validity == validity and uid not in present and not unsearched:
                self._settle(key)

    def _due_below(self, prefix: str, validity: int, last_uid: int) -> list[int]:
        """Messages of this folder left for a person whose time to be tried again has come
        (see unreadable.TRY_AGAIN_AFTER), below the place: the read has moved past them."""
        due = [parse_key(key) for key in self._memory.due_again()
               if key.startswith(prefix) and (prefix or not key.startswith(SENT_REF))]
        return sorted(uid for key_validity, uid in due
                      if key_validity == validity and uid <= last_uid)

    def _settle(self, key: str) -> None:
        self._memory.settled(key)
        self._failed_at.pop(key, None)


RETRY_GAP = 30.0  # seconds: a message's failures count once a poll, not once a retry


def parse_key(key: str) -> tuple[int, int]:
    """(UIDVALIDITY, UID) of a remembered message's ref."""
    validity, _, uid = key.removeprefix(SENT_REF).partition(":")
    return int(validity), int(uid)


class _Link:
    """The connection a read goes over, made anew (by `reopen`) when the server hung up."""

    def __init__(self, client: IMAPClient, reopen: Callable[[], IMAPClient] | None) -> None:
        self.client = client
        self.reopen = reopen
        self.broken = False

    def live(self) -> IMAPClient:
        if self.broken:
            if self.reopen is None:
                raise TransientError("the IMAP server hung up while mail was read")
            self.client = self.reopen()
            self.broken = False
        return self.client

    def fetch(self, uids: list[int], item: str) -> dict[int, dict[bytes, Any]]:
        client = self.live()
        try:
            return client.fetch(uids, [item])  # type: ignore[no-any-return]
        except (IMAPClientAbortError, OSError):
            self.broken = True  # Dovecot hangs up on a message it cannot read
            raise


class _Reading:
    """One read of a folder: FETCHes that step around the messages the server fails on,
    counted in `round`."""

    def __init__(
        self, reader: NewMailReader, link: _Link, prefix: str, validity: int, folder: str,
        shown: str,
    ) -> None:
        self.reader, self.link = reader, link
        self.prefix, self.validity, self.folder, self.shown = prefix, validity, folder, shown
        self.round = FetchRound(reader._memory, reader.where)
        self.failed: set[int] = set()  # UIDs that failed alone in this read

    def key(self, uid: int) -> str:
        return f"{self.prefix}{self.validity}:{uid}"

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each message's size in bytes (RFC822.SIZE): cheap, and it lets a batch be cut
        before its mail is read. A server may have to open a message to size it (Dovecot
        does for mail another delivery agent wrote), and fail as it fails to read it: so
        the messages of a failed size FETCH are sized one at a time, like their bodies. A
        message that could not be sized is left out."""
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), SIZE_CHUNK):
            chunk = uids[start : start + SIZE_CHUNK]
            for found in self._each("RFC822.SIZE", chunk):
                sizes.update(size_items(found))
        return sizes

    def bodies(self, chunk: list[int]) -> list[FetchedMessage]:
        messages: list[FetchedMessage] = []
        for found in self._each("BODY.PEEK[]", chunk):
            for uid, item in sorted(found.items()):
                raw = item.get(b"BODY[]")
                if uid not in chunk or not isinstance(raw, bytes):
                    continue
                self.round.ok(self.key(uid))
                messages.append(FetchedMessage(ref=self.key(uid), raw=raw, folder=self.folder))
        given = {message.ref for message in messages}
        self._unanswered([uid for uid in chunk
                          if self.key(uid) not in given and uid not in self.failed])
        return messages

    def _unanswered(self, uids: list[int]) -> None:
        """Messages the server left out of a FETCH answered OK (or gave as NIL): gone since
        the SEARCH, as a person's expunge makes them, or not given although still there.
        Those still there count as a failed read: passing over them in silence would move
        the place past a member's mail, never read and never reported."""
        if not uids:
            return
        present = self.link.live().search(["UID", _uid_set(uids), "NOT", "DELETED"])
        for uid in sorted(set(present) & set(uids)):
            self._failed(uid, IMAPClientError(
                "the server answered the FETCH without the message's content"))

    def _each(self, item: str, uids: list[int]) -> Iterator[dict[int, dict[bytes, Any]]]:
        """FETCH `item` of `uids` together, unless a FETCH of any of them has failed
        before; after a failure, one at a time. A message failing alone is noted in the
        round and left out."""
        memory = self.reader._memory
        if len(uids) > 1 and not any(memory.suspected(self.key(uid)) for uid in uids):
            try:
                yield self.link.fetch(uids, item)
                return
            except (IMAPClientError, OSError) as error:
                log.warning("%s: reading %d messages in %r failed (%s); reading them one at "
                            "a time", self.reader.where, len(uids), self.shown,
                            server_words(error_text(error)))  # fmt: skip
                memory.suspect([self.key(uid) for uid in uids])
        for uid in uids:
            try:
                yield self.link.fetch([uid], item)
            except (IMAPClientError, OSError) as error:
                self._failed(uid, error)

    def _failed(self, uid: int, error: Exception) -> None:
        words = server_words(error_text(error))
        log.warning("%s cannot read message UID %d in %r (%s); the messages after it are "
                    "read, and it is tried again at a later poll",
                    self.reader.where, uid, self.shown, words)  # fmt: skip
        problem = f"the IMAP server failed, in {UNREADABLE_AFTER} polls, to give message " \
            f"UID {uid} ({words})"
        failure = TransientError(
            f"{self.reader.where}: reading message UID {uid} in {self.shown!r} failed: {words}")
        failure.__cause__ = error
        ref = self.key(uid)
        self.failed.add(uid)
        self.round.fail(ref, failure, lambda: LeftUnread(ref, self.folder, self.shown, problem))


def _uid_set(uids: list[int]) -> str:
    """UIDs as an IMAP sequence set ("3,7,12")."""
    return ",".join(str(uid) for uid in uids)


@dataclass(frozen=True)
class FolderExtent:
    """The selected folder's number of messages and its highest UID, from its SELECT."""

    messages: int
    top_uid: int

    @classmethod
    def of(cls, status: dict[bytes, Any]) -> FolderExtent | None:
        """From select_folder's answer; None if the server left EXISTS or UIDNEXT out."""
        exists, uid_next = status.get(b"EXISTS"), status.get(b"UIDNEXT")
        if not isinstance(exists, int) or not isinstance(uid_next, int):
            return None
        return cls(exists, uid_next - 1)


def search_window() -> int:
    """How many UIDs one SEARCH may cover: its answer is one line, and imaplib refuses a
    line longer than _MAXLINE (1,000,000 bytes) with "got more than ... bytes". A UID
    takes at most 10 digits and a space, so this many always fit."""
    return max(1, imaplib._MAXLINE // 12 - 1)  # type: ignore[attr-defined]


def uids_above(
    client: IMAPClient, last_uid: int, most: int, extent: FolderExtent | None
) -> tuple[list[int], int | None]:
    """The UIDs above `last_uid` in the selected folder, not marked \\Deleted, in order,
    and the highest UID searched (None: all): all of them when the folder is small enough
    for one SEARCH to answer; else at least `most` (when there are that many), searched a
    window of UIDs at a time. An inbox of
    a hundred thousand messages (years of a shared mailbox never filed, read on the first
    poll or after a renumbering) made the one SEARCH's answer too long for the client,
    and every poll failed at it."""
    window = search_window()
    if extent is None or extent.messages <= window:
        # "n:*" always matches the highest UID, even below n, so filter as well.
        found = client.search(["UID", f"{last_uid + 1}:*", "NOT", "DELETED"])
        return sorted(uid for uid in found if uid > last_uid), None
    uids: list[int] = []
    start = last_uid + 1
    while len(uids) < most and start <= extent.top_uid:
        end = start + window - 1
        found = client.search(["UID", f"{start}:{end}", "NOT", "DELETED"])
        uids += sorted(uid for uid in found if start <= uid <= end)
        start = end + 1
    return uids, start - 1


def below_deleted(client: IMAPClient, last_uid: int, top: int) -> int:
    """`top`, or the UID before the first message above `last_uid` marked \\Deleted, if
    one is. mailbot leaves such mail alone (a person is throwing it away), but a person
    can also take the mark off again, as Outlook's and Thunderbird's Undelete do: the
    place in the inbox waits below it until it is expunged or unmarked, so a member's
    enquiry deleted by mistake and restored is still read. Mail above it that was read
    is moved out meanwhile, so waiting reads nothing twice but what could not be moved
    (which the ledger knows)."""
    if top <= last_uid:
        return top
    marked = [uid for uid in client.search(["UID", f"{last_uid + 1}:{top}", "DELETED"])
              if last_uid < uid <= top]
    return min(marked) - 1 if marked else top


def size_items(data: dict[int, dict[bytes, Any]]) -> dict[int, int]:
    """The sizes in a FETCH RFC822.SIZE answer; a message given no size counts as 0."""
    sizes: dict[int, int] = {}
    for uid, item in data.items():
        size = item.get(b"RFC822.SIZE")
        sizes[uid] = int(size) if isinstance(size, int) else 0
    return sizes


def within_budget(uids: list[int], sizes: dict[int, int], budget: int) -> list[int]:
    """The longest run of `uids` from the start whose sizes fit `budget`; at least the
    first, however big, so a huge message is read alone instead of never."""
    taken: list[int] = []
    total = 0
    for uid in uids:
        total += sizes.get(uid, 0)
        if taken and total > budget:
            break
        taken.append(uid)
    return taken


def chunks(uids: list[int], sizes: dict[int, int], most: int, budget: int) -> Iterator[list[int]]:
    """`uids` in runs of at most `most` messages and `budget` bytes (a bigger message
    alone), so one FETCH response never holds more than that."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if chunk and (len(chunk) >= most or total + size > budget):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk
