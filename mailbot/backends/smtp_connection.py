"""Opening a connection to the SMTP server: connected, secured (TLS from the start or
STARTTLS) and logged in with one AUTH attempt, remembering whether DATA was sent (from
then on the server may have the mail); and the envelope's addresses as the server can
take them."""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import email.utils
import smtplib
from typing import Any

from mailbot.addresses import ascii_domain_name
from mailbot.backends.base import BackendError, SendingBlocked
from mailbot.backends.smtp_errors import NoGreeting
from mailbot.backends.smtp_settings import SmtpSettings
from mailbot.backends.tls import trusted_context


class DataTracking:
    """Remembers whether the DATA command was sent in the current transaction: from
    then on the server may have the message, so it must not be sent again."""

    data_begun = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_begun = True
        return super().data(msg)  # type: ignore[misc, no-any-return]


class SmtpConnection(DataTracking, smtplib.SMTP):
    pass


class SmtpSslConnection(DataTracking, smtplib.SMTP_SSL):
    pass


Connection = SmtpConnection | SmtpSslConnection


def close_quietly(connection: Connection | None) -> None:
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.close()


def open_connection(settings: SmtpSettings) -> Connection:
    """A connected, secured and logged-in connection."""
    connection = _connect(settings)
    try:
        if settings.username:
            _log_in(connection, settings)
    except BaseException:
        close_quietly(connection)
        raise
    return connection


def _connect(settings: SmtpSettings) -> Connection:
    context = settings.ssl_context or trusted_context(settings.ca_file, "[mailbox.smtp] ca_file")
    if settings.security == "tls":
        return SmtpSslConnection(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=context,
            local_hostname=settings.local_hostname,
        )
    try:
        connection = SmtpConnection(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            local_hostname=settings.local_hostname,
        )
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):  # connected, then no "220" in time
            raise NoGreeting(str(error)) from error
        raise
    if settings.security == "starttls":
        try:
            connection.starttls(context=context)
        except BaseException:
            connection.close()
            raise
    return connection


def _log_in(connection: smtplib.SMTP, settings: SmtpSettings) -> None:
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


def envelope_address(address: str, utf8: bool, settings: SmtpSettings) -> str:
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


def envelope_sender(mime: bytes) -> str:
    """The From address of a rendered message, for when no mailbox address is set."""
    head = mime.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    parsed = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
    address = email.utils.parseaddr(str(parsed.get("From", "")))[1]
    if not address:
        raise BackendError("outgoing message has no From address and no mailbox address is set")
    return address
