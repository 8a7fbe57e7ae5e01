"""What `check-config` checks beyond the schema: the pack, the directory, the mailbox."""

from __future__ import annotations

import re

from mailbot.app import _packs_dir, build_backend
from mailbot.directory import DirectoryError, load_directory
from mailbot.policy import PolicyError, load_policy
from mailbot.routing import check_routing
from mailbot.settings import Settings


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
    for key, value in (
        ("directory.members", directory.members),
        ("directory.officers", directory.officers),
    ):
        if value is None:
            continue
        path = settings.resolve(value)
        if not path.exists():
            problems.append(f"{settings.config_path}: {key}: file {path} does not exist")
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


def check_mailbox(settings: Settings) -> list[str]:
    """Log in and list folders; raises BackendError in words an administrator can act on."""
    backend = build_backend(settings)
    try:
        check = getattr(backend, "check_connection", None)
        if check is None:
            backend.fetch_new(None)
            return ["(this backend has no folder listing)"]
        return list(check())
    finally:
        backend.close()


def redact_url(url: str) -> str:
    """A database URL fit for a log line: the password replaced."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
