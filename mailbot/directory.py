"""Who is who: members and officers, from the CSV files named in the config.

The files are validated when read (a missing column, a bad or duplicated address: an
error naming the file and the line) and read again when they change on disk, so an
administrator can edit a CSV while the daemon runs. A half-edited file that does not
validate is reported and the last good directory is kept: a typo must not make every
member a stranger.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class DirectoryError(ValueError):
    """A directory file problem; the message names the file and the line."""


@dataclass(frozen=True)
class Member:
    name: str
    email: str
    ward: str = ""
    language: str = "en"
    other_emails: tuple[str, ...] = ()  # a member may write from more than one address


@dataclass(frozen=True)
class Officer:
    name: str
    email: str
    service: str = ""
    manager_email: str = ""
    deputy_email: str = ""


MEMBER_COLUMNS = ("name", "email", "ward", "language", "other_emails")
OFFICER_COLUMNS = ("name", "email", "service", "manager_email", "deputy_email")
REQUIRED_COLUMNS = ("name", "email")


@dataclass
class Directory:
    members: dict[str, Member] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    members_path: Path | None = None
    officers_path: Path | None = None
    _stamps: tuple[int | None, int | None] = (None, None)
    last_error: str = ""

    def member(self, email: str) -> Member | None:
        return self.members.get(email.lower())

    def officer(self, email: str) -> Officer | None:
        return self.officers.get(email.lower())

    def manager_of(self, email: str) -> Officer | None:
        officer = self.officer(email)
        if officer is None or not officer.manager_email:
            return None
        return self.officer(officer.manager_email) or Officer(
            officer.manager_email, officer.manager_email
        )

    def deputy_of(self, email: str) -> Officer | None:
        officer = self.officer(email)
        if officer is None or not officer.deputy_email:
            return None
        return self.officer(officer.deputy_email) or Officer(
            officer.deputy_email, officer.deputy_email
        )

    def managed_by(self, manager_email: str) -> list[Officer]:
        """The officers whose manager this is (an empty list for a manager of no one)."""
        wanted = manager_email.lower()
        return [o for o in self.officers.values() if o.manager_email == wanted]

    def top_of_chain(self, email: str) -> str:
        """The head of an officer's management line (a service Director), loops ignored."""
        current, seen = email.lower(), set()
        while current not in seen:
            seen.add(current)
            officer = self.officer(current)
            if officer is None or not officer.manager_email:
                return current
            current = officer.manager_email
        return email.lower()

    def display(self, email: str) -> str:
        """'Sam Patel' for a known officer or member, else the address itself."""
        person = self.officer(email) or self.member(email)
        return person.name if person else email

    def refresh(self) -> bool:
        """Read the files again if they changed on disk. True if the directory changed.

        A file that no longer validates leaves the last good directory in place and the
        problem in `last_error` (and the log), so a half-saved edit harms nothing.
        """
        stamps = (_mtime(self.members_path), _mtime(self.officers_path))
        if stamps == self._stamps:
            return False
        try:
            fresh = load_directory(self.members_path, self.officers_path)
        except DirectoryError as exc:
            if str(exc) != self.last_error:
                log.error("directory not reloaded, keeping the previous one: %s", exc)
            self.last_error = str(exc)
            return False
        self.members, self.officers = fresh.members, fresh.officers
        self._stamps, self.last_error = fresh._stamps, ""
        log.info(
            "directory reloaded: %d members, %d officers", len(self.members), len(self.officers)
        )
        return True


def _mtime(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise DirectoryError(
                    f"{path}:1: missing column(s) {', '.join(missing)} "
                    f"(the header line must name {', '.join(required)})"
                )
            reader.fieldnames = header
            return [
                (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader
            ]
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DirectoryError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None
    except csv.Error as exc:
        raise DirectoryError(f"{path}: not a valid CSV file: {exc}") from None


def _address(path: Path, line: int, column: str, value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise DirectoryError(f"{path}:{line}: {column} {value!r} is not an email address")
    return email


def _unique(path: Path, line: int, email: str, seen: dict[str, str]) -> str:
    if email in seen:
        raise DirectoryError(f"{path}:{line}: email {email} is listed twice (first {seen[email]})")
    seen[email] = f"{path.name} line {line}"
    return email


def _others(path: Path, line: int, value: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"[;\s]+", value) if p]
    return tuple(_address(path, line, "other_emails", p) for p in parts)


def load_members(path: Path, seen: dict[str, str] | None = None) -> dict[str, Member]:
    seen = {} if seen is None else seen
    members: dict[str, Member] = {}
    for line, row in _rows(path, REQUIRED_COLUMNS):
        if not any(row.values()):
            continue  # a blank line in a hand-edited file
        if not row.get("name"):
            raise DirectoryError(f"{path}:{line}: name is empty")
        email = _unique(path, line, _address(path, line, "email", row["email"]), seen)
        language = (row.get("language") or "en").lower()
        if language not in ("en", "cy"):
            raise DirectoryError(f"{path}:{line}: language must be en or cy, not {language!r}")
        others = _others(path, line, row.get("other_emails", ""))
        member = Member(row["name"], email, row.get("ward", ""), language, others)
        members[email] = member
        for other in others:
            members[_unique(path, line, other, seen)] = member
    return members


def load_officers(path: Path, seen: dict[str, str] | None = None) -> dict[str, Officer]:
    seen = {} if seen is None else seen
    officers: dict[str, Officer] = {}
    for line, row in _rows(path, REQUIRED_COLUMNS):
        if not any(row.values()):
            continue
        if not row.get("name"):
            raise DirectoryError(f"{path}:{line}: name is empty")
        email = _unique(path, line, _address(path, line, "email", row["email"]), seen)
        manager, deputy = (
            _address(path, line, column, row[column]) if row.get(column) else ""
            for column in ("manager_email", "deputy_email")
        )
        if email in (manager, deputy):
            raise DirectoryError(f"{path}:{line}: {email} cannot be their own manager or deputy")
        officers[email] = Officer(row["name"], email, row.get("service", ""), manager, deputy)
    return officers


def load_directory(members: Path | None, officers: Path | None) -> Directory:
    """Both files, with one address space: nobody may be both a member and an officer,
    since the two are trusted differently."""
    seen: dict[str, str] = {}
    stamps = (_mtime(members), _mtime(officers))
    return Directory(
        members=load_members(members, seen) if members else {},
        officers=load_officers(officers, seen) if officers else {},
        members_path=members,
        officers_path=officers,
        _stamps=stamps,
    )


def emails_in(text: str) -> Iterable[str]:
    """Addresses written in free text (an out-of-office note naming a colleague)."""
    for found in re.finditer(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", text):
        yield found.group(0).lower().rstrip(".")
