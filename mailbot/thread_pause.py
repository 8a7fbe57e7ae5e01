"""The member's mail in a paused case's thread (the thread stage: thread_mail.py).

Whether it leaves the pause as it is (the pause waits for someone else, or the mail only
asks for news), and, when it ends an officer's PAUSE or gives the clarification an FOI
request waited for, the letter telling the member their new date.
"""

from __future__ import annotations

from datetime import datetime

from mailbot import cases, commands, foi_pause, pause_reason
from mailbot.intake import Intake
from mailbot.member_thanks import member_asks_news_only
from mailbot.model import CaseStatus, Kind
from mailbot.store.tables import CaseRow
from mailbot.written_for import pause_waits_for


def paused_for_someone_else(it: Intake, case: CaseRow) -> pause_reason.WaitsFor | None:
    """Whom the officer's PAUSE holding an enquiry or complaint waits for, when its reason
    does not say the member ("other" or "unclear", pause_reason): the member's mail then
    leaves it paused. None otherwise (not paused, an out-of-office's pause, which their
    mail never ends, or an FOI request's, read by foi_pause)."""
    if case.status != CaseStatus.PAUSED or case.kind == Kind.FOI.value:
        return None
    pause = foi_pause.last_pause(it.session, case)
    if pause is None or pause.why.startswith(cases.OOO_PAUSE):
        return None
    waits = pause_waits_for(it.app, it.session, case, pause.why)
    return None if waits == "member" else waits


def asks_news_only(it: Intake, case: CaseRow) -> bool:
    """The member's mail only asks for news, with nothing attached, while the case is
    paused for what they give (photos, an FOI request's clarification): it does not end
    the pause (nor is the member sent a new date, or thanked for clarifying). Not for an
    out-of-office's pause or a fees notice's, which their mail never ends."""
    if case.status != CaseStatus.PAUSED or it.message.attachment_types:
        return False
    pause = foi_pause.last_pause(it.session, case)
    if (pause is None or pause.why.startswith(cases.OOO_PAUSE)
            or foi_pause.waiting_for_fee(it.session, case)):
        return False
    member = it.app.directory.member(case.member_email)
    council = it.app.settings.council.name
    return member_asks_news_only(it.message.text, it.message.subject, member, council)


def tell_member_clarified(it: Intake, case: CaseRow, at: datetime) -> bool:
    """The member's reply was the clarification an FOI request waited for: a fresh 20
    working days run from it (FOIA s.1(3)), and they are told the new date in reply."""
    if case.kind != Kind.FOI.value:
        return False
    queued = commands.tell_member_clarification_received(
        it.app, it.session, case, at.astimezone(cases.LONDON).date(), it.now,
        in_reply_to=it.message,
    )
    it.queued.extend(queued)
    return bool(queued)


def tell_member_new_date(it: Intake, case: CaseRow, at: datetime) -> bool:
    """The member's reply ended an officer's PAUSE with a resume (an enquiry's or
    complaint's, or an FOI request's the Act does not know): the paused working days do
    not count, so the date they were given may now be later. If it is, or they were told
    it would follow, they are told the new date in reply
    (commands.tell_member_reply_moved_the_date)."""
    queued = commands.tell_member_reply_moved_the_date(
        it.app, it.session, case, at.astimezone(cases.LONDON).date(), it.now,
        in_reply_to=it.message,
    )
    it.queued.extend(queued)
    return bool(queued)
