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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.backends import byte_budget
from mailbot.backends.base import TransientError
from mailbot.backends.imap_cursor import SENT_REF
from mailbot.backends.imap_errors import error_text, server_words
from mailbot.backends.unreadable import KEEP_AT_MOST, UNREADABLE_AFTER, LeftUnread
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
    FETCH failed on, for as long as that memory can matter: see _forget_what_is_settled."""

    def __init__(self, where: str, batch_size: int, batch_bytes: int) -> None:
        self.where = where
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        # Messages a FETCH failed on, by (folder, UIDVALIDITY, UID), and how many times a
        # FETCH of that message alone failed (0: it was in a FETCH of several that failed).
        self._trouble: dict[tuple[str, int, int], int] = {}
        # Messages given up on, not yet handed over (see take_left_unread)
        self._left: list[LeftUnread] = []

    def take_left_unread(self) -> list[LeftUnread]:
        """Messages left for a person since the last call, for `mailbot status` and the
        admins (see mailbot/left_unread.py); each once per run."""
        left, self._left = self._left, []
        return left

    @property
    def remembered(self) -> int:
        """How many messages a FETCH failed on are remembered now."""
        return len(self._trouble)

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
    ) -> tuple[list[FetchedMessage], int]:
        """Messages above `last_uid` in the selected folder ("inbox" or "sent", named
        `shown` on the server), their refs starting with `prefix`: at most batch_size of
        them and, beyond the first, at most `batch_bytes` of mail (see BATCH_BYTES); and
        the last UID read. `extent` is the folder's size as its SELECT gave it (see
        uids_above). With `wait_at_deleted` the last UID returned stays below a message
        marked \\Deleted among them (see below_deleted)."""
        newer, searched_to = uids_above(client, last_uid, self.batch_size, extent)
        self._forget_what_is_settled(client, folder, validity, (last_uid, searched_to), newer)
        candidates = newer[: self.batch_size]
        sizes = self._sizes(client, folder, validity, candidates, shown)
        uids = within_budget(candidates, sizes, self.batch_bytes)
        messages: list[FetchedMessage] = []
        for chunk in chunks(uids, sizes, FETCH_CHUNK, FETCH_BYTES):
            for piece in self._pieces(folder, validity, chunk):
                data = self._fetch(client, (folder, validity, shown), piece, "BODY.PEEK[]")
                for uid in piece:
                    item = data.get(uid)
                    if item is None or b"BODY[]" not in item:  # deleted since the SEARCH
                        continue
                    self._trouble.pop((folder, validity, uid), None)  # read: no longer a worry
                    ref = f"{prefix}{validity}:{uid}"
                    messages.append(FetchedMessage(ref=ref, raw=item[b"BODY[]"], folder=folder))
        top = max(uids, default=last_uid)
        return messages, below_deleted(client, last_uid, top) if wait_at_deleted else top

    def _forget_what_is_settled(
        self,
        client: IMAPClient,
        folder: str,
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
        keys = [key for key in self._trouble if key[0] == folder]
        for key in keys:
            if key[1] != validity:
                del self._trouble[key]
        older = sorted(uid for _, v, uid in keys if v == validity and uid <= last_uid)
        present = set(newer)
        for start in range(0, len(older), SIZE_CHUNK):
            present.update(client.search(["UID", _uid_set(older[start : start + SIZE_CHUNK])]))
        for key in keys:
            unsearched = searched_to is not None and key[2] > searched_to
            if key[1] == validity and key[2] not in present and not unsearched:
                del self._trouble[key]

    def _pieces(self, folder: str, validity: int, chunk: list[int]) -> list[list[int]]:
        """The chunk as one FETCH; one message at a time once a FETCH of any of them has
        failed, leaving out messages the server has failed on alone UNREADABLE_AFTER times
        (a message alone in its chunk, as a big one is, included: else it would stop every
        poll at it for good)."""
        keys = {uid: (folder, validity, uid) for uid in chunk}
        if not any(key in self._trouble for key in keys.values()):
            return [chunk]
        return [[uid] for uid in chunk if self._trouble.get(keys[uid], 0) < UNREADABLE_AFTER]

    def _sizes(
        self, client: IMAPClient, folder: str, validity: int, uids: list[int], shown: str
    ) -> dict[int, int]:
        """Each message's size in bytes (RFC822.SIZE): cheap, and it lets a batch be cut
        before its mail is read. A server may have to open a message to size it (Dovecot
        does for mail another delivery agent wrote), and fail as it fails to read it: so
        the sizes of messages a FETCH failed on are asked one at a time, like their
        bodies, and one left unread is not asked again (it counts as 0)."""
        where = (folder, validity, shown)
        plain = [uid for uid in uids if (folder, validity, uid) not in self._trouble]
        sizes: dict[int, int] = {}
        for start in range(0, len(plain), SIZE_CHUNK):
            chunk = plain[start : start + SIZE_CHUNK]
            sizes.update(size_items(self._fetch(client, where, chunk, "RFC822.SIZE")))
        for uid in uids:
            failures = self._trouble.get((folder, validity, uid))
            if failures is None:
                continue
            if failures >= UNREADABLE_AFTER:
                sizes[uid] = 0
                continue
            sizes.update(size_items(self._fetch(client, where, [uid], "RFC822.SIZE")))
        return sizes

    def _fetch(
        self, client: IMAPClient, where: tuple[str, int, str], piece: list[int], item: str
    ) -> dict[int, dict[bytes, Any]]:
        """FETCH `item` of the messages in `where` (folder, UIDVALIDITY, name on the
        server); on a failure, remember which: a server that fails (or hangs up, as
        Dovecot does) on one message it cannot read would otherwise stop every poll at
        that message for good, and the mail behind it with it."""
        folder, validity, shown = where
        try:
            return client.fetch(piece, [item])  # type: ignore[no-any-return]
        except (IMAPClientError, OSError) as error:
            if len(piece) > 1:
                for uid in piece:
                    self._trouble.setdefault((folder, validity, uid), 0)
                raise TransientError(
                    f"{self.where}: reading messages failed ({server_words(error_text(error))}); "
                    "reading them one at a time"
                ) from error
            key = (folder, validity, piece[0])
            self._trouble[key] = failures = self._trouble.get(key, 0) + 1
            if failures >= UNREADABLE_AFTER:
                log.error(
                    "%s cannot read message UID %d in %r (%s); it is left there for a person "
                    "to look at, and the messages after it are read",
                    self.where, piece[0], shown, server_words(error_text(error)),
                )  # fmt: skip
                ref = f"{SENT_REF if folder == 'sent' else ''}{validity}:{piece[0]}"
                problem = (f"the IMAP server failed {failures} times to give message UID "
                           f"{piece[0]} ({server_words(error_text(error))})")
                if failures == UNREADABLE_AFTER:
                    self._left.append(LeftUnread(ref, folder, shown, problem))
                    del self._left[:-KEEP_AT_MOST]
            raise TransientError(
                f"{self.where}: reading message UID {piece[0]} in {shown!r} failed: "
                f"{server_words(error_text(error))}"
            ) from error


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
