"""How much mail one fetch_new may hold in memory, for every backend.

Members attach planning drawings and scanned letters of 20-35 MB (Exchange Online takes
up to 150 MB). A batch of 100 of them would need gigabytes, and a poll killed for memory
would meet the same batch again on the next start, for ever. So a batch stops taking mail
once it holds BATCH_BYTES; a message bigger than that comes alone, never skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

BATCH_BYTES = 64 * 1024 * 1024


def within(items: list[T], size: Callable[[T], int], held: int, budget: int) -> list[T]:
    """The longest run of `items` from the start that fits in `budget` beside the `held`
    bytes the batch has already; at least the first if the batch is empty, however big."""
    taken: list[T] = []
    total = held
    for item in items:
        total += size(item)
        if (taken or held) and total > budget:
            break
        taken.append(item)
    return taken


def runs(items: list[T], size: Callable[[T], int], most: int, budget: int) -> Iterator[list[T]]:
    """`items` in runs of at most `most` of them and `budget` bytes (a bigger one alone),
    so one server answer never holds more than that."""
    run: list[T] = []
    total = 0
    for item in items:
        if run and (len(run) >= most or total + size(item) > budget):
            yield run
            run, total = [], 0
        run.append(item)
        total += size(item)
    if run:
        yield run
