"""[mailbox.smtp] as the SMTP code takes it: the server, how the connection is secured,
the login, and the names the other SMTP modules use for them in their words."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Security = Literal["tls", "starttls", "none"]


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
