"""Which officer a member's complaint is about, if it names one.

Most protocols send a member's concern about an officer's conduct or capability up that
officer's line rather than to the complaints team (Wiltshire 16.2: "the individual's
relevant Director"; Colchester 10(5): the relevant Head of Service; Cardiff: the
Corporate Director for the officer's service area). An officer is taken as named when
the member's own words or the subject give their full name as officers.csv writes it,
or their address: a first name alone ("Dear Sam") or a name in the quoted thread below
(the officer's own earlier reply) is not enough. Team addresses the pack routes to (the
FOI team, the complaints team, the monitoring officer) are never "the officer".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.addresses import address_key, same_address
from mailbot.directory import Directory, Officer
from mailbot.model import ParsedMessage
from mailbot.officer_names import name_forms
from mailbot.quoting import cut_signature, own_text
from mailbot.store.tables import EventRow

# The case's timeline entry naming the officer (its detail is their address): listings of
# the member's cases show that complaint to that officer by reference only.
COMPLAINT_ABOUT = "complaint about an officer"
MAX_SCANNED = 20_000  # characters of the member's own words looked at


# A title before a name in officers.csv ("Dr Sam Patel"), which a member seldom writes.
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir",
                     "dame", "cllr", "councillor"})


def folded(text: str) -> str:
    """`text` without accents, and with a phone's curly apostrophe as a straight one: a
    member types 'Sian O Briain' for 'Siân Ó Briain', 'O’Brien' for 'O'Brien'."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    return plain.replace("\u2019", "'").replace("\u2018", "'")


def _written_forms(name: str) -> list[str]:
    """The ways a member writes an officer's full name: as officers.csv has it, 'Sam
    Patel' for 'Patel, Sam' (officer_names.name_forms), and without a title."""
    forms = name_forms(name)
    for form in list(forms):
        first, _, rest = form.partition(" ")
        if first.rstrip(".").lower() in _TITLES and len(rest.replace(",", " ").split()) >= 2:
            forms.append(rest)
    return forms


@lru_cache(maxsize=4096)  # a council's officers, asked at each complaint
def _mention(name: str, email: str) -> re.Pattern[str]:
    """Their full name (two words or more, any spacing and case, accents or not) or their
    address, to be searched for in folded text."""
    forms = [re.escape(folded(email))]
    for form in _written_forms(folded(name)):
        forms.append(r"\s+".join(re.escape(word) for word in form.split()))
    return re.compile(rf"(?<![\w.@-])(?:{'|'.join(forms)})(?![\w@-])", re.IGNORECASE)


def named_officer(
    message: ParsedMessage, directory: Directory, teams: Iterable[str]
) -> Officer | None:
    """The officer the member names first in the subject or their own words, not counting
    the pack's `teams` addresses; None if they name none."""
    named = named_officers(message, directory, teams)
    return named[0] if named else None


def named_officers(
    message: ParsedMessage, directory: Directory, teams: Iterable[str]
) -> list[Officer]:
    """Every officer the member names in the subject or their own words (not their
    signature), first named first, not counting the pack's `teams` addresses: a complaint
    is about each of them ("Sam Patel and his Director Pat Moss"; "Lee Wong was helpful,
    but Sam Patel...")."""
    text = folded(f"{message.subject}\n{_own_words(message.text)}")
    skipped = {address_key(team) for team in teams}
    found: list[tuple[int, Officer]] = []
    for officer in directory.officers.values():
        if address_key(officer.email) in skipped:
            continue
        mention = _mention(officer.name, officer.email).search(text)
        if mention is not None:
            found.append((mention.start(), officer))
    return [officer for _, officer in sorted(found, key=lambda pair: pair[0])]


def _own_words(body: str) -> str:
    """The member's own words: above the quoted thread, and above their sign-off (a
    cabinet member's signature may give their PA's name and address)."""
    lines = own_text(body).text[:MAX_SCANNED].split("\n")
    return "\n".join(cut_signature(lines))


def complained_about(session: Session, case_id: int) -> set[str]:
    """The addresses (address_key) of the officers a case's complaint is about: never to
    be given it, by an out-of-office or a bounce, as routing never gives it to them."""
    found = session.scalars(
        select(EventRow.detail)
        .where(EventRow.case_id == case_id, EventRow.action == COMPLAINT_ABOUT)
    ).all()
    return {address_key(detail) for detail in found if detail}


def not_to_them_source(source: str) -> str:
    """The protocol's words for sending a complaint about an officer up their line, from
    the pack's [routing] source ("about_an_officer: 16.2 (the individual's relevant
    Director, ...)"), or "" when the pack cites none."""
    _, found, rest = source.partition("about_an_officer:")
    return rest.split(";")[0].strip() if found else ""


def one_of(address: str | None, officers: Iterable[str]) -> bool:
    """Whether `address` is one of `officers` (any form of the address)."""
    return address is not None and any(same_address(address, o) for o in officers)
