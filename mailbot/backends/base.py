"""The contract every mailbox backend keeps (see tests/contract/)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from mailbot.model import FetchedMessage, OutgoingMail


class BackendError(Exception):
    """A mailbox problem an administrator can act on; the message says what."""


class CursorExpired(BackendError):
    """The stored cursor is no longer valid; fetch again from `resume_cursor`.

    A resync returns everything still in the inbox; the caller's Message-ID dedup keeps
    that safe. `resume_cursor` is None (start afresh) unless the cursor also holds a
    place the server still honours that a fresh start would lose: with watch_sent, an
    expired Inbox state leaves the Sent Items place good, and starting Sent Items
    afresh would skip the replies officers sent since the last poll. The resume cursor
    then says "whole Inbox, Sent Items from where we were". Backends without such a
    second place leave it None, so the caller's `fetch_new(error.resume_cursor)` is the
    plain `fetch_new(None)` resync for them.
    """

    def __init__(self, message: str = "", resume_cursor: str | None = None) -> None:
        super().__init__(message)
        self.resume_cursor = resume_cursor


class MaybeSent(BackendError):
    """The server may have accepted the mail before the connection failed (the whole
    message went over, then no answer came). Sending it again could deliver it twice,
    so the outbox records it as uncertain instead of retrying."""


class SendingBlocked(BackendError):
    """No mail can be sent until an administrator changes something: the login is refused,
    the server's certificate is not trusted, the sender address is not allowed. Every mail
    would meet the same refusal, so the outbox keeps them all waiting (none is failed, and
    no retries are spent) and tries again later, less and less often."""


class TransientError(BackendError):
    """The server is busy or away; retry later with backoff.

    `retry_after` is the server's own hint in seconds (HTTP Retry-After, EWS
    BackOffMilliseconds); the retry helper waits at least that long.
    """

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(TransientError):
    """The server could not be reached at all (connection refused, no route, name not
    found, no answer to the connection): nothing was handed over. Every other mail would
    meet the same now, so the outbox stops that flush at the first one and leaves the
    rest waiting for the next, instead of spending each one's retries in turn."""


class Interrupted(Exception):  # noqa: N818 - it says what happened, like MaybeSent
    """mailbot is stopping and cut the operation short (see `Interruptible`). Not a
    BackendError: the mailbox is not at fault, so it starts no outage and sends no alert;
    nothing was recorded for the operation cut, and the next start does it again."""


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

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """True: it went. False: it did not, or sending again is harmless. None: unknown.
        `since`, when the mail was queued, lets a backend look only at mail sent since
        (less some slack for clocks): a Sent folder can hold years of mail."""
        ...


class StartsAfterAnother(Protocol):
    """Optional: backends that can start where another backend left off, at a time."""

    def fresh_cursor(self, since: datetime) -> str | None:
        """A cursor for the first poll after another backend's last at `since`: what that
        one would have seen since then is not skipped (duplicates are safe). None: start
        as if there were no cursor."""
        ...


class Interruptible(Protocol):
    """Optional: backends whose calls can block on a server that stopped answering (an
    IMAP read waits out its whole timeout, and each retry another). When mailbot is told
    to stop and the job in hand has not finished after a short grace, `interrupt` is
    called from another thread: the operation under way ends with Interrupted, and no
    other is started."""

    def interrupt(self) -> None: ...


def refused_for_good(error: BackendError) -> bool:
    """The server refused what mailbot asked (no permission, no such folder, the sender
    not allowed), so it will refuse it again until a person changes something; as opposed
    to a server that is busy or away (TransientError), a send whose fate is unknown
    (MaybeSent), or a cursor to start again from (CursorExpired)."""
    return not isinstance(error, TransientError | MaybeSent | CursorExpired)


def kind_of(mailbox: object) -> str:
    """Which backend this is ("graph", "ews", "imap", "maildir"): cursors and message refs
    are each backend's own, so what one wrote must never be handed to another."""
    kind = getattr(mailbox, "kind", None)
    return kind if isinstance(kind, str) and kind else type(mailbox).__qualname__


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
