"""What `check-config` checks beyond the schema: the pack, the directory, the mailbox."""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mailbot.app import _packs_dir, _smtp, build_backend
from mailbot.backends.base import BackendError
from mailbot.backends.smtp import check_submission
from mailbot.config_explain import key_path, set_by_environment
from mailbot.directory import Directory, DirectoryError, load_directory
from mailbot.pack_warnings import PackPlace, pack_warnings
from mailbot.policy import Policy, PolicyError, load_policy, resolve_pack
from mailbot.routing import check_routing, unknown_wards
from mailbot.settings import Settings
from mailbot.settings.load import this_user
from mailbot.settings.mistakes import settings_warnings
from mailbot.template_check import template_problems, template_warnings
from mailbot.workdays import LONDON, is_bank_holiday


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
    problems += _mailbox_problems(settings)
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
        problems += _mailbox_problems(settings)
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
            problems.append(_unreadable(str(exc)))
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


# Domains reserved for examples and tests (RFC 2606, RFC 6761): mail to them never arrives.
# The shipped packs use them for the FOI team, complaints and monitoring officer, which
# every council must replace with its own addresses.
PLACEHOLDER_DOMAINS = ("example", "invalid", "test", "localhost",
                       "example.com", "example.net", "example.org")  # fmt: skip


def is_placeholder_address(address: str) -> bool:
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS)


def _routes(policy: Policy) -> list[tuple[str, str, str]]:
    """(key, address, what goes there) for the pack's routing addresses."""
    routing = policy.routing
    routes = [
        ("foi_team", routing.foi_team, "FOI requests"),
        ("complaints", routing.complaints, "complaints"),
        ("monitoring_officer", routing.monitoring_officer, "confidentiality requests"),
    ]
    if routing.subject_access:  # optional: without it they follow the enquiry routing
        routes.append(("subject_access", routing.subject_access, "subject access requests"))
    if routing.about_the_head_of_a_line:  # optional: without it the complaints route has them
        routes.append(("about_the_head_of_a_line", routing.about_the_head_of_a_line,
                       "complaints about the head of a management line"))
    return [route for route in routes if route[1] != "service-director"]


def placeholder_routing(policy: Policy) -> list[str]:
    """The pack's routing addresses that can never receive mail: each kind of case routed
    there would be assigned to nobody, and its member told to contact that address."""
    found = []
    for key, address, what in _routes(policy):
        if is_placeholder_address(address):
            found.append(
                f"policy.routing.{key}: {address} is a placeholder that never receives mail, "
                f"so {what} would go to nobody and members would be told to contact it; "
                f"set {key} under [policy.routing] in this file"
            )
    return found


def idle_calendar_days(policy: Policy) -> list[str]:
    """Closures and one-off holidays that fall only on days off already: they move no
    date, so the date was most likely mistyped (Saturday the 26th for Tuesday the 29th)."""
    found = []
    for i, closure in enumerate(policy.closures()):
        days = [closure.start + timedelta(days=n)
                for n in range((closure.end - closure.start).days + 1)]
        if all(_day_off(day, policy.region) for day in days):
            span = _day(closure.start) + ("" if closure.end == closure.start
                                          else f" to {_day(closure.end)}")
            found.append(f"{key_path(('calendar', 'closures', i))}: {span} "
                         f"{'is' if len(days) == 1 else 'are'} a weekend day or bank holiday "
                         "already, so this closure moves no date; check the date")
    for i, holiday in enumerate(policy.calendar.extra_holidays):
        if holiday.date.weekday() >= 5:
            found.append(f"{key_path(('calendar', 'extra_holidays', i))}: {_day(holiday.date)} "
                         "is a weekend "
                         "day, so this holiday moves no date; check the date")
    return found


def _day_off(day: date, region: str) -> bool:
    return day.weekday() >= 5 or is_bank_holiday(day, region)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def teams_without_a_row(
    policy: Policy, directory: Directory, set_in: Callable[[str], str]
) -> list[str]:
    """The pack's routing addresses (real ones) with no row in officers.csv: their overdue
    cases have no manager to be escalated to (their mail greets them by role: render.py).
    `set_in(key)` names the file and key the address comes from."""
    if not directory.officers:
        return []  # no officers file at all: nobody has a row, and that is said elsewhere
    found = []
    for key, address, what in _routes(policy):
        row = directory.officer(address)
        if row is None and not is_placeholder_address(address):
            found.append(
                f"{set_in(key)}: {address} is not in officers.csv, so {what} are "
                "escalated to nobody when overdue; add it with its name and manager_email"
            )
        elif row is not None and key in _TEAM_ROUTES and not row.manager_email:
            found.append(
                f"{set_in(key)}: {address} has no manager_email in officers.csv, so {what} "
                "are escalated to nobody when overdue (the team's overdue reminders go on "
                "to it alone); give its row a manager_email"
            )
    return found


