"""Reading new mail's MIME from Exchange over EWS in bounded GetItem calls, stepping
around the items Exchange cannot give: a batch holds no more than its bytes, one answer
no more than MIME_BYTES; an item that fails is asked for alone, and left for a person
(with its sender and subject) once it has failed UNREADABLE_AFTER times, or at once when
Exchange cannot convert it to MIME, so it cannot stop every poll, and the mail behind it
with it. The refs it gives are "<item id>|<change key>" (Sent Items': "sent:" before).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from exchangelib import errors as ews_errors

from mailbot.backends import byte_budget
from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.ews_connection import EwsConnection
from mailbot.backends.ews_sent import NewItem
from mailbot.backends.unreadable import FetchRound, LeftUnread, ReadFailures
from mailbot.model import FetchedMessage

log = logging.getLogger(__name__)

REF_SEPARATOR = "|"  # EWS ids and change keys are base64: they never contain "|"
# GetItem's answers for an item whose MIME Exchange cannot make (damaged, or from a broken
# import): they come back the same on every try.
UNCONVERTIBLE = (
    ews_errors.ErrorMimeContentConversionFailed,
    ews_errors.ErrorContentConversionFailed,
    ews_errors.ErrorCorruptData,
    ews_errors.ErrorItemCorrupt,
)
SENT_REF_PREFIX = "sent:"  # marks refs of Sent Items, which mark_processed leaves alone
MIME_BATCH = 20  # GetItem chunk: keeps one response small even with large messages
MIME_BYTES = 16 * 1024 * 1024  # and at most this much mail per GetItem (a bigger one alone)


class EwsDownloads(EwsConnection):
    """Downloading on the session; the failures remembered and the batch's bytes are set
    by EwsMailbox.__init__."""

    batch_bytes: int
    _failures: ReadFailures  # downloads that failed, by item

    def _download_all(
        self, ids: list[NewItem], *, folder: str, held: int
    ) -> tuple[list[FetchedMessage], list[NewItem]]:
        """The MIME of as many of `ids` as fit in the batch beside the `held` bytes it has
        (see byte_budget), in GetItem calls of bounded size; and the ids left for the next
        fetch. Ids come from the sync, or back from a cursor's JSON as lists. Items given up
        on are passed over; once a GetItem of several has failed, they are asked for one at
        a time, so the one at fault is found; an item that fails alone is noted and the rest
        read, and FetchRound decides (it fails the fetch until the item has failed
        UNREADABLE_AFTER times, then leaves it for a person)."""
        due = self._due_again(folder)
        again = {str(found[0]) for found in due}
        ids = [*due, *(found for found in ids if str(found[0]) not in again)]
        taken = byte_budget.within(ids, _size, held, self.batch_bytes)
        messages: list[FetchedMessage] = []
        reads = FetchRound(self._failures, "ews")
        for run in byte_budget.runs(taken, _size, MIME_BATCH, MIME_BYTES):
            # (a change key of None: an item tried again by its id alone, see _due_again)
            pairs = [(str(found[0]), str(found[1]) if found[1] else None) for found in run
                     if not self._failures.given_up(_key(str(found[0]), folder))]
            if any(self._failures.suspected(_key(item_id, folder)) for item_id, _ in pairs):
                pieces = [[pair] for pair in pairs]
            else:
                pieces = [pairs] if pairs else []
            for piece in pieces:
                messages += self._download_run(piece, folder, reads)
        reads.close()
        return messages, ids[len(taken) :]

    def _due_again(self, folder: str) -> list[NewItem]:
        """Inbox items left for a person whose time to be tried again has come (see
        unreadable.TRY_AGAIN_AFTER): the sync has moved past them, so they are asked for
        again by id, first. One a person moved or deleted meanwhile has another id now
        (Exchange gives an item a new one in another folder): not found, it is forgotten,
        never read. Sent Items left unread are not tried again, and forgotten."""
        if folder != "inbox":
            return []
        due: list[NewItem] = []
        for key in self._failures.due_again():
            if key.startswith(SENT_REF_PREFIX):
                self._failures.settled(key)
            else:
                due.append((key, "", 0))  # no change key, no size: asked for by id alone
        return due

    def _download_run(
        self, pairs: list[tuple[str, str | None]], folder: str, reads: FetchRound
    ) -> list[FetchedMessage]:
        """One GetItem of `pairs`; the items Exchange fails on alone (an unexpected fault
        for that item, a whole request that fails with it alone in it) noted in `reads`. A
        busy or unreachable server is no item's fault and counts against none."""
        try:
            found, failed = self._retry(
                "download messages", partial(self._download, pairs, folder=folder)
            )
        except TransientError:
            raise
        except BackendError as whole:
            if len(pairs) > 1:
                self._failures.suspect([_key(item_id, folder) for item_id, _ in pairs])
                raise
            found, failed = [], [(pairs[0][0], whole)]
        place = "Sent Items" if folder == "sent" else "Inbox"
        for item_id, problem in failed:
            key = _key(item_id, folder)
            said = f"Exchange failed to give it, each time: {problem}"
            reads.fail(key, problem, partial(
                self._described, item_id, LeftUnread(key, folder, place, said)))
        for message in found:
            reads.ok(message.ref.split(REF_SEPARATOR, 1)[0])
        return found

    def _download(
        self, ids: list[tuple[str, str | None]], *, folder: str
    ) -> tuple[list[FetchedMessage], list[tuple[str, BackendError]]]:
        """The messages Exchange gave, and the items it answered with an unexpected error
        (noted by _download_run, outside the retries)."""
        account = self._connect()
        found = []
        failed: list[tuple[str, BackendError]] = []
        place = "Sent Items" if folder == "sent" else "Inbox"
        for (item_id, changekey), item in zip(
            ids, account.fetch(ids=ids, only_fields=["mime_content"]), strict=True
        ):
            key = _key(item_id, folder)
            if isinstance(item, ews_errors.ErrorItemNotFound):
                self._failures.settled(key)
                log.info("message %s was deleted before we could download it", item_id)
                continue
            if isinstance(item, UNCONVERTIBLE):
                # Exchange says so every time: raising would fail every poll at this item,
                # and the mail behind it would never be read.
                log.error(
                    "ews: Exchange cannot convert %s item %s to MIME (%s: %s); it is left "
                    "there for a person to look at, and the messages after it are read",
                    place, item_id, type(item).__name__, item,
                )  # fmt: skip
                problem = f"Exchange cannot convert it to MIME ({type(item).__name__}: {item})"
                self._failures.leave(self._described(item_id, LeftUnread(key, folder, place,
                                                                          problem)))
                continue
            if isinstance(item, Exception):
                failed.append((item_id, BackendError(
                    f"ews: Exchange could not give {place} item {item_id} "
                    f"({type(item).__name__}: {item})"
                )))
                continue
            prefix = SENT_REF_PREFIX if folder == "sent" else ""
            # An item tried again by its id alone (see _due_again) has its change key here.
            changekey = changekey or str(item.changekey)
            found.append(
                FetchedMessage(
                    ref=f"{prefix}{item_id}{REF_SEPARATOR}{changekey}",
                    raw=bytes(item.mime_content),
                    folder=folder,
                )
            )
        return found, failed

    def _described(self, item_id: str, left: LeftUnread) -> LeftUnread:
        """`left` with its sender and subject, which Exchange gives as properties even when
        it cannot give the MIME, so a person can find it; as it was if it will not."""
        try:
            (item,) = self._connect().fetch(ids=[(item_id, None)],
                                            only_fields=["subject", "sender"])
        except Exception:  # noqa: BLE001 - a description is a courtesy; the report goes on
            return left
        if isinstance(item, Exception):
            return left
        sender = getattr(item.sender, "email_address", None) if item.sender else None
        return replace(left, sender=str(sender or ""), subject=str(item.subject or ""))

    def take_left_unread(self) -> list[LeftUnread]:
        """Items left for a person since the last call (see ReportsUnread)."""
        return self._failures.take_left()

    def read_failures(self) -> ReadFailures:
        """The downloads that failed, kept by the poll (see KeepsReadFailures)."""
        return self._failures


def _size(found: NewItem | list[Any]) -> int:
    """The size Exchange gave the item (0 if none): what its MIME will about weigh."""
    size = found[2] if len(found) > 2 else 0
    return size if isinstance(size, int) else 0


def _key(item_id: str, folder: str) -> str:
    """How the memory of failed downloads knows an item: as its ref starts."""
    return (SENT_REF_PREFIX if folder == "sent" else "") + item_id
