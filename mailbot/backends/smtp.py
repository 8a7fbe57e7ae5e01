"""SMTP submission for the imap and maildir backends (stdlib smtplib).

Failures are sorted into the two kinds the caller acts on: TransientError (server
away, 4xx replies: try again later) and BackendError (wrong password, TLS trust,
recipients refused for good: a person must look). `SmtpSession` keeps one connection
for many sends; `submit` sends one message on a connection of its own.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import email.utils
import errno
import logging
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mailbot.addresses import ascii_domain_name
from mailbot.backends.base import (
    BackendError,
    MaybeSent,
    SendingBlocked,
    TransientError,
    Unreachable,
)
from mailbot.backends.tls import exchange_online_advice, trusted_context, untrusted_advice
from mailbot.model import OutgoingMail

log = logging.getLogger(__name__)

Security = Literal["tls", "starttls", "none"]
IDLE_TIMEOUT = 60.0  # seconds a kept connection may sit unused before we close it


class PartlyDelivered(BackendError):
    """The server took the mail for some recipients and refused the others: it has
    gone, and sending it again would reach the first ones twice."""

    def __init__(self, message: str, refused: list[str]) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None  # None: the system's CAs, and ca_file
    local_hostname: str | None = None
    ca_file: Path | None = None  # PEM: a council's own CA or a self-signed certificate

    @property
    def where(self) -> str:
        return f"SMTP server {self.host}:{self.port}"


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
    connection: _Connection | None = None
    try:
        connection = _open(settings)
        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(envelope_from)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
        connection.rset()
    except smtplib.SMTPException as error:
        raise _session_error(settings, error) from error
    except OSError as error:
        raise _session_error(settings, error) from error
    finally:
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()
            _close_quietly(connection)
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
        self._connection: _Connection | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, mail: OutgoingMail, envelope_from: str) -> None:
        """Hand one message to the server. Raises TransientError or BackendError."""
        if not mail.recipients:
            raise BackendError(f"message {mail.message_id} has no recipients; nothing was sent")
        with self._lock:
            try:
                with _plain_words(self.settings, mail):
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

    def _discard(self) -> _Connection | None:
        """Forget the connection after a failure (its state is unknown); return it."""
        connection, self._connection = self._connection, None
        _close_quietly(connection)
        return connection

    def _sendmail(self, mail: OutgoingMail, sender: str) -> dict[str, tuple[int, bytes]]:
        if self._connection is None:
            self._connection = _open(self.settings)
        connection = self._connection
        connection.data_begun = False
        connection.ehlo_or_helo_if_needed()
        utf8 = connection.has_extn("smtputf8")
        addresses = [_envelope_address(a, utf8, self.settings) for a in (sender, *mail.recipients)]
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
        _close_quietly(connection)


class _DataTracking:
    """Remembers whether the DATA command was sent in the current transaction: from
    then on the server may have the message, so it must not be sent again."""

    data_begun = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_begun = True
        return super().data(msg)  # type: ignore[misc, no-any-return]


class _Smtp(_DataTracking, smtplib.SMTP):
    pass


class _SmtpSsl(_DataTracking, smtplib.SMTP_SSL):
    pass


_Connection = _Smtp | _SmtpSsl


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


def _data_begun(connection: _Connection | None) -> bool:
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


def _close_quietly(connection: _Connection | None) -> None:
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.close()


@contextlib.contextmanager
def _plain_words(settings: SmtpSettings, mail: OutgoingMail) -> Iterator[None]:
    """Sort smtplib's and the socket's failures into TransientError (try again later)
    and BackendError (a person must look), in words an administrator can act on."""
    try:
        yield
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        message = f"{settings.where} refused every recipient of {mail.message_id}: {codes}"
        if all(400 <= code < 500 for code in codes):
            raise TransientError(message) from error
        raise BackendError(message) from error
    except smtplib.SMTPException as error:
        raise _session_error(settings, error) from error
    except OSError as error:
        raise _session_error(settings, error) from error


def _session_error(settings: SmtpSettings, error: Exception) -> BackendError:
    """A failure that is not about one message's recipients: the connection, TLS, the
    login, the sender. Every later mail would meet it too, so say what to change."""
    where = settings.where
    if isinstance(error, smtplib.SMTPAuthenticationError):
        text = _text(error)
        if "5.7.139" in text or "SmtpClientAuthentication" in text:
            return SendingBlocked(
                f"{where} refused the login for user {settings.username!r}: SMTP AUTH is "
                "turned off for this mailbox or tenant; an Exchange administrator must turn "
                'it on for the mailbox, or use backend = "graph" instead '
                f"({error.smtp_code} {text})"
            )
        advice = exchange_online_advice(settings.host, "SMTP")
        if advice:
            return SendingBlocked(
                f"{where} refused the login for user {settings.username!r}: {advice} "
                f"({error.smtp_code} {text})"
            )
        return SendingBlocked(
            f"{where} refused the login for user {settings.username!r}: check the username "
            "and password"
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if "AUTH" in str(error).upper():
            return SendingBlocked(
                f"{where} offers no login (AUTH) here: {error}; if it wants none, leave "
                "[mailbox.smtp] username empty, else check security and port"
            )
        if "STARTTLS" in str(error).upper():  # every mail would fail the same way
            return SendingBlocked(
                f"{where} offers no STARTTLS on port {settings.port}: set [mailbox.smtp] "
                'security = "tls" if the port expects TLS from the start (465 does), or '
                'the port it offers STARTTLS on (587); "none" only for a server on this '
                "machine"
            )
        return BackendError(f"{where}: {error}")
    if isinstance(error, ssl.SSLCertVerificationError):
        advice = untrusted_advice(error, "[mailbox.smtp]", settings.host)
        return SendingBlocked(f"{where}: {advice}")
    if isinstance(error, smtplib.SMTPResponseException):
        return _refusal(settings, error)
    if isinstance(error, smtplib.SMTPConnectError):
        return Unreachable(f"{where} would not take a connection: {error}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TransientError(f"{where} went away: {error}")
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):  # hung up mid-handshake
        return TransientError(f"{where} went away: {error}")
    if isinstance(error, ssl.SSLError):
        return SendingBlocked(
            f"{where}: TLS failed ({error.reason}); check that [mailbox.smtp] security = "
            f"{settings.security!r} is right for port {settings.port} (starttls for 587, "
            "tls for 465)"
        )
    if isinstance(error, _NoGreeting):
        return Unreachable(
            f"{where} took the connection but sent no greeting within {settings.timeout:g} s; "
            "if it expects TLS from the start (port 465 does), set [mailbox.smtp] security = "
            f'"tls" (now {settings.security!r}); else check [mailbox.smtp] host and port (587 '
            "for STARTTLS), that the mail server there is running, and that no firewall or "
            "proxy holds the connection"
        )
    if isinstance(error, TimeoutError) and settings.security != "tls":
        return Unreachable(
            f"cannot reach {where}: {error}; if it expects TLS from the start (port 465 "
            f'does), set [mailbox.smtp] security = "tls" (now {settings.security!r}); '
            f"else {_NO_ANSWER_CHECK}"
        )
    if _never_connected(error):
        return Unreachable(f"cannot reach {where}: {error}; {_unreachable_advice(settings, error)}")
    if isinstance(error, OSError):
        return TransientError(f"cannot reach {where}: {error}")
    return BackendError(f"{where}: {error}")


class _NoGreeting(TimeoutError):
    """The server took the TCP connection but sent no SMTP greeting ("220 ...") within the
    timeout: a port that waits for a TLS hello first (465), or something holding the
    connection. smtplib reports it as SMTPServerDisconnected, as if the server hung up."""


_NO_ANSWER_CHECK = ("check [mailbox.smtp] host and port, and that no firewall drops the "
                    "connection")


def _unreachable_advice(settings: SmtpSettings, error: Exception) -> str:
    """What to check when no connection was made (_never_connected), by its cause."""
    if isinstance(error, socket.gaierror):
        return (f"the host name {settings.host!r} does not resolve: check [mailbox.smtp] host, "
                "or this machine's DNS")
    if isinstance(error, TimeoutError):
        return f"no answer in time: {_NO_ANSWER_CHECK}"
    if isinstance(error, ConnectionRefusedError):
        return ("nothing takes connections there: check [mailbox.smtp] host and port (587 for "
                'STARTTLS, or 465 with security = "tls"), that the mail server is running, and '
                "that no firewall blocks this machine from it")
    return ("no route to it from this machine: check [mailbox.smtp] host, and this "
            "machine's network and firewall")


def _never_connected(error: Exception) -> bool:
    """A socket failure that means no connection was made, or none answered: refused, no
    route to the host, its name not found, or no answer in time."""
    if isinstance(error, ConnectionRefusedError | socket.gaierror | TimeoutError):
        return True
    return isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)


def _refusal(settings: SmtpSettings, error: smtplib.SMTPResponseException) -> BackendError:
    """An SMTP reply refusing us. 4xx is "later"; a 5xx about the login or the sender
    will refuse every mail until the configuration changes, so it says which key."""
    code, text = error.smtp_code, _text(error)
    message = f"{settings.where} answered {code}: {text}"
    if 400 <= code < 500:
        return TransientError(message)
    lowered = text.lower()
    if code == 530 or "authenticat" in lowered or "5.7.57" in text:
        if "starttls" in lowered:
            return SendingBlocked(f"{message}; set [mailbox.smtp] security = \"starttls\"")
        if not settings.username:
            return SendingBlocked(
                f"{message}; this server wants a login: set [mailbox.smtp] username and "
                "password (MAILBOT_MAILBOX__SMTP__PASSWORD)"
            )
        return SendingBlocked(f"{message}; check [mailbox.smtp] username and password")
    if isinstance(error, smtplib.SMTPSenderRefused) or "send as" in lowered or "5.7.60" in text:
        sender = error.sender if isinstance(error, smtplib.SMTPSenderRefused) else "the sender"
        login = f"the login {settings.username!r}" if settings.username else "this client"
        return SendingBlocked(
            f"{message}; it will not take mail from {sender} ([mailbox] address) from "
            f"{login}: give that login the right to send as {sender}, or log in as it"
        )
    return BackendError(message)


def _open(settings: SmtpSettings) -> _Connection:
    """A connected, secured and logged-in connection."""
    connection = _connect(settings)
    try:
        if settings.username:
            _login(connection, settings)
    except BaseException:
        _close_quietly(connection)
        raise
    return connection


def _connect(settings: SmtpSettings) -> _Connection:
    context = settings.ssl_context or trusted_context(settings.ca_file, "[mailbox.smtp] ca_file")
    if settings.security == "tls":
        return _SmtpSsl(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=context,
            local_hostname=settings.local_hostname,
        )
    try:
        connection = _Smtp(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            local_hostname=settings.local_hostname,
        )
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):  # connected, then no "220" in time
            raise _NoGreeting(str(error)) from error
        raise
    if settings.security == "starttls":
        try:
            connection.starttls(context=context)
        except BaseException:
            connection.close()
            raise
    return connection


def _login(connection: smtplib.SMTP, settings: SmtpSettings) -> None:
    """One AUTH attempt, PLAIN when offered. smtplib's login() would go on to try
    every other mechanism after a refusal, which only counts more failures against
    the account (and LOGIN after PLAIN hangs some servers)."""
    connection.ehlo_or_helo_if_needed()
    offered = connection.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in offered:
        if not (settings.username.isascii() and settings.password.isascii()):
            raise SendingBlocked(
                f"{settings.where}: the username or password has characters other than "
                "ASCII (such as £), and this server offers no AUTH PLAIN to carry them"
            )
        connection.login(settings.username, settings.password)
        return
    # Our own AUTH PLAIN: smtplib's encodes the credentials as ASCII and raises
    # UnicodeEncodeError on a password with "£"; RFC 4616 says UTF-8.
    credentials = f"\0{settings.username}\0{settings.password}".encode()
    code, reply = connection.docmd("AUTH", "PLAIN " + base64.b64encode(credentials).decode())
    if code == 334:  # a server that wants the credentials after an empty challenge
        code, reply = connection.docmd(base64.b64encode(credentials).decode())
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _envelope_address(address: str, utf8: bool, settings: SmtpSettings) -> str:
    """An address the server can take in MAIL FROM / RCPT TO. A domain such as
    "caerdydd-ŵ.cymru" goes in its ASCII (IDNA) form, which every server takes; a
    mailbox name that is not ASCII needs the server's SMTPUTF8. (smtplib would raise
    UnicodeEncodeError on either, stopping the whole outbox flush.)"""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    written = ascii_domain_name(domain) if at else domain
    if written is None:
        raise BackendError(f"{address!r} is not a valid email address")
    ascii_form = f"{local}{at}{written}"
    if ascii_form.isascii() or utf8:
        return ascii_form
    raise BackendError(
        f"{settings.where} cannot take mail for {address!r}: the part before the @ is not "
        "ASCII and the server does not offer SMTPUTF8"
    )


def _text(error: smtplib.SMTPResponseException) -> str:
    raw = error.smtp_error
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def envelope_sender(mime: bytes) -> str:
    """The From address of a rendered message, for when no mailbox address is set."""
    head = mime.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    parsed = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
    address = email.utils.parseaddr(str(parsed.get("From", "")))[1]
    if not address:
        raise BackendError("outgoing message has no From address and no mailbox address is set")
    return address
