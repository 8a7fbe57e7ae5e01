"""Waiting on the inbox with IMAP IDLE between polls: only a new message ends the wait
early, so mail is read within seconds of arriving without polling every few seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

from imapclient import IMAPClient

IDLE_EARLY = 0.1  # seconds: an IDLE check ending sooner than this before its time ended early


def idle_until_mail(
    client: IMAPClient, timeout: float, check_interrupted: Callable[[], None]
) -> bool:
    """IDLE on the selected folder for up to `timeout` seconds. True means "fetch now":
    new mail arrived, the server cannot IDLE, or the connection ended; False means the
    wait ended with nothing new. `check_interrupted` raises if mailbot is stopping."""
    if not client.has_capability("IDLE"):
        return True
    # Any untagged line ends idle_check: a keep-alive ("* OK Still here"), a flag
    # change, an expunge by a person. Only a new message ends the wait early.
    deadline = time.monotonic() + timeout
    client.idle()
    try:
        while (left := deadline - time.monotonic()) > 0:
            responses = client.idle_check(timeout=left)
            check_interrupted()
            if any(_announces_mail(r) for r in responses):
                return True
            if not responses and deadline - time.monotonic() > IDLE_EARLY:
                # Back early with nothing: the connection ended (idle_check takes an
                # EOF quietly, and would return at once again and again). Poll now:
                # the poll reconnects, or reports the server gone.
                return True
        return False
    finally:
        client.idle_done()


def _announces_mail(response: object) -> bool:
    """An untagged "* <n> EXISTS": the folder has new mail."""
    return isinstance(response, tuple) and len(response) > 1 and response[1] == b"EXISTS"
