"""RESUME: starting a paused response clock again.

As of today or of the day it names ("RESUME 23/11/2026 fee received": the day the wait
ended, never after today nor before the pause). An FOI request's clarification starts a
fresh 20 working days, a fee's days in between do not count (foi_pause.py). The member is
told of a new date where the letters say (commands/letters.py), or sent the late notice
when a RESUME dated back gives a date already passed. RESUME "holding reply" on an
answered case is commands/resume_answered.py.
"""

from __future__ import annotations

from datetime import datetime

from mailbot import cases, foi_pause, ledger, pause_letters
from mailbot.access_request_notice import law_date_beside_pause
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    member_was_acknowledged,
    tell_member_clarification_received,
    tell_member_fee_received,
    tell_member_pause_ended,
)
from mailbot.commands.new_date_lines import UNLESS_ANSWERED_FIRST, new_date_letter_to_go
from mailbot.commands.outcome import Context, Result, refuse
from mailbot.commands.parse import Command
from mailbot.commands.pause import move_clock
from mailbot.commands.resume_answered import late_after_all, member_sent_late_notice, not_the_answer
from mailbot.languages import Bilingual, long_date_cy
from mailbot.model import CaseStatus, Kind
from mailbot.render import long_date


def apply_resume(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if case.status == CaseStatus.RESPONDED and command.reason and command.new_date is None:
        return not_the_answer(ctx, command)
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
        move_clock(ctx, "restart", command.reason or CLARIFICATION_RECEIVED, CaseStatus.OPEN,
                    at=resumed_at)
    else:
        move_clock(ctx, "resume", command.reason or "resumed by command", CaseStatus.OPEN,
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
        late = late_after_all(ctx)
        if late:
            lines.append(member_sent_late_notice(ctx))
            return Result(True, lines, late)
    if case.response_due is not None and member_was_acknowledged(ctx.session, case):
        told = pause_letters.told_it_had_passed(ctx.app, ctx.session, case)
        lines.append(pause_letters.TOLD_IT_HAD_PASSED if told
                     else _member_not_told_of_new_date())
    return Result(True, lines)


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


def _member_not_told_of_new_date() -> Bilingual:
    """After a RESUME the officer's date is later than the one the member was given, and
    mailbot told the member of neither the pause nor the new date (the PAUSE's
    confirmation said so: commands/pause.py): without this the confirmation reads as if
    everyone now had the same date."""
    return Bilingual(
        "The member has not been told of the pause or of this date, and still expects the "
        "date they were given. Unless you have told them, tell them when they will have a "
        "response.",
        "Nid yw'r aelod wedi cael gwybod am yr oedi nac am y dyddiad hwn, ac mae'n dal i "
        "ddisgwyl y dyddiad a roddwyd iddynt. Oni bai eich bod wedi dweud wrthynt, dywedwch "
        "wrthynt pryd y cânt ymateb.",
    )


# The reason of an officer's RESUME that ends an FOI clarification pause (when they give none).
CLARIFICATION_RECEIVED = "the clarification was received"
