"""Retry with exponential backoff, shared by every backend.

The sleep function is injected so tests run at full speed and can see the delays
that would have been taken. Only `TransientError` is retried: anything else (wrong
password, missing folder) is a problem a person must fix, and retrying it would
only hide it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from mailbot.backends.base import TransientError

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently to retry a transient failure.

    Delay before retry k (1-based) is min(cap, base * factor ** (k - 1)), or the
    server's `retry_after` hint when that is longer (still capped at `cap`).
    """

    attempts: int = 5  # total tries, the first one included
    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, retry_number: int, hint: float | None = None) -> float:
        computed = self.base * self.factor ** (retry_number - 1)
        if hint is not None:
            computed = max(computed, hint)
        return min(self.cap, computed)


NO_WAIT = Backoff(attempts=1)


@dataclass
class Cooldown:
    """A server's "come back in N seconds" that is longer than we wait between tries
    (Graph's Retry-After of several minutes once an app has used up its requests;
    Exchange Online's BackOffMilliseconds). Trying again sooner only prolongs the
    throttling, so every request is refused here, without reaching the server, until
    that time has passed. The clock is injected (monotonic seconds) so tests need not wait.
    """

    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    until: float = 0.0

    def check(self, what: str) -> None:
        left = self.until - self.clock()
        if left > 0:
            raise TransientError(
                f"{what}: the server asked for a pause; {left:.0f}s of it left", retry_after=left
            )

    def note(self, error: TransientError) -> None:
        if error.retry_after:
            self.until = max(self.until, self.clock() + error.retry_after)


def call_with_retry(
    operation: Callable[[], T],
    backoff: Backoff,
    *,
    what: str,
    before_retry: Callable[[TransientError], None] | None = None,
    cooldown: Cooldown | None = None,
) -> T:
    """Run `operation`, retrying on TransientError with backoff.

    `what` names the operation in log lines ("fetch from INBOX"). `before_retry`
    runs after the wait and before the next try, e.g. to drop and reconnect a
    broken connection; if it raises TransientError that counts as a failed try.
    The last TransientError is raised when the attempts run out. With a `cooldown`, a
    server's hint longer than the backoff's cap is obeyed, not cut short: no more tries
    now, and none at all until the cooldown has passed.
    """
    retry_number = 0
    last_error: TransientError | None = None
    while True:
        try:
            if cooldown is not None:
                cooldown.check(what)
            if last_error is not None and before_retry is not None:
                before_retry(last_error)
            return operation()
        except TransientError as error:
            last_error = error
            retry_number += 1
            if cooldown is not None and (error.retry_after or 0) > backoff.cap:
                cooldown.note(error)
                log.info("%s: the server asked for %.0fs of quiet; trying again after that",
                         what, error.retry_after)
                raise
            if retry_number >= backoff.attempts:
                # INFO: the caller says what it means, once (the health monitor once per
                # outage, the outbox once per deferred mail), not every poll of an outage
                log.info("%s failed %d times, giving up for now: %s", what, retry_number, error)
                raise
            wait = backoff.delay(retry_number, error.retry_after)
            log.info("%s failed (%s); retry %d in %.1fs", what, error, retry_number, wait)
            backoff.sleep(wait)
