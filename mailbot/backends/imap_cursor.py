"""The IMAP backend's cursor and refs, as stored in the database.

Cursor: "<UIDVALIDITY>:<last UID seen>" for the inbox folder; with watch_sent it gains
";sent=<UIDVALIDITY>:<last UID>" for the Sent folder. A ref is "<UIDVALIDITY>:<UID>",
or "sent:<UIDVALIDITY>:<UID>" for a Sent item (which mark_processed leaves alone).
"""

from __future__ import annotations

from mailbot.backends.base import BackendError, CursorExpired

SENT_CURSOR = ";sent="  # joins the Sent folder's position to the cursor (watch_sent)
SENT_REF = "sent:"  # prefix of refs of Sent items, which mark_processed leaves alone


def parse_cursor(cursor: str) -> tuple[int, int]:
    """The inbox's (UIDVALIDITY, last UID seen); CursorExpired if unreadable."""
    try:
        validity, last_uid = cursor.split(":")
        return int(validity), int(last_uid)
    except ValueError:
        raise CursorExpired(f"unreadable IMAP cursor {cursor!r}; fetching everything") from None


def parse_position(text: str) -> tuple[int, int] | None:
    """The Sent folder's "<UIDVALIDITY>:<UID>"; None (start from now) if unreadable."""
    try:
        validity, uid = text.split(":")
        return int(validity), int(uid)
    except ValueError:
        return None


def parse_ref(ref: str) -> tuple[int, int]:
    """An inbox message's ref as (UIDVALIDITY, UID); BackendError if it is not one."""
    try:
        validity, uid = ref.split(":")
        return int(validity), int(uid)
    except ValueError:
        raise BackendError(f"not an IMAP message ref: {ref!r}") from None
