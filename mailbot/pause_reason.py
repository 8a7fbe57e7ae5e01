"""Who an officer's PAUSE on an enquiry or complaint waits for, read from its reason.

The member's reply in the case's thread ends a pause that waits for them (their answer to
a question, photos, their consent or authority, an address: thread_pause.py). A pause
that waits for someone else ("waiting for Highways to inspect", "checking with legal")
is not ended by the member's "Any news?": the council is still waiting, and a new date
sent to them then would be wrong. As foi_pause.py reads an FOI pause's stop from its
words, this reads an enquiry's or complaint's, by the parties it names:

- the member's side: the member ("the member", "Cllr Bloggs", "aelod") and the people a
  councillor writes for, whose answers come back through them: the resident, the
  constituent, the tenant, the complainant, the requester or applicant (Welsh
  preswylydd, etholwr, tenant, achwynydd, ceisydd, ymgeisydd, as mutated too);
- someone else: a body or person named anywhere (Highways, a contractor, legal, the
  landlord), or anyone at all who is not the member's side where the reason puts the
  party it waits on: after "from", "gan", "oddi wrth" ("a quote from Kier"), "checking
  with" ("checking with Streetscene"), "waiting for"/"on" a name ("waiting for Kier"),
  as who was asked or is to act ("asked the school for details", "waiting for Amey to
  confirm", "gofyn i'r ysgol am ...") or as the owner of what is awaited ("Kier's quote").
  "them" there means the member's side ("info from them"); a thing there ("waiting for
  photos", "from Monday") names no party;
- a person named there ("proof of ID from Mr Brown", "awaiting Mrs Jones's reply") is
  someone else, unless the member wrote for them (written_for reads the case's mail: "my
  constituent Mr Brown"): then the member's side;
- on a subject access request, proof of ID (identification, a passport; Welsh "prawf
  adnabod") is the requester's to give: the member's side.

The reading: "member" if only the member's side is named; "other" if only someone else
is, or no party but the council's own work (a survey, an inspection, a site visit, test
results); "member" for no party but what a member gives (clarification, consent, photos,
an address, more information); "unclear" for both sides, or nothing to go on ("reason",
"on hold"). An unclear pause is kept: RESUME with the day of the member's reply loses
nothing, where a wrong new date sent to them cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

WaitsFor = Literal["member", "other", "unclear"]
Party = Literal["member", "other"]

# The member and those they write for, in English and Welsh (with the soft mutation:
# "gan breswylydd", "i gynghorydd", "at denant").
_MEMBER_SIDE = re.compile(
    r"\b(members?|cllrs?|councill?ors?|aelod(au)?|[cg]ynghorydd|[cg]ynghorwyr|[cg]yng"
    r"|residents?|constituents?|tenants?|complainants?|request[eo]rs?|applicants?"
    r"|enquirers?|inquirers?|householders?|homeowners?|occupiers?|occupants?"
    r"|[pb]reswylydd|[pb]reswylwyr|etholw(y)?r|[td]enant(iaid)?|achwynydd|achwynwyr"
    r"|[cg]eisydd|[cg]eiswyr|ymgeisydd|ymgeiswyr)\b",
    re.IGNORECASE,
)
# Who stands for the member's side only where a party is read: "info from them".
_PRONOUN = re.compile(r"^(them|him|her|they|nhw|hi|ef|fe)$", re.IGNORECASE)
# Someone other than the member the council may wait for, wherever named ...
_SOMEONE_ELSE = re.compile(
    r"\b(highways?|contractors?|contractwr|surveyors?|legal|lawyers?|solicitors?"
    r"|cyfreithiol|engineers?|peiriannydd|police|heddlu|teams?|t[iî]m|department|adran"
    r"|services|gwasanaethau|colleagues?|manager|rheolwr|utility|utilities|network\s+rail"
    r"|openreach|insurers?|landlords?|housing\s+association|supplier|agency|third\s+party"
    r"|county|parish|town\s+council)\b",
    re.IGNORECASE,
)
# What only the member gives, in English and Welsh.
_MEMBER_GIVES = re.compile(
    r"clarif|eglur|\b(consent|authori[sz]ation|authority|permission|[cg]aniat[aâ]d"
    r"|awdurdod|photos?|photographs?|pictures?|images?|lluniau|llun|address|[cg]yfeiriad"
    r"|details|manylion|info(rmation)?|[gw]ybodaeth|location|lleoliad|evidence"
    r"|tystiolaeth|their\s+(answer|reply))\b",
    re.IGNORECASE,
)
# ... and the work the council waits on (which a member's own words may also mention:
# "the member's photos of the site").
_WORK = re.compile(
    r"\b(surveys?|arolwg|inspect\w*|archwili\w*|site|safle|results|report|adroddiad"
    r"|tests?|quotes?|dyfynbris|decision|penderfyniad)\b",
    re.IGNORECASE,
)
# Words that make a phrase a time or a manner, not a party: "from Monday", "with regard to".
_NOT_A_PARTY = re.compile(
    r"\b(\d+\w*|today|tomorrow|yesterday|now|then|week|month|year|time|date|start|end"
    r"|(mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june"
    r"|july|august|september|october|november|december|regard|reference|respect"
    r"|heddiw|yfory|wythnos|mis|fod|bod|nad)\b",
    re.IGNORECASE,
)

# A party's words: up to five, to the next word that starts another part of the reason.
_STOP = (r"(?:and|or|to|for|about|re|regarding|on|which|what|whether|if|that|before|after"
         r"|by|as|but|so|when|where|with|from|ac|neu|am|ar|ynghylch|i|yn)")
_PHRASE = (r"(?!" + _STOP + r"\b)[\w'’-]+(?:\s+(?!" + _STOP + r"\b)[\w'’-]+){0,4}")
# Where a reason puts the party it waits on. Each group is one party's words; those
# named "any" may be anyone, those named "name" only a name (capitalised) or a known one.
_SLOTS = re.compile(
    # A quote from Kier; wybodaeth gan y preswylydd, oddi wrth Briffyrdd.
    r"\b(?:from|oddi\s+wrth|gan)\s+(?P<any_from>" + _PHRASE + r")"
    # Checking with Streetscene; gwirio gyda'r adran.
    r"|\b(?:check\w*|liais\w*|speak\w*|spoke|spoken|rais\w*|consult\w*|discuss\w*|touch"
    r"|contact\w*|confirm\w*|quer\w*|meet\w*|gwirio|siarad|trafod|cysylltu|holi)\s+"
    r"(?:with|gyda|gydag|efo|â|ag)(?:['’]r|\s+)\s*(?P<any_with>" + _PHRASE + r")"
    # Asked Streetscene for photos; chased Bob in Finance for details.
    r"|\b(?:ask(?:ed|ing)?|chas(?:ed|ing|e)|e-?mail(?:ed|ing)?|contact(?:ed|ing)?|rang"
    r"|phoned|called|wr(?:ote|itten)\s+to|spoken?\s+to)\s+"
    r"(?P<any_asked>(?!(?:for|about|to|if|whether)\b)[\w'’ -]{1,40}?)\s+"
    r"(?:for|to|about|if|whether|which|what|where|when)\b"
    # Waiting for Kier to send details; waiting on planning for information.
    r"|\b(?:wait(?:ing)?|await(?:ing)?)\s+(?:for|on)\s+(?P<any_acting>[\w'’ -]{1,40}?)"
    r"\s+to\s+\w"
    r"|\bwaiting\s+on\s+(?P<any_on>[\w'’ -]{1,40}?)\s+for\b"
    # Wedi gofyn i'r ysgol am fanylion.
    r"|\bgofyn\w*\s+i(?:['’]r\s*|\s+(?:yr?\s+)?)(?P<any_gofyn>[\w'’ -]{1,40}?)\s+am\b"
    # Waiting for Kier; awaiting the contractor (a thing there names no one).
    r"|\b(?:wait(?:ing)?|await(?:ing)?)\s+(?:for\s+|on\s+)?(?P<name_awaited>" + _PHRASE + r")"
    # Kier's quote; Cllr Lee's photos.
    r"|(?P<name_owner>\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})['’]s?\s",
)


# What a subject access request's requester gives to prove who they are (Welsh "prawf
# adnabod", mutated "brawf"): on such a request, a pause for it waits for the member's side.
_PROOF_OF_ID = re.compile(
    r"\b(?:ID|I\.D\.)(?!\w)|\b(?i:identification|identity|passport|driving\s+licen[cs]e"
    r"|[pb]r[ao]wf\s+(?:o\s+)?(?:adnabod|hunaniaeth)|hunaniaeth|adnabyddiaeth"
    r"|dogfen(?:nau)?\s+adnabod)\b"
)
# A person's name where a party stands: "Mr Brown", "Mrs Jones's reply", "Priya Patel".
_PERSON = re.compile(
    r"^((?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2})(?:['’]s?)?"
    r"(?=\s|$)"
)


def asks_proof_of_id(why: str) -> bool:
    """Whether a subject access request's pause reason names proof of identity."""
    return _PROOF_OF_ID.search(why) is not None