# The routes that are teams (a shared address), whose overdue cases the protocol escalates
# to the team's manager. The monitoring officer and the officer above the head of a line
# are at the top of their line: no manager there is the directory as it should be.
_TEAM_ROUTES = frozenset({"foi_team", "complaints", "subject_access"})


def _routing_set_in(settings: Settings, pack: str) -> Callable[[str], str]:
    """Where a routing address was written: the council's [policy.routing] override in
    its config, else the pack file, so the administrator looks in the right file."""
    where = settings.config_path or "<defaults>"
    overrides = settings.policy.get("routing", {})

    def set_in(key: str) -> str:
        if isinstance(overrides, dict) and key in overrides:
            return f"{where}: policy.routing.{key}"
        return f"{pack}: routing.{key}"

    return set_in


def unwritable_data_dir(settings: Settings) -> list[str]:
    """The data folder this user cannot make or write: check-config run as the service
    (deployment.md) must not say OK for a folder the daemon then stops on at start, such as
    the example's relative `var` left beside a config file in root's /etc/mailbot."""
    folder = settings.data_dir
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return []  # a file in the way is the settings' own error
    if os.access(existing, os.W_OK | os.X_OK, effective_ids=True):
        return []
    if existing == folder:
        what = f"cannot write in {folder}"
    else:
        what = f"cannot create {folder} (it may not write in {existing})"
    return [f"{settings.config_path or '<defaults>'}: council.data_dir: {this_user()} {what}; "
            "the database, the model and the lock file go there: set an absolute data_dir "
            "such as /var/lib/mailbot, made for this user"]


def unusable_database_folder(settings: Settings) -> list[str]:
    """A SQLite file named by [database] url that cannot be made where it is named: a file
    in the way of its folder, or a folder this user may not write in (one of root's beside
    a data folder made for the service). The data folder's own database is
    unwritable_data_dir's."""
    from mailbot.store.backup import sqlite_path

    file = sqlite_path(settings.database_url)
    if not settings.database.url or file is None or file.exists():
        return []
    if file.parent == settings.data_dir:
        return []
    existing = next((p for p in file.parents if p.exists()), None)
    if existing is None:
        return []
    where = settings.config_path or "<defaults>"
    key = f"database.url{set_by_environment('database.url')}"
    usual = settings.data_dir / "mailbot.db"
    if not existing.is_dir():
        return [f"{where}: {key}: the SQLite database {file} cannot be made: {existing} is a "
                f"file, not a folder; name a file in a folder, or leave url empty for {usual}"]
    if os.access(existing, os.W_OK | os.X_OK, effective_ids=True):
        return []
    return [f"{where}: {key}: {this_user()} cannot create {file} (it may not write in "
            f"{existing}); name a SQLite file in a folder made for this user, or leave url "
            f"empty for {usual}"]


def _unreadable(problem: str) -> str:
    """A members or officers file that is there but this user may not read (copied in by
    root, mode 0600): who could not, and how to let the service read it."""
    path = problem.partition(": cannot read")[0]
    return (f"{problem} ({this_user()}); the service's user must be "
            "able to read it: give it to the service's group, mode 0640 (chgrp mailbot "
            f"{path}; chmod 0640 {path})")


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
            hint = from_the_current_folder(settings, key, value) or _how_to_make(key, path)
            problems.append(f"{settings.config_path}: {key}: file {path} does not exist"
                            f"{set_by_environment(key)}; {hint}")
    return problems


def _database_elsewhere(settings: Settings) -> list[str]:
    """A relative data_dir with no database in it, whose path from the current folder has
    one: the first start would make a new, empty database beside the config."""
    if settings.database.url or (settings.data_dir / "mailbot.db").exists():
        return []
    written = settings.council.data_dir
    meant = from_the_current_folder(settings, "council.data_dir", written)
    if meant is None or not (Path.cwd() / written.expanduser() / "mailbot.db").exists():
        return []
    return [f"council.data_dir: {settings.data_dir} holds no database yet, so the first "
            f"start makes a new, empty one; {meant}"]


