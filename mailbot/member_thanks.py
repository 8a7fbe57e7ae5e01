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


# A member asking for news and nothing else ("Any news?", "Hi Sam, any update on the bins
# please? Thanks", "Is there any progress with the bins?", "Chasing this one - any news?",
# Welsh "Unrhyw newyddion?"): not the answer a pause that waits for them was held for
# (thread_pause), whatever the news is about. The mail is read piece by piece (its
# sentences, and the clauses between commas and dashes): each must ask for news, or be a
# greeting, thanks or a name. A piece that gives anything ("Update: the resident says it's
# 4 Elm Road", "Here are the photos you asked for", "the address is 4 Elm Road") makes the
# mail more than that.
_PIECES = re.compile(r"[.?!;:\n]+|,|\s[-–—]+\s|[–—]")
# Asking for news: one of these, after words of asking ("Is there", "Could you give me")
# and before what it is about ("on the bins", "am y biniau").
_ASKS_FOR_NEWS = re.compile(
    r"\b(?:any|an|the\s+latest|some|unrhyw)\s+(?:news|updates?|progress|word|joy|movement"
    r"|developments?|feedback|newyddion|n?ddiweddariad|diweddariad|gynnydd|cynnydd)\b"
    r"|\bupdates?\s+please\b|\bwhat(?:'s|\s+is)\s+(?:happening|the\s+latest|the\s+position"
    r"|the\s+situation|the\s+status)\b|\bwhere\s+are\s+we\b|\bheard\s+(?:anything|back"
    r"|more)\b|\bheard\s+nothing\b|\bnot\s+heard\b|\bchasing\b|\bfollowing\s+up\b"
    r"|\bchecking\s+in\b|\bstill\s+waiting\b|\bkeeps?\s+asking\b"
    r"|\b(?:my|the|our)\s+(?:residents?|constituents?|tenants?)\s+(?:keeps?|are|have\s+been)"
    r"\s+asking\b"
    r"|\boes\s+(?:yna\s+|na\s+)?(?:unrhyw\s+)?(?:newyddion|diweddariad)\b"
    r"|\bbeth\s+yw'r\s+(?:sefyllfa|diweddaraf)\b|\bble\s+(?:ydyn\s+ni|mae\s+pethau)\b"
    r"|\bmynd\s+ar\s+[oô]l\b",
    re.IGNORECASE,
)
# What gives something, even inside a piece that asks for news ("chasing this as the
# resident has agreed"): then it is not only asking.
_GIVES = re.compile(
    r"\b(?:says?|said|agreed?|agrees|consents?|confirm(?:s|ed)?|attached|enclosed|here\s+(?:is"
    r"|are)|is\s+at|it's|it\s+is|mae|dywed\w*|amgaeedig|atodi\w*)\b",
    re.IGNORECASE,
)
# Words of greeting, thanks and asking, and a councillor's titles; with names, the rest
# of a mail that only asks for news.
_NEWS_WORDS = frozenset(_WORD.findall("""
    hi hello dear morning afternoon evening good all thanks thank you many kind regards best
    wishes cheers much appreciated in advance please pls yet so far just i i'd we my our me
    us could can would will you be grateful for let know give send have has had there been
    is are do any again again still now as ever
    helo annwyl bore da prynhawn noswaith diolch yn fawr cofion gorau os gwelwch dda
    cllr councillor cyng cynghorydd
"""))
MAX_NEWS_WORDS = 40
MAX_NAMES = 3


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
    if not 0 < len(_WORD.findall(text)) <= MAX_NEWS_WORDS:
        return False
    pieces = [piece.strip() for piece in _PIECES.split(text) if piece.strip()]
    kinds = [_news_piece(piece) for piece in pieces]
    return "ask" in kinds and None not in kinds


def _news_piece(piece: str) -> str | None:
    """"ask" for a piece asking for news (what it is about free, if it gives nothing),
    "courtesy" for greeting, thanks or names alone, None for anything else."""
    found = _ASKS_FOR_NEWS.search(piece)
    if found is not None:
        before = _WORD.findall(piece[: found.start()])
        return "ask" if _courtesy(before) and not _GIVES.search(piece) else None
    return "courtesy" if _courtesy(_WORD.findall(piece)) else None


def _courtesy(words: list[str]) -> bool:
    """Words of greeting, thanks or asking, and up to MAX_NAMES names ("Sam", "Ann")."""
    names = [w for w in words if w.lower().strip("'-") not in _NEWS_WORDS]
    return all(w[:1].isupper() for w in names) and len(names) <= MAX_NAMES
