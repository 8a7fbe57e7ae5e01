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
  "from ..."), and not the member;
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


def waits_for(why: str) -> WaitsFor:
    """Whom a pause with reason `why` waits for (see the module's docstring)."""
    named = _MEMBER_NAMED.search(why) is not None
    someone_else = _SOMEONE_ELSE.search(why) is not None
    if named:
        return "unclear" if someone_else else "member"
    if someone_else or _WORK.search(why):
        return "other"
    return "member" if _MEMBER_GIVES.search(why) else "unclear"
