"""Who is who: members and officers, from the CSV files named in the config."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


class DirectoryError(ValueError):
    """A directory file problem; the message names the file and the line."""


@dataclass(frozen=True)
class Member:
    name: str
    email: str
    ward: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Officer:
    name: str
    email: str
    service: str = ""
    manager_email: str = ""
    deputy_email: str = ""


MEMBER_COLUMNS = ("name", "email", "ward", "language")
OFFICER_COLUMNS = ("name", "email", "service", "manager_email", "deputy_email")


@dataclass
class Directory:
    members: dict[str, Member] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)

    def member(self, email: str) -> Member | None:
        return self.members.get(email.lower())

    def officer(self, email: str) -> Officer | None:
        return self.officers.get(email.lower())


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise DirectoryError(f"{path}: missing column(s) {', '.join(missing)}")
            reader.fieldnames = header
            return [
                (number, {k: (v or "").strip() for k, v in row.items() if k})
                for number, row in enumerate(reader, start=2)
            ]
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror}") from None


def _email(path: Path, line: int, value: str, seen: set[str]) -> str:
    email = value.strip().lower()
    if "@" not in email or " " in email:
        raise DirectoryError(f"{path}:{line}: email {value!r} is not an email address")
    if email in seen:
        raise DirectoryError(f"{path}:{line}: email {email} is listed twice")
    seen.add(email)
    return email


def load_members(path: Path) -> dict[str, Member]:
    seen: set[str] = set()
    members = {}
    for line, row in _rows(path, ("name", "email")):
        email = _email(path, line, row["email"], seen)
        language = (row.get("language") or "en").lower()
        if language not in ("en", "cy"):
            raise DirectoryError(f"{path}:{line}: language must be en or cy, not {language!r}")
        members[email] = Member(row["name"], email, row.get("ward", ""), language)
    return members


def load_officers(path: Path) -> dict[str, Officer]:
    seen: set[str] = set()
    officers = {}
    for line, row in _rows(path, ("name", "email")):
        email = _email(path, line, row["email"], seen)
        officers[email] = Officer(
            row["name"],
            email,
            row.get("service", ""),
            row.get("manager_email", "").lower(),
            row.get("deputy_email", "").lower(),
        )
    return officers


def load_directory(members: Path | None, officers: Path | None) -> Directory:
    return Directory(
        members=load_members(members) if members else {},
        officers=load_officers(officers) if officers else {},
    )
