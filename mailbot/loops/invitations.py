"""The calendar rule: an invitation or a response to one carries its calendar part
inline, unless a person forwarded it with words of their own."""

from __future__ import annotations

from collections import Counter

from mailbot.loops.bodies import CALENDAR_BODY
from mailbot.loops.content import BODY_WINDOW, asks_something
from mailbot.loops.subjects import FORWARD_SUBJECT
from mailbot.model import Automatic, ParsedMessage
from mailbot.quoting import cut_signature, own_text

CALENDAR_TYPES = ("text/calendar", "application/ics")


def calendar_item(msg: ParsedMessage) -> Automatic | None:
    # An invitation or a reply to one carries its calendar part in the body; a member who
    # attaches a residents' meeting .ics to an enquiry is not calendar traffic. (Google
    # sends both, the inline part and an invite.ics attachment.)
    inline = Counter(msg.content_types) - Counter(msg.attachment_types)
    if not any(inline[t] for t in CALENDAR_TYPES):
        return None
    return None if _person_forwarding_an_invitation(msg) else Automatic.CALENDAR


def _person_forwarding_an_invitation(msg: ParsedMessage) -> bool:
    """A member who forwards a meeting invitation from Outlook sends a meeting request of
    their own: the calendar part inline, "FW:" in the subject, and their words above the
    invitation's From/Sent/When block. No calendar system writes that: its invitations and
    responses have no forward prefix, and a forwarding rule adds no words. Words that ask
    nothing ("FYI") do not count; the rules below still judge the message."""
    if not FORWARD_SUBJECT.match(msg.subject):
        return False
    own = own_text(msg.text)
    words = "\n".join(cut_signature(own.text[:BODY_WINDOW].split("\n")))
    return own.history and asks_something(words) and not CALENDAR_BODY.search(words)
