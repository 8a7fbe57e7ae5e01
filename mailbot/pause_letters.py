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
  gone to the officer. A case paused after its date had passed gets no new date when it
  runs again (the RESUME gives back that date, still past, and no letter follows: letters'
  _date_to_come), so its holding reply promises none: it says the date (named) had passed
  before the pause and what the late notice says, that the officer has been asked to tell
  them the reason for the delay, what is being done and when (`passed_before_pause`).
  An FOI request paused for its clarification is the exception: that RESUME starts a
  fresh 20 working days, and the letter with the date follows.

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
from mailbot.clock import case_deadlines
from mailbot.commands.letters import (
    PAUSE_LETTERS,
    letter_mail,
    member_was_acknowledged,
    pause_letter_key,
    told_of_pause,
)
from mailbot.languages import Bilingual, long_date_cy
from mailbot.member_thanks import member_asks_news_only
from mailbot.model import CaseStatus, Kind, ParsedMessage, Priority
from mailbot.pause_reason import asks_proof_of_id
from mailbot.render import long_date
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
    passed = passed_before_pause(app, session, case, pause, what)
    return _queue(app, session, case, now, HOLDING, pause, what, message, wrote_on,
                  passed=passed)


def passed_before_pause(app: App, session: Session, case: CaseRow, pause: ClockEventRow,
                        what: Awaited) -> date | None:
    """The response date `case` had when `pause` began, if it had already passed then: the
    RESUME gives it back unchanged, still past, so no letter with a new date follows and
    none may be promised. None while it was still to come, and for an FOI clarification
    (its RESUME starts a fresh 20 working days, FOIA s.1(3), and the date is written)."""
    if what == "clarification":
        return None
    before = [event for event in cases.clock_events(session, case) if event.at < pause.at]
    due = case_deadlines(app.policy, Kind(case.kind), Priority(case.priority),
                         case.received_at, before).response_due
    paused_on = pause.at.astimezone(cases.LONDON).date()
    return due if due is not None and due < paused_on else None


def answer_news(it: Intake, case: CaseRow, at: datetime, headline: Headline) -> Headline:
    """The member's mail in a paused case's thread: if it only asks for news, they are
    sent the holding reply (once per pause), and the officer's update `headline` says so.
    Mail that may give what was awaited gets none: the officer's update says how to end
    the pause with it (thread_notices)."""
    if case.status != CaseStatus.PAUSED or not asks_news(it, case):
        return headline
    queued = holding_reply(it.app, it.session, case, it.message,
                           at.astimezone(cases.LONDON).date(), it.now)
    if not queued:
        return headline
    it.queued.extend(queued)
    pause = _the_pause(it.session, case)
    passed = None if pause is None else passed_before_pause(
        it.app, it.session, case, pause, awaited(it.app, it.session, case, pause.why))
    sent = HOLDING_SENT if passed is None else holding_sent_after(passed)
    return Headline(f"{headline.en} {sent.en}", f"{headline.cy} {sent.cy}")


def holding_sent_after(passed: date) -> Headline:
    """The officer's line for the holding reply to a case paused after its date: the
    member has been told you will say why it is late and when they will have it."""
    return Headline(
        "mailbot has sent them a short reply saying the case is paused and what it waits "
        f"for (in their terms, not your reason), that its date, {long_date(passed)}, had "
        "passed before the pause, and that you will tell them the reason for the delay, "
        "what is being done and when they will have a full response; their mail has gone "
        "to you.",
        "Mae mailbot wedi anfon ateb byr atynt yn dweud bod yr achos wedi'i oedi a'r hyn y "
        "mae'n aros amdano (yn eu geiriau nhw, nid eich rheswm chi), bod ei ddyddiad, "
        f"{long_date_cy(passed)}, wedi mynd heibio cyn yr oedi, ac y byddwch yn dweud "
        "wrthynt y rheswm dros yr oedi, beth sy'n cael ei wneud a phryd y cânt ymateb "
        "llawn; mae eu neges wedi dod atoch chi.",
    )


def told_it_had_passed(app: App, session: Session, case: CaseRow) -> bool:
    """Whether the member was sent the holding reply to a case paused after its date
    (passed_before_pause): it said so and promised no new date, so the RESUME giving
    back that date, still past, sends no letter and its confirmation says TOLD_IT_HAD_PASSED."""
    pause = foi_pause.last_pause(session, case)
    if pause is None or not told_of_pause(session, case):
        return False
    what = awaited(app, session, case, pause.why)
    return passed_before_pause(app, session, case, pause, what) is not None


TOLD_IT_HAD_PASSED = Bilingual(
    "While it was paused the member was told that its date had passed before the pause, "
    "and that you will tell them the reason for the delay, what is being done and when "
    "they will have a full response. mailbot has not written to them now: tell them, "
    "unless you have.",
    "Tra oedd wedi'i oedi, dywedwyd wrth yr aelod fod ei ddyddiad wedi mynd heibio cyn yr "
    "oedi, ac y byddwch yn dweud wrthynt y rheswm dros yr oedi, beth sy'n cael ei wneud a "
    "phryd y cânt ymateb llawn. Nid yw mailbot wedi ysgrifennu atynt nawr: dywedwch "
    "wrthynt, oni bai eich bod wedi gwneud.",
)


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


def check_still_paused(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> str:
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
           wrote_on: date | None = None, *, passed: date | None = None) -> list[str]:
    extra = {
        "paused_on": pause.at.astimezone(cases.LONDON).date(),
        "awaited": what,
        "theirs": bool(_THEIRS.search(pause.why)),
        "wrote_on": wrote_on,
        "passed": passed,  # the date had passed before the pause: no new date to promise
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