def _database_others_can_read(settings: Settings) -> list[str]:
    """A SQLite database every user of the machine can read. mailbot makes a new one 0600,
    but before 26 November 2026 it made it 0644 (beside a data folder made 0755 by the
    install steps of then), and an upgrade leaves an existing file's mode as it was: every
    member's mail stays open to every account on the server until someone says so."""
    from mailbot.store.backup import sqlite_path

    database = sqlite_path(settings.database_url)
    if database is None:
        return []
    try:
        mode = stat.S_IMODE(database.stat().st_mode)
    except OSError:
        return []
    if not mode & stat.S_IROTH:
        return []
    files = [str(database), *(name for suffix in ("-wal", "-shm")
                              if Path(name := f"{database}{suffix}").exists())]
    key = "database.url" if settings.database.url else "council.data_dir"
    return [f"{key}: the database {database} holds every member's mail and every user of "
            f"this machine can read it (mode {mode:04o}: mailbot made it so before 26 "
            f"November 2026, and an upgrade keeps a file's mode); chmod 600 {' '.join(files)}"]


def from_the_current_folder(settings: Settings, key: str, written: Path) -> str | None:
    """For a relative path of the config that is not there but is from the folder the
    command was run in (written as the admin's shell sees it): the file meant, and how to
    write it, since the config's relative paths are taken from its own folder."""
    written = written.expanduser()
    if written.is_absolute():
        return None
    here = (Path.cwd() / written).resolve()
    if not here.exists() or here == settings.resolve(written).resolve():
        return None
    base = settings.base_dir.resolve()
    return (f"did you mean {here}? A relative path in the config is taken from the config's "
            f"own folder, {base}: write {key.rpartition('.')[2]} = "
            f"\"{os.path.relpath(here, base)}\" (or the whole path)")


_DIRECTORY_COLUMNS = {
    "directory.members": "name,email (then ward, language, other_emails if wanted)",
    "directory.officers": "name,email (then service, manager_email, deputy_email)",
}


def _how_to_make(key: str, path: Path) -> str:
    """What to do about a members or officers file that is not there: the file meant, when
    one beside it is spelt otherwise (Members.csv, member.csv), else how to write it."""
    if path.parent.is_dir():
        names = sorted(p.name for p in path.parent.iterdir() if p.suffix.lower() == ".csv")
        by_case = [n for n in names if n.lower() == path.name.lower()]
        meant = by_case or difflib.get_close_matches(path.name, names, n=1, cutoff=0.8)
        if meant:
            return f"did you mean {path.parent / meant[0]}?"
    return (f"export it from Excel as \"CSV UTF-8 (Comma delimited)\" with a header line "
            f"{_DIRECTORY_COLUMNS[key]} and one person per line (docs/officers.md)")


def _mailbox_problems(settings: Settings) -> list[str]:
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
    found += [f"{where}: {w}" for w in _database_elsewhere(settings)]
    found += [f"{where}: {w}" for w in _database_others_can_read(settings)]
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
        found += teams_without_a_row(policy, loaded, _routing_set_in(settings, pack))
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


def never_polled(url: str) -> bool:
    """True if the database at `url` has no stored poll place: mailbot has not read this
    mailbox yet (or there is no database yet). False when that cannot be told (the
    database cannot be read): no advice is better than wrong advice."""
    from sqlalchemy import create_engine, text

    from mailbot.mailbox_cursor import CURSOR_KEY
    from mailbot.store.backup import sqlite_path

    database = sqlite_path(url)
    if database is not None and not database.exists():
        return True
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT value FROM state WHERE key = :key"), {"key": CURSOR_KEY}
            ).first()
    except DBAPIError as exc:  # no schema yet says never; no login says nothing
        return _no_such_table(exc)
    finally:
        engine.dispose()
    return found is None


def sqlite_left_behind(settings: Settings) -> str | None:
    """For a config naming a database server that has nothing of this mailbox yet: the
    SQLite database the data folder still holds, when that one has polled it (a council
    moving to PostgreSQL that set [database] url and did not copy), and what to do. Its
    cases would stay behind and the references start again at MB-...-00001."""
    from mailbot.store.backup import sqlite_path

    if sqlite_path(settings.database_url) is not None:
        return None
    old = settings.data_dir / "mailbot.db"
    if not old.is_file() or never_polled(f"sqlite:///{old}"):
        return None
    if not never_polled(settings.database_url):
        return None
    return (f"the new database has nothing of this mailbox yet, but {old} holds its cases "
            f"and handled mail: copy them first with `mailbot db copy --from {old}` "
            "(docs/deployment.md, \"Moving from SQLite to PostgreSQL\"), or move "
            f"{old} away to start afresh")


def _no_such_table(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) == "42P01":  # PostgreSQL: undefined_table
        return True
    return "no such table" in str(error.orig)  # SQLite


ADOPT_ADVICE = (
    "mailbox: mailbot has not polled it yet, so its first poll handles every message now in "
    "the Inbox (each member acknowledged, each officer told). If people already work from "
    "that mail, run `mailbot adopt` first to leave it to them (docs/deployment.md, "
    "\"Going live\")"
)


def redact_url(url: str) -> str:
    """A database URL fit for a log line: the password replaced."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
