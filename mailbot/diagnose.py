"""What `check-config` checks beyond the schema: the pack, the directory, the mailbox.

The checks themselves are in modules of their own: the pack's routing addresses
(route_addresses), its calendar (idle_closures), the files and folders the config names
(config_paths), the mailbox (mailbox_check) and the database (database_check). Their
names used by the commands are given here too.
"""

from __future__ import annotations

from datetime import date, datetime

from mailbot.app import _packs_dir
from mailbot.config_paths import (
    missing_directory_files,
    unreadable_advice,
    unwritable_data_dir,
)
from mailbot.database_check import (
    ADOPT_ADVICE,
    database_elsewhere,
    database_others_can_read,
    never_polled,
    redact_url,
    sqlite_left_behind,
    unusable_database_folder,
)
from mailbot.directory import Directory, DirectoryError, load_directory
from mailbot.idle_closures import idle_calendar_days
from mailbot.mailbox_check import ConnectFailed, check_mailbox, check_sending, mailbox_problems
from mailbot.pack_warnings import PackPlace, pack_warnings
from mailbot.policy import Policy, PolicyError, load_policy, resolve_pack
from mailbot.route_addresses import placeholder_routing, routing_set_in, teams_without_a_row
from mailbot.routing import check_routing, unknown_wards
from mailbot.settings import Settings
from mailbot.settings.mistakes import settings_warnings
from mailbot.template_check import template_problems, template_warnings
from mailbot.workdays import LONDON

# The names of the modules this one was split into, as the commands and tests use them.
__all__ = [
    "ADOPT_ADVICE", "ConnectFailed", "check_mailbox", "check_sending", "config_problems",
    "config_warnings", "files_problems", "missing_directory_files", "missing_shipped_files",
    "never_polled", "problems_beside_broken_sections", "redact_url", "sqlite_left_behind",
    "unusable_database_folder", "unwritable_data_dir",
]


def missing_shipped_files() -> list[str]:
    """The letters' templates ship inside the package (mailbot.resources). An install that
    lost them (a copy of the package folder without its data, a source tree whose links
    were not kept) would fail at the first acknowledgement, so nothing starts without them."""
    from mailbot import resources

    if resources.TEMPLATES.is_dir():
        return []
    return [f"{resources.TEMPLATES}: mailbot's templates are not there; the installed "
            "package is incomplete: install mailbot again from its wheel or source folder "
            "(docs/deployment.md)"]


def config_problems(settings: Settings) -> list[str]:
    """Every problem found, each a line naming the file and the key."""
    problems: list[str] = missing_shipped_files() + _policy_problems(settings)
    problems += unwritable_data_dir(settings) + unusable_database_folder(settings)
    problems += mailbox_problems(settings)
    return problems + files_problems(settings)


def problems_beside_broken_sections(settings: Settings, broken: frozenset[str]) -> list[str]:
    """After the config's own mistakes, with `settings` read with the `broken` sections
    left out: the problems of the rest, checked as config_problems does, but none that
    would be judged by a broken section's defaults (a misspelt policy is still named when
    [mailbox] has a typo; the directory is not read when [directory] has one)."""
    problems: list[str] = []
    if not broken & {"council", "policy"}:
        problems += _policy_problems(settings)
    if "council" not in broken:
        problems += unwritable_data_dir(settings)
    if not broken & {"council", "database"}:
        problems += unusable_database_folder(settings)
    if "mailbox" not in broken:
        problems += mailbox_problems(settings)
    if "directory" in broken:
        return problems + template_problems(settings)
    return problems + files_problems(settings, check_routing_too="routing" not in broken)


def _policy_problems(settings: Settings) -> list[str]:
    try:
        _load_policy(settings)
    except PolicyError as exc:
        return [f"{settings.config_path}: council.policy / [policy]: {problem}"
                for problem in exc.problems]
    return []


def files_problems(settings: Settings, *, check_routing_too: bool = True) -> list[str]:
    """The problems of the files the config names rather than of the config itself: the
    council's templates, members.csv and officers.csv (every bad row, not only the first),
    and [routing] checked against that directory."""
    directory = settings.directory
    problems = missing_directory_files(settings) + template_problems(settings)
    bad_rows: list[str] = []
    try:
        loaded = load_directory(
            settings.resolve(directory.members) if directory.members else None,
            settings.resolve(directory.officers) if directory.officers else None,
            bad_rows,
        )
    except DirectoryError as exc:
        problems += bad_rows
        if "cannot read" not in str(exc):
            problems.append(str(exc))
        elif not missing_directory_files(settings):  # there, but this user may not read it
            problems.append(unreadable_advice(str(exc)))
        return problems
    problems += bad_rows
    if not bad_rows and check_routing_too:  # against the whole directory
        where = settings.config_path or "<defaults>"
        problems += [f"{where}: {p}" for p in
                     check_routing(settings.routing, loaded, directory.admins)]
    return problems


def _load_policy(settings: Settings) -> Policy:
    return load_policy(
        settings.council.policy,
        overrides=settings.policy or None,
        packs_dir=_packs_dir(settings),
        base_dir=settings.base_dir,
    )

def config_warnings(
    settings: Settings, loaded: Directory | None = None, policy: Policy | None = None,
    today: date | None = None,
) -> list[str]:
    """What is accepted but probably wrong: the config's, then (once the directory files
    can be read) the pack's routing and the directory's; from disk unless the daemon's
    `loaded` and `policy` are given. `today` (London; default: now) decides which
    closures are still to come."""
    where = settings.config_path or "<defaults>"
    found = [f"{where}: {w}" for w in settings_warnings(settings)]
    found += [f"{where}: {w}" for w in database_elsewhere(settings)]
    found += [f"{where}: {w}" for w in database_others_can_read(settings)]
    found += template_warnings(settings)
    if loaded is None:
        directory = settings.directory
        try:
            loaded = load_directory(
                settings.resolve(directory.members) if directory.members else None,
                settings.resolve(directory.officers) if directory.officers else None,
            )
        except DirectoryError:
            return found  # reported by config_problems
    if policy is None:
        try:
            policy = _load_policy(settings)
        except PolicyError:
            policy = None  # reported by config_problems
    if policy is not None:  # routing is the pack's and the config's together
        found += [f"{where}: {w}" for w in placeholder_routing(policy)]
        pack = str(resolve_pack(settings.council.policy, _packs_dir(settings), settings.base_dir))
        found += teams_without_a_row(policy, loaded, routing_set_in(settings, pack))
        if settings.policy:
            pack += " (with the council's overrides)"
        found += [f"{where}: council.policy / [policy]: {pack}: {w}"
                  for w in idle_calendar_days(policy)]
        found += pack_warnings(policy, settings, loaded, PackPlace(
            resolve_pack(settings.council.policy, _packs_dir(settings), settings.base_dir),
            where, settings.policy), today or datetime.now(LONDON).date())
    if policy is not None and not settings.routing.default_officer:
        found.append(
            f"{where}: routing.default_officer is empty, so an enquiry no rule matches is "
            "assigned to nobody and nobody is told: only mailbot cases --triage, mailbot "
            "status and the weekly digest show it"
        )
    found += [f"{where}: {w}" for w in unknown_wards(settings.routing, loaded)]
    shared = settings.mailbox.address
    if loaded.member(shared) or loaded.officer(shared):
        found.append(
            f"{where}: mailbox.address {shared} is also in the members or officers directory: "
            "mail the shared mailbox sends to itself would be handled as a person's"
        )
    return found + loaded.warnings

