"""The [mailbox] section checked for `check-config`: what its settings lack or get wrong,
and, with --connect, a login to the mailbox and to the SMTP server."""

from __future__ import annotations

from mailbot.app import _smtp, build_backend
from mailbot.backends.base import BackendError
from mailbot.backends.smtp import check_submission
from mailbot.config_explain import set_by_environment
from mailbot.config_paths import from_the_current_folder
from mailbot.settings import Settings


def mailbox_problems(settings: Settings) -> list[str]:
    box, where = settings.mailbox, settings.config_path or "<defaults>"
    problems = []
    if box.backend == "imap" and not box.smtp.host:
        problems.append(
            f"{where}: mailbox.smtp.host: the imap backend sends its mail by SMTP "
            "submission; set [mailbox.smtp] host (and port, security, username)"
        )
    files = [("mailbox.imap.ca_file", box.imap.ca_file), ("mailbox.smtp.ca_file", box.smtp.ca_file)]
    if box.backend == "graph":  # else the first poll says it, every minute
        files.append(("mailbox.graph.certificate_path", box.graph.certificate_path))
    for key, value in files:
        if value is not None and not settings.resolve(value).is_file():
            meant = from_the_current_folder(settings, key, value)
            problems.append(f"{where}: {key}: file {settings.resolve(value)} does not exist"
                            f"{set_by_environment(key)}{f'; {meant}' if meant else ''}")
    # A client that waits for a plain greeting on an implicit-TLS port hangs until
    # its timeout, every poll, and then only says "timed out".
    in_use = [("mailbox.smtp", box.smtp.port, box.smtp.security, 465)] if box.smtp.host else []
    if box.backend == "imap":
        in_use.append(("mailbox.imap", box.imap.port, box.imap.security, 993))
    for key, port, security, tls_port in in_use:
        if port == tls_port and security != "tls":
            problems.append(
                f"{where}: {key}.security: port {tls_port} expects TLS from the start; "
                f'set security = "tls" (or the port the server offers {security} on)'
            )
    return problems


class ConnectFailed(Exception):
    """A login or connection `check-config --connect` tried failed: which section of the
    config it used, and the backend's own words for what went wrong."""

    def __init__(self, section: str, error: BackendError) -> None:
        super().__init__(f"{section}: {error}")
        self.section = section
        self.error = error


def check_mailbox(settings: Settings) -> list[str]:
    """Log in and list folders: the folders (or a note for a backend that lists none).
    Raises ConnectFailed naming the section, in words an administrator can act on."""
    section = f"[mailbox.{settings.mailbox.backend}]"
    try:
        backend = build_backend(settings)
        try:
            check = getattr(backend, "check_connection", None)
            if check is None:
                backend.fetch_new(None)
                return ["(this backend has no folder listing)"]
            return list(check())
        finally:
            backend.close()
    except BackendError as exc:
        raise ConnectFailed(section, exc) from None


def check_sending(settings: Settings) -> str | None:
    """Try the SMTP login and sender, sending nothing: what the SMTP server accepted, or
    None where sending is the mailbox's own (ews, graph) or goes to files (maildir with
    no host). Tried whatever the mailbox login did, so one run names both mistakes.
    Raises ConnectFailed naming [mailbox.smtp]."""
    smtp = _smtp(settings) if settings.mailbox.backend in ("imap", "maildir") else None
    if smtp is None:
        return None
    try:
        return check_submission(smtp, settings.mailbox.address)
    except BackendError as exc:
        raise ConnectFailed("[mailbox.smtp]", exc) from None

