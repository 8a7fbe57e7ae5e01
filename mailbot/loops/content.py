"""The rule that reads what a message says: its subject, then the sender's own words
(never the mail they quote or forward, mailbot.quoting), and its submitters' addresses.
A phrase alone is not enough in new mail that asks us something: the tables are in
mailbot.loops.subjects and mailbot.loops.bodies."""

from __future__ import annotations

import re

from mailbot.loops.bodies import (
    ASKS_US_TO_ACT,
    AUTO_REPLY_BODY,
    AWAY_NOTE_BODY,
    BOUNCE_BODY,
    BULK_BODY,
    CALENDAR_BODY,
    CRM_RECEIPT_BODY,
    DELAY_BODY,
    MTA_REPORT_BODY,
    NOTE_ASKS_US,
    OFFICE_RECEIPT_BODY,
    QUARANTINE_DIGEST,
    RECEIPT_BODY,
    RECEIPT_SHAPE,
    SECURE_MESSAGE,
    SERVICE_RECEIPT_BODY,
)
from mailbot.loops.reports import not_a_failure
from mailbot.loops.subjects import (
    AUTO_REPLY_SUBJECT,
    BOUNCE_SUBJECT,
    CALENDAR_SUBJECT,
    DELAY_SUBJECT,
    EXCHANGE_CALENDAR_SUBJECT,
    EXCHANGE_RECEIPT_SUBJECT,
    RECEIPT_SUBJECT,
    REPLY_OR_FORWARD_SUBJECT,
    SERVICE_RECEIPT_SUBJECT,
)
from mailbot.model import Automatic, ParsedMessage
from mailbot.quoting import OwnText, cut_signature, own_text

BODY_WINDOW = 3000  # auto-replies say what they are at the top
ASKS_NOTHING_WORDS = 10  # a covering note shorter than this, without a "?", passes mail on
BRIEF_NOTE_WORDS = 40  # an away-note with a subject of its own ("Holiday") is this short
NOTE_ON_TOP_CHARS = 1000  # a member's note above content they pasted in

NOREPLY_SENDER = re.compile(
    r"^[^@]*(?:no-?reply|do-?not-?reply|donotreply)[^@]*@"
    # "no_reply@", "do.not.reply@" (council CRMs, payment and booking systems); as a word of
    # its own, not the end of a name ("juno.reply@")
    r"|^(?:[^@]*[^a-z@])?(?:no[_.]reply|do[_.]not[_.]reply)[^@]*@"
    # Platforms that only send notifications, under any mailbox name: GOV.UK Notify (the
    # councils' own services use it) and Microsoft 365's quarantine and alert mail
    r"|@notifications\.service\.gov\.uk$|@messaging\.microsoft\.com$",
    re.IGNORECASE,
)


