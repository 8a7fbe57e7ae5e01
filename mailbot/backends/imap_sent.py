"""The Sent folder of the shared mailbox on IMAP: watched for the replies officers send as
the shared mailbox (watch_sent), given a copy of each mail mailbot sends, and asked after
a crash mid-send whether a mail went out.

Its place is "<UIDVALIDITY>:<last UID seen>" (see imap_cursor). The first poll only
finds our place: what is already there is history, not replies to the cases we track. A
renumbered Sent folder cannot be resumed (its old UIDs mean nothing now), so it is
watched from then on. Sent items are only read, never moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from mailbot.backends.imap_errors import error_text, transient
from mailbot.backends.imap_reading import FolderExtent
from mailbot.model import FetchedMessage, OutgoingMail

log = logging.getLogger(__name__)

# Reads the selected folder's messages above a UID, given its UIDVALIDITY and its extent
# from the SELECT: (messages, the last UID read).
Reader = Callable[[int, int, FolderExtent | None], tuple[list[FetchedMessage], int]]


def new_sent_items(
    client: IMAPClient,
    folder: str,
    after: tuple[int, int] | None,
    read: Reader,
    *,
    where: str,
    configured: str,
) -> tuple[list[FetchedMessage], str]:
    """New items in the Sent `folder` since the place `after` (UIDVALIDITY, UID): replies
    people sent as the shared mailbox; and the place after them. `read(validity, uid, extent)`
    reads the selected folder's messages above `uid`; `where` and `configured` (the
    folder as the config names it) are for the log."""
    status = select_if_there(client, folder)
    if status is None:
        # A person deleted it. Mail sent from now on makes it again (save_copy); its new
        # UIDVALIDITY then says to watch it from then on. The inbox is read meanwhile.
        log.warning("%s: the Sent folder %r is not there; replies sent as the shared "
                    "mailbox are seen again once it is", where, configured)
        return [], (f"{after[0]}:{after[1]}" if after is not None else "")
    validity = int(status[b"UIDVALIDITY"])
    if after is None or after[0] != validity:
        # First poll, a lost cursor or a renumbered Sent folder: start from now. What
        # is already there is history, not replies to the cases we are tracking.
        if after is not None:
            log.warning("%s renumbered %r; watching it from now on", where, configured)
        top = int(status.get(b"UIDNEXT", 1)) - 1
        return [], f"{validity}:{top}"
    messages, last_uid = read(validity, after[1], FolderExtent.of(status))
    return messages, f"{validity}:{last_uid}"


def save_copy(
    client: IMAPClient, folder: str, mail: OutgoingMail, make_folder: Callable[[], None]
) -> None:
    """APPEND the mail to the Sent `folder`, unless an earlier try already did (a lost OK
    reply); `make_folder` makes the folder if the server says it is not there. The earlier
    try is looked for only from the day before the mail's Date on, as in_sent does: this
    search runs after every mail sent, and Sent can hold years of mail."""
    if select_if_there(client, folder) is None:
        make_folder()
        client.select_folder(folder, readonly=True)
    if mail.message_id and client.search(_copy_search(mail.message_id, written_at(mail.mime))):
        return
    client.append(folder, mail.mime, flags=[b"\\Seen"])


def written_at(mime: bytes) -> datetime | None:
    """The mail's Date header: when mailbot wrote it (again, if the send-time review did);
    None if it has none that can be read."""
    value = BytesHeaderParser().parsebytes(mime).get("Date")
    if not value:
        return None
    try:
        written = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return written if written.tzinfo is not None else None


def in_sent(
    client: IMAPClient, folder: str, message_id: str, since: datetime | None = None
) -> bool:
    """Is a mail with this Message-ID in the Sent `folder`? With `since` (when the mail
    was queued), only copies the server received from the day before it on are looked
    at (SINCE goes by the day the copy was appended; the day before allows for clocks
    that disagree): a HEADER search reads every message it is given, and a shared
    mailbox's Sent folder can hold years of mail. A Sent folder that is not there (a
    person deleted it) holds no copy: not an error, which would stop every outbox flush."""
    if select_if_there(client, folder) is None:
        return False
    return bool(client.search(_copy_search(message_id, since)))


def _copy_search(message_id: str, since: datetime | None) -> list[Any]:
    """SEARCH criteria for a copy of the mail `message_id`: with `since`, only copies the
    server received from the day before it on (SINCE goes by the day the copy was
    appended; the day before allows for clocks that disagree). No copy of a mail can be
    older than the mail itself."""
    criteria: list[Any] = ["HEADER", "Message-ID", message_id]
    if since is None:
        return criteria
    return ["SINCE", (since - timedelta(days=1)).date(), *criteria]


def select_if_there(client: IMAPClient, folder: str) -> dict[bytes, Any] | None:
    """EXAMINE `folder`: its SELECT answer, or None if there is no such folder. Servers
    say so in different words: [NONEXISTENT] or [TRYCREATE] (RFC 5530), or, as Dovecot
    does, a plain NO "Mailbox doesn't exist"; for a NO without a code, LIST tells."""
    try:
        return client.select_folder(folder, readonly=True)  # type: ignore[no-any-return]
    except IMAPClientError as error:
        text = error_text(error)
        if "[NONEXISTENT]" in text or "[TRYCREATE]" in text:
            return None
        if transient(text) or isinstance(error, IMAPClientAbortError):
            raise
        if client.folder_exists(folder):
            raise
        return None
