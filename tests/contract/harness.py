"""What the contract suite needs from each backend's test harness.

One module per backend, `tests/contract/harness_<name>.py`, defines

    def make_harness(request: pytest.FixtureRequest) -> Harness

and conftest.py finds every such module and runs the whole suite against each.
`make_harness` may use `request.getfixturevalue(...)` to get the servers it needs
(Dovecot, aiosmtpd, a fake EWS or Graph endpoint) and may call `pytest.skip(reason)`
when one is not available. The returned object is used as a context manager: enter
sets up an empty mailbox (Inbox, Processed and Sent folders), exit tears it down.

Harness methods act on the SERVER side (never through the client under test), so
what the tests check is what really happened in the mailbox and on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from mailbot.backends.base import Mailbox
from mailbot.backends.retry import Backoff


@runtime_checkable
class Harness(Protocol):
    name: str
    # Every backoff wait the clients made, in order (the harness passes
    # `self.backoff` to the backends it builds, whose sleep appends here).
    sleeps: list[float]

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def mailbox(self) -> Mailbox:
        """A fresh client for the shared mailbox (a new instance, new connection)."""
        ...

    def deliver(self, raw: bytes) -> None:
        """Put one message into the Inbox, server side."""
        ...

    def deliver_many(self, raws: Iterable[bytes]) -> None:
        """Put many messages into the Inbox, as fast as the server allows."""
        ...

    def inbox_count(self) -> int: ...

    def processed_count(self) -> int: ...

    def sent_copies(self) -> list[bytes]:
        """Raw messages now in the Sent folder."""
        ...

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        """(envelope recipients, raw message) for each mail that left on the wire."""
        ...

    def expire_cursor(self) -> None:
        """Invalidate the server state behind every cursor handed out so far, so the
        next fetch_new(old_cursor) raises CursorExpired (IMAP: new UIDVALIDITY)."""
        ...

    def fail_next(self, n: int) -> None:
        """The next n server operations fail transiently (server away or busy)."""
        ...

    def delete_from_inbox(self, message_id: str) -> None:
        """A person deletes the message with this Message-ID (angle brackets included)
        from the Inbox, e.g. between our fetch and our mark_processed."""
        ...


class RecordingBackoff:
    """Builds a fast Backoff whose waits are recorded instead of slept."""

    def __init__(self, attempts: int = 5) -> None:
        self.sleeps: list[float] = []
        self.backoff = Backoff(
            attempts=attempts, base=0.5, factor=2.0, cap=30.0, sleep=self.sleeps.append
        )


class HarnessBase:
    """Convenience base: defaults for deliver_many and the context manager."""

    name = "base"

    def __init__(self) -> None:
        self._recording = RecordingBackoff()
        self.sleeps = self._recording.sleeps
        self.backoff = self._recording.backoff

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release everything the harness made (override when needed)."""

    def deliver(self, raw: bytes) -> None:
        raise NotImplementedError

    def deliver_many(self, raws: Iterable[bytes]) -> None:
        for raw in raws:
            self.deliver(raw)
