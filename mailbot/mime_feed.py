"""Reading a message's bytes with the stdlib compat32 parser, without its bulk copies.

`email.message_from_bytes` decodes the whole message into one string and wraps it in a
StringIO, which stores four bytes a character: a 30 MB message of planning drawings costs
about 230 MB at its peak, and Exchange Online lets members send 150 MB. Feeding the same
parser the bytes a slice at a time gives the very same Message (the stdlib parser itself
reads its input in slices) at about a third of that. See bench/bench_memory.py.
"""

from __future__ import annotations

import email.message
from email.feedparser import BytesFeedParser
from email.policy import compat32

SLICE = 64 * 1024  # bytes fed at a time: small beside the message, large beside a line


def message_from_bytes(raw: bytes) -> email.message.Message:
    """What `email.message_from_bytes(raw, policy=compat32)` gives, with less memory."""
    parser = BytesFeedParser(policy=compat32)
    view = memoryview(raw)
    for start in range(0, len(raw), SLICE):
        parser.feed(bytes(view[start : start + SLICE]))
    return parser.close()


def header_block(raw: bytes) -> bytes:
    """The start of `raw` up to and including its first empty line: all the parser can
    read as the message's own headers. Parsing this instead of the whole message gives
    the same headers (an empty line always ends them; if they end sooner, at a line that
    is no header, what follows is body either way) without reading the body."""
    ends = [found for found in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if found >= 0]
    if not ends:
        return raw
    end = min(ends)
    return raw[: end + (2 if raw[end + 1 : end + 2] == b"\n" else 3)]
