"""PAUSE and RESUME: stopping the response clock and starting it again.

An officer's PAUSE on an enquiry or complaint waits for the member (their reply ends it,
thread_mail.py) or for someone else (it does not), as its reason says (pause_reason.py);
on an FOI request it needs its statutory stop, a clarification or a fee (foi_pause.py).
RESUME starts the clock again, as of today or of the day it names ("RESUME 23/11/2026 fee
received": the day the wait ended), or with "holding reply" reopens a case whose holding
reply was taken for its answer. The member is told of a new date where the
letters say (commands/letters.py); a DONE or PAUSE in the same poll withdraws a letter
still waiting to go (new_date_letter_stopped, which DONE uses too).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from mailbot import cases, foi_pause, leavers, ledger, pause_letters, pause_reason
from mailbot.access_request_notice import law_date_beside_pause
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    member_was_acknowledged,
    new_date_letter_waiting,
    tell_member_clarification_received,
    tell_member_fee_received,
    tell_member_it_is_late,
    tell_member_pause_ended,
)
from mailbot.commands.outcome import Context, Result, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual, long_date_cy
from mailbot.model import CaseStatus, Kind
from mailbot.render import long_date
from mailbot.store.tables import CaseRow
from mailbot.written_for import pause_waits_for

if TYPE_CHECKING:
    from mailbot.app import App


def new_date_letter_stopped(ctx: Context, *, answered_now: bool) -> list[Bilingual]:
    """The line saying the member's new-date letter, queued in this same poll (the fee
    received, or their reply that ended a pause) and already announced to the officer,
    will not go after all: DONE or a new PAUSE withdraws it at send time (still_due)."""
    due = ctx.case.response_due
    if due is None or not new_date_letter_waiting(ctx.session, ctx.case):
        return []
    why, why_cy = (("now that the case is answered", "gan fod yr achos wedi'i ateb")
                   if answered_now else
                   ("now that the case is paused again", "gan fod yr achos wedi'i oedi eto"))
    return [Bilingual(
        f"The letter telling the member the new date, {long_date_or_paused(due)}, will not "
        f"be sent {why}.",
        f"Ni fydd y llythyr sy'n rhoi'r dyddiad newydd i'r aelod, "
        f"{long_date_or_paused_cy(due)}, yn cael ei anfon {why_cy}.",
    )]


def apply_pause(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if case.status == CaseStatus.PAUSED:
        return refuse(
            Bilingual(f"{case.ref} is already paused.", f"Mae {case.ref} wedi'i oedi yn barod.")
        )
    promised = case.response_due
    statutory = case.kind == Kind.FOI.value
    stop = foi_pause.foi_stop(command.reason)
    if statutory and stop is None:
        return refuse(_foi_pause_needs_its_stop(ctx.app, case))
    stopped = new_date_letter_stopped(ctx, answered_now=False)
    _move_clock(ctx, "pause", command.reason, CaseStatus.PAUSED)
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "paused", command.reason, case=case)
    lines = [
        Bilingual(
            f"The response clock of {case.ref} is paused ({command.reason}).",
            f"Mae cloc ymateb {case.ref} wedi'i oedi ({command.reason}).",
        ),
    ]
    lines.extend(stopped)
    # A subject access request (an enquiry, or an FOI request also asking for the
    # requester's own data): the law's date does not move with the pause.
    law_line = law_date_beside_pause(ctx.app, case, resumed=False)
    told = pause_letters.tell_member_paused(ctx.app, ctx.session, case, promised, ctx.now)
    if stop is not None and statutory:
        lines.append(_how_an_foi_pause_ends(ctx.app, stop, told=bool(told)))
        lines.extend([law_line] if law_line is not None else [])
        lines.extend([_member_told_of_pause(ctx)] if told else [])
        return Result(True, lines, told)
    lines.append(
        Bilingual(
            "Reply RESUME when it should run again; the days in between will not count.",
            "Atebwch RESUME pan ddylai redeg eto; ni fydd y diwrnodau yn y cyfamser yn "
            "cyfrif.",
        )
    )
    if law_line is not None:
        lines.append(law_line)
    waits = pause_waits_for(ctx.app, ctx.session, case, command.reason)
    if told:
        lines.append(_member_told_of_pause(ctx))
    if promised is not None and member_was_acknowledged(ctx.session, case):
        lines.extend([] if told else [_member_not_told_of_pause(promised)])
        if waits == "member" and ctx.given_at.astimezone(cases.LONDON).date() <= promised:
            lines.append(_member_reply_ends_pause())
    if waits != "member":
        lines.append(_member_reply_leaves_pause(waits))
    return Result(True, lines, told)


def _foi_pause_needs_its_stop(app: App, case: CaseRow) -> Bilingual:
    """An FOI request's date is statutory: only the two stops the Act allows hold it."""
    law = foi_pause.act(app.policy)
    due, due_cy = long_date_or_paused(case.response_due), long_date_or_paused_cy(
        case.response_due
    )
    return Bilingual(
        f"The statutory clock of an FOI request stops only while the council waits for the "
        f"member's clarification ({law} s.1(3)) or for a fee ({law} s.9 fees notice). Say "
        'which: PAUSE "clarification: which roads" or PAUSE "fees notice sent". Nothing '
        f"changed: {case.ref} is still due {due}.",
        f"Dim ond tra bo'r cyngor yn aros am eglurhad gan yr aelod ({law} a.1(3)) neu am ffi "
        f"(hysbysiad ffioedd {law} a.9) y mae cloc statudol cais rhyddid gwybodaeth yn "
        'stopio. Dywedwch pa un: PAUSE "eglurhad: pa ffyrdd" neu PAUSE "hysbysiad ffioedd '
        f'wedi\'i anfon". Ni newidiwyd dim: mae {case.ref} i\'w ateb erbyn {due_cy} o hyd.',
    )


