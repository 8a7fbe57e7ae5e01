"""The people a member writes for on a case, read from the member's own mail on it.

A councillor relays their resident: "my constituent Mr Brown", "on behalf of Mrs Jones",
"Mrs Smith has asked me to get a copy of her records". An officer's PAUSE that names that
person ("waiting for proof of ID from Mr Brown", "awaiting Mrs Jones's reply") waits for
the member's side, whose answer comes back through the member; a name the member did not
write about in one of these ways (an officer, a contractor: "I spoke to Mr Smith at
Highways") stays someone else's (pause_reason). Only a name in such a place counts, and
only the member's own words and the mail they forwarded are read, not the council's mail
they quoted back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from mailbot import pause_reason
from mailbot.addresses import same_address
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.quoting import MAX_SCAN_CHARS, history_start, own_text
from mailbot.store.tables import MessageRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mailbot.app import App
    from mailbot.store.tables import CaseRow

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Mister)\.?"
_TITLES = {"mr": "m", "mister": "m", "mrs": "f", "ms": "f", "miss": "f", "mx": "", "dr": ""}
# A word of a name: capitalised, not a word that starts a sentence or a greeting.
_NOT_A_NAME = (r"(?!(?:The|This|That|These|Those|They|Their|She|He|We|I|It|My|Our|Your|Dear"
               r"|Hi|Hello|Please|Thanks|Thank|Cllr|Councillor|Council|Mae|Rwy|Roedd|Diolch"
               r"|Annwyl|Helo|Mr|Mrs|Ms|Miss|Mx|Dr|And|But|So|Can|Could|Would)\b)")
# Nor a form's label ("Mary Green\nIssue: missed bins" names Mary Green).
_WORD = _NOT_A_NAME + r"[A-Z](?![\w’'-]*:)[\w’'-]*[a-z][\w’'-]*"


def _name(space: str) -> str:
    """The pattern of a name, its words apart by `space`: "Mr Brown", "Mr John Brown",
    "John Brown", and two of one family: "Mr and Mrs Evans", "John and Mary Green" (Welsh
    "a" for "and")."""
    return (r"(?P<name>(?:" + _TITLE + space + r"(?:(?:and|&|a)" + space + _TITLE + space
            + r")?" + _WORD + r"(?:" + space + _WORD + r"){0,2}"
            + r"|" + _WORD + r"(?:" + space + r"(?:and|&|a)" + space + _WORD + r")?(?:"
            + space + _WORD + r"){1,2}))")


_NAME = _name(r"\s+")
# Those a councillor writes for, in English and Welsh (as mutated).
_PEOPLE = (r"(?:constituents?|residents?|tenants?|parishioners?|neighbours?|clients?"
           r"|requesters?|applicants?|complainants?|householders?|homeowners?"
           r"|etholw(?:y)?r|etholwraig|etholwyr|[pb]reswylydd|[pb]reswylwyr|[tdn]h?enant\w*"
           r"|[cg]eisydd|achwynydd)")
# Where the member puts the person they write for: before the name ...
_BEFORE = re.compile(
    r"(?i:\b" + _PEOPLE + r"[,:]?(?:\s+(?:is|was|called|named))?"
    r"|\bon\s+behalf\s+of|\bar\s+ran"
    r"|\b(?:contacted|approached|e-?mailed|rung|phoned|called|visited|asked|written\s+to"
    r"|alerted|informed)\s+by)\s+" + _NAME
)
# ... or after it: "Ms Patel, a tenant at Oak Court", "Mrs Smith has asked me", "Mr Brown
# of 12 Elm Road", "Mr Brown's records"; "Mae Mrs Jones wedi cysylltu â mi".
_AFTER = re.compile(
    _NAME + r"(?i:,?\s+(?:(?:who\s+is\s+|is\s+|one\s+of\s+)?(?:an?|my|our)\s+)" + _PEOPLE
    + r"|\s+(?:(?:has|have|had)\s+(?:\w+\s+)?(?:asked|contacted|e-?mailed|written|been\s+in"
      r"\s+touch|rung|phoned|called|come|complained|raised|requested|reported|approached"
      r"|visited|got\s+in\s+touch)|asked|contacted|e-?mailed|wrote|rang|phoned|came\s+to"
      r"|complained|requested|reported|approached|got\s+in\s+touch|(?:who\s+)?lives?"
      r"|of\s+(?:\d|flat|number)|at\s+(?:\d|flat|number|no\b)"
      r"|wedi\s+(?:gofyn|cysylltu|ysgrifennu|e-bostio|ffonio|cwyno|dod|bod\s+mewn))"
    + r"|['’]s?\s+(?:personal\s+)?(?:data|records|file|information\s+held))\b"
)
# ... or on a line of a form of its own: "Name: John Brown", "Full name: Mrs Jane Smith",
# "Resident's name:", "Data subject:", Welsh "Enw:". Not "Officer name:" or "Contact name:".
_FORM = re.compile(
    r"(?m)^[^\S\n]*(?i:(?:(?:full|resident|constituent|tenant|requester|applicant|customer"
    r"|person)(?:['’]s)?\s+)?(?:name|data\s+subject|enw(?:\s+llawn)?))[^\S\n]*:[^\S\n]*"
    + _name(r"[^\S\n]+")  # the name's words on the label's line
)
_FAMILY = re.compile(r"\s+(?:and|&|a)\s+")
# Someone's role just before their name: "your Highways officer Mr Smith asked me" names
# the council's officer, not someone the member writes for.
_ROLE_BEFORE = re.compile(
    r"\b(?i:officers?|managers?|inspectors?|engineers?|surveyors?|contractors?|colleagues?"
    r"|directors?|clerks?|swyddog|rheolwr|peiriannydd)\s*,?\s*$"
)
# A place, not a person: "Mrs Jones from Elm Road asked me" names no one "Elm Road".
_PLACE = re.compile(r"\b(?:Road|Street|Lane|Avenue|Close|Drive|Court|Way|Crescent|Place"
                    r"|Gardens|Terrace|Hill|Park|Square|Heol|Stryd|Ffordd|Lôn|Rhodfa)$")


def names_written_for(text: str) -> list[str]:
    """The names `text` (a member's mail) gives the people the member writes for."""
    names: list[str] = []
    for pattern in (_BEFORE, _AFTER, _FORM):
        for found in pattern.finditer(text):
            if _ROLE_BEFORE.search(text[max(0, found.start("name") - 40):found.start("name")]):
                continue
            for name in _each_of_a_family(" ".join(found.group("name").split())):
                if name not in names and not _PLACE.search(name):
                    names.append(name)
    return names


def _each_of_a_family(name: str) -> list[str]:
    """"Mr and Mrs Evans" as Mr Evans and Mrs Evans; "John and Mary Green" as John Green and
    Mary Green; one person as themself."""
    parts = _FAMILY.split(name, maxsplit=1)
    if len(parts) == 1:
        return [name]
    first, rest = parts
    surname = rest.split()[-1]
    return [f"{first} {surname}", rest]


def one_of(names: Iterable[str]) -> Callable[[str], bool]:
    """Whether a name an officer wrote is one of `names`: the same surname, and no first
    name or title that says someone else (Mrs Brown is not Mr Brown, Peter Brown not John
    Brown); a single word is a first name or surname of one of them."""
    people = [_parts(name) for name in names]

    def among(name: str) -> bool:
        wrote = _parts(name)
        return any(_same_person(wrote, person) for person in people)

    return among


def _parts(name: str) -> tuple[str, list[str]]:
    """A name's title's sex ("m", "f" or "") and its other words, folded."""
    words = [w.strip(".’'").casefold() for w in name.split()]
    title = ""
    if words and words[0] in _TITLES:
        title = _TITLES[words[0]] or "?"
        words = words[1:]
    return title, words


def _same_person(one: tuple[str, list[str]], other: tuple[str, list[str]]) -> bool:
    (title, words), (other_title, other_words) = one, other
    if not words or not other_words:
        return False
    if title in "mf" and other_title in "mf" and title and other_title and title != other_title:
        return False
    if len(words) == 1 and not title:
        return words[0] in (other_words[0], other_words[-1])
    if len(other_words) == 1 and not other_title:
        return other_words[0] in (words[0], words[-1])
    if words[-1] != other_words[-1]:
        return False
    if len(words) > 1 and len(other_words) > 1:
        first, other_first = words[0], other_words[0]
        return first[0] == other_first[0] and (
            len(first) == 1 or len(other_first) == 1 or first == other_first)
    return True


def member_s_words(message: ParsedMessage) -> str:
    """The member's own words in a mail and the mail they forwarded, without the history
    of the thread they quoted back (the council's own mail)."""
    text = message.text[:MAX_SCAN_CHARS]
    start = history_start(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    words = text if start is not None and start[1] else own_text(text).text
    return f"{message.subject}\n{words}"


def people_of_the_case(session: Session, case: CaseRow) -> list[str]:
    """The people the member writes for, named in the mail that opened the case and in the
    member's mail in its thread (as stored: mail the retention purge erased is not read)."""
    rows = session.execute(
        select(MessageRow.raw, MessageRow.sender, MessageRow.message_id)
        .where(MessageRow.case_id == case.id, MessageRow.purged_at.is_(None),
               MessageRow.automatic.is_(None), MessageRow.folder == "inbox")
        .order_by(MessageRow.id)
    ).all()
    names: list[str] = []
    for raw, sender, message_id in rows:
        if message_id != case.root_message_id and not same_address(sender or "",
                                                                   case.member_email):
            continue
        parsed = parse_message(raw)
        if isinstance(parsed, ParsedMessage):
            names.extend(n for n in names_written_for(member_s_words(parsed)) if n not in names)
    return names


def pause_waits_for(app: App, session: Session, case: CaseRow, why: str
                    ) -> pause_reason.WaitsFor:
    """Whom a PAUSE with reason `why` on `case` waits for: pause_reason's reading, a person
    it names counted as the member's side when the member wrote for them, and proof of ID
    on a subject access request as the requester's. A name that is a council officer's
    in the directory ("Sam Patel asked me to chase this") is not one the member writes
    for, though the mail put it where a resident's name stands."""
    people: list[str] | None = None

    def theirs(name: str) -> bool:
        nonlocal people
        if people is None:
            people = [n for n in people_of_the_case(session, case)
                      if not _an_officer_s(app, n)]
        return one_of(people)(name)

    return pause_reason.waits_for(why, theirs=theirs, subject_access=case.subject_access)


def _an_officer_s(app: App, name: str) -> bool:
    """A name given whole (first name and surname, no title) that an officer in the
    directory has; "Mr Patel" alone could be the resident, and is not taken as one."""
    title, words = _parts(name)
    if title or len(words) < 2:
        return False
    whole = (words[0], words[-1])
    for officer in app.directory.officers.values():
        _, theirs = _parts(officer.name)
        if len(theirs) >= 2 and (theirs[0], theirs[-1]) == whole:
            return True
    return False
