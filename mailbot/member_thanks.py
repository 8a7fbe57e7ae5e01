"""A member's reply that only says thank you, signed as councillors sign.

classify.text.is_thanks_only allows a few names ("Thanks Sam", "Jo"), but a councillor's
sign-off is often a block: "Jo", "Cllr Jo Bloggs", "Castle Ward", "Test Council". Counted
as names, those lines made "Thank you Sam, much appreciated" look like more than thanks,
so it went to the officer as an update, or reopened an answered case. Lines made only of
the member's own name, their ward and the council's name are left out before asking.
"""

from __future__ import annotations

import re

from mailbot.addresses import domain_key
from mailbot.classify.text import is_thanks_only, new_text
from mailbot.directory import Member
from mailbot.loops.subjects import is_reply_subject
from mailbot.model import ParsedMessage

_WORD = re.compile(r"[\w'’-]+")
# What a councillor's sign-off says besides their name, ward and council.
_SIGN_OFF_WORDS = frozenset({
    "cllr", "councillor", "cyng", "cynghorydd", "member", "for", "of", "ward", "division",
    "borough", "county", "city", "district", "council", "cyngor", "sir", "aelod", "dros",
})
# A signature's line of contact details: a telephone number, an email address, a web site
# (its address alone: a link to a page is more than a signature) or a social media handle,
# alone or after its label ("Tel:", "Mobile", "Email:", Welsh "Ffôn:").
_CONTACT_LINE = re.compile(
    r"(?:(?:tel|telephone|phone|mob|mobile|m|t|e|email|e-mail|web|website|twitter|x|"
    r"ffôn|ffon|symudol|e-bost|gwefan)\.?\s*[:.]?\s*)?"
    r"(?:\+?[\d()][\d ()-]{6,20}\d|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|"
    r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:uk|cymru|wales|com|org|net)/?|"
    r"@\w{1,30})$",
    re.IGNORECASE,
)


def member_thanks_only(body: str, subject: str, member: Member | None, council: str) -> bool:
    """The member's new text thanks us and says nothing else, their sign-off aside."""
    if is_thanks_only(body, subject):
        return True
    if member is None:
        return False
    own = _sign_off_vocabulary(member, council)
    kept = [line for line in body.split("\n") if not _is_sign_off_line(line, own)]
    return len(kept) < len(body.split("\n")) and is_thanks_only("\n".join(kept), subject)


def thanks_in_reply(message: ParsedMessage, member: Member | None, council: str) -> bool:
    """A reply (In-Reply-To, References or "RE:") that only thanks, addressed within the
    sender's own domain, with no file attached ("Thanks!" over a photo is the file's
    covering note). A new mail signed "Thanks" whose ask is its subject is not one."""
    replying = bool(message.in_reply_to or message.references) or is_reply_subject(
        message.subject)
    return (replying and not message.attachment_types and _to_own_domain(message)
            and member_thanks_only(message.text, message.subject, member, council))


def _to_own_domain(message: ParsedMessage) -> bool:
    """Everyone in To and Cc is at the sender's own domain (the officer thanked, the shared
    mailbox). Thanks to a resident with the mailbox copied ("Thanks Pat, I'll pass this on"
    over the resident's mail) passes the resident's words on: that is an enquiry."""
    if message.sender is None:
        return False
    own = domain_key(message.sender.email.rpartition("@")[2])
    return all(domain_key(a.email.rpartition("@")[2]) == own for a in (*message.to, *message.cc))


def _sign_off_vocabulary(member: Member, council: str) -> frozenset[str]:
    words = _WORD.findall(f"{member.name} {member.ward} {council}".lower())
    return _SIGN_OFF_WORDS | frozenset(words)


def _is_sign_off_line(line: str, own: frozenset[str]) -> bool:
    """A line of the sign-off: not quoted, and every word of it the member's name, ward,
    council or a title ("Cllr Jo Bloggs", "Councillor for Castle Ward"), or a capitalised
    name beside one of those ("Cyngor Sir Caerdydd" of a council configured in English);
    or one of their contact details ("Tel: 01225 123456", "www.jobloggs.org.uk")."""
    if line.lstrip().startswith(">"):
        return False
    if _CONTACT_LINE.match(line.strip()):
        return True
    words = [w.strip("'’-") for w in _WORD.findall(line)]
    known = [w.lower() in own for w in words if w]
    names = [w[:1].isupper() for w in words if w and w.lower() not in own]
    return any(known) and all(names)


# A member asking for news and nothing else ("Any news?", "Hi Sam, any update on this
# please? Thanks", "Just chasing this", Welsh "Unrhyw newyddion?"): not the answer a pause
# that waits for them was held for (thread_mail). One of these must be there ...
_ASKS_FOR_NEWS = re.compile(
    r"\b(?:any|unrhyw)\s+(?:news|updates?|progress|word|newyddion|n?ddiweddariad)\b"
    r"|\bchasing\b|\bupdate\s+please\b|\bwhere\s+are\s+we\b",
    re.IGNORECASE,
)
# ... and every other word one of these, or a name ("Sam", "Ann").
_NEWS_WORDS = frozenset(_WORD.findall("""
    hi hello dear morning afternoon good is there any news update updates progress word on
    this that the matter enquiry request case please thanks thank you many yet at all just
    chasing up where are we with about re have you had do now so far unrhyw newyddion
    diweddariad ddiweddariad oes os gwelwch yn dda diolch ar hyn am y cais ymholiad helo
    annwyl bore da prynhawn cllr councillor cyng cynghorydd
"""))
MAX_NEWS_WORDS = 16


def member_asks_news_only(body: str, subject: str, member: Member | None, council: str) -> bool:
    """The member's new text only asks for news, their sign-off aside: it gives nothing
    (no answer, no photo: the caller checks attachments) that a pause waits for."""
    cleaned = new_text(body, "" if is_reply_subject(subject) else subject)
    if cleaned.forwarded:
        return False
    lines = cleaned.text.strip().split("\n")
    if member is not None:
        own = _sign_off_vocabulary(member, council)
        lines = [line for line in lines if not _is_sign_off_line(line, own)]
    text = "\n".join(lines).replace("’", "'")
    if not _ASKS_FOR_NEWS.search(text):
        return False
    words = _WORD.findall(text)
    if not 0 < len(words) <= MAX_NEWS_WORDS:
        return False
    names = [w for w in words if w.lower().strip("'-") not in _NEWS_WORDS]
    return all(w[:1].isupper() for w in names) and len(names) <= 3
