"""Which officer a member's complaint is about, if it names one.

Most protocols send a member's concern about an officer's conduct or capability up that
officer's line rather than to the complaints team (Wiltshire 16.2: "the individual's
relevant Director"; Colchester 10(5): the relevant Head of Service; Cardiff: the
Corporate Director for the officer's service area). An officer is taken as named when
the member's own words or the subject give their full name as officers.csv writes it,
or their address, or a title or initial and a surname only they have ("Mr Patel", "S.
Patel"): a first name alone ("Dear Sam") or a name in the quoted thread below (the
officer's own earlier reply) is not enough, and a surname two officers share is not
guessed between (the complaint is shown to neither). A member forwarding a resident's
complaint ("FW: complaint about the planning officer") names an officer in the resident's
own words too: those below the forward's header lines, above the resident's sign-off and
any older mail quoted inside (not when the forwarded mail is an officer's own). Team
addresses the pack routes to (the FOI team, the complaints team, the monitoring officer)
are never "the officer".
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
from mailbot.loops.subjects import FORWARD_SUBJECT, without_gateway_tags
from mailbot.model import ParsedMessage
from mailbot.officer_names import name_forms
from mailbot.policy.rules import Routing
from mailbot.quoting import HEADER_LINE, cut_signature, history_start, own_text
from mailbot.store.tables import EventRow

# The case's timeline entry naming the officer (its detail is their address): listings of
# the member's cases show that complaint to that officer by reference only.
COMPLAINT_ABOUT = "complaint about an officer"
# Its entry naming an officer it may be about ('Mr Patel' when two officers are Patels):
# not routed by, but listed to them by reference only all the same.
COMPLAINT_MAYBE_ABOUT = "complaint perhaps about an officer"
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


def never_named(routing: Routing, directory: Directory | None = None) -> tuple[str, ...]:
    """The pack's team addresses, which a complaint never names as "the officer": "I wrote
    to the Complaints Team" is about no one. Given the `directory`, a complaints route that
    is the person complaints about officers go to (about_an_officer = "complaints") and
    who heads a line of officers in officers.csv is not a team: MWDA 13.3's Director, whom
    a member may complain about too (then they are never given it)."""
    if directory is not None and _heads_officers(routing, directory):
        return (routing.foi_team, routing.monitoring_officer)
    return (routing.foi_team, routing.complaints, routing.monitoring_officer)


def _heads_officers(routing: Routing, directory: Directory) -> bool:
    """Whether the complaints route is one officer at the head of a line of others, in a
    pack whose complaints about officers go by that route."""
    route = routing.complaints
    return (routing.about_an_officer == "complaints" and route != "service-director"
            and directory.officer(route) is not None
            and same_address(directory.top_of_chain(route), route)
            and bool(directory.managed_by(route)))


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
    but Sam Patel..."). A title or initial and a surname ('Mr Patel', 'S. Patel') names
    the one officer with that surname (whose first name has that initial)."""
    return officers_named(message, directory, teams)[0]


def officers_named(
    message: ParsedMessage, directory: Directory, teams: Iterable[str]
) -> tuple[list[Officer], list[Officer]]:
    """The officers named (named_officers), and those a title or initial and a surname
    may mean when several officers have that surname ('Mr Patel': Sam Patel and Raj
    Patel): not guessed between, so not complained about, but none of them is to be
    shown the complaint's subject."""
    skipped = {address_key(team) for team in teams}
    officers = [officer for officer in directory.officers.values()
                if address_key(officer.email) not in skipped]
    text = folded(f"{message.subject}\n{_own_words(message.text)}\n"
                  f"{_forwarded_words(message, directory)}")
    found: dict[str, tuple[int, Officer]] = {}
    for officer in officers:
        mention = _mention(officer.name, officer.email).search(text)
        if mention is not None:
            found[address_key(officer.email)] = (mention.start(), officer)
    perhaps: dict[str, Officer] = {}
    by_surname = _by_surname(officers)
    for at, initial, meant in _surnames_written(text, by_surname):
        if len(meant) > 1:
            perhaps.update((address_key(officer.email), officer) for officer, _ in meant)
            continue
        officer, first = meant[0]
        if initial and not first.upper().startswith(initial):
            continue
        key = address_key(officer.email)
        if key not in found or found[key][0] > at:
            found[key] = (at, officer)
    named = [officer for _, officer in sorted(found.values(), key=lambda pair: pair[0])]
    return named, [officer for key, officer in perhaps.items() if key not in found]


_WORD = r"[^\W\d_][\w'-]*"
_TITLE_OR_INITIAL = re.compile(
    rf"(?<![\w.@'-])(?:(?P<title>{'|'.join(sorted(_TITLES))})\.?|(?-i:(?P<initial>[A-Z]))\.?)"
    rf"\s+(?=(?P<words>{_WORD}(?:\s+{_WORD}){{0,2}}))",
    re.IGNORECASE,
)


