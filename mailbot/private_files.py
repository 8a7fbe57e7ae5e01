"""Files of personal data written for a person to read: a quarantined message saved as an
.eml, a subject access export. Each is new and readable by its owner alone.

Never over an existing file, and never through a symlink planted in its place: O_EXCL
and O_NOFOLLOW refuse both, so saving mail is not a way to overwrite what the user
running mailbot can write. A folder is created new (mode 0700) and every file in it is
made relative to the folder's own descriptor, so the folder cannot be swapped for a
symlink between being made and being filled.
"""

from __future__ import annotations

import os
from pathlib import Path

_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW


def write_new_private_file(path: Path, data: bytes) -> None:
    """Create `path` for its owner alone (0600) and write `data`; FileExistsError if
    anything (a file, a symlink) is already there."""
    descriptor = os.open(path, _NEW_FILE, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


class PrivateFolder:
    """A folder made new for its owner alone (0700), filled with new 0600 files.
    FileExistsError if anything is already at `path`. Close it (or use `with`)."""

    def __init__(self, path: Path, *, _parent: int | None = None) -> None:
        os.mkdir(path, 0o700, dir_fd=_parent)
        self.path = path
        self._fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NO_FOLLOW, dir_fd=_parent)
        os.fchmod(self._fd, 0o700)  # whatever the umask

    def __enter__(self) -> PrivateFolder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def write(self, name: str, data: bytes) -> None:
        """A new file `name` in this folder, 0600."""
        descriptor = os.open(name, _NEW_FILE, 0o600, dir_fd=self._fd)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)

    def folder(self, name: str) -> PrivateFolder:
        """A new folder `name` in this one, 0700."""
        made = PrivateFolder(Path(name), _parent=self._fd)
        made.path = self.path / name
        return made
