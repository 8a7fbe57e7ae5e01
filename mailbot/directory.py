"""Who is who: members and officers, from the CSV files named in the config.

The files are validated when read (a missing column, a bad or duplicated address: an
error naming the file and the line) and read again when they change on disk, so an
administrator can edit a CSV while the daemon runs. A half-edited file that does not
validate is reported and the last good directory is kept: a typo must not make every
member a stranger.

Reading a file into rows (its text, delimiter, heading line and columns) is
mailbot.directory_csv; this module checks the people in the rows and looks them up.
DirectoryError, which both raise, is given here too.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mailbot.addresses import address_key
from mailbot.directory_csv import REQUIRED_COLUMNS, DirectoryError, read_rows

# Its names, with those of mailbot.directory_csv other modules and tests take from here.
__all__ = [
    "MEMBER_COLUMNS", "OFFICER_COLUMNS", "REQUIRED_COLUMNS", "Directory", "DirectoryError",
    "Member", "Officer", "emails_in", "file_stamps", "load_directory", "load_members",
    "load_officers",
]

log = logging.getLogger(__name__)

# The local part is RFC 5322's dot-atom, with RFC 6531's non-ASCII letters (siân@...), so
# "mailto:x@y", quotes and invisible characters are refused; the domain is labels of
# letters (IDN too), digits and hyphens.
_EMAIL = re.compile(r"^[\w!#$%&'*+/=?^`{|}~.-]+@(?:[\w-]+\.)+[\w-]+$")


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


@dataclass
class Directory:
    # Both keyed by mailbot.addresses.address_key, so an address is found in whichever
    # form it is written (caerdydd-ŵ.cymru or xn--caerdydd--j9b.cymru); each Member and
    # Officer keeps its address as the file wrote it, for showing to people.
    members: dict[str, Member] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    members_path: Path | None = None
    officers_path: Path | None = None
    _stamps: tuple[int | None, int | None] = (None, None)
    last_error: str = ""
    # What was accepted but is probably wrong (an unused column, a skipped row).
    warnings: list[str] = field(default_factory=list)
    # When the configured files did not validate at the daemon's start: the time of the
    # copy in use instead (directory_keep.py), in words; empty once the files are read.
    kept_copy: str = ""
    # Called with the directory each time the files are read and validate (the daemon
    # keeps a copy of them then).
    on_loaded: Callable[[Directory], None] | None = field(default=None, repr=False)

    def member(self, email: str) -> Member | None:
        return self.members.get(address_key(email))

    def officer(self, email: str) -> Officer | None:
        return self.officers.get(address_key(email))

    def officer_or_address(self, email: str) -> Officer:
        """The officer's row, else one named by the address alone: a team address, a
        leaver, anyone mailbot is to write to who has no row in officers.csv."""
        return self.officer(email) or Officer(email, email)

    def as_listed(self, email: str) -> str:
        """An officer's or member's address as the directory file writes it, whichever
        form of its domain `email` uses; any other address as given. Stored on a case, so
        one officer's cases are under one address however a command named them."""
        person = self.officer(email) or self.member(email)
        return person.email if person is not None else email

    def manager_of(self, email: str) -> Officer | None:
        officer = self.officer(email)
        if officer is None or not officer.manager_email:
            return None
        return self.officer_or_address(officer.manager_email)

    def deputy_of(self, email: str) -> Officer | None:
        officer = self.officer(email)
        if officer is None or not officer.deputy_email:
            return None
        return self.officer_or_address(officer.deputy_email)

    def managed_by(self, manager_email: str) -> list[Officer]:
        """The officers whose manager this is (an empty list for a manager of no one)."""
        wanted = address_key(manager_email)
        return [
            o for o in self.officers.values()
            if o.manager_email and address_key(o.manager_email) == wanted
        ]

    def top_of_chain(self, email: str) -> str:
        """The head of an officer's management line (a service Director), loops ignored."""
        current, seen = email.lower(), set()
        while address_key(current) not in seen:
            seen.add(address_key(current))
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
        stamps = file_stamps(self.members_path, self.officers_path)
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
        self._stamps, self.last_error, self.kept_copy = fresh._stamps, "", ""
        for warning in fresh.warnings:
            if warning not in self.warnings:
                log.warning("directory: %s", warning)
        self.warnings = fresh.warnings
        log.info(
            "directory reloaded: %d members, %d officers", len(self.members), len(self.officers)
        )
        if self.on_loaded is not None:
            self.on_loaded(self)
        return True


