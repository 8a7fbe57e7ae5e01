"""Passing an open case to another officer, one way for both who ask: an officer's REASSIGN
command (commands/handlers.py) and an administrator's `mailbot reassign` (leavers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import assignment, cases, foi_pause, ledger
from mailbot.addresses import address_key
from mailbot.assignment import Headline
from mailbot.commands.letters import tell_member_of_new_officer
from mailbot.languages import Bilingual, long_date_cy
from mailbot.model import CaseStatus, Kind
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.written_for import pause_waits_for

if TYPE_CHECKING:
    from mailbot.app import App


def can_take_cases(app: App, address: str) -> bool:
    """An officer in the directory, or one of the pack's team addresses (the FOI team, the
    monitoring officer, the complaints team, the data protection officer for subject
    access requests) that may have no row of its own."""
    routing = app.policy.routing
    teams = {routing.foi_team, routing.monitoring_officer, routing.subject_access or "",
             routing.about_the_head_of_a_line or ""}
    if routing.complaints != "service-director":
        teams.add(routing.complaints)
    return app.directory.officer(address) is not None or address_key(address) in {
        address_key(team) for team in teams if team
    }


class HandedOver(NamedTuple):
    """What a hand-over did: the outbox purpose queued for the new holder, if any, and
    what became of a paused clock (clock_after_the_move), for whoever moved the case."""

    queued: str | None
    clock: Bilingual | None


def hand_over(
    app: App,
    session: Session,
    case: CaseRow,
    to: str,
    *,
    by: str,
    reason: str,
    headline: Headline,
    why: Bilingual,
    dedup_key: str,
    now: datetime,
) -> HandedOver:
    """Give `case` to `to`: a paused clock runs again unless its pause outlasts the move
    (pause_outlasts_the_move), its dates are worked out again, the timeline says who
    moved it and why, and the new officer gets the assignment with the member's message,
    headed by `headline`. Returns the outbox purpose queued, if any, and the line saying
    what became of a paused clock."""
    previous = case.officer_email or "nobody"
    to = app.directory.as_listed(to)
    clock = clock_after_the_move(app, session, case, to)
    case.officer_email = to
    case.updated_at = now
    if case.status == CaseStatus.PAUSED and not pause_outlasts_the_move(app, session, case):
        cases.add_clock_event(session, case, "resume", who=by, why=f"reassigned to {to}", now=now)
        case.status = CaseStatus.OPEN
    cases.refresh_deadlines(app, session, case)
    headline = with_the_pause(app, session, case, headline)
    said = f": {reason}" if reason else ""
    ledger.record_event(
        session, now, by, "reassigned", f"to {to} from {previous} by {by}{said}", case=case
    )
    queued = assignment.queue_officer_mail(
        app,
        session,
        case,
        to=to,
        purpose="assignment",
        dedup_key=dedup_key[:200],
        headline=headline,
        why=why,
        message=cases.original_message(session, case),
        now=now,
    )
    # The member's contact has changed (Colchester 16(1): they are told promptly).
    tell_member_of_new_officer(app, session, case, previous, now, away=False,
                               dedup_key=member_letter_key(dedup_key))
    return HandedOver(queued, clock)


def clock_after_the_move(app: App, session: Session, case: CaseRow, to: str) -> Bilingual | None:
    """What handing `case` to `to` does to its clock, said to whoever moves it (REASSIGN's
    confirmation, `mailbot reassign`'s output), worked out before the move: it stays
    paused for the member's clarification or fee (an FOI request held by the Act), or for
    whom its reason says it waits, `to` being told why; otherwise a paused clock runs
    again (an FOI request's pause the Act does not know saying why). None for a clock
    that was not paused."""
    held = foi_pause.held_by_the_act(session, case)
    if held is not None:  # an FOI request waits for the member, whoever has it
        return _still_held_by_the_act(held)
    if pause_outlasts_the_move(app, session, case):  # it waits for someone still
        return _still_paused(app, session, case, app.directory.display(to))
    pause = foi_pause.last_pause(session, case)
    if (case.status == CaseStatus.PAUSED and case.kind == Kind.FOI.value
            and pause is not None and not pause.why.startswith(cases.OOO_PAUSE)):
        return _not_a_stop_of_the_act(app, pause.why)
    if case.status == CaseStatus.PAUSED:  # an absence's pause, or one not saying for whom
        return Bilingual("The response clock is running again.",
                         "Mae'r cloc ymateb yn rhedeg eto.")
    return None


def _not_a_stop_of_the_act(app: App, why: str) -> Bilingual:
    """The line for an FOI request whose pause the Act does not know (set while it was an
    enquiry, kept when it was relabelled): it ends with the move, whomever it waits for,
    since the statutory clock stops only for the Act's two stops, and a PAUSE giving its
    reason on the request would be refused (commands.pause)."""
    law = foi_pause.act(app.policy)
    return Bilingual(
        "The response clock is running again: an FOI request's statutory clock stops only "
        f"for the member's clarification ({law} s.1(3)) or a fee ({law} s.9), and this "
        f"pause ({why}), set before it became an FOI request, is neither.",
        "Mae'r cloc ymateb yn rhedeg eto: dim ond ar gyfer eglurhad yr aelod "
        f"({law} a.1(3)) neu ffi ({law} a.9) y mae cloc statudol cais rhyddid gwybodaeth "
        f"yn stopio, ac nid yw'r oedi hwn ({why}), a osodwyd cyn iddo ddod yn gais rhyddid "
        "gwybodaeth, yn un o'r rheini.",
    )


def _still_held_by_the_act(held: foi_pause.FoiStop) -> Bilingual:
    if held == "clarification":
        return Bilingual(
            "The response clock stays paused until the member's clarification arrives.",
            "Mae'r cloc ymateb yn dal wedi'i oedi nes daw eglurhad yr aelod.",
        )
    return Bilingual(
        "The response clock stays paused until the fee is received (RESUME that day).",
        "Mae'r cloc ymateb yn dal wedi'i oedi nes daw'r ffi i law (RESUME y diwrnod hwnnw).",
    )


def _still_paused(app: App, session: Session, case: CaseRow, name: str) -> Bilingual:
    """The line for an enquiry or complaint whose pause waits for the member or someone
    else (pause_outlasts_the_move): it stays paused, the new holder `name` is told why,
    and whether the member's reply ends it."""
    pause = foi_pause.last_pause(session, case)
    assert pause is not None
    why = pause.why
    member, member_cy = "", ""
    if pause_waits_for(app, session, case, why) == "member":
        member = "; the member's reply in this case's thread ends it too"
        member_cy = "; mae ateb yr aelod yn edefyn yr achos hwn yn dod ag ef i ben hefyd"
    return Bilingual(
        f"The response clock stays paused ({why}): the wait is not over because the case "
        f"changed hands. {name} has been told why, and that their RESUME runs it again"
        f"{member}.",
        f"Mae'r cloc ymateb yn dal wedi'i oedi ({why}): nid yw'r aros ar ben am fod yr achos "
        f"wedi newid dwylo. Mae {name} wedi cael gwybod pam, a bod eu RESUME yn ei redeg "
        f"eto{member_cy}.",
    )


def pause_outlasts_the_move(app: App, session: Session, case: CaseRow) -> bool:
    """Whether a paused case's clock stays paused when it changes hands: what the pause
    waits for has not come because someone else holds the case. An FOI request held by
    one of the Act's stops waits for the member's clarification or fee; an officer's PAUSE
    whose reason says whom it waits for (the member or someone else: pause_reason) waits
    for them still. Not an out-of-office's pause (the absence the move ends), nor one
    whose reason says neither ("on hold", "away": often the old holder's absence), nor an
    FOI request's pause the Act does not know: those clocks run again."""
    if case.status != CaseStatus.PAUSED:
        return False
    if case.kind == Kind.FOI.value:
        return foi_pause.held_by_the_act(session, case) is not None
    pause = foi_pause.last_pause(session, case)
    if pause is None or pause.why.startswith(cases.OOO_PAUSE):
        return False
    return pause_waits_for(app, session, case, pause.why) != "unclear"


def with_the_pause(app: App, session: Session, case: CaseRow, headline: Headline) -> Headline:
    """`headline` for the officer a case is handed to, with, when its clock stays paused,
    why and what ends the pause (still_paused): their mail otherwise said only that the
    clock is paused, which the officer who passed it on knew and they do not."""
    line = still_paused(app, session, case)
    if line is None:
        return headline
    return Headline(f"{headline.en} {line}", f"{headline.cy} {line.cy}")


def still_paused(app: App, session: Session, case: CaseRow) -> Bilingual | None:
    """What the new holder of a paused case needs to know of its pause: its reason and
    day, and what ends it: the member's clarification (a fresh 20 working days) or RESUME
    on the day the fee came, for the Act's stops (foi_pause); otherwise their RESUME (with
    the day the wait ended, if earlier), and whether the member's reply ends it too, as
    the PAUSE's own confirmation said (pause_reason). None if the clock is not paused."""
    pause = foi_pause.last_pause(session, case)
    if case.status != CaseStatus.PAUSED or pause is None:
        return None
    paused_on = pause.at.astimezone(cases.LONDON).date()
    why = f"{pause.why}, since {long_date(paused_on)}"
    why_cy = f"{pause.why}, ers {long_date_cy(paused_on)}"
    law = foi_pause.act(app.policy)
    stop = foi_pause.held_by_the_act(session, case)
    if stop == "clarification":
        return Bilingual(
            f"The response clock stays paused ({why}) until the member's clarification "
            "arrives: their reply in this case's thread starts a fresh 20 working days from "
            f"that day ({law} s.1(3)); if it comes another way, reply RESUME on the day it "
            "arrives.",
            f"Mae'r cloc ymateb yn dal wedi'i oedi ({why_cy}) nes daw eglurhad yr aelod: mae "
            "eu hateb yn edefyn yr achos hwn yn dechrau 20 diwrnod gwaith newydd o'r diwrnod "
            f"hwnnw ({law} a.1(3)); os daw mewn ffordd arall, atebwch RESUME ar y diwrnod y "
            "daw.",
        )
    if stop == "fees":
        return Bilingual(
            f"The response clock stays paused ({why}) until the fee is received: reply "
            "RESUME on the day it is; the working days from the fees notice to that day do "
            f"not count ({law} s.10(2)). The member writing again does not end this pause.",
            f"Mae'r cloc ymateb yn dal wedi'i oedi ({why_cy}) nes daw'r ffi i law: atebwch "
            "RESUME ar y diwrnod y daw; nid yw'r diwrnodau gwaith o'r hysbysiad ffioedd hyd "
            f"at y diwrnod hwnnw yn cyfrif ({law} a.10(2)). Nid yw neges arall gan yr aelod "
            "yn dod â'r oedi hwn i ben.",
        )
    typed = f"{paused_on:%d/%m/%Y}"
    resume = Bilingual(
        f"The response clock stays paused ({why}): reply RESUME when it should run again "
        f"(RESUME with a date, as RESUME {typed}, if the wait ended on an earlier day); the "
        "days in between do not count.",
        f"Mae'r cloc ymateb yn dal wedi'i oedi ({why_cy}): atebwch RESUME pan ddylai redeg "
        f"eto (RESUME gyda dyddiad, fel RESUME {typed}, os daeth yr aros i ben ar ddiwrnod "
        "cynharach); nid yw'r diwrnodau yn y cyfamser yn cyfrif.",
    )
    ends = _member_reply_and_the_pause(app, session, case, pause.why)
    if ends is None:
        return resume
    return Bilingual(f"{resume} {ends}", f"{resume.cy} {ends.cy}")


def _member_reply_and_the_pause(app: App, session: Session, case: CaseRow, why: str
                                ) -> Bilingual | None:
    """Whether the member's reply ends an officer's pause (thread_pause reads its reason as
    the PAUSE's confirmation did); nothing to say of an out-of-office's pause, which their
    reply never ends. An FOI request's pause the Act does not know (set while it was an
    enquiry, kept when it was relabelled) is ended by their reply whomever it waits for."""
    if why.startswith(cases.OOO_PAUSE):
        return None
    if case.kind == Kind.FOI.value:
        return Bilingual(
            "It is not one of the Act's stops (it was set before this became an FOI "
            "request), so the member's reply in this case's thread ends it too.",
            "Nid yw'n un o'r ddau stop yn y Ddeddf (fe'i gosodwyd cyn i hwn ddod yn gais "
            "rhyddid gwybodaeth), felly mae ateb yr aelod yn edefyn yr achos hwn yn dod ag ef "
            "i ben hefyd.",
        )
    waits = pause_waits_for(app, session, case, why)
    if waits == "member":
        return Bilingual(
            "It waits for the member: their reply in this case's thread ends it too.",
            "Mae'n aros am yr aelod: mae eu hateb yn edefyn yr achos hwn yn dod ag ef i ben "
            "hefyd.",
        )
    if waits == "other":
        return Bilingual(
            "It waits for someone other than the member: their reply in this case's thread "
            "will not end it.",
            "Mae'n aros am rywun heblaw'r aelod: ni fydd eu hateb yn edefyn yr achos hwn yn "
            "dod ag ef i ben.",
        )
    return Bilingual(
        "mailbot cannot tell from its reason whether it waits for the member, so their "
        "reply in this case's thread will not end it: you are sent their mail.",
        "Ni all mailbot ddweud o'i reswm a yw'n aros am yr aelod, felly ni fydd eu hateb yn "
        "edefyn yr achos hwn yn dod ag ef i ben: byddwch yn cael eu neges.",
    )


def member_letter_key(dedup_key: str) -> str:
    """The outbox key of the letter telling the member who has the case now, for the
    hand-over whose assignment has `dedup_key`."""
    return f"member:{dedup_key}"[:200]


def member_was_told(session: Session, dedup_key: str) -> bool:
    """Whether the hand-over whose assignment has `dedup_key` wrote to the member (only a
    member in members.csv who was acknowledged, on a case not yet answered, is)."""
    found = session.scalar(
        select(OutboxRow.id).where(OutboxRow.dedup_key == member_letter_key(dedup_key))
    )
    return found is not None