def _how_an_foi_pause_ends(app: App, stop: foi_pause.FoiStop, *, told: bool) -> Bilingual:
    """What ends the Act's stop, and what the date then is. The officer's own request or
    notice to the member is what stops the clock: mailbot's letter, when `told`
    (pause_letters), says only that the clock is paused until it comes."""
    law = foi_pause.act(app.policy)
    if stop == "clarification":
        en, cy = ((" Its letter to them does not say what to clarify: ask them yourself if "
                   "you have not.",
                   " Nid yw ei lythyr atynt yn dweud beth i'w egluro: gofynnwch iddynt eich "
                   "hun os nad ydych wedi gwneud.") if told else
                  (" It has not written to them now: ask them yourself if you have not.",
                   " Nid yw wedi ysgrifennu atynt nawr: gofynnwch iddynt eich hun os nad "
                   "ydych wedi gwneud."))
        return Bilingual(
            "When the member's clarification arrives, a fresh 20 working days start from "
            f"that day ({law} s.1(3)): their reply in this case's thread does it; if it "
            "comes another way, reply RESUME on the day it arrives. mailbot then sends the "
            f"member the new date.{en}",
            "Pan ddaw eglurhad yr aelod, bydd 20 diwrnod gwaith newydd yn dechrau o'r diwrnod "
            f"hwnnw ({law} a.1(3)): mae eu hateb yn edefyn yr achos hwn yn gwneud hynny; os "
            "daw mewn ffordd arall, atebwch RESUME ar y diwrnod y daw. Bydd mailbot wedyn yn "
            f"anfon y dyddiad newydd at yr aelod.{cy}",
        )
    en, cy = ((" Its letter to the member does not give the fee: send them the fees notice "
               "yourself if you have not.",
               " Nid yw ei lythyr at yr aelod yn rhoi'r ffi: anfonwch yr hysbysiad ffioedd "
               "atynt eich hun os nad ydych wedi gwneud.") if told else
              (" mailbot has not written to the member now: send them the fees notice "
               "yourself if you have not.",
               " Nid yw mailbot wedi ysgrifennu at yr aelod nawr: anfonwch yr hysbysiad "
               "ffioedd atynt eich hun os nad ydych wedi gwneud."))
    return Bilingual(
        "Reply RESUME on the day the fee is received: the working days from today to that "
        f"day will not count ({law} s.10(2)), and mailbot then sends the member the new "
        f"date. The member writing again does not end this pause.{en}",
        "Atebwch RESUME ar y diwrnod y daw'r ffi i law: ni fydd y diwrnodau gwaith o heddiw "
        f"hyd at y diwrnod hwnnw yn cyfrif ({law} a.10(2)), a bydd mailbot wedyn yn anfon "
        "y dyddiad newydd at yr aelod. Nid yw neges arall gan yr aelod yn dod â'r oedi hwn "
        f"i ben.{cy}",
    )


