"""An in-process mailbox for tests: a server object holding folders, and a client.

It keeps the same promises as the real backends (cursor per server epoch,
CursorExpired when the epoch changes, transient failures retried with backoff),
so pipeline tests written against it hold for IMAP, EWS and Graph too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from mailbot.backends.base import CursorExpired, TransientError
from mailbot.backends.retry import Backoff, call_with_retry
from mailbot.model import FetchedMessage, OutgoingMail


@dataclass
class MemoryServer:
    """The server side. Tests deliver into it and look at what it holds."""

    inbox: dict[int, bytes] = field(default_factory=dict)  # uid -> raw, in arrival order
    processed: dict[int, bytes] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    outgoing: list[tuple[tuple[str, ...], bytes]] = field(default_factory=list)
    epoch: int = 1  # like IMAP UIDVALIDITY: a new epoch invalidates every cursor
    next_uid: int = 1
    failures_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def deliver(self, raw: bytes) -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.inbox[uid] = raw
            return uid

    def fail_next(self, n: int) -> None:
        with self.lock:
            self.failures_left = n

    def expire_cursors(self) -> None:
        with self.lock:
            self.epoch += 1

    def operation(self) -> None:
        """Called at the start of every client request; fails while failures are due."""
        with self.lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                raise TransientError("memory server busy")


class MemoryMailbox:
    """A client of a MemoryServer. The cursor is "<epoch>:<last uid seen>"."""

    kind = "memory"  # marks the cursor and refs it writes (see kind_of)

    def __init__(self, server: MemoryServer | None = None, backoff: Backoff | None = None) -> None:
        self.server = server if server is not None else MemoryServer()
        self.backoff = backoff if backoff is not None else Backoff()

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        return call_with_retry(lambda: self._fetch(cursor), self.backoff, what="memory fetch")

    def _fetch(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        self.server.operation()
        with self.server.lock:
            epoch = self.server.epoch
            last_uid = 0
            if cursor is not None:
                cursor_epoch, last_uid = _parse_cursor(cursor)
                if cursor_epoch != epoch:
                    raise CursorExpired(f"memory cursor {cursor!r} is from an old epoch")
            uids = sorted(uid for uid in self.server.inbox if uid > last_uid)
            messages = [FetchedMessage(ref=str(uid), raw=self.server.inbox[uid]) for uid in uids]
            new_last = max(uids, default=last_uid)
        return messages, f"{epoch}:{new_last}"

    def mark_processed(self, ref: str) -> None:
        call_with_retry(lambda: self._mark(ref), self.backoff, what="memory mark processed")

    def _mark(self, ref: str) -> None:
        self.server.operation()
        with self.server.lock:
            raw = self.server.inbox.pop(int(ref), None)
            if raw is not None:  # already moved or deleted by a person: nothing to do
                self.server.processed[int(ref)] = raw

    def send(self, mail: OutgoingMail) -> None:
        call_with_retry(lambda: self._send(mail), self.backoff, what="memory send")

    def _send(self, mail: OutgoingMail) -> None:
        self.server.operation()
        with self.server.lock:
            self.server.outgoing.append((mail.recipients, mail.mime))
            self.server.sent.append(mail.mime)

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """Sending and keeping the Sent copy happen together here, so this always knows.
        (`since` does not matter: the list is in memory.)"""
        with self.server.lock:
            return any(_has_message_id(raw, message_id) for raw in self.server.sent)

    def close(self) -> None:
        """Nothing to release."""


def _parse_cursor(cursor: str) -> tuple[int, int]:
    try:
        epoch, last = cursor.split(":")
        return int(epoch), int(last)
    except ValueError:
        raise CursorExpired(f"unreadable memory cursor {cursor!r}") from None


def _has_message_id(raw: bytes, message_id: str) -> bool:
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return message_id.encode("utf-8", "replace") in head
