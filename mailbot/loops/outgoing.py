"""What marks the mail we send: robots that read RFC 3834 stay quiet, and our own mail
coming back is known by its loop header (the first rule of mailbot.loops.detect)."""

from __future__ import annotations

LOOP_HEADER = "X-Mailbot-Loop"


def outgoing_headers(instance: str) -> dict[str, str]:
    """Headers on everything we send, so other robots stay quiet and we know our own mail."""
    return {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "Precedence": "auto_reply",
        LOOP_HEADER: instance,
    }
