"""Moving handled mail out of the inbox into Processed: MOVE where the server has it,
else COPY, \\Deleted and an EXPUNGE that takes only our messages. Mail is moved, never
deleted, so nothing is lost if mailbot's database is."""

from __future__ import annotations

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.backends.imap_errors import error_text


def move_uids(client: IMAPClient, uids: list[int], folder: str) -> None:
    """Move the messages `uids` of the selected folder to `folder`."""
    try:
        _move_once(client, uids, folder)
    except IMAPClientError as error:
        if "[EXPUNGEISSUED]" not in error_text(error):
            raise
        # A person's session expunged it and ours has not caught up yet: NOOP
        # brings this session up to date; then the move finds nothing, or moves.
        client.noop()
        _move_once(client, uids, folder)


def _move_once(client: IMAPClient, uids: list[int], folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
        return
    # A plain EXPUNGE removes every \Deleted message in the folder, also those a
    # person marked (Outlook and Thunderbird can leave them so, to be undeleted),
    # which mailbot never read (it skips \Deleted mail): they would be gone for
    # good. Unmark them for the moment of the EXPUNGE; if we die in between they
    # reappear in the inbox, which loses nothing.
    ours = set(uids)
    theirs = [uid for uid in client.search(["DELETED"]) if uid not in ours]
    if theirs:
        client.remove_flags(theirs, [b"\\Deleted"], silent=True)
    try:
        client.expunge()
    finally:
        if theirs:
            client.add_flags(theirs, [b"\\Deleted"], silent=True)
