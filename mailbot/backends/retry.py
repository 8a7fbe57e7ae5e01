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


def call_with_retry(
    operation: Callable[[], T],
    backoff: Backoff,
    *,
    what: str,
    before_retry: Callable[[TransientError], None] | None = None,
) -> T:
    """Run `operation`, retrying on TransientError with backoff.

    `what` names the operation in log lines ("fetch from INBOX"). `before_retry`
    runs after the wait and before the next try, e.g. to drop and reconnect a
    broken connection; if it raises TransientError that counts as a failed try.
    The last TransientError is raised when the attempts run out.
    """
    retry_number = 0
    last_error: TransientError | None = None
    while True:
        try:
            if last_error is not None and before_retry is not None:
                before_retry(last_error)
            return operation()
        except TransientError as error:
            last_error = error
            retry_number += 1
            if retry_number >= backoff.attempts:
                # INFO: the caller says what it means, once (the health monitor once per
                # outage, the outbox once per deferred mail), not every poll of an outage
                log.info("%s failed %d times, giving up for now: %s", what, retry_number, error)
                raise
            wait = backoff.delay(retry_number, error.retry_after)
            log.info("%s failed (%s); retry %d in %.1fs", what, error, retry_number, wait)
            backoff.sleep(wait)
