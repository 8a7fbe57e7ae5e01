"""IMAP errors in mailbot's kinds: what passes (a busy server, a dropped connection) is
a TransientError to retry on a fresh connection; what a person must fix (a wrong
password, missing rights, a certificate) is a BackendError saying what to do, in one
line that names the server and the user."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Protocol

from imapclient.exceptions import (
    IMAPClientAbortError,
    IMAPClientError,
    IMAPClientReadOnlyError,
    LoginError,
)

from mailbot.backends.base import BackendError, TransientError
from mailbot.backends.tls import exchange_online_advice, untrusted_advice

# Response codes (RFC 5530) that mean "try again later", not "you are wrong".
TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[SERVERBUG]", "[LIMIT]")


class FolderMissing(BackendError):
    """A folder named in the configuration does not exist on the server."""


class Server(Protocol):
    """What the error messages name: the server, how it is reached, and who logs in."""

    @property
    def where(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def security(self) -> str: ...
    @property
    def username(self) -> str: ...


def transient(text: str) -> bool:
    """Does the server's reply carry a code that means "try again later"?"""
    return any(code in text for code in TRANSIENT_CODES)


@contextlib.contextmanager
def translated_errors(server: Server, inbox: Callable[[], str]) -> Iterator[None]:
    """Translate IMAP and socket failures into TransientError or BackendError. `inbox`
    gives the inbox folder as this server spells it, once it is known (it may become
    known inside the block)."""
    where, username = server.where, server.username
    try:
        yield
    except BackendError:
        raise
    except LoginError as error:
        text = error_text(error)
        if transient(text):
            raise TransientError(f"{where} cannot log in right now: {text}") from error
        advice = exchange_online_advice(server.host, "IMAP")
        raise BackendError(
            f"{where} refused the login for user {username!r}: "
            + (advice or "wrong username or password")
            + f" ({text})"
        ) from error
    except IMAPClientReadOnlyError as error:  # before its parent, IMAPClientAbortError
        raise BackendError(
            f"{where}: user {username!r} may only read the inbox "
            f"{inbox()!r} (it opens read-only); mailbot moves each message it "
            "has recorded out of it, so that login needs the rights to write, delete and "
            "expunge there, and to add messages to the Processed and Sent folders"
        ) from error
    except IMAPClientAbortError as error:
        text = error_text(error)
        if _smtp_greeting(text):
            raise BackendError(
                f"{where} answered as a mail submission (SMTP) server, not IMAP ({text}): "
                "check [mailbox.imap] port (IMAP is usually 993 with security = \"tls\", "
                "143 with \"starttls\"); the SMTP server belongs in [mailbox.smtp]"
            ) from error
        raise TransientError(f"connection to {where} lost: {text}") from error
    except IMAPClientError as error:
        text = error_text(error)
        if "[NOPERM]" in text:
            raise BackendError(
                f"{where}: user {username!r} is not allowed to do this: "
                f"{server_words(text)}; check its rights on the inbox, Processed and Sent "
                "folders (mailbot check-config --connect names what is missing)"
            ) from error
        if "[TRYCREATE]" in text:
            raise FolderMissing(f"{where}: folder missing: {text}") from error
        if transient(text):
            raise TransientError(f"{where} is busy: {text}") from error
        raise BackendError(f"{where}: {text}") from error
    except ssl.SSLCertVerificationError as error:
        raise BackendError(
            f"{where}: {untrusted_advice(error, '[mailbox.imap]', server.host)}"
        ) from error
    except ssl.SSLError as error:
        raise BackendError(
            f"{where}: TLS failed ({error.reason}); check that security = "
            f"{server.security!r} is right for port {server.port}"
        ) from error
    except ConnectionRefusedError as error:
        raise TransientError(
            f"cannot reach {where}: connection refused; nothing takes connections there: "
            'check [mailbox.imap] host and port (993 with security = "tls", or 143 for '
            "STARTTLS), that the mail server is running, and that no firewall blocks this "
            "machine from it"
        ) from error
    except socket.gaierror as error:  # a mistyped name, or name service down: may pass
        raise TransientError(
            f"cannot reach {where}: the host name {server.host!r} does not resolve "
            f"({error.strerror}); check [mailbox.imap] host, or the machine's DNS"
        ) from error
    except OSError as error:  # includes timeouts, resets, broken pipes
        raise TransientError(f"connection to {where} failed: {error}") from error


def _smtp_greeting(text: str) -> bool:
    """An SMTP server's first words ("220 mx.example ESMTP ...") where IMAP's "* OK" was
    expected: the IMAP settings name a submission port."""
    return bool(re.match(r"unexpected response: (b['\"])?220[ -]", text))


def server_words(text: str) -> str:
    """A server's NO reply without the command name and Dovecot's timing note."""
    text = re.sub(r"^\w+ failed: ", "", text)
    return re.sub(r"\s*\(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)\.?$", "", text).strip()


def error_text(error: BaseException) -> str:
    """The server's words in an IMAPClient error (its first argument, bytes shown as text)."""
    text = str(error.args[0]) if error.args else str(error)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text
