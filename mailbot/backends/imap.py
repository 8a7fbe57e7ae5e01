"""IMAP backend: reads the shared mailbox with IMAPClient, sends by SMTP submission.

Cursor: "<UIDVALIDITY>:<last UID seen>" for the inbox folder. A different
UIDVALIDITY means the server renumbered the folder, so the old cursor cannot be
trusted: CursorExpired, and the caller fetches everything still in the inbox
(it dedups by Message-ID). A message ref is "<UIDVALIDITY>:<UID>" and stays valid
across client instances for as long as the folder keeps its UIDVALIDITY.

With watch_sent the cursor gains ";sent=<UIDVALIDITY>:<last UID>" for the Sent
folder, whose new items come back with folder "sent" and refs "sent:<v>:<uid>".
The two folders have their own UIDVALIDITY. A renumbered inbox raises CursorExpired
whose `resume_cursor` is ";sent=<v>:<uid>" alone: the whole inbox again, Sent from
where we were, so no officer's reply is skipped. A renumbered Sent folder cannot be
resumed (its old UIDs mean nothing now), so Sent is watched from now on.

Processed mail is moved (MOVE, else COPY + \\Deleted + (UID) EXPUNGE), never
deleted, so nothing is lost if our database is. Broken connections and busy
servers are retried with backoff on a fresh connection.

Beside this module: imap_cursor (cursor and refs), imap_reading (reading new mail in
bounded batches, around messages the server cannot read), imap_moves (moving to
Processed), imap_sent (the Sent folder), imap_idle (waiting for mail), imap_errors (IMAP
errors in mailbot's kinds), imap_folders (folder names as the server spells them) and
imap_connection (one logged-in connection, its folders settled: ImapMailbox is one).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Self

from imapclient import IMAPClient

from mailbot.backends.base import (
    BackendError,
    CursorExpired,
    Interrupted,
    TransientError,
)
from mailbot.backends.imap_connection import ImapConnection, Security
from mailbot.backends.imap_cursor import (
    SENT_CURSOR,
    SENT_REF,
    parse_cursor,
    parse_position,
    parse_ref,
)
from mailbot.backends.imap_errors import FolderMissing
from mailbot.backends.imap_folders import SENT, lacking_rights, locate, read_layout
from mailbot.backends.imap_idle import idle_until_mail
from mailbot.backends.imap_moves import move_uids
from mailbot.backends.imap_reading import BATCH_BYTES, FolderExtent, NewMailReader
from mailbot.backends.imap_sent import in_sent, new_sent_items, save_copy
from mailbot.backends.retry import NO_WAIT, Backoff, call_with_retry
from mailbot.backends.smtp import (
    IDLE_TIMEOUT,
    PartlyDelivered,
    SmtpSession,
    SmtpSettings,
    envelope_sender,
)
from mailbot.backends.unreadable import LeftUnread, ReadFailures
from mailbot.model import FetchedMessage, OutgoingMail

log = logging.getLogger(__name__)

MOVE_CHUNK = 500  # UIDs per MOVE command: keeps the command line well under server limits


class ImapMailbox(ImapConnection):
    kind = "imap"  # marks the cursor and refs it writes (see kind_of)

    def __init__(
        self,
        *,
        host: str,
        port: int = 993,
        security: Security = "tls",
        username: str,
        password: str,
        inbox: str = "INBOX",
        processed: str = "Processed",
        sent: str = "Sent",
        smtp: SmtpSettings | None = None,
        address: str = "",
        ssl_context: ssl.SSLContext | None = None,
        ca_file: Path | None = None,
        timeout: float = 60.0,
        backoff: Backoff | None = None,
        create_folders: bool = True,
        batch_size: int = 500,
        batch_bytes: int = BATCH_BYTES,
        watch_sent: bool = False,
        smtp_idle_timeout: float = IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`address` is the shared mailbox's address, used as the SMTP envelope sender
        (default: the From of each outgoing message). `create_folders` makes missing
        Processed/Sent folders instead of failing. `batch_size` caps how many
        messages one fetch_new returns (per folder), and `batch_bytes` how much mail
        (one bigger message comes alone); call again to get the rest.
        `watch_sent` also returns new Sent items (folder "sent"), so a reply an
        officer sends as the shared mailbox is seen; they are never moved.
        Sends share one SMTP connection, closed after `smtp_idle_timeout` seconds
        unused (measured by `clock`) or by close(). `ca_file` (PEM) is trusted for
        TLS besides the system's authorities: a council's own CA, or a self-signed
        certificate; `ssl_context`, if given, is used as it is."""
        if security not in ("tls", "starttls", "none"):
            raise BackendError(f"imap security must be tls, starttls or none, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self._password = username, password
        self.inbox, self.processed, self.sent = inbox, processed, sent
        self.smtp = smtp
        self._smtp_session = (
            SmtpSession(smtp, idle_timeout=smtp_idle_timeout, clock=clock) if smtp else None
        )
        self.address = address
        self.ssl_context = ssl_context
        self.ca_file = ca_file
        self.timeout = timeout
        self.backoff = backoff if backoff is not None else Backoff()
        self.create_folders = create_folders
        self.watch_sent = watch_sent
        self._client: IMAPClient | None = None
        self._interrupted = threading.Event()  # set by interrupt(): mailbot is stopping
        self._folders_checked = False
        self._sent_stand_in = ""  # the server's Sent folder in use for a missing `sent`
        self._inbox_validity: int | None = None  # set while the inbox is the selected folder
        # The configured folder names as this server spells them (see FolderLayout),
        # settled for each connection by _ensure_folders.
        self._inbox_name, self._processed_name, self._sent_name = inbox, processed, sent
        self._reader = NewMailReader(self.where, batch_size, batch_bytes, clock)
        self._clock = clock
        self._last_used = 0.0  # when (by `clock`) the connection last answered

    # -- the Mailbox protocol -------------------------------------------------

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        self._close_idle_smtp()
        inbox_part, _, sent_part = (cursor or "").partition(SENT_CURSOR)
        sent_after = parse_position(sent_part) if sent_part else None
        try:
            # An empty Inbox part (a resume cursor, see below) means the whole inbox.
            after = parse_cursor(inbox_part) if inbox_part else None
            return self._run(
                f"fetch from {self.inbox}", lambda client: self._fetch(client, after, sent_after)
            )
        except CursorExpired as expired:
            if not self.watch_sent or sent_after is None:
                raise
            # Only the inbox position is void: resync the inbox, keep our Sent position.
            resume = f"{SENT_CURSOR}{sent_part}"
            raise CursorExpired(str(expired), resume_cursor=resume) from expired

    def mark_processed(self, ref: str) -> None:
        if ref.startswith(SENT_REF):  # sent items are only read, never moved
            return
        validity, uid = parse_ref(ref)
        self._run(f"move to {self.processed}", lambda client: self._move(client, validity, uid))

    def mark_processed_many(self, refs: Sequence[str]) -> None:
        """mark_processed for many messages in one UID MOVE per chunk: one round trip
        instead of one per message (see mailbot.backends.base.mark_all_processed)."""
        parsed = [parse_ref(ref) for ref in refs if not ref.startswith(SENT_REF)]
        for start in range(0, len(parsed), MOVE_CHUNK):
            chunk = parsed[start : start + MOVE_CHUNK]
            self._run(f"move to {self.processed}", partial(self._move_many, refs=chunk))

    def send(self, mail: OutgoingMail) -> None:
        if self._smtp_session is None:
            raise BackendError(
                "the imap backend has no [mailbox.smtp] settings, so it cannot send mail"
            )
        session = self._smtp_session
        sender = self.address or envelope_sender(mail.mime)
        try:
            call_with_retry(
                lambda: session.send(mail, sender),
                self.backoff,
                what=f"send via {session.settings.where}",
            )
        except PartlyDelivered as partly:
            # It went to the others (an officer, though a copied manager has left):
            # keep the Sent copy and count it sent, so no one is sent it twice.
            log.error("%s; sent to the other recipients, not sent again", partly)
        # The mail has gone. Failing now would make the outbox send it again (or a person,
        # told it failed, resend it): the member would get it twice. A missing Sent copy
        # is the lesser harm, so it is logged for the administrator instead.
        try:
            self._run(f"save to {self.sent}", lambda client: self._save_sent(client, mail))
        except BackendError as error:
            log.error(
                "%s was sent, but no copy of it could be kept in %r: %s; check that user "
                "%r may add messages to that folder",
                mail.message_id, self.sent, error, self.username,
            )  # fmt: skip
        except Interrupted as error:
            log.error("%s was sent, but no copy of it was kept in %r: %s",
                      mail.message_id, self.sent, error)

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: True if the Sent copy is there (it is appended after
        the SMTP server took the mail); None otherwise, since the SMTP server may have
        taken it just before the crash. `since` (when the mail was queued) limits the
        search to copies the server received since (see in_sent)."""
        found = self._run(
            f"look in {self.sent}", lambda client: self._in_sent(client, message_id, since)
        )
        return True if found else None

    def close(self) -> None:
        self._drop()
        if self._smtp_session is not None:
            self._smtp_session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- extras the daemon and check-config use -------------------------------

    def wait_for_new(self, timeout: float) -> bool:
        """Block up to `timeout` seconds until the server reports new mail (IDLE).

        True means "fetch now": new mail arrived, or the server cannot IDLE and the
        caller should simply poll. False means the wait ended with nothing new.
        """
        self._close_idle_smtp()
        return self._run("wait for new mail", lambda client: self._idle(client, timeout))

    def offers_idle(self) -> bool:
        """Does the server offer IDLE? (The daemon waits on it between polls if so.)"""
        return self._run("ask for IDLE", lambda client: bool(client.has_capability("IDLE")))

    def check_connection(self) -> list[str]:
        """Log in once and list the folders; BackendError in plain words if anything is
        wrong (server unreachable, wrong password, TLS, missing folders). Changes
        nothing: a Processed or Sent folder still to be made is listed as such, under
        the name it will get on this server."""

        def check() -> list[str]:
            client = self._connect()
            with self._errors():
                layout = read_layout(client)
                inbox = self._existing_inbox(client, layout)
                self._inbox_name = inbox
                client.select_folder(inbox)  # read-write, as a poll does: may we move mail?
                home = layout.home(inbox)
                configured_sent = locate(client, layout, self.sent, home)
                found = {
                    self.processed: locate(client, layout, self.processed, home),
                    self.sent: configured_sent or layout.marked_as(SENT, home),
                }
                lacking = lacking_rights(client, inbox, found[self.processed], found[self.sent])
            if lacking:
                raise BackendError(
                    f"{self.where}: user {self.username!r} lacks rights mailbot needs: "
                    f"{'; '.join(lacking)}; an administrator of the mail server can grant them"
                )
            missing = [name for name, there in found.items() if there is None]
            if missing and not self.create_folders:
                raise FolderMissing(
                    f"{self.where}, user {self.username!r}: "
                    + "; ".join(f"the folder {name!r} does not exist" for name in missing)
                    + f" (folders there: {', '.join(layout.names)})"
                )
            listed = list(layout.names)
            if configured_sent is None and found[self.sent] is not None:
                listed = [f"{name} (the server's Sent folder: used, as [mailbox.imap] sent = "
                          f"{self.sent!r} is not there)" if name == found[self.sent]
                          else name for name in listed]
            unlisted = [there for there in (inbox, *found.values()) if there is not None]
            listed += [
                f"{there} (not listed by the server)"
                for there in unlisted
                if there not in listed and there.upper() != "INBOX"
            ]
            to_make = {layout.spelling(name, home) for name in missing}
            return listed + [f"{name} (missing: created on first poll)" for name in sorted(to_make)]

        try:
            return call_with_retry(check, NO_WAIT, what="check connection")
        finally:
            self._drop()

    def take_left_unread(self) -> list[LeftUnread]:
        """Messages left for a person since the last call (see ReportsUnread)."""
        return self._reader.take_left_unread()

    def read_failures(self) -> ReadFailures:
        """The messages a FETCH failed on, kept by the poll (see KeepsReadFailures)."""
        return self._reader.read_failures()

    @property
    def failing_messages_remembered(self) -> int:
        """How many messages a FETCH failed on are remembered (see NewMailReader): no more
        than the unreadable messages still in the watched folders, once each is settled."""
        return self._reader.remembered

    # -- the SMTP connection (the IMAP one: mailbot.backends.imap_connection) --

    def _close_idle_smtp(self) -> None:
        """Polls come often and sends in bursts: a poll is when an SMTP connection left
        over from the last flush gets closed, once it has sat unused long enough."""
        if self._smtp_session is not None:
            self._smtp_session.close_if_idle()

    # -- operations -----------------------------------------------------------

    def _fetch(
        self,
        client: IMAPClient,
        after: tuple[int, int] | None,
        sent_after: tuple[int, int] | None,
    ) -> tuple[list[FetchedMessage], str]:
        status = client.select_folder(self._inbox_name)
        validity = self._inbox_validity = int(status[b"UIDVALIDITY"])
        last_uid = 0
        if after is not None:
            cursor_validity, last_uid = after
            if cursor_validity != validity:
                raise CursorExpired(
                    f"{self.where}: folder {self.inbox!r} was renumbered (UIDVALIDITY "
                    f"{cursor_validity} -> {validity}); fetching everything again"
                )
        messages, last_uid = self._reader.read(
            client, validity, last_uid, "", "inbox", shown=self._inbox_name,
            extent=FolderExtent.of(status), wait_at_deleted=True,
            reopen=partial(self._reopen, self._inbox_name, validity),
        )
        cursor = f"{validity}:{last_uid}"
        if self.watch_sent:
            # the connection the inbox was read on: a new one if the server hung up
            sent_messages, sent_position = self._fetch_sent(self._client or client, sent_after)
            messages += sent_messages
            cursor += f"{SENT_CURSOR}{sent_position}"
        return messages, cursor

    def _fetch_sent(
        self, client: IMAPClient, after: tuple[int, int] | None
    ) -> tuple[list[FetchedMessage], str]:
        """New items in the Sent folder: replies people sent as the shared mailbox."""
        self._inbox_validity = None  # the inbox is no longer the selected folder

        def read(
            validity: int, last_uid: int, extent: FolderExtent | None
        ) -> tuple[list[FetchedMessage], int]:
            return self._reader.read(
                client, validity, last_uid, SENT_REF, "sent", shown=self._sent_name,
                extent=extent, reopen=partial(self._reopen, self._sent_name, validity),
            )

        return new_sent_items(
            client, self._sent_name, after, read, where=self.where, configured=self.sent
        )

    def _reopen(self, folder: str, validity: int) -> IMAPClient:
        """A new connection with `folder` selected again, for a read the server hung up
        on (Dovecot does, on a message it cannot read): the rest of the batch is read on
        it. A folder renumbered meanwhile fails the read, to be tried again."""
        self._drop()
        self._check_interrupted(f"fetch from {folder}")
        client = self._connect()
        with self._errors():
            self._ensure_folders(client)
            status = client.select_folder(folder)
        now = int(status[b"UIDVALIDITY"])
        self._inbox_validity = now if folder == self._inbox_name else None
        if now != validity:
            raise TransientError(f"{self.where}: folder {folder!r} was renumbered while it "
                                 f"was read (UIDVALIDITY {validity} -> {now})")
        return client

    def _move(self, client: IMAPClient, validity: int, uid: int) -> None:
        self._move_many(client, [(validity, uid)])

    def _move_many(self, client: IMAPClient, refs: list[tuple[int, int]]) -> None:
        current = self._select_inbox(client)
        uids = sorted({uid for validity, uid in refs if validity == current})
        if len(uids) < len(refs):
            # The folder was renumbered: these UIDs may now be other messages. Leave them;
            # the next fetch raises CursorExpired and the resync hands them over again.
            log.warning("not moving %d messages: %s renumbered folder %r",
                        len(refs) - len(uids), self.where, self.inbox)  # fmt: skip
        if not uids:
            return
        try:
            self._move_uids(client, uids)
        except FolderMissing:
            # Someone renamed or deleted Processed since we connected.
            self._create_folder(client, self._processed_name, "processed")
            self._move_uids(client, uids)

    def _move_uids(self, client: IMAPClient, uids: list[int]) -> None:
        try:
            with self._errors():  # here so a [TRYCREATE] reaches _move as FolderMissing
                move_uids(client, uids, self._processed_name)
        except (FolderMissing, TransientError):
            raise
        except BackendError as refused:  # [NOPERM], or another NO: say which key to change
            raise BackendError(
                f"{refused}; to move handled mail to {self._processed_name!r}, user "
                f"{self.username!r} needs the right to add messages there (and to delete "
                "and expunge in the inbox), or set [mailbox.imap] processed to a folder it "
                "may write to"
            ) from refused

    def _save_sent(self, client: IMAPClient, mail: OutgoingMail) -> None:
        """APPEND to Sent, unless an earlier try already did (a lost OK reply)."""
        self._inbox_validity = None  # the inbox is no longer the selected folder

        def make_folder() -> None:
            self._create_folder(client, self._sent_name, "sent")

        save_copy(client, self._sent_name, mail, make_folder)

    def _in_sent(self, client: IMAPClient, message_id: str, since: datetime | None) -> bool:
        self._inbox_validity = None  # the inbox is no longer the selected folder
        return in_sent(client, self._sent_name, message_id, since)

    def _idle(self, client: IMAPClient, timeout: float) -> bool:
        self._select_inbox(client, fresh=True)
        return idle_until_mail(
            client, timeout, lambda: self._check_interrupted("wait for new mail")
        )

