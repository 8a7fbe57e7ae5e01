"""RESUME "reason" on an answered case: what was taken for its answer was not it.

A holding reply ("we are looking into this and will reply fully by...") or a DONE given
too soon: the case is open again and its clock runs on to the date it had. If that date
has passed, the member is sent the late notice the sweep would have sent
(late_after_all, which a RESUME dated back past the date uses too).
"""

from __future__ import annotations

from mailbot import cases, leavers, ledger
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    tell_member_it_is_late,
)
from mailbot.commands.outcome import Context, Result
from mailbot.commands.parse import Command
from mailbot.commands.pause import move_clock
from mailbot.languages import Bilingual
from mailbot.model import CaseStatus, Kind


def not_the_answer(ctx: Context, command: Command) -> Result:
    """RESUME "reason" on an answered case: the mail taken for the answer was not it (a
    holding reply: "we are looking into this and will reply fully by..."), or DONE was
    given too soon. A bare RESUME is refused: it is most likely a PAUSE's, sent after the
    answer. The clock runs on to the date it had; the next reply to the member, or DONE, is
    the answer. The member is not written to (they have the officer's own mail), unless
    its date has passed: then they get the late notice they would have had
    (late_after_all)."""
    case = ctx.case
    answered = case.responded_at
    move_clock(ctx, "resume", command.reason, CaseStatus.OPEN)
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
    queued = late_after_all(ctx)
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


def member_sent_late_notice(ctx: Context) -> Bilingual:
    """The line for the late notice queued by late_after_all, as not_the_answer says it."""
    member = ctx.app.directory.display(ctx.case.member_email)
    return Bilingual(
        f"{member} has been sent the letter saying the response is late, who is dealing "
        "with it, and that you will tell them the reason and when they will have it.",
        f"Mae {member} wedi cael y llythyr sy'n dweud bod yr ymateb yn hwyr, pwy sy'n "
        "delio ag ef, ac y byddwch yn dweud wrthynt y rheswm a phryd y cânt ef.",
    )


def late_after_all(ctx: Context) -> list[str]:
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
