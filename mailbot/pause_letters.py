"""What the member hears while an officer's PAUSE holds their case.

Two letters, one template (pause_notice), each in the member's thread:

- **pause_notice**, when the officer's PAUSE waits for something only the member's side
  can give: more information (photos, an address), the consent or authority of the person
  they wrote for, proof of identity on a subject access request, an FOI request's
  clarification or the fee of a fees notice. It says the time to respond is paused, what
  is awaited and from whom, who has the case, and how the time runs again. A pause that
  waits for someone else (a contractor, legal) or for whom its reason does not say sends
  none: the protocol's explanation (Wiltshire 6.5.8: reason, action and when; Cardiff and
  Colchester 16(6): keep the Member informed) needs the reason and a date only the officer
  has, and the officer's confirmation asks them to give it (commands/pause.py).
- **pause_holding**, in reply to a member's mail that only asks for news ("Any news?")
  while the case is paused, whatever it waits for: the same facts, and that their mail has
  gone to the officer.

The officer's reason is written for officers and is never quoted: the member reads what
is awaited in their own terms (`Awaited`), as the pause_ended and reply_received letters
name no reason either. Each goes once per pause (the outbox key names the pause's clock
event), only to a member who was acknowledged; never for an out-of-office's pause (the
member had the alternative_contact letter). A robot's mail never reaches here: the intake
settles automatic mail before the thread stage. The send-time check (still_due) withdraws
either once the pause has ended.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy.orm import Session

from mailbot import cases, foi_pause, ledger, outbox
from mailbot.assignment import Headline
from mailbot.commands.letters import (
    PAUSE_LETTERS,
    letter_mail,
    member_was_acknowledged,
    pause_letter_key,
)
from mailbot.member_thanks import member_asks_news_only
from mailbot.model import CaseStatus, Kind, ParsedMessage
from mailbot.pause_reason import asks_proof_of_id
from mailbot.store.tables import CaseRow, ClockEventRow, OutboxRow
from mailbot.written_for import pause_waits_for

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.intake import Intake

TEMPLATE = "pause_notice"
NOTICE, HOLDING = PAUSE_LETTERS  # outbox purposes: the letter at PAUSE, the reply to news

Awaited = Literal["clarification", "fee", "proof_of_id", "consent", "information",
                  "someone_else", "unclear"]
FROM_THE_MEMBER: tuple[Awaited, ...] = ("clarification", "fee", "proof_of_id", "consent",
                                         "information")

_CONSENT = re.compile(r"\b(consent|authori[sz]\w*|authority|permission|mandate"
                      r"|[cg]aniat[aâ]d|awdurdod\w*)\b", re.IGNORECASE)
# The people a member writes for, as a reason names them: what is awaited is theirs.
_THEIRS = re.compile(
    r"\b(residents?|constituents?|tenants?|complainants?|householders?|homeowners?"
    r"|occupiers?|occupants?|[pb]reswylydd|[pb]reswylwyr|etholw(y)?r|[td]enant(iaid)?)\b",
    re.IGNORECASE,
)


def awaited(app: App, session: Session, case: CaseRow, why: str) -> Awaited:
    """What the pause with reason `why` waits for, in the member's terms."""
    stop = foi_pause.foi_stop(why) if case.kind == Kind.FOI.value else None
    if stop == "clarification":
        return "clarification"
    if stop is not None:
        return "fee"
    waits = pause_waits_for(app, session, case, why)
    if waits == "other":
        return "someone_else"
    if waits == "unclear":
        return "unclear"
    if case.subject_access and asks_proof_of_id(why):
        return "proof_of_id"
    return "consent" if _CONSENT.search(why) else "information"


def tell_member_paused(app: App, session: Session, case: CaseRow, promised: date | None,
                       now: datetime) -> list[str]:
    """The officer's PAUSE waits for the member's side: they are told what, and that the
    time to respond runs again when it comes. Nothing for any other pause, nor once the
    date they were given (`promised`, the case's before the pause) has passed: the
    letter's promise of a date when it runs again could not then be kept (the late notice
    and the officer speak for that case)."""
    pause = _the_pause(session, case)
    if pause is None or (promised is not None
                         and promised < now.astimezone(cases.LONDON).date()):
        return []
    what = awaited(app, session, case, pause.why)
    if what not in FROM_THE_MEMBER:
        return []
    return _queue(app, session, case, now, NOTICE, pause, what, None)


