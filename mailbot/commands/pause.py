"""PAUSE: stopping the response clock.

An officer's PAUSE on an enquiry or complaint waits for the member (their reply ends it,
thread_pause.py) or for someone else (it does not), as its reason says (pause_reason.py);
on an FOI request it needs its statutory stop, a clarification or a fee (foi_pause.py).
The confirmation says what ends it and whether the member was told of it
(pause_letters.py); a new-date letter still waiting to go is withdrawn
(commands/new_date_lines.py). RESUME, which starts the clock again, is
commands/resume.py; both move the clock with move_clock here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from mailbot import cases, foi_pause, ledger, pause_letters, pause_reason
from mailbot.access_request_notice import law_date_beside_pause
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    member_was_acknowledged,
)
from mailbot.commands.new_date_lines import new_date_letter_stopped
from mailbot.commands.outcome import Context, Result, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual
from mailbot.model import CaseStatus, Kind
from mailbot.store.tables import CaseRow
from mailbot.written_for import pause_waits_for

if TYPE_CHECKING:
    from mailbot.app import App


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
    move_clock(ctx, "pause", command.reason, CaseStatus.PAUSED)
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
        lines.extend([_member_told_of_pause(ctx, stop)] if told else [])
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


def _member_told_of_pause(ctx: Context, stop: foi_pause.FoiStop | None = None) -> Bilingual:
    """The line for the letter pause_letters queued: the pause waits for the member's
    side, and they are told so (never the reason as written here). An FOI request paused
    for its fee: the letter says the fees notice will come, as this line does."""
    member = ctx.app.directory.display(ctx.case.member_email)
    if stop == "fees":
        return Bilingual(
            f"{member} has been sent a letter saying the clock is paused until the fee is "
            "received, and that you will send them the fees notice if you have not (it "
            "does not quote your reason).",
            f"Mae {member} wedi cael llythyr yn dweud bod y cloc wedi'i oedi nes daw'r ffi "
            "i law, ac y byddwch yn anfon yr hysbysiad ffioedd atynt os nad ydych wedi "
            "gwneud (nid yw'n dyfynnu eich rheswm).",
        )
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


def move_clock(ctx: Context, event: str, why: str, status: CaseStatus,
                at: datetime | None = None) -> None:
    """Record a pause or resume on the clock (when the command was given, or `at`), and
    the new due date it gives."""
    cases.add_clock_event(
        ctx.session, ctx.case, event, who=ctx.sender, why=why, now=at or ctx.given_at
    )
    ctx.case.status = status
    ctx.case.updated_at = ctx.now
    cases.refresh_deadlines(ctx.app, ctx.session, ctx.case)
