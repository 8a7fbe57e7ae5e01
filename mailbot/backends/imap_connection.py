"""One logged-in IMAP connection to the shared mailbox, its folders settled: connecting
and logging in (TLS, STARTTLS, a user name or password beyond ASCII), letting go of a
connection left unused too long, running an operation on a live connection with retries
on a fresh one, and finding or making the inbox, Processed and Sent folders as the server
spells them.

mailbot.backends.imap.ImapMailbox is this connection and what mailbot does with it; its
__init__ sets the settings and state declared here.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientError

from mailbot.backends.base import BackendError, Interrupted, TransientError
from mailbot.backends.imap_errors import (
    FolderMissing,
    error_text,
    server_words,
    transient,
    translated_errors,
)
from mailbot.backends.imap_folders import SENT, FolderLayout, locate, read_layout
from mailbot.backends.retry import Backoff, call_with_retry
from mailbot.backends.tls import trusted_context

log = logging.getLogger(__name__)

T = TypeVar("T")
Security = Literal["tls", "starttls", "none"]

GREETING_TIMEOUT = 15.0  # seconds to connect and be greeted (the read timeout is longer)
# A connection left unused this long (seconds) is not used again: firewalls and load
# balancers forget idle connections silently (Azure's after 4 minutes, many firewalls after
# 5 to 10), and a command sent on one then waits out the whole read timeout for nothing.
STALE_AFTER = 180.0


class ImapConnection:
    """The connection's settings and state (set by ImapMailbox.__init__) and handling."""

    host: str
    port: int
    security: Security
    username: str
    _password: str
    inbox: str
    processed: str
    sent: str
    ssl_context: ssl.SSLContext | None
    ca_file: Path | None
    timeout: float
    backoff: Backoff
    create_folders: bool
    _client: IMAPClient | None
    _interrupted: threading.Event  # set by interrupt(): mailbot is stopping
    _folders_checked: bool
    _sent_stand_in: str  # the server's Sent folder in use for a missing `sent`
    _inbox_validity: int | None  # set while the inbox is the selected folder
    # The configured folder names as this server spells them (see FolderLayout),
    # settled for each connection by _ensure_folders.
    _inbox_name: str
    _processed_name: str
    _sent_name: str
    _clock: Callable[[], float]
    _last_used: float  # when (by `clock`) the connection last answered

    @property
    def where(self) -> str:
        return f"IMAP server {self.host}:{self.port}"

    def _run(self, what: str, operation: Callable[[IMAPClient], T]) -> T:
        """Run one operation on a live, logged-in connection; on a transient failure
        drop the connection and retry on a new one, with backoff."""

        def attempt() -> T:
            self._check_interrupted(what)
            self._let_go_if_stale()
            client = self._connect()
            try:
                with self._errors():
                    self._ensure_folders(client)
                    result = operation(client)
                self._last_used = self._clock()
                return result
            except TransientError as error:
                self._drop()
                self._check_interrupted(what, error)
                raise

        return call_with_retry(attempt, self.backoff, what=f"{what} on {self.where}")

    def interrupt(self) -> None:
        """mailbot is stopping and the job in hand has run past its grace: end the
        operation under way now (a read from a server that stopped answering would wait
        out its timeout, then be retried), and start no other. Called from another thread:
        shutting the socket down wakes the read blocked on it."""
        self._interrupted.set()
        client = self._client
        if client is not None:
            with contextlib.suppress(Exception):
                client.socket().shutdown(socket.SHUT_RDWR)

    def _check_interrupted(self, what: str, error: Exception | None = None) -> None:
        if self._interrupted.is_set():
            raise Interrupted(f"{what} on {self.where}: cut short, mailbot is stopping") from error

    def _connect(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        with self._errors():
            context = self.ssl_context or trusted_context(self.ca_file, "[mailbox.imap] ca_file")
            try:
                client = IMAPClient(
                    self.host,
                    self.port,
                    ssl=self.security == "tls",
                    ssl_context=context if self.security == "tls" else None,
                    # A server greets within a second or two. Waiting the full timeout
                    # for a greeting that never comes (a plain client on a TLS port)
                    # would hold each poll for minutes.
                    timeout=SocketTimeout(min(GREETING_TIMEOUT, self.timeout), self.timeout),
                )
            except TimeoutError as error:
                raise TransientError(self._no_greeting()) from error
            try:
                if self.security == "starttls":
                    client.starttls(context)
                self._login(client)
            except BaseException:
                with contextlib.suppress(Exception):
                    client.shutdown()
                raise
        self._client = client
        self._folders_checked = False
        self._sent_stand_in = ""  # the server's Sent folder in use for a missing `sent`
        self._inbox_validity = None
        return client

    def _login(self, client: IMAPClient) -> None:
        """LOGIN, with the user name quoted (imaplib sends it bare, so a space, a quote
        or a backslash, as in DOMAIN\\user, broke the command). LOGIN carries ASCII
        only: a password with "£" or "é" goes by AUTHENTICATE PLAIN (UTF-8) instead."""
        if self.username.isascii() and self._password.isascii():
            client.login(_quoted(self.username), self._password)
            return
        if not client.has_capability("AUTH=PLAIN"):
            raise BackendError(
                f"{self.where}: the username or password has characters other than ASCII "
                "(such as £), which IMAP LOGIN cannot carry, and this server offers no "
                'AUTHENTICATE PLAIN for them; use security = "tls" or "starttls" (servers '
                "often offer it only then), or a password without such characters"
            )
        client.plain_login(self.username, self._password)

    def _no_greeting(self) -> str:
        message = f"{self.where} did not answer within {min(GREETING_TIMEOUT, self.timeout):g} s"
        if self.security != "tls":
            message += (
                f"; if it expects TLS from the start (port 993 does), set [mailbox.imap] "
                f'security = "tls" (now {self.security!r})'
            )
        return message

    def _let_go_if_stale(self) -> None:
        """Close a connection unused for STALE_AFTER seconds without a word (a LOGOUT on a
        connection a firewall forgot would wait out the read timeout too); the operation
        then logs in afresh, at once."""
        client = self._client
        if client is None or self._clock() - self._last_used < STALE_AFTER:
            return
        log.debug("%s: connection unused for over %.0f s; logging in afresh",
                  self.where, STALE_AFTER)
        self._client = None
        with contextlib.suppress(Exception):
            client.shutdown()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # the connection is already broken; just let it go
            with contextlib.suppress(Exception):
                client.shutdown()

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        """Translate IMAP and socket failures into TransientError or BackendError."""
        return translated_errors(self, lambda: self._inbox_name)

    def _existing_inbox(self, client: IMAPClient, layout: FolderLayout) -> str:
        """The inbox as this server names it; FolderMissing, listing what is there, if not."""
        inbox = locate(client, layout, self.inbox, layout.prefix)
        if inbox is None:
            raise FolderMissing(
                f"{self.where}: the inbox folder {self.inbox!r} does not exist for user "
                f"{self.username!r} (folders there: {', '.join(layout.names)})"
            )
        return inbox

    def _ensure_folders(self, client: IMAPClient) -> None:
        """Once per connection: the inbox must exist; Processed and Sent are made if
        missing (when allowed), else the error names the missing folder. Each name is
        settled as this server spells it (namespace prefix, separator), in the same
        mailbox as the inbox."""
        if self._folders_checked:
            return
        layout = read_layout(client)
        inbox = self._existing_inbox(client, layout)
        home = layout.home(inbox)
        self._inbox_name = inbox
        self._processed_name = locate(
            client, layout, self.processed, home
        ) or self._create_folder(client, layout.spelling(self.processed, home), "processed", layout)
        self._sent_name = self._sent_folder(client, layout, home, log_it=True) or (
            self._create_folder(client, layout.spelling(self.sent, home), "sent", layout))
        self._folders_checked = True

    def _sent_folder(
        self, client: IMAPClient, layout: FolderLayout, home: str, *, log_it: bool = False
    ) -> str | None:
        """The configured Sent folder; if it is not there, the one the server marks as
        the Sent folder (Exchange's "Sent Items", Gmail's "[Gmail]/Sent Mail"), where
        officers' mail sent as the shared mailbox is: a new "Sent" beside it would be
        watched in vain. None if neither."""
        configured = locate(client, layout, self.sent, home)
        if configured is not None:
            return configured
        marked = layout.marked_as(SENT, home)
        if marked is not None and log_it and marked != self._sent_stand_in:
            self._sent_stand_in = marked  # said once, not at each new connection
            log.info("%s: [mailbox.imap] sent = %r is not there; using %r, which the server "
                     "marks as the Sent folder", self.where, self.sent, marked)
        return marked

    def _create_folder(
        self, client: IMAPClient, name: str, key: str, layout: FolderLayout | None = None
    ) -> str:
        """Make the folder `name` (configured as [mailbox.imap] `key`); return its name."""
        if not self.create_folders:
            raise FolderMissing(
                f"{self.where}: the folder {name!r} does not exist for user {self.username!r} "
                f"([mailbox.imap] {key}); create it or change the configuration"
            )
        log.info("creating missing folder %r on %s", name, self.where)
        try:
            client.create_folder(name)
        except IMAPClientError as error:
            text = error_text(error)
            if "[ALREADYEXISTS]" in text:  # made by someone else meanwhile
                return name
            if transient(text):
                raise
            listing = layout.names if layout is not None else read_layout(client).names
            fix = "create it by hand"
            if "[NOPERM]" in text:
                fix = f"create it by hand and give user {self.username!r} access to it"
            raise FolderMissing(
                f"{self.where} would not create the folder {name!r} ([mailbox.imap] {key}): "
                f"{server_words(text)}; {fix}, or set {key} to one of the folders there: "
                f"{', '.join(listing)}"
            ) from error
        return name

    def _select_inbox(self, client: IMAPClient, fresh: bool = False) -> int:
        """Select the inbox (read-write) unless this connection already has it selected.
        `fresh` re-selects anyway, to learn about new mail and a changed UIDVALIDITY."""
        if fresh or self._inbox_validity is None:
            status = client.select_folder(self._inbox_name)
            self._inbox_validity = int(status[b"UIDVALIDITY"])
        return self._inbox_validity




def _quoted(text: str) -> str:
    """An IMAP quoted string (RFC 3501 4.3)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