def _member_told_of_pause(ctx: Context) -> Bilingual:
    """The line for the letter pause_letters queued: the pause waits for the member's
    side, and they are told so (never the reason as written here)."""
    member = ctx.app.directory.display(ctx.case.member_email)
    return Bilingual(
        f"{member} has been sent a letter saying the clock is paused until what it waits "
        "for comes from them, and that you will tell them exactly what is needed (it does "
        "not quote your reason).",
        f"Mae {member} wedi cael llythyr yn dweud bod y cloc wedi'i oedi nes daw'r hyn y "
        "mae'n aros amdano ganddynt, ac y byddwch yn dweud wrthynt beth yn union sydd ei "
        "angen (nid yw'n dyfynnu eich rheswm).",
    )


def _member_not_told_of_pause(promised: date) -> Bilingual:
    """The member still expects `promised`, and mailbot does not write to them about a
    pause (its reason is written for officers). A protocol may owe them an explanation
    (Wiltshire 6.5.8: reason, action and when; Cardiff, Colchester 16(6): keep the Member
    informed): the officer is the one who can give it."""
    en, cy = long_date_or_paused(promised), long_date_or_paused_cy(promised)
    return Bilingual(
        f"The member was told to expect a response by {en} and has not been told of this "
        "pause. Unless you are waiting for their answer, tell them why and when they will "
        "have a response.",
        f"Dywedwyd wrth yr aelod am ddisgwyl ymateb erbyn {cy} ac nid yw wedi cael gwybod "
        "am yr oedi hwn. Oni bai eich bod yn aros am eu hateb, dywedwch wrthynt pam a phryd "
        "y cânt ymateb.",
    )


def _member_reply_ends_pause() -> Bilingual:
    """The member's reply in the thread ends the pause (cases.resume_on_member_reply), and
    the paused days push their date on: mailbot then sends them the new date
    (thread_pause.tell_member_new_date). Not said of a pause after the date had passed,
    which moves nothing."""
    return Bilingual(
        "If they reply in this case's thread, the clock runs again and mailbot sends them "
        "the new date.",
        "Os byddant yn ateb yn edefyn yr achos hwn, bydd y cloc yn rhedeg eto a bydd "
        "mailbot yn anfon y dyddiad newydd atynt.",
    )


def _member_reply_leaves_pause(waits: pause_reason.WaitsFor) -> Bilingual:
    """A pause whose reason does not say it waits for the member is not ended by their
    reply (thread_pause.py): the officer is sent it, and ends the pause with RESUME."""
    if waits == "other":
        return Bilingual(
            "This pause waits for someone other than the member: their reply in this "
            "case's thread will not end it.",
            "Mae'r oedi hwn yn aros am rywun heblaw'r aelod: ni fydd eu hateb yn edefyn yr "
            "achos hwn yn dod ag ef i ben.",
        )
    return Bilingual(
        "mailbot cannot tell from the reason whether this pause waits for the member: if "
        "they reply in this case's thread, the clock stays paused and you are sent their "
        'mail. A reason such as "waiting for the member: photos" lets their reply end it.',
        "Ni all mailbot ddweud o'r rheswm a yw'r oedi hwn yn aros am yr aelod: os byddant "
        "yn ateb yn edefyn yr achos hwn, bydd y cloc yn dal wedi'i oedi a byddwch yn cael "
        'eu neges. Mae rheswm fel "waiting for the member: photos" yn gadael i\'w hateb '
        "ddod ag ef i ben.",
    )


