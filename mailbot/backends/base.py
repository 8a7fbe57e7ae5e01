"""The contract every mailbox backend keeps (see tests/contract/)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from mailbot.model import FetchedMessage, OutgoingMail


class BackendError(Exception):
    """A mailbox problem an administrator can act on; the message says what."""


class CursorExpired(BackendError):
    """The stored cursor is no longer valid; fetch again from None (dedup keeps it safe)."""


class TransientError(BackendError):
    """The server is busy or away; retry later with backoff.

    `retry_after` is the server's own hint in seconds (HTTP Retry-After, EWS
    BackOffMilliseconds); the retry helper waits at least that long.
    """

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class Mailbox(Protocol):
    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        """Messages not yet marked processed that arrived after `cursor`, and the new cursor.

        With cursor None, everything still in the inbox (not yet marked processed).
        """
        ...

    def mark_processed(self, ref: str) -> None:
        """Move (or flag) the message so it is not fetched again. Idempotent: a message
        already moved or deleted by a person is not an error."""
        ...

    def send(self, mail: OutgoingMail) -> None:
        """Send as the shared mailbox and keep a copy in its Sent folder."""
        ...

    def close(self) -> None: ...


class KnowsWhatItSent(Protocol):
    """Optional: backends that can tell, after a crash mid-send, whether a mail went out."""

    def was_sent(self, message_id: str) -> bool | None:
        """True: it went. False: it did not, or sending again is harmless. None: unknown."""
        ...


def mark_all_processed(mailbox: Mailbox, refs: Sequence[str]) -> None:
    """mark_processed for each ref, in one batch where the backend can (IMAP: one MOVE
    for many messages instead of a round trip each). Same promises as mark_processed:
    call it only for messages whose transaction has committed."""
    many = getattr(mailbox, "mark_processed_many", None)
    if many is not None:
        many(refs)
        return
    for ref in refs:
        mailbox.mark_processed(ref)