def holding_reply(app: App, session: Session, case: CaseRow, message: ParsedMessage,
                  wrote_on: date, now: datetime) -> list[str]:
    """The member asked for news while the case is paused: a short reply saying it is
    paused, what for and who has it. Once per pause."""
    pause = _the_pause(session, case)
    if pause is None:
        return []
    what = awaited(app, session, case, pause.why)
    return _queue(app, session, case, now, HOLDING, pause, what, message, wrote_on)


def answer_news(it: Intake, case: CaseRow, at: datetime, headline: Headline) -> Headline:
    """The member's mail in a paused case's thread: if it only asks for news, they are
    sent the holding reply (once per pause), and the officer's update `headline` says so.
    Mail that may give what was awaited gets none: the officer's update says how to end
    the pause with it (thread_mail)."""
    if case.status != CaseStatus.PAUSED or not asks_news(it, case):
        return headline
    queued = holding_reply(it.app, it.session, case, it.message,
                           at.astimezone(cases.LONDON).date(), it.now)
    if not queued:
        return headline
    it.queued.extend(queued)
    return Headline(f"{headline.en} {HOLDING_SENT.en}", f"{headline.cy} {HOLDING_SENT.cy}")


HOLDING_SENT = Headline(
    "mailbot has sent them a short reply saying the case is paused and what it waits for "
    "(in their terms, not your reason), and that their mail has gone to you.",
    "Mae mailbot wedi anfon ateb byr atynt yn dweud bod yr achos wedi'i oedi a'r hyn y "
    "mae'n aros amdano (yn eu geiriau nhw, nid eich rheswm chi), a bod eu neges wedi dod "
    "atoch chi.",
)


def asks_news(it: Intake, case: CaseRow) -> bool:
    """The mail only asks for news ("Any news?", "Just chasing this"), nothing attached."""
    if it.message.attachment_types:
        return False
    member = it.app.directory.member(case.member_email)
    return member_asks_news_only(it.message.text, it.message.subject, member,
                                 it.app.settings.council.name)


def check_still_paused(app: App, session: Session, case: CaseRow, row: OutboxRow) -> str:
    """The send-time check (still_due): "" while the pause the letter is about (its key
    names the pause's clock event) still holds the case, else why it is withdrawn."""
    pause = foi_pause.last_pause(session, case)
    if (case.status != CaseStatus.PAUSED or pause is None
            or row.dedup_key != pause_letter_key(row.purpose, case, pause.id)):
        return "the pause it is about has ended"
    return ""


def _the_pause(session: Session, case: CaseRow) -> ClockEventRow | None:
    """The officer's pause holding the case now; None if it is not paused by one (an
    out-of-office's pause is not), or the member was never acknowledged."""
    if case.status != CaseStatus.PAUSED or not member_was_acknowledged(session, case):
        return None
    pause = foi_pause.last_pause(session, case)
    if pause is None or pause.why.startswith(cases.OOO_PAUSE):
        return None
    return pause


def _queue(app: App, session: Session, case: CaseRow, now: datetime, purpose: str,
           pause: ClockEventRow, what: Awaited, message: ParsedMessage | None,
           wrote_on: date | None = None) -> list[str]:
    extra = {
        "paused_on": pause.at.astimezone(cases.LONDON).date(),
        "awaited": what,
        "theirs": bool(_THEIRS.search(pause.why)),
        "wrote_on": wrote_on,
    }
    mail = letter_mail(app, session, case, TEMPLATE, extra, in_reply_to=message)
    if mail is None:
        return []
    key = pause_letter_key(purpose, case, pause.id)
    row = outbox.queue(session, purpose=purpose, dedup_key=key, case=case,
                       rendered=mail.rendered, envelope=mail.envelope, now=now)
    if row is None:
        return []
    ledger.record_event(session, now, "mailbot", f"{purpose} queued",
                        f"to {case.member_email}", case=case)
    return [purpose]