def _resumed_detail(command: Command) -> str:
    """The timeline's words for a RESUME: its reason, after the day it names if any."""
    if command.new_date is None:
        return command.reason
    day = f"as of {command.new_date.isoformat()}"
    return f"{day}: {command.reason}" if command.reason else day


def _resumed_at(ctx: Context, command: Command) -> datetime | Bilingual:
    """When the clock runs again: now, or on the day the officer's RESUME names (the day
    the fee or the answer came: FOIA s.10(2) counts the days from it), at the time of day
    the command was given, never before the pause. A day after today, or before the
    pause began, is refused, naming it."""
    given = ctx.given_at.astimezone(cases.LONDON)
    today, day = given.date(), command.new_date
    if day is None or day == today:
        return ctx.given_at
    pause = foi_pause.last_pause(ctx.session, ctx.case)
    paused_on = pause.at.astimezone(cases.LONDON).date() if pause is not None else today
    typed = f"{day:%d/%m/%Y}"
    if day > today:
        return Bilingual(
            f"RESUME {typed}: that day has not come yet. Give the day the clock should have "
            f"run again from, up to today, {long_date(today)}.",
            f"RESUME {typed}: nid yw'r diwrnod hwnnw wedi dod eto. Rhowch y diwrnod y dylai'r "
            f"cloc fod wedi rhedeg eto ohono, hyd at heddiw, {long_date_cy(today)}.",
        )
    if day < paused_on:
        return Bilingual(
            f"RESUME {typed}: the clock of {ctx.case.ref} was paused on "
            f"{long_date(paused_on)}, so the date must be from then to today, "
            f"{long_date(today)}.",
            f"RESUME {typed}: cafodd cloc {ctx.case.ref} ei oedi ar "
            f"{long_date_cy(paused_on, True)}, felly rhaid i'r dyddiad fod rhwng hynny a "
            f"heddiw, {long_date_cy(today)}.",
        )
    at = datetime.combine(day, given.time(), tzinfo=cases.LONDON)
    return max(at, pause.at) if pause is not None else at


