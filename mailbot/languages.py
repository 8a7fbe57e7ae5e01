"""Which language(s) a mail is written in, and the Welsh words templates need.

Template variants by language (render.Renderer picks `<name>.<lang>.txt` first):
- `<name>.txt` / `.html`: English only.
- `<name>.cy.*`: bilingual, Welsh first (a member who prefers Welsh, in any council).
- `<name>.en-cy.*`: bilingual, English first (a bilingual council, policy language "cy-en",
  writing to or about a member who has not asked for Welsh).
Welsh-language correspondence must not be treated less favourably than English, so a
Welsh council sends both, with Welsh first whenever the member has chosen Welsh.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

WELSH_DAYS = ("Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul")
WELSH_MONTHS = (
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
)

KIND_LABELS_CY = {
    "enquiry": "ymholiad",
    "foi": "cais am wybodaeth",
    "complaint": "cwyn",
    "confidentiality": "cais am gyfrinachedd",
}

class Bilingual(str):
    """A line said in English (its value as a string: the case timeline, logs) that also
    carries its Welsh, for the Welsh part of a bilingual mail. Being a str, it goes
    wherever an English reason went before; `welsh_of` reads the Welsh back."""

    cy: str

    def __new__(cls, en: str, cy: str) -> Bilingual:
        made = super().__new__(cls, en)
        made.cy = cy
        return made


def welsh_of(text: str) -> str:
    """The Welsh of a Bilingual line; other text (an officer's own words) as it is."""
    return text.cy if isinstance(text, Bilingual) else text


Languages = tuple[str, ...]
ENGLISH: Languages = ("en",)
WELSH_FIRST: Languages = ("cy", "en")
ENGLISH_FIRST: Languages = ("en-cy", "en")


def member_languages(
    policy_language: str, member_language: str | None, *, wrote_welsh: bool = False
) -> Languages:
    """Mail to a member: Welsh first if they prefer Welsh; both if the council is bilingual.
    A bilingual council answers Welsh with Welsh first whatever members.csv says
    (`wrote_welsh`: the mail being answered is in Welsh), as its letters promise."""
    if member_language == "cy" or (wrote_welsh and policy_language == "cy-en"):
        return WELSH_FIRST
    if policy_language == "cy-en":
        return ENGLISH_FIRST
    return ENGLISH


# Words that mark Welsh prose and are not English words (so no "a", "am", "at", "i", "dim").
_WELSH_WORDS = (
    "yn yr y mae roedd bod wedi ei eu fy dy ein eich gyda hefyd ond neu os hwn hon hyn "
    "hynny sydd oes nid nad ddim iawn diolch annwyl cofion rwy rydw rydyn chi ni nhw efo "
    "gan dros heb rhwng drwy trwy pan lle beth pwy pam sut faint pryd ac ag ar os gwelwch "
    "dda allwch gallwch ydy yw"
)
_ENGLISH_WORDS = (
    "the and to of is are was were be been have has had this that with for from you your "
    "we our they their it please can could would should will not but or if on"
)
_WELSH_MARKERS = frozenset(_WELSH_WORDS.split())
_ENGLISH_MARKERS = frozenset(_ENGLISH_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+")


def written_in_welsh(text: str) -> bool:
    """Whether a member's mail is written in Welsh: more Welsh function words than English
    ones, and enough of them to tell (a Welsh sign-off under English prose is English)."""
    words = _WORD.findall(text.lower()[:4000])
    welsh = sum(1 for word in words if word in _WELSH_MARKERS)
    english = sum(1 for word in words if word in _ENGLISH_MARKERS)
    return welsh >= 3 and welsh > english


def welcomes_welsh(policy_language: str) -> bool:
    """Whether letters to members state that the council welcomes correspondence in Welsh,
    will answer it in Welsh and without delay (Welsh Language Standard 7, which binds a
    Welsh council). An English council writing Welsh to one member makes no such promise."""
    return policy_language == "cy-en"


def staff_languages(policy_language: str, member_language: str | None) -> Languages:
    """Mail to officers and managers: bilingual only in a bilingual council, in the order
    the member's correspondence will take (Welsh first when the member prefers Welsh)."""
    if policy_language != "cy-en":
        return ENGLISH
    return WELSH_FIRST if member_language == "cy" else ENGLISH_FIRST


def staff_languages_for_many(
    policy_language: str, member_languages: Iterable[str | None]
) -> Languages:
    """Mail to an officer about many members' cases (the daily summary of reminders): as
    staff_languages, Welsh first only when every one of those members prefers Welsh."""
    orders = {staff_languages(policy_language, language) for language in member_languages}
    return orders.pop() if len(orders) == 1 else staff_languages(policy_language, None)


def long_date_cy(value: date, mutate: bool = False) -> str:
    """'dydd Gwener 4 Rhagfyr 2026'; with mutate=True, 'ddydd Gwener ...' as after 'ar'."""
    day = "ddydd" if mutate else "dydd"
    month = WELSH_MONTHS[value.month - 1]
    return f"{day} {WELSH_DAYS[value.weekday()]} {value.day} {month} {value.year}"


def short_date(value: date) -> str:
    """'04/12/2026': for the digest's table columns only, where width matters. A subject
    line gives a date in words as the letter under it does (long_date, long_date_cy):
    a numeric date is read as the 12th of April on a phone set to American English."""
    return f"{value:%d/%m/%Y}"


def working_days_cy(n: int) -> str:
    """'1 diwrnod gwaith', '2 ddiwrnod gwaith' (dau + soft mutation), '5 diwrnod gwaith'.

    Welsh keeps the noun singular after a numeral; only two mutates it in the forms used here.
    """
    noun = "ddiwrnod" if n == 2 else "diwrnod"
    return f"{n} {noun} gwaith"


def working_days_en(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


# The same, keyed by the English label templates are given (cases.KIND_LABELS).
_BY_ENGLISH_LABEL = {
    "enquiry": "ymholiad",
    "request for information": "cais am wybodaeth",
    "complaint": "cwyn",
    "request for confidentiality": "cais am gyfrinachedd",
}


# The soft mutation of each label's first letter, as after predicative "yn" ("Mae hwn yn
# gŵyn"): c > g; "ymholiad" starts with a vowel and keeps it.
_SOFT_MUTATED_LABELS = {
    "cwyn": "gŵyn",
    "cais am wybodaeth": "gais am wybodaeth",
    "cais am gyfrinachedd": "gais am gyfrinachedd",
}


def kind_label_cy(kind: str, mutate: bool = False) -> str:
    """The Welsh for a kind, given its code ("foi") or its English label; with
    mutate=True, soft-mutated as after predicative "yn" ("yn gŵyn", "yn gais am ...")."""
    label = KIND_LABELS_CY.get(kind) or _BY_ENGLISH_LABEL.get(kind, kind)
    return _SOFT_MUTATED_LABELS.get(label, label) if mutate else label


# "â" (with) and "gyda" (with) take a g before a vowel ("ag Alun", "gydag Eleri"), and all
# three of these run into "y" (the) as "'r" ("â'r Swyddog Monitro", "i'r tîm").
_BEFORE_THE = {"â": "â'r", "gyda": "gyda'r", "i": "i'r"}
_BEFORE_A_VOWEL = {"â": "ag", "gyda": "gydag", "i": "i"}
_VOWELS = frozenset("aeiouâêîôûáéíóúàèìòùäëïöü")


def preposition_cy(following: str, word: str = "â") -> str:
    """The form of `word` ("â", "gyda" or "i") before `following` (a name, an address):
    "ag" before a vowel, else `word` itself. See with_cy for one that starts with "y "."""
    return _BEFORE_A_VOWEL[word] if following[:1].lower() in _VOWELS else word


def with_cy(name: str, word: str = "â") -> str:
    """`word` ("â", "gyda" or "i") and a name as Welsh writes them together: "â Sam
    Patel", "ag Alun Jones", "â'r Swyddog Monitro" (for "y Swyddog Monitro")."""
    if name.startswith("y "):
        return f"{_BEFORE_THE[word]} {name[2:]}"
    return f"{preposition_cy(name, word)} {name}"


def mae_cy(subject: str) -> str:
    """ "Mae" (is) and its subject: "Mae Sam Patel", "Mae'r tîm ..." (for "y tîm ...")."""
    return f"Mae'r {subject[2:]}" if subject.startswith("y ") else f"Mae {subject}"


# Welsh ordinals in figures as far as 20: 1af, 2il, 3ydd, 4ydd, 5ed, 6ed, 7fed ...
_ORDINAL_ENDINGS = {
    1: "af", 2: "il", 3: "ydd", 4: "ydd", 5: "ed", 6: "ed", 7: "fed", 8: "fed", 9: "fed",
    10: "fed", 11: "eg", 12: "fed", 13: "eg", 14: "eg", 15: "fed", 16: "eg", 17: "eg",
    18: "fed", 19: "eg", 20: "fed",
}


def ordinal_cy(n: int) -> str:
    """'5ed' (the fifth), '7fed': the ending goes with the Welsh word for the number. Past
    20 the traditional ordinals are rarely written in figures; 'rhif 25' (number 25)."""
    ending = _ORDINAL_ENDINGS.get(n)
    return f"{n}{ending}" if ending else f"rhif {n}"


# A case's status (model.CaseStatus values) as a Welsh confirmation states it.
CASE_STATUS_CY = {
    "open": "ar agor",
    "needs_triage": "i'w wirio",
    "paused": "wedi'i oedi",
    "responded": "wedi'i ateb",
    "closed": "wedi'i gau",
}


def case_status_cy(status: str) -> str:
    return CASE_STATUS_CY.get(status, status)


TEMPLATE_FILTERS: dict[str, Callable[..., Any]] = {
    "case_status_cy": case_status_cy,
    "long_date_cy": long_date_cy,
    "short_date": short_date,
    "working_days_cy": working_days_cy,
    "working_days": working_days_en,
    "kind_label_cy": kind_label_cy,
    "preposition_cy": preposition_cy,
    "with_cy": with_cy,
    "mae_cy": mae_cy,
    "ordinal_cy": ordinal_cy,
}
