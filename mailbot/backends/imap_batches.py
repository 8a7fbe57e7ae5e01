"""Reading new mail in bounded batches: a poll asks each message's size first, then
reads no more than a batch's worth, in FETCH commands of bounded size, so a mailbox
full of large attachments cannot make one poll hold gigabytes."""

from __future__ import annotations

from collections.abc import Iterator

from imapclient import IMAPClient

FETCH_CHUNK = 50  # messages per FETCH command: bounded memory per round trip
FETCH_BYTES = 16 * 1024 * 1024  # and at most this much mail per FETCH (one big one may exceed)
# Mail one fetch_new holds in memory at most (a message bigger than this comes alone).
# Members attach planning drawings and photos of 10-25 MB; 500 of them in one batch
# would need gigabytes, and a poll killed for memory would meet the same batch again.
BATCH_BYTES = 64 * 1024 * 1024
SIZE_CHUNK = 500  # UIDs per size FETCH: keeps the command line well under server limits


def message_sizes(client: IMAPClient, uids: list[int]) -> dict[int, int]:
    """Each message's size in bytes (RFC822.SIZE): cheap, and it lets a batch be cut
    before its mail is read. A message the server gives no size for counts as 0."""
    sizes: dict[int, int] = {}
    for start in range(0, len(uids), SIZE_CHUNK):
        chunk = uids[start : start + SIZE_CHUNK]
        for uid, item in client.fetch(chunk, ["RFC822.SIZE"]).items():
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