def apply_resume(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if case.status == CaseStatus.RESPONDED and command.reason and command.new_date is None:
        return _not_the_answer(ctx, command)
    if case.status == CaseStatus.RESPONDED:  # a bare RESUME: most likely a PAUSE's, late
        return refuse(
            Bilingual(
                f"{case.ref} is not paused: it was answered. If what was taken for its answer "
                'was not (a holding reply), reply RESUME "holding reply": the clock then runs '
                "on to its date.",
                f"Nid yw {case.ref} wedi'i oedi: fe'i hatebwyd. Os nad ateb oedd yr hyn a "
                'gymerwyd yn ateb (ateb dros dro), atebwch RESUME "holding reply": bydd y cloc '
                "yn rhedeg wedyn tan ei ddyddiad.",
            )
        )
    if case.status != CaseStatus.PAUSED:
        return refuse(Bilingual(f"{case.ref} is not paused.", f"Nid yw {case.ref} wedi'i oedi."))
    resumed_at = _resumed_at(ctx, command)
    if not isinstance(resumed_at, datetime):
        return refuse(resumed_at)
    stop = foi_pause.held_by_the_act(ctx.session, case)
    if stop == "clarification":  # FOIA s.1(3): a fresh 20 working days from its day
        _move_clock(ctx, "restart", command.reason or CLARIFICATION_RECEIVED, CaseStatus.OPEN,
                    at=resumed_at)
    else:
        _move_clock(ctx, "resume", command.reason or "resumed by command", CaseStatus.OPEN,
                    at=resumed_at)
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "resumed",
                        _resumed_detail(command), case=case)
    due, due_cy = long_date_or_paused(case.response_due), long_date_or_paused_cy(case.response_due)
    lines = [
        Bilingual(
            f"The response clock of {case.ref} is running again: due {due}.",
            f"Mae cloc ymateb {case.ref} yn rhedeg eto: ateb erbyn {due_cy}.",
        )
    ]
    day = resumed_at.astimezone(cases.LONDON).date()
    today = ctx.given_at.astimezone(cases.LONDON).date()
    if stop == "clarification":
        law = foi_pause.act(ctx.app.policy)
        since, since_cy = (("today", "heddiw") if day == today else
                           (long_date(day), long_date_cy(day, True)))
        lines.append(
            Bilingual(
                "The clarification has come, so a fresh 20 working days count from "
                f"{since} ({law} s.1(3)).",
                "Mae'r eglurhad wedi dod, felly mae 20 diwrnod gwaith newydd yn cyfrif o "
                f"{since_cy} ({law} a.1(3)).",
            )
        )
    elif stop == "fees":
        law = foi_pause.act(ctx.app.policy)
        until, until_cy = (("today", "heddiw") if day == today else
                           (long_date(day), f"at {long_date_cy(day, True)}"))
        lines.append(
            Bilingual(
                f"The working days from the fees notice to {until} do not count "
                f"({law} s.10(2)).",
                f"Nid yw'r diwrnodau gwaith o'r hysbysiad ffioedd hyd {until_cy} yn cyfrif "
                f"({law} a.10(2)).",
            )
        )
    law_line = law_date_beside_pause(ctx.app, case, resumed=True)  # a subject access request
    if law_line is not None:
        lines.append(law_line)
    overdue = _date_passed(ctx)  # a dated RESUME can give a date already passed
    if overdue is not None:
        lines.append(overdue)
    queued: list[str] = []
    if stop == "clarification":  # the member is told it came, and the new date
        queued = tell_member_clarification_received(ctx.app, ctx.session, case, day, ctx.now)
    if queued:
        lines.append(new_date_letter_to_go())
        return Result(True, lines, queued)
    if stop == "fees":  # the member is told the fee came, and the new date
        queued = tell_member_fee_received(ctx.app, ctx.session, case, day, ctx.now)
    if queued:
        member = ctx.app.directory.display(case.member_email)
        lines.append(
            Bilingual(f"{member} will be sent a letter saying the fee was received, with "
                      f"the new date, {UNLESS_ANSWERED_FIRST}",
                      f"Bydd {member} yn cael llythyr yn dweud bod y ffi wedi dod i law, "
                      f"gyda'r dyddiad newydd, {UNLESS_ANSWERED_FIRST.cy}")
        )
        return Result(True, lines, queued)
    if stop is None:  # the member was told the date would follow (the relabel's ack)
        queued = tell_member_pause_ended(ctx.app, ctx.session, case, day, ctx.now)
    if queued:
        lines.append(new_date_letter_to_go(case.response_due))
        return Result(True, lines, queued)
    if stop is not None and case.response_due is not None:
        lines.append(
            Bilingual(
                "mailbot has not written to the member about this date: tell them when they "
                "will have a response, unless you have.",
                "Nid yw mailbot wedi ysgrifennu at yr aelod am y dyddiad hwn: dywedwch "
                "wrthynt pryd y cânt ymateb, oni bai eich bod wedi gwneud.",
            )
        )
        return Result(True, lines)
    if overdue is not None and stop is None:
        late = _late_after_all(ctx)
        if late:
            lines.append(_member_sent_late_notice(ctx))
            return Result(True, lines, late)
    if case.response_due is not None and member_was_acknowledged(ctx.session, case):
        told = pause_letters.told_it_had_passed(ctx.app, ctx.session, case)
        lines.append(pause_letters.TOLD_IT_HAD_PASSED if told
                     else _member_not_told_of_new_date())
    return Result(True, lines)


