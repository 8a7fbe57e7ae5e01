"""The loop guard: automatic-mail detection and the headers that mark our own mail.

Headers decide first (RFC 3834 Auto-Submitted, Precedence, list headers, DSN/MDN report
types, calendar parts); subject and body patterns in English, Welsh and the other
languages councillors' and officers' mailboxes are set to catch the clients that send
none of those. Body patterns read only the sender's own words (mailbot.quoting), never
the mail they quote or forward. The rules are a table, checked in order; the first match
wins and its name is the recorded reason.

One idea a module:
- detect.py: the rule table, in order, and detect_automatic() (a Verdict or None);
- headers.py: rules on the headers robots and lists set (loop header, Auto-Submitted,
  X-Autoreply, Precedence, List-*);
- reports.py: rules for delivery and read reports, and whether one is a failure;
- invitations.py: the calendar rule (unless a person forwarded the invitation);
- content.py: the rule that reads the subject and the sender's own words;
- subjects.py, bodies.py: the pattern tables those rules read;
- outgoing.py: the headers on everything we send (our loop header among them).

Mail that came through the council's own list relay is first read as its sender sent
it (mailbot.own_relay); the upstream spam filter's verdict is mailbot.spam.
"""

from mailbot.loops.detect import Verdict, detect_automatic
from mailbot.loops.headers import LIST_HEADERS
from mailbot.loops.outgoing import LOOP_HEADER, outgoing_headers
from mailbot.loops.subjects import GATEWAY_TAG, REPLY_OR_FORWARD_SUBJECT, without_gateway_tags

__all__ = [
    "GATEWAY_TAG",
    "LIST_HEADERS",
    "LOOP_HEADER",
    "REPLY_OR_FORWARD_SUBJECT",
    "Verdict",
    "detect_automatic",
    "outgoing_headers",
    "without_gateway_tags",
]
