"""What an SMTP server's failures mean, in the two kinds the caller acts on:
TransientError (server away, 4xx replies: try again later) and BackendError (wrong
password, TLS trust, recipients refused for good: a person must look), with
SendingBlocked for a failure every later mail would meet too, and words that say which
[mailbox.smtp] key to change."""

from __future__ import annotations

import contextlib
import errno
import smtplib
import socket
import ssl
from collections.abc import Iterator

from mailbot.backends.base import (
    BackendError,
    SendingBlocked,
    TransientError,
    Unreachable,
)
from mailbot.backends.smtp_settings import SmtpSettings
from mailbot.backends.tls import exchange_online_advice, untrusted_advice
from mailbot.model import OutgoingMail


class PartlyDelivered(BackendError):
    """The server took the mail for some recipients and refused the others: it has
    gone, and sending it again would reach the first ones twice."""

    def __init__(self, message: str, refused: list[str]) -> None:
        super().__init__(message)
        self.refused = refused


@contextlib.contextmanager
def plain_words(settings: SmtpSettings, mail: OutgoingMail) -> Iterator[None]:
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
        raise session_error(settings, error) from error
    except OSError as error:
        raise session_error(settings, error) from error


def session_error(settings: SmtpSettings, error: Exception) -> BackendError:
    """A failure that is not about one message's recipients: the connection, TLS, the
    login, the sender. Every later mail would meet it too, so say what to change."""
    where = settings.where
    if isinstance(error, smtplib.SMTPAuthenticationError):
        text = reply_text(error)
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
        return refusal(settings, error)
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
    if isinstance(error, NoGreeting):
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
            f"else {NO_ANSWER_CHECK}"
        )
    if never_connected(error):
        return Unreachable(f"cannot reach {where}: {error}; {unreachable_advice(settings, error)}")
    if isinstance(error, OSError):
        return TransientError(f"cannot reach {where}: {error}")
    return BackendError(f"{where}: {error}")


class NoGreeting(TimeoutError):
    """The server took the TCP connection but sent no SMTP greeting ("220 ...") within the
    timeout: a port that waits for a TLS hello first (465), or something holding the
    connection. smtplib reports it as SMTPServerDisconnected, as if the server hung up."""


NO_ANSWER_CHECK = ("check [mailbox.smtp] host and port, and that no firewall drops the "
                   "connection")


def unreachable_advice(settings: SmtpSettings, error: Exception) -> str:
    """What to check when no connection was made (never_connected), by its cause."""
    if isinstance(error, socket.gaierror):
        return (f"the host name {settings.host!r} does not resolve: check [mailbox.smtp] host, "
                "or this machine's DNS")
    if isinstance(error, TimeoutError):
        return f"no answer in time: {NO_ANSWER_CHECK}"
    if isinstance(error, ConnectionRefusedError):
        return ("nothing takes connections there: check [mailbox.smtp] host and port (587 for "
                'STARTTLS, or 465 with security = "tls"), that the mail server is running, and '
                "that no firewall blocks this machine from it")
    return ("no route to it from this machine: check [mailbox.smtp] host, and this "
            "machine's network and firewall")


def never_connected(error: Exception) -> bool:
    """A socket failure that means no connection was made, or none answered: refused, no
    route to the host, its name not found, or no answer in time."""
    if isinstance(error, ConnectionRefusedError | socket.gaierror | TimeoutError):
        return True
    return isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)


def refusal(settings: SmtpSettings, error: smtplib.SMTPResponseException) -> BackendError:
    """An SMTP reply refusing us. 4xx is "later"; a 5xx about the login or the sender
    will refuse every mail until the configuration changes, so it says which key."""
    code, text = error.smtp_code, reply_text(error)
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


def reply_text(error: smtplib.SMTPResponseException) -> str:
    raw = error.smtp_error
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
