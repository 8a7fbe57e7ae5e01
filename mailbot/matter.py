"""What a case is about, as its subject says it, in a form that can be compared.

"RE: [MB-2026-00042] Pothole, Mill Lane!" and "Pothole Mill Lane" are one matter. A
case's matter_key is stored with it (cases.matter_key, kept by CaseRow whenever its
subject is set), so a member's mail sent again, or staff forwarding it, is looked up
through an index rather than by reading every open case's subject, and the "probably the
same matter" mark of an officer's list is worked out by the database.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import ColumnElement, SQLColumnExpression, String, and_, false, func, literal, or_

from mailbot.loops.subjects import GATEWAY_TAG, REPLY_OR_FORWARD_SUBJECT
from mailbot.refs import REF_TAG

MIN_CONTAINED = 5  # a shorter matter ("Help") is contained in too many subjects to say
KEY_LENGTH = 300  # the stored column's; a subject is kept to 300 characters
_NOT_A_LETTER = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # a busy member's open subjects, compared at each of their mails
def matter_key(subject: str) -> str:
    """The subject as the matter is compared: without the mail gateway's tags
    ("[EXTERNAL]"), Re:/Fwd: (in the languages of members' mail clients) and [MB-...]
    references anywhere, then in lower case with everything but letters and digits
    removed, at most KEY_LENGTH of them. "RE: [MB-2026-00042] Pothole, Mill Lane!" gives
    "potholemilllane". Having no "%" or "_", a key is matched by LIKE as it is."""
    rest = REF_TAG.sub(" ", subject)
    while True:
        found = GATEWAY_TAG.match(rest) or REPLY_OR_FORWARD_SUBJECT.match(rest)
        if not found or not found.end():
            break
        rest = rest[found.end() :]
    return _NOT_A_LETTER.sub("", rest.casefold())[:KEY_LENGTH]


def same_matter(one: str, other: str) -> bool:
    """Probably the same matter: the two subjects' matter_key are equal, or one contains
    the other ("Any update on the pothole in Mill Lane?" contains "Pothole in Mill
    Lane"), the shorter having at least MIN_CONTAINED letters and digits. Nothing else
    (no similarity score): a wrong "probably" costs the officer a look, no more."""
    return same_key(matter_key(one), matter_key(other))


def same_key(a: str, b: str) -> bool:
    """same_matter, of two keys."""
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return a == b or (len(shorter) >= MIN_CONTAINED and shorter in longer)


def same_key_as(key: str, column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """same_key(key, column) as SQL, for SQLite and PostgreSQL alike."""
    if not key:
        return false()
    found: list[ColumnElement[bool]] = [
        column == key,
        and_(func.length(column) >= MIN_CONTAINED,
             literal(key, String).contains(column)),
    ]
    if len(key) >= MIN_CONTAINED:
        found.append(column.contains(key))
    return or_(*found)
