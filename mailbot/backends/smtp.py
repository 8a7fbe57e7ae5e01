"""SMTP submission for the imap and maildir backends (stdlib smtplib).

Failures are sorted into the two kinds the caller acts on: TransientError (server
away, 4xx replies: try again later) and BackendError (wrong password, TLS trust,
recipients refused for good: a person must look).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import smtplib
import ssl
from dataclasses import dataclass
from typing import Literal

from mailbot.backends.base import BackendError, TransientError
from mailbot.model import OutgoingMail

Security = Literal["tls", "starttls", "none"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None  # None: the system's trusted CAs
    local_hostname: str | None = None

    @property
    def where(self) -> str:
        return f"SMTP server {self.host}:{self.port}"


def submit(settings: SmtpSettings, mail: OutgoingMail, envelope_from: str) -> None:
    """Hand one message to the submission server. Raises TransientError or BackendError."""
    if not mail.recipients:
        raise BackendError(f"message {mail.message_id} has no recipients; nothing was sent")
    try:
        with _connect(settings) as connection:
            if settings.username:
                _login(connection, settings)
            refused = connection.sendmail(envelope_from, list(mail.recipients), mail.mime)
    except smtplib.SMTPAuthenticationError as error:
        raise BackendError(
            f"{settings.where} refused the login for user {settings.username!r}: "
            "check the username and password"
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        raise BackendError(f"{settings.where}: {error}") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        message = f"{settings.where} refused every recipient of {mail.message_id}: {codes}"
        if all(400 <= code < 500 for code in codes):
            raise TransientError(message) from error
        raise BackendError(message) from error
    except smtplib.SMTPResponseException as error:
        message = f"{settings.where} answered {error.smtp_code}: {_text(error)}"
        if 400 <= error.smtp_code < 500:
            raise TransientError(message) from error
        raise BackendError(message) from error
    except ssl.SSLCertVerificationError as error:
        raise BackendError(
            f"{settings.where}: its TLS certificate is not trusted ({error.verify_message})"
        ) from error
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
        raise TransientError(f"{settings.where} went away: {error}") from error
    except (TimeoutError, OSError) as error:
        raise TransientError(f"cannot reach {settings.where}: {error}") from error
    if refused:
        # Some recipients took it, so it must not be sent again; say who did not.
        raise BackendError(f"{settings.where} refused {sorted(refused)} for {mail.message_id}")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = settings.ssl_context or ssl.create_default_context()
    if settings.security == "tls":
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=context,
            local_hostname=settings.local_hostname,
        )
    connection = smtplib.SMTP(
        settings.host,
        settings.port,
        timeout=settings.timeout,
        local_hostname=settings.local_hostname,
    )
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
        connection.login(settings.username, settings.password)
        return
    connection.user, connection.password = settings.username, settings.password
    connection.auth("PLAIN", connection.auth_plain)


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
