"""Which TLS certificates the imap and smtp backends trust, what to say when one is not,
and what to say when a login is refused for reasons other than the password.

Council mail servers often present a certificate from the council's own certificate
authority, or a self-signed one: the system's trusted authorities do not know it. The
administrator names that certificate (PEM) in `ca_file`; it is trusted besides the
system's authorities, never instead of checking.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from mailbot.backends.base import BackendError

# OpenSSL's X509_V_ERR_* codes that mean "issued by nobody we trust" rather than
# "a certificate we would trust, but wrong here" (expired, another host's).
UNKNOWN_ISSUER = {
    18,  # self-signed certificate
    19,  # self-signed certificate in chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
}
EXPIRED = 10
HOSTNAME_MISMATCH = 62


def trusted_context(ca_file: Path | None, key: str) -> ssl.SSLContext:
    """The system's trusted authorities, plus `ca_file` if given. `key` names the
    setting ("[mailbox.imap] ca_file") in the error for a file that cannot be used."""
    context = ssl.create_default_context()
    if ca_file is None:
        return context
    try:
        context.load_verify_locations(cafile=str(ca_file))
    except FileNotFoundError:
        raise BackendError(f"{key}: {ca_file} does not exist") from None
    except (OSError, ssl.SSLError) as error:
        raise BackendError(
            f"{key}: {ca_file} is not a PEM certificate file that can be read ({error})"
        ) from None
    return context


def untrusted_advice(error: ssl.SSLCertVerificationError, section: str, host: str) -> str:
    """One line: why the certificate was refused, and what the administrator can do."""
    reason = error.verify_message or str(error)
    code = error.verify_code
    if code in UNKNOWN_ISSUER:
        return (
            f"its TLS certificate is not trusted ({reason}); if the server uses a self-signed "
            f"certificate or the council's own certificate authority, set {section} ca_file "
            "to that certificate (a PEM file)"
        )
    if code == HOSTNAME_MISMATCH:
        return (
            f"its TLS certificate is not for the host name {host!r} ({reason}); set "
            f"{section} host to the name the certificate was issued for"
        )
    if code == EXPIRED:
        return f"its TLS certificate has expired ({reason}); the server needs a new one"
    return f"its TLS certificate is not trusted ({reason})"


# Exchange Online's IMAP and SMTP host names (Microsoft 365, and the GCC/sovereign ones).
EXCHANGE_ONLINE_HOSTS = ("office365.com", "outlook.com", "office365.us", "partner.outlook.cn")


def exchange_online_advice(host: str, protocol: str) -> str | None:
    """For Exchange Online: a refused login is usually not the password. Microsoft
    turned off password (basic) logins for IMAP in 2022-23 and SMTP AUTH is off by
    default; the graph backend is the way in for a council on Microsoft 365."""
    host = host.lower().rstrip(".")
    if not any(host == name or host.endswith("." + name) for name in EXCHANGE_ONLINE_HOSTS):
        return None
    if protocol == "IMAP":
        return (
            "Exchange Online no longer accepts passwords over IMAP (only OAuth); use "
            'backend = "graph" for a Microsoft 365 mailbox'
        )
    return (
        "Exchange Online refuses SMTP passwords unless SMTP AUTH is turned on for the "
        'mailbox; use backend = "graph" for a Microsoft 365 mailbox, or have it turned on'
    )