def subject_and_body(msg: ParsedMessage) -> Automatic | None:
    subject = msg.subject
    # "Invitation: residents' meeting on 3 December" and "Declined: my blue badge
    # application" are members' subjects too: a calendar or receipt subject counts when
    # the body has that robot's shape (or nothing at all), and asks nothing of us.
    if EXCHANGE_CALENDAR_SUBJECT.search(subject) or (
        CALENDAR_SUBJECT.search(subject) and _shaped_like(msg.text, CALENDAR_BODY)
    ):
        return Automatic.CALENDAR
    if EXCHANGE_RECEIPT_SUBJECT.search(subject) or (
        RECEIPT_SUBJECT.search(subject) and _shaped_like(msg.text, RECEIPT_SHAPE)
    ):
        return Automatic.RECEIPT
    if DELAY_SUBJECT.search(subject):
        return Automatic.RECEIPT
    if BOUNCE_SUBJECT.search(subject):
        return Automatic.BOUNCE
    if AUTO_REPLY_SUBJECT.search(subject):
        return Automatic.AUTO_REPLY
    # Only the sender's own words: a member who forwards a resident's "I am out of the
    # office until..." email, or forwards a bounce to ask about it, is still a member
    # asking something. A bounce passed on with a note that asks nothing ("Forward the
    # message.") is still a bounce report, so then the forwarded text counts too.
    own = own_text(msg.text)
    # Auto-replies and bounces answer mail: a message that answers or passes on nothing
    # (a member's new enquiry: "The following addresses failed to get their council tax
    # letters", "I am on leave next week, so please copy in Cllr Evans") needs more than
    # a phrase to be a robot: being short and asking nothing, or having no sender at all.
    answering = _answers_something(msg) or msg.sender is None
    brief = len(own.text.split()) <= BRIEF_NOTE_WORDS and "?" not in own.text
    bounce_text = msg.text
    if own.forwards and asks_something(own.text):
        bounce_text = own.text
    elif _replies_with_own_words(msg, own):
        # A person's reply quoting a bounce, or quoting our notice that mail bounced
        # (bounce_notice.py), which gives the server's words: only what they wrote counts.
        bounce_text = own.text
    if answering and BOUNCE_BODY.search(bounce_text[:BODY_WINDOW]):
        return Automatic.BOUNCE
    report = bounce_text[:BODY_WINDOW]
    if _robots_words(DELAY_BODY, report):
        return Automatic.RECEIPT
    if _robots_words(MTA_REPORT_BODY, report):
        return Automatic.RECEIPT if not_a_failure(msg) else Automatic.BOUNCE
    if _robots_words(QUARANTINE_DIGEST, f"{subject}\n{own.text[:BODY_WINDOW]}"):
        return Automatic.BULK
    # Above the sign-off: officers keep "I will be on annual leave from 21 December until
    # 4 January" in their signatures all December, under real answers.
    above_signoff = "\n".join(cut_signature(own.text[:BODY_WINDOW].split("\n")))
    if (answering or brief) and AUTO_REPLY_BODY.search(above_signoff) and not (
        ASKS_US_TO_ACT.search(above_signoff)
    ):
        return Automatic.AUTO_REPLY
    # A receipt, not an absence: a team mailbox's ticket system logging our assignment
    # must not pass the case to a deputy as an out-of-office would.
    if SERVICE_RECEIPT_SUBJECT.search(subject) or _logged_by_a_service(above_signoff, answering):
        return Automatic.RECEIPT
    # Notifications ("please do not reply to this email") are new mail, not answers.
    secure = SECURE_MESSAGE.search(subject) or SECURE_MESSAGE.search(own.text[:BODY_WINDOW])
    if AWAY_NOTE_BODY.search(above_signoff) and not secure:
        return Automatic.AUTO_REPLY
    if SERVICE_RECEIPT_BODY.search(above_signoff) and not secure:
        return Automatic.RECEIPT
    if (answering or brief) and RECEIPT_BODY.search(own.text[:BODY_WINDOW]):
        return Automatic.RECEIPT
    if _bulletin(own.text):
        return Automatic.BULK  # the unsubscribe line is at the foot
    if any(NOREPLY_SENDER.search(address) for address in _submitters(msg)):
        return Automatic.BULK  # noreply@ senders: notifications, never a person
    return None


def _replies_with_own_words(msg: ParsedMessage, own: OwnText) -> bool:
    """Someone's words above quoted mail ("> " lines or a reply's history), not a
    forward: a mail server's report has no sender of its own or quotes nothing."""
    written = own.text.strip()
    return (msg.sender is not None and not own.forwards and bool(written)
            and written != msg.text.strip())


def _logged_by_a_service(text: str, answering: bool) -> bool:
    """A ticket system's or an office's receipt for our mail, and nothing asked of us."""
    if "?" in text or ASKS_US_TO_ACT.search(text):
        return False
    return bool(CRM_RECEIPT_BODY.search(text) or (answering and OFFICE_RECEIPT_BODY.search(text)))


def _robots_words(pattern: re.Pattern[str], text: str) -> bool:
    """A robot's words (a mail server's report, a filter's digest), and no one above them
    asking us about it."""
    found = pattern.search(text)
    if found is None:
        return False
    above = text[: found.start()]
    return "?" not in above and ASKS_US_TO_ACT.search(above) is None



def _bulletin(own: str) -> bool:
    """An unsubscribe line, and no note on top asking us to act: a member who pastes a
    bulletin a resident sent them under "Could someone check whether ...?" is asking."""
    found = BULK_BODY.search(own)
    if found is None:
        return False
    above = own[: min(found.start(), NOTE_ON_TOP_CHARS)]
    return NOTE_ASKS_US.search(above) is None


def _shaped_like(text: str, shape: re.Pattern[str]) -> bool:
    own = own_text(text).text[:BODY_WINDOW]
    if not own.strip():
        return True
    return shape.search(own) is not None and ASKS_US_TO_ACT.search(own) is None



def _answers_something(msg: ParsedMessage) -> bool:
    return bool(msg.in_reply_to or msg.references or REPLY_OR_FORWARD_SUBJECT.match(msg.subject))


def asks_something(own: str) -> bool:
    return "?" in own or len(own.split()) >= ASKS_NOTHING_WORDS


def _submitters(msg: ParsedMessage) -> list[str]:
    """The From address and, if another system sent it in someone's name (SharePoint,
    Forms, a CRM "on behalf of" a councillor), the Sender header's address."""
    found = [msg.sender.email] if msg.sender else []
    sender_header = msg.headers.get("sender", "")
    address = re.search(r"[^\s<>\"',;:]+@[^\s<>\"',;]+", sender_header)
    if address:
        found.append(address.group(0).lower())
    return found

