"""What `check-config` checks beyond the schema: the pack, the directory, the mailbox."""

from __future__ import annotations

import re

from mailbot.app import _packs_dir, _smtp, build_backend
from mailbot.backends.smtp import check_submission
from mailbot.directory import Directory, DirectoryError, load_directory
from mailbot.policy import PolicyError, load_policy
from mailbot.routing import check_routing
from mailbot.settings import Settings, settings_warnings


def config_problems(settings: Settings) -> list[str]:
    """Every problem found, each a line naming the file and the key."""
    problems: list[str] = []
    try:
        load_policy(
            settings.council.policy,
            overrides=settings.policy or None,
            packs_dir=_packs_dir(settings),
            base_dir=settings.base_dir,
        )
    except PolicyError as exc:
        problems.append(f"{settings.config_path}: council.policy / [policy]: {exc}")
    directory = settings.directory
    problems += missing_directory_files(settings)
    problems += _mailbox_problems(settings)
    try:
        loaded = load_directory(
            settings.resolve(directory.members) if directory.members else None,
            settings.resolve(directory.officers) if directory.officers else None,
        )
    except DirectoryError as exc:
        if "cannot read" not in str(exc):
            problems.append(str(exc))
    else:
        where = settings.config_path or "<defaults>"
        problems += [f"{where}: {p}" for p in
                     check_routing(settings.routing, loaded, directory.admins)]
    return problems


def missing_directory_files(settings: Settings) -> list[str]:
    """The members and officers files named in the config that are not there."""
    directory, problems = settings.directory, []
    for key, value in (
        ("directory.members", directory.members),
        ("directory.officers", directory.officers),
    ):
        if value is None:
            continue
        path = settings.resolve(value)
        if not path.exists():
            problems.append(f"{settings.config_path}: {key}: file {path} does not exist")
    return problems


def _mailbox_problems(settings: Settings) -> list[str]:
    box, where = settings.mailbox, settings.config_path or "<defaults>"
    problems = []
    if box.backend == "imap" and not box.smtp.host:
        problems.append(
            f"{where}: mailbox.smtp.host: the imap backend sends its mail by SMTP "
            "submission; set [mailbox.smtp] host (and port, security, username)"
        )
    for key, value in (("mailbox.imap.ca_file", box.imap.ca_file),
                       ("mailbox.smtp.ca_file", box.smtp.ca_file)):  # fmt: skip
        if value is not None and not settings.resolve(value).is_file():
            problems.append(f"{where}: {key}: file {settings.resolve(value)} does not exist")
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


def config_warnings(settings: Settings, loaded: Directory | None = None) -> list[str]:
    """What is accepted but probably wrong: the config's, then the directory files'
    (read from disk unless the daemon's `loaded` copy is given)."""
    where = settings.config_path or "<defaults>"
    found = [f"{where}: {w}" for w in settings_warnings(settings)]
    if loaded is None:
        directory = settings.directory
        try:
            loaded = load_directory(
                settings.resolve(directory.members) if directory.members else None,
                settings.resolve(directory.officers) if directory.officers else None,
            )
        except DirectoryError:
            return found  # reported by config_problems
    shared = settings.mailbox.address
    if loaded.member(shared) or loaded.officer(shared):
        found.append(
            f"{where}: mailbox.address {shared} is also in the members or officers directory: "
            "mail the shared mailbox sends to itself would be handled as a person's"
        )
    return found + loaded.warnings


def check_mailbox(settings: Settings) -> list[str]:
    """Log in and list folders, then try the SMTP login and sender (sending nothing);
    raises BackendError in words an administrator can act on."""
    backend = build_backend(settings)
    try:
        check = getattr(backend, "check_connection", None)
        if check is None:
            backend.fetch_new(None)
            folders = ["(this backend has no folder listing)"]
        else:
            folders = list(check())
    finally:
        backend.close()
    smtp = _smtp(settings) if settings.mailbox.backend in ("imap", "maildir") else None
    if smtp is not None:
        check_submission(smtp, settings.mailbox.address)
    return folders


def redact_url(url: str) -> str:
    """A database URL fit for a log line: the password replaced."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
