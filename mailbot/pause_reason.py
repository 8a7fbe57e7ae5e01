"""Who an officer's PAUSE on an enquiry or complaint waits for, read from its reason.

The member's reply in the case's thread ends a pause that waits for them (their answer to
a question, photos, their consent or authority, an address: thread_mail.py). A pause
that waits for someone else ("waiting for Highways to inspect", "checking with legal")
is not ended by the member's "Any news?": the council is still waiting, and a new date
sent to the member then would be wrong. As foi_pause.py reads an FOI pause's stop from
its words, this reads an enquiry's or complaint's:

- "member": the reason names the member ("the member", "Cllr Bloggs", "aelod") and no
  one else, or names only what a member gives (clarification, consent, photos...);
- "other": it names someone or something else (Highways, a contractor, a survey, legal,
  "from ..."), and not the member; or says who else was asked or is to act, though what
  they give is what a member might ("asked Streetscene for photos", "waiting for Kier to
  send details", "gofyn i'r ysgol am fanylion");
- "unclear": neither, or both ("reason", "waiting", "asked the member; Highways to
  inspect too"). The pause is kept: RESUME with the day of the member's reply loses
  nothing, where a wrong new date sent to them cannot be taken back.
"""

from __future__ import annotations

import re
from typing import Literal

WaitsFor = Literal["member", "other", "unclear"]

_MEMBER_NAMED = re.compile(
    r"\b(members?|cllrs?|councill?ors?|aelod(au)?|cynghorydd|cynghorwyr|cyng)\b",
    re.IGNORECASE,
)
# What only the member gives, in English and Welsh.
_MEMBER_GIVES = re.compile(
    r"clarif|eglur|\b(consent|authori[sz]ation|authority|permission|caniat[aâ]d|awdurdod"
    r"|photos?|photographs?|pictures?|images?|lluniau|llun|address|cyfeiriad|details"
    r"|manylion|more\s+info(rmation)?|further\s+info(rmation)?|information|gwybodaeth"
    r"|location|lleoliad|evidence|tystiolaeth|their\s+(answer|reply))\b",
    re.IGNORECASE,
)
# Someone other than the member the council may wait for, in English and Welsh ...
_SOMEONE_ELSE = re.compile(
    r"\b(highways?|contractors?|contractwr|surveyors?|legal|lawyers?|solicitors?"
    r"|cyfreithiol|engineers?|peiriannydd|police|heddlu|teams?|t[iî]m|department|adran"
    r"|services|gwasanaethau|colleagues?|manager|rheolwr|utility|utilities|network\s+rail"
    r"|openreach|insurers?|landlord|housing\s+association|supplier|agency|third\s+party"
    r"|county|parish|town\s+council)\b",
    re.IGNORECASE,
)
# ... and the work the council waits on (which a member's own words may also mention:
# "the member's photos of the site").
_WORK = re.compile(
    r"\b(surveys?|arolwg|inspect\w*|archwili\w*|site|safle|results|report|tests?|quotes?"
    r"|dyfynbris|oddi\s+wrth|from(?!\s+(them|him|her)\b))\b",
    re.IGNORECASE,
)


# Who was asked, or is to act, by name or description: "asked Streetscene for photos",
# "chased Bob in Finance for details", "waiting for Kier to send details", "waiting on
# planning for information"; Welsh "gofyn i'r ysgol am ...", "... gan Briffyrdd".
_WHO = r"(?!(?:for|about|to|if|whether)\b)[\w'’ -]{1,40}?"
_ASKED_OR_ACTING = re.compile(
    r"\b(?:ask(?:ed|ing)?|chas(?:ed|ing|e)|e-?mail(?:ed|ing)?|contact(?:ed|ing)?|rang"
    r"|phoned|called|wr(?:ote|itten)\s+to|spoken?\s+to)\s+(?P<asked>" + _WHO + r")\s+"
    r"(?:for|to|about|if|whether|which|what|where|when)\b"
    r"|\b(?:wait(?:ing)?|await(?:ing)?)\s+(?:for|on)\s+(?P<acting>" + _WHO + r")\s+to\s+\w"
    r"|\bwaiting\s+on\s+(?P<on>" + _WHO + r")\s+for\b"
    r"|\bgofyn\w*\s+i(?:['’]r\s*|\s+(?:yr?\s+)?)(?P<gofyn>[\w'’ -]{1,40}?)\s+am\b"
    r"|\bgan\s+(?P<gan>(?:yr?\s+)?[\w'’-]+)",
    re.IGNORECASE,
)
# Who stands for the member in those: the member, the resident they write for, "them",
# or no one but a thing the member gives ("waiting for photos to be sent").
_MEMBER_MEANT = re.compile(
    r"\b(residents?|constituents?|them|him|her|they|preswylydd|preswylwyr|nhw|fe|hi|ef)\b",
    re.IGNORECASE,
)


def _asks_someone_else(why: str) -> bool:
    """Whether `why` says someone other than the member was asked or is to act."""
    for found in _ASKED_OR_ACTING.finditer(why):
        who = next(group for group in found.groups() if group is not None)
        if not any(pattern.search(who) for pattern in
                   (_MEMBER_NAMED, _MEMBER_MEANT, _MEMBER_GIVES)):
            return True
    return False


def waits_for(why: str) -> WaitsFor:
    """Whom a pause with reason `why` waits for (see the module's docstring)."""
    named = _MEMBER_NAMED.search(why) is not None
    someone_else = _SOMEONE_ELSE.search(why) is not None or _asks_someone_else(why)
    if named:
        return "unclear" if someone_else else "member"
    if someone_else or _WORK.search(why):
        return "other"
    return "member" if _MEMBER_GIVES.search(why) else "unclear"
