"""SMTP submission for the imap and maildir backends (stdlib smtplib): sending each mail
at most once.

`SmtpSession` keeps one connection for many sends; `submit` sends one message on a
connection of its own; `check_submission` does all a send does short of sending. The
settings are in smtp_settings, the connection (TLS, login, envelope addresses) in
smtp_connection, and what the server's failures mean, in the two kinds the caller acts
on (TransientError: try again later; BackendError: a person must look), in smtp_errors.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import time
from collections.abc import Callable

from mailbot.backends.base import BackendError, MaybeSent
from mailbot.backends.smtp_connection import (
    Connection,
    close_quietly,
    envelope_address,
    envelope_sender,
    open_connection,
)
from mailbot.backends.smtp_errors import PartlyDelivered, plain_words, session_error
from mailbot.backends.smtp_settings import Security, SmtpSettings
from mailbot.model import OutgoingMail

__all__ = ["IDLE_TIMEOUT", "PartlyDelivered", "Security", "SmtpSession", "SmtpSettings",
           "check_submission", "envelope_sender", "submit"]

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 60.0  # seconds a kept connection may sit unused before we close it


def submit(settings: SmtpSettings, mail: OutgoingMail, envelope_from: str) -> None:
    """Hand one message to the submission server on a connection of its own.
    Raises TransientError or BackendError."""
    session = SmtpSession(settings)
    try:
        session.send(mail, envelope_from)
    finally:
        session.close()


def check_submission(settings: SmtpSettings, envelope_from: str) -> str:
    """What a send does short of sending: connect, secure, log in, and offer
    `envelope_from` as the sender; then RSET, so no mail goes anywhere. Returns a line
    saying what was checked; raises TransientError or BackendError as a send would."""
    connection: Connection | None = None
    try:
        connection = open_connection(settings)
        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(envelope_from)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
        connection.rset()
    except smtplib.SMTPException as error:
        raise session_error(settings, error) from error
    except OSError as error:
        raise session_error(settings, error) from error
    finally:
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()
            close_quietly(connection)
    login = f"logged in as {settings.username!r}" if settings.username else "no login"
    return f"{settings.where}: {login}; takes mail from {envelope_from}"


class SmtpSession:
    """One SMTP connection kept open across sends, so a flush of hundreds of mails pays
    for the connection, STARTTLS and AUTH once instead of once per mail.

    It opens on the first send. A connection the server has closed meanwhile (restart,
    its own idle timeout) is replaced once, transparently, but only when the failure
    came before the DATA command: until then the server has accepted nothing, so
    sending again cannot deliver the mail twice. A failure from DATA on is reported as
    it always was, and so are all other failures; after any failure the connection is
    dropped, so the next send starts clean. A connection unused for `idle_timeout`
    seconds (by `clock`) is closed: at the next send, or by `close_if_idle()`.
    Thread-safe: one send at a time.
    """

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._connection: Connection | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, mail: OutgoingMail, envelope_from: str) -> None:
        """Hand one message to the server. Raises TransientError or BackendError."""
        if not mail.recipients:
            raise BackendError(f"message {mail.message_id} has no recipients; nothing was sent")
        with self._lock:
            try:
                with plain_words(self.settings, mail):
                    refused = self._transaction(mail, envelope_from)
            finally:
                self._last_used = self._clock()
        if refused:
            # Some recipients took it, so it must not be sent again; say who did not.
            where = self.settings.where
            raise PartlyDelivered(
                f"{where} refused {sorted(refused)} for {mail.message_id}", sorted(refused)
            )

    def close_if_idle(self) -> None:
        """Close the connection if it has not been used for `idle_timeout` seconds.
        Never waits: a send in progress means it is not idle."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._drop_if_idle()
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _transaction(self, mail: OutgoingMail, sender: str) -> dict[str, tuple[int, bytes]]:
        self._drop_if_idle()
        reused = self._connection is not None
        try:
            return self._sendmail(mail, sender)
        except BaseException as error:
            connection = self._discard()
            # Only a kept connection the server hung up on before DATA is worth one
            # more try: a fresh connection failing is news, and from DATA on the
            # server may already have the message.
            if _data_begun(connection) and _lost_after_data(error):
                raise _maybe_sent(self.settings, mail) from error
            if _data_begun(connection) or not (reused and _server_hung_up(error)):
                raise
            log.info("%s had closed the connection (%s); reconnecting", self.settings.where, error)
        try:
            return self._sendmail(mail, sender)
        except BaseException as error:
            connection = self._discard()
            if _data_begun(connection) and _lost_after_data(error):
                raise _maybe_sent(self.settings, mail) from error
            raise

    def _discard(self) -> Connection | None:
        """Forget the connection after a failure (its state is unknown); return it."""
        connection, self._connection = self._connection, None
        close_quietly(connection)
        return connection

    def _sendmail(self, mail: OutgoingMail, sender: str) -> dict[str, tuple[int, bytes]]:
        if self._connection is None:
            self._connection = open_connection(self.settings)
        connection = self._connection
        connection.data_begun = False
        connection.ehlo_or_helo_if_needed()
        utf8 = connection.has_extn("smtputf8")
        addresses = [envelope_address(a, utf8, self.settings) for a in (sender, *mail.recipients)]
        options = ["SMTPUTF8"] if utf8 and not all(a.isascii() for a in addresses) else []
        return connection.sendmail(addresses[0], addresses[1:], mail.mime, mail_options=options)

    def _drop_if_idle(self) -> None:
        if self._connection is not None and self._clock() - self._last_used >= self.idle_timeout:
            self._drop()

    def _drop(self) -> None:
        """Say QUIT and close; a server that is already gone is no error here."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()
        close_quietly(connection)


def _lost_after_data(error: BaseException) -> bool:
    """After DATA, a dropped connection (no answer at all, or a 421 hang-up) leaves it open
    whether the server kept the mail; any other answer (451, 554, ...) is a plain reply."""
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError)


def _maybe_sent(settings: SmtpSettings, mail: OutgoingMail) -> MaybeSent:
    return MaybeSent(
        f"{settings.where} lost the connection after receiving {mail.message_id}; it may or "
        "may not have been delivered, so it is not sent again"
    )


def _data_begun(connection: Connection | None) -> bool:
    return connection is not None and connection.data_begun


def _server_hung_up(error: BaseException) -> bool:
    """The server closed the connection (silently, or with 421 at the next command)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in error.recipients.values())
    return isinstance(error, ConnectionError)  # reset or broken pipe