def _date_passed(ctx: Context) -> Bilingual | None:
    """A RESUME dated back to the day the wait ended can give a date that has already
    passed: the officer is told so, not only "running again: due" that day, since the
    sweep treats it as overdue at once (its late notice, reminders and escalation)."""
    due, today = ctx.case.response_due, ctx.now.astimezone(cases.LONDON).date()
    if due is None or due >= today:
        return None
    days = ctx.app.policy.response_calendar(Kind(ctx.case.kind)).working_days_between(
        due, today)
    if days == 0:  # passed on a weekend or holiday: overdue from the next working day
        return None
    plural = "day" if days == 1 else "days"
    return Bilingual(
        f"Its date, {long_date(due)}, has passed: the case is {days} working {plural} "
        "overdue.",
        f"Mae ei ddyddiad, {long_date_cy(due)}, wedi mynd heibio: mae'r achos {days} "
        "diwrnod gwaith yn hwyr.",
    )


def _member_sent_late_notice(ctx: Context) -> Bilingual:
    """The line for the late notice queued by _late_after_all, as _not_the_answer says it."""
    member = ctx.app.directory.display(ctx.case.member_email)
    return Bilingual(
        f"{member} has been sent the letter saying the response is late, who is dealing "
        "with it, and that you will tell them the reason and when they will have it.",
        f"Mae {member} wedi cael y llythyr sy'n dweud bod yr ymateb yn hwyr, pwy sy'n "
        "delio ag ef, ac y byddwch yn dweud wrthynt y rheswm a phryd y cânt ef.",
    )


# The new-date letter is withdrawn at send time if the case is answered or paused again
# first (new_date_letter_stopped): an officer's mail written before that says so.
UNLESS_ANSWERED_FIRST = Bilingual(
    "unless the case is answered or paused again before it goes.",
    "oni bai bod yr achos yn cael ei ateb neu ei oedi eto cyn iddo fynd.",
)


def new_date_letter_to_go(due: date | None = None) -> Bilingual:
    """The line telling the officer the member is to be sent the new date (`due`, if
    named), true when written: the letter may yet be withdrawn."""
    en = f", {long_date(due)}," if due else ""
    cy = f", {long_date_cy(due)}," if due else ""
    return Bilingual(
        f"The member will be sent the new date{en} {UNLESS_ANSWERED_FIRST}",
        f"Bydd yr aelod yn cael y dyddiad newydd{cy} {UNLESS_ANSWERED_FIRST.cy}",
    )


def _member_not_told_of_new_date() -> Bilingual:
    """After a RESUME the officer's date is later than the one the member was given, and
    mailbot told the member of neither the pause nor the new date (_member_not_told_of_pause):
    without this the confirmation reads as if everyone now had the same date."""
    return Bilingual(
        "The member has not been told of the pause or of this date, and still expects the "
        "date they were given. Unless you have told them, tell them when they will have a "
        "response.",
        "Nid yw'r aelod wedi cael gwybod am yr oedi nac am y dyddiad hwn, ac mae'n dal i "
        "ddisgwyl y dyddiad a roddwyd iddynt. Oni bai eich bod wedi dweud wrthynt, dywedwch "
        "wrthynt pryd y cânt ymateb.",
    )


