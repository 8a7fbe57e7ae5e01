"""The shared retry helper: what it waits, what it retries, when it stops."""

from __future__ import annotations

import pytest

from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.retry import Backoff, call_with_retry


def flaky(failures: list[BaseException], result: str = "done"):  # type: ignore[no-untyped-def]
    def operation() -> str:
        if failures:
            raise failures.pop(0)
        return result

    return operation


def test_waits_grow_and_are_capped() -> None:
    sleeps: list[float] = []
    backoff = Backoff(attempts=6, base=1.0, factor=3.0, cap=10.0, sleep=sleeps.append)
    operation = flaky([TransientError("busy") for _ in range(5)])
    assert call_with_retry(operation, backoff, what="test") == "done"
    assert sleeps == [1.0, 3.0, 9.0, 10.0, 10.0]


def test_a_server_hint_is_waited_out_but_still_capped() -> None:
    sleeps: list[float] = []
    backoff = Backoff(attempts=3, base=0.5, cap=20.0, sleep=sleeps.append)
    operation = flaky([TransientError("429", retry_after=7.0), TransientError("503", 60.0)])
    assert call_with_retry(operation, backoff, what="test") == "done"
    assert sleeps == [7.0, 20.0]


def test_gives_up_with_the_last_error_after_the_attempts() -> None:
    sleeps: list[float] = []
    backoff = Backoff(attempts=3, sleep=sleeps.append)
    operation = flaky([TransientError(f"busy {n}") for n in range(5)])
    with pytest.raises(TransientError, match="busy 2"):
        call_with_retry(operation, backoff, what="test")
    assert len(sleeps) == 2


def test_permanent_errors_are_not_retried() -> None:
    sleeps: list[float] = []
    operation = flaky([BackendError("wrong password")])
    with pytest.raises(BackendError, match="wrong password"):
        call_with_retry(operation, Backoff(sleep=sleeps.append), what="test")
    assert sleeps == []


def test_before_retry_runs_between_tries() -> None:
    reconnects: list[str] = []
    operation = flaky([TransientError("reset"), TransientError("reset")])
    result = call_with_retry(
        operation,
        Backoff(sleep=lambda _: None),
        what="test",
        before_retry=lambda error: reconnects.append(str(error)),
    )
    assert result == "done"
    assert reconnects == ["reset", "reset"]
