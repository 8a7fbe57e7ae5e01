"""Officers an out-of-office note names by name alone ("please contact Lee Wong on
01632 960123"), as most notes do: the colleague the absent officer chose to cover for them
(docs/officers.md, "Out-of-office replies and bounces")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mailbot.addresses import same_address
from mailbot.directory import Officer
from mailbot.quoting import history_start


def name_forms(name: str) -> list[str]:
    """The ways a note writes an officer's name: as officers.csv has it and, for a name
    written 'Wong, Lee' (as Outlook shows it), 'Lee Wong'. A single word ('Sam') is too
    common to be taken for a person."""
    written = " ".join(name.split())
    forms = [written]
    surname, comma, first = written.partition(",")
    if comma and surname.strip() and first.strip():
        forms.append(f"{first.strip()} {surname.strip()}")
    return [form for form in forms if len(form.replace(",", " ").split()) >= 2]


def writes_name(text: str, name: str) -> bool:
    """Whether `text` has `name` as whole words, in any case and spacing."""
    words = [re.escape(word) for word in name.split()]
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def note_without_history(note: str) -> str:
    """The note above any quoted mail (some servers quote ours under their out-of-office,
    and our mail names officers too)."""
    lines = note.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = history_start(lines)
    kept = lines[: found[0] if found else len(lines)]
    return "\n".join(line for line in kept if not line.lstrip().startswith(">"))


def officers_named_in(note: str, officers: Iterable[Officer], absent: str) -> list[str]:
    """The addresses of the officers (other than the absent one) whose name the note
    writes, in officers.csv order."""
    text = note_without_history(note)
    return [
        officer.email for officer in officers
        if not same_address(officer.email, absent)
        and any(writes_name(text, form) for form in name_forms(officer.name))
    ]