def _not_the_answer(ctx: Context, command: Command) -> Result:
    """RESUME "reason" on an answered case: the mail taken for the answer was not it (a
    holding reply: "we are looking into this and will reply fully by..."), or DONE was
    given too soon. A bare RESUME is refused: it is most likely a PAUSE's, sent after the
    answer. The clock runs on to the date it had; the next reply to the member, or DONE, is
    the answer. The member is not written to (they have the officer's own mail), unless
    its date has passed: then they get the late notice they would have had
    (_late_after_all)."""
    case = ctx.case
    answered = case.responded_at
    _move_clock(ctx, "resume", command.reason, CaseStatus.OPEN)
    case.responded_at = None
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "resumed", command.reason, case=case)
    when = long_date_or_paused(answered.astimezone(cases.LONDON).date()) if answered else ""
    when_cy = (long_date_or_paused_cy(answered.astimezone(cases.LONDON).date())
               if answered else "")
    due, due_cy = long_date_or_paused(case.response_due), long_date_or_paused_cy(case.response_due)
    lines = [
        Bilingual(
            f"{case.ref} is open again: what was taken for its answer on {when} was not "
            f"it. The response clock runs on: due {due}.",
            f"Mae {case.ref} ar agor eto: nid ateb oedd yr hyn a gymerwyd yn ateb ar "
            f"{when_cy}. Mae'r cloc ymateb yn rhedeg: ateb erbyn {due_cy}.",
        ),
    ]
    queued = _late_after_all(ctx)
    if not queued:
        lines.append(Bilingual(
            "Your next reply to the member, copying in the shared mailbox, or DONE, is "
            "taken as the answer. The member has not been written to.",
            "Eich ateb nesaf i'r aelod, gan gopïo'r blwch post a rennir, neu DONE, a "
            "gymerir yn ateb. Nid ysgrifennwyd at yr aelod.",
        ))
        return Result(True, lines)
    member = ctx.app.directory.display(case.member_email)
    lines += [
        Bilingual(
            "Your next reply to the member, copying in the shared mailbox, or DONE, is "
            "taken as the answer.",
            "Eich ateb nesaf i'r aelod, gan gopïo'r blwch post a rennir, neu DONE, a "
            "gymerir yn ateb.",
        ),
        Bilingual(
            f"Its date, {due}, has passed, so {member} has been sent the letter saying the "
            "response is late, who is dealing with it, and that you will tell them the "
            "reason and when they will have it.",
            f"Mae ei ddyddiad, {due_cy}, wedi mynd heibio, felly mae {member} wedi cael y "
            "llythyr sy'n dweud bod yr ymateb yn hwyr, pwy sy'n delio ag ef, ac y byddwch "
            "yn dweud wrthynt y rheswm a phryd y cânt ef.",
        ),
    ]
    return Result(True, lines, queued)


def _late_after_all(ctx: Context) -> list[str]:
    """A case reopened after the date the member was given: they are sent the late notice
    the sweep would have sent the working day after it, had the holding reply not been
    taken for the answer (the sweep counts a RESUME as a new date and sends none). Once
    per date, as the sweep's (its outbox key): nothing if they had it before the holding
    reply. The sweep's conditions: a kind the pack tells members about, an officer who
    has not left, a member in members.csv who was acknowledged."""
    app, case = ctx.app, ctx.case
    due, today = case.response_due, ctx.now.astimezone(cases.LONDON).date()
    if (due is None or due >= today or not case.officer_email
            or Kind(case.kind) not in app.policy.reminders.tell_member_when_late
            or leavers.is_leaver(app, case.officer_email)):
        return []
    return tell_member_it_is_late(app, ctx.session, case, due, ctx.now)


# The reason of an officer's RESUME that ends an FOI clarification pause (when they give none).
CLARIFICATION_RECEIVED = "the clarification was received"


def _move_clock(ctx: Context, event: str, why: str, status: CaseStatus,
                at: datetime | None = None) -> None:
    """Record a pause or resume on the clock (when the command was given, or `at`), and
    the new due date it gives."""
    cases.add_clock_event(
        ctx.session, ctx.case, event, who=ctx.sender, why=why, now=at or ctx.given_at
    )
    ctx.case.status = status
    ctx.case.updated_at = ctx.now
    cases.refresh_deadlines(ctx.app, ctx.session, ctx.case)
