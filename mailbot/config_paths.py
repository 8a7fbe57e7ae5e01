"""The files and folders the config names, checked for `check-config`: a data folder this
user cannot write, members and officers files missing or unreadable, and a relative path
that was meant from the folder the command was run in."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from mailbot.config_explain import set_by_environment
from mailbot.settings import Settings
from mailbot.settings.load import this_user


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


def unreadable_advice(problem: str) -> str:
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

