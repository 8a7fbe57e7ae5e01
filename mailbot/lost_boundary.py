"""Multipart mail whose parts the parser could not find, read anyway.

A multipart part whose boundary parameter is missing (a client folded the header without
the leading space, so "boundary=..." became body), wrong (declared "BOUNDARY_", written
"BOUNDARY") or never used (a report written as plain lines) comes out of the stdlib parser
as one undivided string. Read as it is, its text is lost: the officer sees an empty
message and the loop guard misses the delivery report inside. Here the boundary actually
written in the body is found and the parts are split on it; with no delimiter lines at all,
the body is what the sender wrote and is read as plain text.
"""

from __future__ import annotations

import email
import email.message
import itertools
import re
from email.policy import compat32

MAX_TRIES = 3
# "--" and the boundary (1 to 70 characters, the last not a space: RFC 2046 5.1.1), then a
# part's header or the blank line that starts a part without one. The next line is what
# tells a delimiter from Outlook's "-----Original Message-----", which From: follows.
_DELIMITER_RE = re.compile(
    r"^--([^\s\"][^\r\n\"]{0,68}[^\s\"])[ \t]*\r?\n(?=content-|\r?\n)",
    re.MULTILINE | re.IGNORECASE,
)


def recovered_parts(part: email.message.Message) -> list[email.message.Message]:
    """The parts of a multipart part that the parser left undivided, [] otherwise."""
    payload = part.get_payload()
    if part.get_content_maintype() != "multipart" or not isinstance(payload, str):
        return []
    if not payload.strip():
        return []
    boundary = _written_boundary(payload)
    if boundary is None:
        return [_plain_text(payload, part)]
    header = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\n\n'
    split = email.message_from_string(header + payload, policy=compat32)
    found = split.get_payload()
    if not isinstance(found, list) or not found:
        return [_plain_text(payload, part)]
    return [p for p in found if isinstance(p, email.message.Message)]


def _written_boundary(payload: str) -> str | None:
    """The first delimiter line's boundary, if it delimits again further on. Only the first
    few lines that look like one are tried: each try reads the rest of the body."""
    for found in itertools.islice(_DELIMITER_RE.finditer(payload), MAX_TRIES):
        boundary = found.group(1).removesuffix("--")
        again = re.compile(rf"^--{re.escape(boundary)}(?:--)?[ \t]*\r?$", re.MULTILINE)
        if again.search(payload, found.end()):
            return boundary
    return None


def _plain_text(payload: str, part: email.message.Message) -> email.message.Message:
    """The undivided body as the plain text it is, in the part's charset and encoding."""
    text = email.message.Message(policy=compat32)
    text["Content-Type"] = "text/plain"
    charset = part.get_param("charset")
    if isinstance(charset, str) and charset:
        text.set_param("charset", charset)
    encoding = part.get("Content-Transfer-Encoding")
    if encoding is not None:
        text["Content-Transfer-Encoding"] = str(encoding)
    text.set_payload(payload)
    return text
