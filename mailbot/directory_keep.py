"""The daemon's copy of the last directory files that validated, to start on when the
configured ones do not.

While `mailbot run` runs, an edit of members.csv or officers.csv that does not validate
leaves the last good directory in use (directory.py). A restart (a reboot, an upgrade)
with the bad edit still there would otherwise refuse to start, and the shared mailbox
would go unattended until someone noticed. So each time the files are read and validate,
the daemon keeps a copy of them in the data folder, and a start whose files do not
validate (or are missing: the running daemon survives a deleted file the same way) runs
on that copy, says so once to the admins, and picks up the files as soon as they are put
right. The copy holds the same personal data as the files: mode 0600, and listed in
docs/retention.md.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mailbot.directory import Directory, DirectoryError, file_stamps, load_directory
from mailbot.settings import Settings
from mailbot.workdays import LONDON

log = logging.getLogger(__name__)

FOLDER = "directory"  # under the data folder
MANIFEST = "kept.json"
NAMES = ("members", "officers")


@dataclass(frozen=True)
class Kept:
    """A kept copy: when it was taken, and its file for each of members and officers."""

    kept_at: datetime
    files: dict[str, Path]

    @property
    def when(self) -> str:
        """As `mailbot status` shows times: the council's clock."""
        return f"{self.kept_at.astimezone(LONDON):%Y-%m-%d %H:%M}"


def kept_folder(settings: Settings) -> Path:
    return settings.data_dir / FOLDER


def configured_files(settings: Settings) -> dict[str, Path]:
    """The directory files the config names, by name (members, officers)."""
    directory = settings.directory
    given = {"members": directory.members, "officers": directory.officers}
    return {name: settings.resolve(value) for name, value in given.items() if value}


def find_kept(settings: Settings) -> Kept | None:
    """The kept copy, if there is one for every file the config names."""
    folder = kept_folder(settings)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        kept_at = datetime.fromisoformat(manifest["kept_at"])
        names = [str(n) for n in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    wanted = configured_files(settings)
    if not wanted or not set(wanted) <= set(names):
        return None  # a file configured since the copy was taken: nothing to start on
    files = {name: folder / f"{name}.csv" for name in wanted}
    if not all(path.is_file() for path in files.values()):
        return None
    return Kept(kept_at, files)


def keep(directory: Directory, folder: Path, now: datetime) -> bool:
    """Keep a copy of the files `directory` was read from, if they differ from the copy
    already kept. The copy is read back before it replaces the old one, so a file saved
    again between the daemon's read and this copy never becomes a kept copy that does not
    validate. True if a new copy was kept; a copy that cannot be written is logged."""
    sources = {
        name: path
        for name, path in zip(NAMES, (directory.members_path, directory.officers_path),
                              strict=True)
        if path is not None
    }
    try:
        contents = {name: path.read_bytes() for name, path in sources.items()}
        if _already_kept(folder, contents):
            return False
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        staged = {name: folder / f".{name}.csv.new" for name in contents}
        for name, data in contents.items():
            _write_private(staged[name], data)
        load_directory(staged.get("members"), staged.get("officers"))
        for name, path in staged.items():
            os.replace(path, folder / f"{name}.csv")
        manifest = {"kept_at": now.isoformat(), "files": sorted(contents),
                    "from": {name: str(path) for name, path in sources.items()}}
        _write_private(folder / f".{MANIFEST}.new", json.dumps(manifest, indent=1).encode())
        os.replace(folder / f".{MANIFEST}.new", folder / MANIFEST)
    except DirectoryError:
        for path in folder.glob(".*.csv.new"):
            path.unlink(missing_ok=True)
        return False  # saved again while being copied: the next reload keeps it
    except OSError as exc:
        log.warning("directory: could not keep a copy in %s: %s", folder, exc.strerror)
        return False
    return True


def _already_kept(folder: Path, contents: dict[str, bytes]) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if sorted(manifest["files"]) != sorted(contents):
            return False
        return all((folder / f"{name}.csv").read_bytes() == data
                   for name, data in contents.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _write_private(path: Path, data: bytes) -> None:
    """Written readable by the service's user only, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def start_on_kept(settings: Settings, problem: DirectoryError) -> Directory | None:
    """The directory from the kept copy, for a daemon whose configured files do not
    validate; None if there is no usable copy (a first start: refuse as before). It
    watches the configured files, so a corrected edit is read as usual, and carries the
    problem for the admins' alert and `mailbot status`."""
    kept = find_kept(settings)
    if kept is None:
        return None
    try:
        directory = load_directory(kept.files.get("members"), kept.files.get("officers"))
    except DirectoryError as exc:  # the copy edited by hand: no copy, then
        log.error("directory: the kept copy in %s cannot be used: %s", kept_folder(settings),
                  exc)
        return None
    wanted = configured_files(settings)
    directory.members_path, directory.officers_path = wanted.get("members"), wanted.get(
        "officers")
    # As if these files had been read: refresh() reads them again once they change.
    directory._stamps = file_stamps(directory.members_path, directory.officers_path)
    directory.last_error, directory.kept_copy = str(problem), kept.when
    directory.warnings = [_as_in_configured(w, kept.files, wanted) for w in directory.warnings]
    return directory


def _as_in_configured(warning: str, kept: dict[str, Path], wanted: dict[str, Path]) -> str:
    """A warning read from the kept copy, naming the administrator's file it was copied
    from rather than the copy in mailbot's data folder, which is not theirs to edit."""
    for name, path in kept.items():
        if name in wanted:
            warning = warning.replace(str(path), str(wanted[name]))
    return warning


def fallback_line(problem: str, kept_copy: str) -> str:
    """The one line the daemon logs at ERROR, and `mailbot status` shows."""
    return (f"directory: {problem}; the copy kept on {kept_copy} (the last that could be "
            "read) is in use until the file is put right (it is read again once saved)")


def daemon_note(settings: Settings) -> str | None:
    """For check-config: what `mailbot run` would start on, when the configured files do
    not validate and a kept copy does; None when they validate or there is no copy."""
    wanted = configured_files(settings)
    try:
        load_directory(wanted.get("members"), wanted.get("officers"))
    except DirectoryError as exc:
        directory = start_on_kept(settings, exc)
        if directory is None:
            return None
        return (f"`mailbot run` would start on the copy of the directory kept on "
                f"{directory.kept_copy} ({kept_folder(settings)}), the last that could be "
                "read, until this is put right; other commands refuse the files as they are")
    return None
