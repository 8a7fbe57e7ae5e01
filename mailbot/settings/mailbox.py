"""[mailbox]: the shared mailbox's address and the backend that reads it (IMAP with SMTP,
Exchange EWS, Microsoft Graph, Maildir), with the credentials each backend needs checked
before the first poll."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from mailbot.settings.sections import Section

Security = Literal["tls", "starttls", "none"]


def server_name(written: str) -> str:
    """A mail server's host as written, spaces around it dropped; a ValueError saying what
    to write for one given as a URL ("imaps://mail.council.gov.uk:993"), with its port
    ("smtp.council.gov.uk:587") or a path, which would only fail to resolve at the poll."""
    host = written.strip()
    if "://" in host:
        parsed = urlsplit(host)
        try:
            port = f", and the port as port = {parsed.port}" if parsed.port else ""
        except ValueError:
            port = ""
        raise ValueError(f"{written!r} is an address with a scheme; write the server's name "
                         f'alone, host = "{parsed.hostname or ""}"{port}')
    name, colon, port = host.rpartition(":")
    if colon and name and ":" not in name and port.isdigit():  # not an IPv6 address
        raise ValueError(f"{written!r} has the port in it; write the server's name alone, "
                         f'host = "{name}", and the port as port = {port}')
    if "/" in host or any(c.isspace() or c in "@\\" for c in host):
        raise ValueError(f"{written!r} is not a server's name; write the name alone, host = "
                         f'"{host.split("/")[0] if "/" in host else "mail.council.gov.uk"}"')
    return host


# Where mailbot signs in to Microsoft Entra ID, and Microsoft's global Graph: the one
# place these defaults are written (backends/graph.py and graph_tokens.py take them).
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"


def https_address(written: str, key: str, default: str, why: str) -> str:
    """An address a secret goes to over the network (`why`: "signs in there with the app's
    secret"), spaces around it dropped; a ValueError saying what to write under `key` for
    one that is not https with a host, which would send the secret in the clear or fail
    only at the first poll."""
    address = written.strip()
    parts = urlsplit(address)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError(
            f"{written!r} is not an https:// address: mailbot {why}, so it must be https, "
            f'such as {key} = "{default}" (the default; a national cloud has its own, see '
            "docs/backends/graph.md)"
        )
    return address


class ImapSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=993, ge=1, le=65535)
    security: Security = "tls"
    username: str = ""
    password: str = ""
    inbox: str = "INBOX"
    processed: str = "Processed"
    sent: str = "Sent"
    watch_sent: bool = False  # also read Sent, to see replies sent as the shared mailbox
    ca_file: Path | None = None  # PEM trusted besides the system's CAs: own CA, self-signed

    @field_validator("host")
    @classmethod
    def _server_name(cls, value: str) -> str:
        return server_name(value)

    @model_validator(mode="after")
    def _folders_of_their_own(self) -> ImapSettings:
        """processed = "INBOX" would move each handled message into the inbox again, to be
        read again at every poll, for ever; sent = "INBOX" would bring mailbot's own mail
        back to it."""
        inbox, processed, sent = map(_folder_key, (self.inbox, self.processed, self.sent))
        if processed == inbox:
            raise ValueError(f"processed: {self.processed!r} is the folder mailbot reads "
                             "(inbox); handled mail must be moved out of it, to a folder of "
                             'its own such as "Processed"')
        if sent == inbox:
            raise ValueError(f"sent: {self.sent!r} is the folder mailbot reads (inbox); "
                             'copies of what it sends must be kept in another, such as "Sent"')
        if processed == sent:
            raise ValueError(f"processed: {self.processed!r} is also sent; handled mail and "
                             "the copies of what mailbot sends go to folders of their own")
        return self


def _folder_key(name: str) -> str:
    """A folder as the server knows it: INBOX is the inbox in any capitals (RFC 3501)."""
    return "INBOX" if name.upper() == "INBOX" else name


class SmtpSettings(Section):
    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    ca_file: Path | None = None  # PEM trusted besides the system's CAs: own CA, self-signed

    @field_validator("host")
    @classmethod
    def _server_name(cls, value: str) -> str:
        return server_name(value) if value.strip() else ""


class MaildirSettings(Section):
    path: Path = Path("mailbox")
    outbox: Path = Path("outbox")


class EwsSettings(Section):
    service_endpoint: str = ""  # empty: Exchange Online's endpoint for oauth, else autodiscover
    auth_type: Literal["ntlm", "basic", "oauth"] = "ntlm"
    access_type: Literal["delegate", "impersonation"] = "delegate"
    username: str = ""
    password: str = ""
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    token_endpoint: str = ""
    processed: str = "Processed"
    create_processed_folder: bool = True
    watch_sent: bool = False  # also read Sent Items, to see replies sent as the shared mailbox


class GraphSettings(Section):
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    certificate_path: Path | None = None
    certificate_thumbprint: str = ""
    processed: str = "Processed"
    base_url: str = DEFAULT_GRAPH_BASE_URL  # mailbot's access token goes with each request
    authority_host: str = DEFAULT_AUTHORITY_HOST  # where mailbot signs in
    watch_sent: bool = False  # also read Sent Items, to see replies sent as the shared mailbox

    @field_validator("authority_host")
    @classmethod
    def _signs_in_over_https(cls, value: str) -> str:
        return https_address(value, "authority_host", DEFAULT_AUTHORITY_HOST,
                             "signs in there with the app's secret")

    @field_validator("base_url")
    @classmethod
    def _reads_the_mailbox_over_https(cls, value: str) -> str:
        return https_address(value, "base_url", DEFAULT_GRAPH_BASE_URL,
                             "sends its access token there with every request, and the "
                             "members' mail comes back")


class MailboxSettings(Section):
    backend: Literal["ews", "graph", "imap", "maildir"] = "maildir"
    address: str = "memberenquiries@example.gov.uk"
    display_name: str = "Member Enquiries"
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    maildir: MaildirSettings = MaildirSettings()
    ews: EwsSettings = EwsSettings()
    graph: GraphSettings = GraphSettings()

    @model_validator(mode="after")
    def _backend_is_configured(self) -> MailboxSettings:
        # A space pasted around the address would make our own mail look like a stranger's.
        address = self.address.strip()
        if "@" not in address or any(c.isspace() or c in ",;<>" for c in address):
            raise ValueError(f"address: {self.address!r} is not an email address")
        self.address = address
        if self.backend == "imap" and not self.imap.username:
            raise ValueError('imap.username: required when backend = "imap"')
        if self.backend == "ews":
            self._ews_has_credentials()
        if self.backend == "graph" and not (self.graph.tenant_id and self.graph.client_id):
            raise ValueError('graph.tenant_id and graph.client_id: required for backend "graph"')
        graph = self.graph
        if self.backend == "graph" and not (graph.client_secret or graph.certificate_path):
            # The backend refuses to start without one: say so at check-config, not at the
            # first poll. The secret normally comes from the environment.
            raise ValueError(
                "graph.client_secret: required unless graph.certificate_path is set (set "
                "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET)"
            )
        return self

    def _ews_has_credentials(self) -> None:
        ews = self.ews
        if ews.auth_type != "oauth":
            if not ews.username:
                raise ValueError("ews.username: required for ntlm or basic login")
            if not ews.password:
                raise ValueError(
                    "ews.password: required for ntlm or basic login (set "
                    "MAILBOT_MAILBOX__EWS__PASSWORD)"
                )
            return
        for key in ("tenant_id", "client_id", "client_secret"):
            if not getattr(ews, key):
                raise ValueError(
                    f"ews.{key}: required for oauth (set MAILBOT_MAILBOX__EWS__{key.upper()})"
                )
