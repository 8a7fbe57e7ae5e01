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

from collections.abc import Callable
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


def member_languages(policy_language: str, member_language: str | None) -> Languages:
    """Mail to a member: Welsh first if they prefer Welsh; both if the council is bilingual."""
    if member_language == "cy":
        return WELSH_FIRST
    if policy_language == "cy-en":
        return ENGLISH_FIRST
    return ENGLISH


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


def long_date_cy(value: date, mutate: bool = False) -> str:
    """'dydd Gwener 4 Rhagfyr 2026'; with mutate=True, 'ddydd Gwener ...' as after 'ar'."""
    day = "ddydd" if mutate else "dydd"
    month = WELSH_MONTHS[value.month - 1]
    return f"{day} {WELSH_DAYS[value.weekday()]} {value.day} {month} {value.year}"


def short_date(value: date) -> str:
    """'04/12/2026': the same in Welsh and English, so bilingual subject lines stay short."""
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


def kind_label_cy(kind: str) -> str:
    """The Welsh for a kind, given its code ("foi") or its English label."""
    return KIND_LABELS_CY.get(kind) or _BY_ENGLISH_LABEL.get(kind, kind)


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
}