def file_stamps(members: Path | None, officers: Path | None) -> tuple[int | None, int | None]:
    """What refresh() compares to see that a file changed (None: not there)."""
    return _mtime(members), _mtime(officers)


def _mtime(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None



def _address(path: Path, line: int, column: str, value: str) -> str:
    # Composed, so a letter typed as w and a combining circumflex is one letter (ŵ).
    email = unicodedata.normalize("NFC", value.strip()).lower()
    if not _EMAIL.match(email):
        raise DirectoryError(f"{path}:{line}: {column} {value!r} is not an email address")
    return email


def _unique(path: Path, line: int, email: str, seen: dict[str, str]) -> str:
    """The address's key, refused if the key is already listed (in either form)."""
    key = address_key(email)
    first = seen.get(key)
    if first is not None:
        both = "" if first.startswith(f"{path.name} ") else (
            ": nobody may be both a member and an officer"
        )
        raise DirectoryError(f"{path}:{line}: email {email} is listed twice (first {first}){both}")
    seen[key] = f"{path.name} line {line}"
    return key


def _repeated(
    path: Path,
    line: int,
    person: Member | Officer,
    earlier: Member | Officer | None,
    seen: dict[str, str],
    warnings: list[str],
) -> bool:
    """True for a row that repeats an earlier one exactly (an export listing a councillor
    once per committee): harmless, so skipped with a warning. A repeat that differs in
    anything is still an error, since mailbot cannot tell which is right."""
    if earlier is None or earlier != person:
        return False
    warnings.append(f"{path}:{line}: repeats {seen[address_key(person.email)]} exactly; skipped")
    return True


def _others(path: Path, line: int, value: str) -> tuple[str, ...]:
    # ';' as documented; Excel users also write "a@x.org, b@y.org" in one quoted cell.
    parts = [p for p in re.split(r"[;,\s]+", value) if p]
    return tuple(_address(path, line, "other_emails", p) for p in parts)


def _person(
    path: Path, line: int, row: dict[str, str], warnings: list[str]
) -> tuple[str, str] | None:
    """The row's name and email, or None for a row to skip (blank, or no address)."""
    if not any(row.values()):
        return None  # a blank line in a hand-edited file, or Excel's trailing ",,,"
    name = row.get("name", "")
    if not row.get("email"):
        # A vacant seat or someone without an address yet: nobody can write from it.
        warnings.append(f"{path}:{line}: {name or 'a row'} has no email; skipped")
        return None
    if not name:
        raise DirectoryError(f"{path}:{line}: name is empty")
    if "?" in name or "\ufffd" in name:
        warnings.append(
            f"{path}:{line}: name {name!r} has a '?' where the export probably lost a letter "
            "(save as \"CSV UTF-8 (Comma delimited)\")"
        )
    flipped = _surname_first(name)
    if flipped:
        warnings.append(
            f"{path}:{line}: name {name!r} looks written surname first, as Outlook and HR "
            f"systems export it, and letters would greet them so; write it {flipped!r}"
        )
    return name, row["email"]


# After a comma, what is not a forename: honours, degrees and the like ("Jo Bloggs, OBE").
_AFTER_A_NAME = {"jr", "jnr", "sr", "snr", "phd", "bsc", "msc", "ba", "ma", "llb", "esq"}
_TITLES = {"cllr", "councillor", "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame"}
_PARTICLES = {"van", "von", "der", "den", "de", "du", "da", "di", "la", "le", "ap", "ab"}
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")


def _surname_first(name: str) -> str | None:
    """'Sam Patel' for 'Patel, Sam' ('Dr Sam Patel' for 'Dr Patel, Sam'); None for a name
    not written surname first ('Jo Bloggs, OBE', 'Highways team, North')."""
    before, comma, after = name.partition(",")
    surname, forenames = before.split(), after.split()
    if not comma or "," in after or not 1 <= len(surname) <= 3 or not 1 <= len(forenames) <= 3:
        return None
    if any(_is_after_a_name(w) for w in forenames):
        return None
    words = [*surname, *forenames]
    if not all(_NAME_WORD.match(w) for w in words) or not all(
        w[0].isupper() or w.lower() in _PARTICLES for w in words
    ):
        return None
    titles = [w for w in surname if w.lower().strip(".") in _TITLES]
    surname = [w for w in surname if w not in titles]
    return " ".join([*titles, *forenames, *surname]) if surname else None


def _is_after_a_name(word: str) -> bool:
    bare = word.strip(".")
    return (len(bare) > 1 and bare.isupper()) or bare.lower() in _AFTER_A_NAME


_LANGUAGES = {"en": "en", "cy": "cy", "english": "en", "welsh": "cy", "cymraeg": "cy",
              "saesneg": "en"}


def load_members(
    path: Path,
    seen: dict[str, str] | None = None,
    warnings: list[str] | None = None,
    errors: list[str] | None = None,
) -> dict[str, Member]:
    """`errors`: where to put each bad row's problem and go on to the next row (check-config
    reports every one); without it, the first bad row is raised."""
    seen = {} if seen is None else seen
    warnings = [] if warnings is None else warnings
    members: dict[str, Member] = {}
    rows = read_rows(path, MEMBER_COLUMNS, warnings)
    for line, row in rows:
        with _row_problem(errors):
            _add_member(path, line, row, members, seen, warnings)
    if not members:
        warnings.append(f"{path}: lists no members, so no sender is a known member")
    return members


@contextmanager
def _row_problem(errors: list[str] | None) -> Iterator[None]:
    """A bad row raised, or noted in `errors` and skipped."""
    try:
        yield
    except DirectoryError as exc:
        if errors is None:
            raise
        errors.append(str(exc))


def _add_member(
    path: Path,
    line: int,
    row: dict[str, str],
    members: dict[str, Member],
    seen: dict[str, str],
    warnings: list[str],
) -> None:
    person = _person(path, line, row, warnings)
    if person is None:
        return
    name, address = person
    email = _address(path, line, "email", address)
    given = row.get("language", "")
    language = _LANGUAGES.get(given.lower() or "en")
    if language is None:
        raise DirectoryError(f"{path}:{line}: language must be en or cy, not {given!r}")
    others = _others(path, line, row.get("other_emails", ""))
    member = Member(name, email, row.get("ward", ""), language, others)
    if _repeated(path, line, member, members.get(address_key(email)), seen, warnings):
        return
    members[_unique(path, line, email, seen)] = member
    for other in others:
        members[_unique(path, line, other, seen)] = member


def load_officers(
    path: Path,
    seen: dict[str, str] | None = None,
    warnings: list[str] | None = None,
    errors: list[str] | None = None,
) -> dict[str, Officer]:
    """`errors`: as for load_members."""
    seen = {} if seen is None else seen
    warnings = [] if warnings is None else warnings
    officers: dict[str, Officer] = {}
    named: dict[tuple[str, str], int] = {}  # (column, address) -> first line naming it
    rows = read_rows(path, OFFICER_COLUMNS, warnings)
    by_name = _addresses_by_name(rows)
    for line, row in rows:
        with _row_problem(errors):
            _add_officer(path, line, row, officers, named, seen, warnings, by_name)
    warnings += _without_a_row(path, named, officers)
    warnings += _manager_loops(path, rows, officers)
    return officers


def _manager_loops(
    path: Path, rows: list[tuple[int, dict[str, str]]], officers: dict[str, Officer]
) -> list[str]:
    """Officers whose manager_email lines lead back to themselves (Sam's manager Lee, Lee's
    Sam): the line has no head, so escalations go round it and a complaint for the service
    Director goes to one of them. One warning per loop, at the first line in it."""
    found, told = [], set()
    for line, row in rows:
        start = address_key(row.get("email", "").strip())
        loop, current = [start], officers.get(start)
        while current is not None and current.manager_email:
            nxt = address_key(current.manager_email)
            if nxt == start:
                if frozenset(loop) not in told:
                    told.add(frozenset(loop))
                    names = " → ".join(officers[k].name for k in [*loop, start])
                    found.append(
                        f"{path}:{line}: manager_email goes round in a loop ({names}), so "
                        "their line has no head: escalations go round it and a complaint for "
                        "the service Director goes to one of them; give the head of the line "
                        "an empty manager_email")
                break
            if nxt in loop:
                break  # a loop further up, named at its own first line
            loop.append(nxt)
            current = officers.get(nxt)
    return found


def _add_officer(
    path: Path,
    line: int,
    row: dict[str, str],
    officers: dict[str, Officer],
    named: dict[tuple[str, str], int],
    seen: dict[str, str],
    warnings: list[str],
    by_name: dict[str, tuple[int, str]],
) -> None:
    person = _person(path, line, row, warnings)
    if person is None:
        return
    name, address = person
    email = _address(path, line, "email", address)
    manager, deputy = (
        _colleague_address(path, line, column, row[column], by_name) if row.get(column) else ""
        for column in ("manager_email", "deputy_email")
    )
    if address_key(email) in {address_key(manager), address_key(deputy)}:
        raise DirectoryError(f"{path}:{line}: {email} cannot be their own manager or deputy")
    officer = Officer(name, email, row.get("service", ""), manager, deputy)
    if _repeated(path, line, officer, officers.get(address_key(email)), seen, warnings):
        return
    officers[_unique(path, line, email, seen)] = officer
    for column, address in (("manager_email", manager), ("deputy_email", deputy)):
        if address:
            named.setdefault((column, address), line)


def _addresses_by_name(rows: list[tuple[int, dict[str, str]]]) -> dict[str, tuple[int, str]]:
    """Each officer's line and address by their name (in lower case), the first row of it."""
    found: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        name, address = row.get("name", "").strip(), row.get("email", "").strip()
        if name and address:
            found.setdefault(name.lower(), (line, address))
    return found


def _colleague_address(
    path: Path, line: int, column: str, value: str, by_name: dict[str, tuple[int, str]]
) -> str:
    """A manager's or deputy's address; one written as the name of an officer in the file
    (an HR export gives names) is refused naming the address from that officer's row."""
    listed = by_name.get(value.strip().lower()) if "@" not in value else None
    if listed:
        their_line, address = listed
        raise DirectoryError(f"{path}:{line}: {column} {value.strip()!r} is a name, not an email "
                             f"address; write {address} (their row, line {their_line})")
    return _address(path, line, column, value)


def _without_a_row(
    path: Path, named: dict[tuple[str, str], int], officers: dict[str, Officer]
) -> list[str]:
    """Managers and deputies with no row of their own: usually someone who has left and
    whose team was not given a new manager, so escalations and redirects would go to an
    address nobody reads, with no manager above it."""
    return [
        f"{path}:{line}: {column} {address} has no row of its own in this file (left the "
        "council?); escalations and redirects to them go to that address"
        for (column, address), line in named.items()
        if address_key(address) not in officers
    ]


def load_directory(
    members: Path | None, officers: Path | None, errors: list[str] | None = None
) -> Directory:
    """Both files, with one address space: nobody may be both a member and an officer,
    since the two are trusted differently. `errors`: as for load_members."""
    seen: dict[str, str] = {}
    warnings: list[str] = []
    stamps = file_stamps(members, officers)
    return Directory(
        members=load_members(members, seen, warnings, errors) if members else {},
        officers=load_officers(officers, seen, warnings, errors) if officers else {},
        members_path=members,
        officers_path=officers,
        _stamps=stamps,
        warnings=warnings,
    )


def emails_in(text: str) -> Iterable[str]:
    """Addresses written in free text (an out-of-office note naming a colleague)."""
    composed = unicodedata.normalize("NFC", text)  # ŵ typed as w and a combining accent
    for found in re.finditer(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", composed):
        yield found.group(0).lower().rstrip(".")