def _no_one(name: str) -> bool:
    return False


def parties(why: str, *, theirs: Callable[[str], bool] = _no_one,
            subject_access: bool = False) -> set[Party]:
    """The parties `why` names: the member's side, someone else, both or neither. A
    person named where a party stands is the member's side when `theirs` says the member
    wrote for them (written_for); proof of ID on a subject access request is the
    requester's."""
    found: set[Party] = set()
    if _MEMBER_SIDE.search(why) or (subject_access and _PROOF_OF_ID.search(why)):
        found.add("member")
    if _SOMEONE_ELSE.search(why):
        found.add("other")
    for slot in _SLOTS.finditer(why):
        for group, words in slot.groupdict().items():
            party = _party(words.strip(), any_words=group.startswith("any"),
                           theirs=theirs) if words else None
            if party is not None:
                found.add(party)
    return found


def _party(words: str, *, any_words: bool, theirs: Callable[[str], bool] = _no_one
           ) -> Party | None:
    """Whom the words where a party stands name; None for a thing, a time or nothing."""
    words = re.sub(r"^(?:the|a|an|our|their|his|her|y|yr|['’]r)\s+", "", words,
                   flags=re.IGNORECASE)
    if _MEMBER_SIDE.search(words) or _PRONOUN.match(words):
        return "member"
    if _SOMEONE_ELSE.search(words):
        return "other"
    if not words or any(p.search(words) for p in (_MEMBER_GIVES, _WORK, _NOT_A_PARTY)):
        return None
    if not (any_words or words[:1].isupper()):
        return None
    person = _PERSON.match(words)
    return "member" if person is not None and theirs(person.group(1)) else "other"


def waits_for(why: str, *, theirs: Callable[[str], bool] = _no_one,
              subject_access: bool = False) -> WaitsFor:
    """Whom a pause with reason `why` waits for (see the module's docstring); `theirs` and
    `subject_access` as parties takes them."""
    named = parties(why, theirs=theirs, subject_access=subject_access)
    if named == {"member"}:
        return "member"
    if named == {"other"}:
        return "other"
    if named:
        return "unclear"
    if _WORK.search(why):
        return "other"
    return "member" if _MEMBER_GIVES.search(why) else "unclear"