def _surnames_written(
    text: str, by_surname: dict[str, list[tuple[Officer, str]]]
) -> list[tuple[int, str, list[tuple[Officer, str]]]]:
    """Each title or initial followed by a surname of officers.csv: where, the initial
    (upper case, "" after a title), and the officers with that surname (with their first
    names)."""
    written = []
    for match in _TITLE_OR_INITIAL.finditer(text):
        words = match.group("words").split()
        for count in range(len(words), 0, -1):
            key = _surname_key(" ".join(words[:count]))
            if key in by_surname:
                initial = (match.group("initial") or "").upper()
                written.append((match.start(), initial, by_surname[key]))
                break
    return written


def _surname_key(words: str) -> str:
    """A surname as compared: lower case, single spaces, without a possessive 's."""
    key = " ".join(words.lower().split())
    for ending in ("'s", "'"):
        if key.endswith(ending):
            return key[: -len(ending)]
    return key


def _by_surname(officers: Iterable[Officer]) -> dict[str, list[tuple[Officer, str]]]:
    """The officers by each surname they may be called by after a title ('Siân Ó Briain':
    'o briain' and 'briain'), with their first names, names folded."""
    found: dict[str, list[tuple[Officer, str]]] = {}
    for officer in officers:
        words = _first_and_surname(folded(officer.name))
        for start in range(1, len(words)):
            found.setdefault(_surname_key(" ".join(words[start:])), []).append(
                (officer, words[0]))
    return found


def _first_and_surname(name: str) -> list[str]:
    """The words of an officer's name, first name first and without a title ('Patel, Sam'
    and 'Dr Sam Patel' are ['Sam', 'Patel'])."""
    forms = name_forms(name)
    words = (forms[-1] if forms else name).replace(",", " ").split()
    if len(words) > 2 and words[0].rstrip(".").lower() in _TITLES:
        words = words[1:]
    return words


def _own_words(body: str) -> str:
    """The member's own words: above the quoted thread, and above their sign-off (a
    cabinet member's signature may give their PA's name and address)."""
    lines = own_text(body).text[:MAX_SCANNED].split("\n")
    return "\n".join(cut_signature(lines))


def _forwarded_words(message: ParsedMessage, directory: Directory) -> str:
    """The own words of the person whose mail the member forwards (a resident's complaint
    below 'FW:'), as _own_words reads the member's: below the forwarded mail's header
    lines (From:, To:, Cc:...), above its writer's sign-off and any older mail quoted in it.
    "" when the mail forwards nothing, or forwards an officer's own mail (their answer to
    the resident names them in their own words)."""
    lines = message.text[: 2 * MAX_SCANNED].replace("\r\n", "\n").split("\n")
    start = history_start(lines)
    if start is None:
        return ""
    at, forwards = start
    if not forwards and not FORWARD_SUBJECT.match(without_gateway_tags(message.subject)):
        return ""  # a reply's quoted history, never the member's words
    header, body = _forwarded_header(lines[at:])
    if not header or any(_mention(officer.name, officer.email).search(folded(header[0]))
                         for officer in directory.officers.values()):
        return ""
    return _own_words("\n".join(body))


def _forwarded_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """A forwarded mail (from its client's marker line, "---------- Forwarded message
    ---------", Outlook's rule, or its From: line) split into its header lines, the sender
    first, and the lines below them; no header lines when it starts with none (a quoted
    "On ... wrote:" reply)."""
    at = 0 if lines and HEADER_LINE.match(lines[0].strip()) else 1
    while at < len(lines) and not lines[at].strip():
        at += 1
    end = at
    while end < len(lines) and lines[end].strip():
        end += 1
    header = [line.strip() for line in lines[at:end]]
    if not header or not HEADER_LINE.match(header[0]):
        return [], []
    return header, lines[end:]


def complained_about(session: Session, case_id: int) -> set[str]:
    """The addresses (address_key) of the officers a case's complaint is about: never to
    be given it, by an out-of-office or a bounce, as routing never gives it to them."""
    found = session.scalars(
        select(EventRow.detail)
        .where(EventRow.case_id == case_id, EventRow.action == COMPLAINT_ABOUT)
    ).all()
    return {address_key(detail) for detail in found if detail}


def perhaps_complained_about(session: Session, case_id: int) -> set[str]:
    """The addresses (address_key) of the officers a case's complaint may be about (a
    title or initial and a surname two officers share, COMPLAINT_MAYBE_ABOUT): not routed
    by, but no more to be given it by REASSIGN than an officer it is about."""
    found = session.scalars(
        select(EventRow.detail)
        .where(EventRow.case_id == case_id, EventRow.action == COMPLAINT_MAYBE_ABOUT)
    ).all()
    return {address_key(detail) for detail in found if detail}


def never_to_be_given(session: Session, case_id: int) -> set[str]:
    """The officers a case's complaint is about or may be about (address_key): an
    out-of-office's or a bounce's redirect never picks one of them."""
    return complained_about(session, case_id) | perhaps_complained_about(session, case_id)


def not_to_them_source(source: str) -> str:
    """The protocol's words for sending a complaint about an officer up their line, from
    the pack's [routing] source ("about_an_officer: 16.2 (the individual's relevant
    Director, ...)"), or "" when the pack cites none."""
    _, found, rest = source.partition("about_an_officer:")
    return rest.split(";")[0].strip() if found else ""


def one_of(address: str | None, officers: Iterable[str]) -> bool:
    """Whether `address` is one of `officers` (any form of the address)."""
    return address is not None and any(same_address(address, o) for o in officers)
