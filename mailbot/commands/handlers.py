"""Applying a command that has been accepted: one handler a verb, chosen from a table.

Every handler takes the same Context and the Command, and returns a Result: whether it
changed the case, the lines for the officer's confirmation and the outbox purposes it
queued. A refusal (the case is paused, the date is not later...) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import answered, cases, foi_pause, handover, ledger
from mailbot.addresses import same_address
from mailbot.assignment import (
    CONFIDENTIALITY_ANSWERED,
    CONFIDENTIALITY_CONFIRMED,
    CONFIDENTIALITY_DECLINED,
    Headline,
)
from mailbot.clock import ClockEvent, eir_extension, public_interest_extension
from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    member_was_acknowledged,
    tell_member,
    tell_member_clarification_received,
)
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual, long_date_cy, with_cy
from mailbot.model import FINISHED, CaseStatus, Kind
from mailbot.policy import FOI_RESPONSE_DAYS
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App
    from mailbot.workdays import WorkingCalendar


@dataclass(frozen=True)
class Context:
    """What every handler works on: the case, who gave the command, the message row that
    carried it (its Message-ID keys the mail a command queues) and when it arrived."""

    app: App
    session: Session
    case: CaseRow
    sender: str
    row: MessageRow
    now: datetime
    # When the officer gave the command: its mail's believable Date (cases.clock_time), so a
    # Friday DONE read on Monday after downtime counts on Friday. Clock events use it.
    given_at: datetime


@dataclass(frozen=True)
class Result:
    ok: bool
    lines: list[Bilingual]  # what happened, for the confirmation (Welsh too, in Cardiff)
    queued: list[str] = field(default_factory=list)


def refuse(line: Bilingual) -> Result:
    """Nothing changed, and the officer is told why in one line."""
    return Result(False, [line])


Handler = Callable[[Context, Command], Result]


@dataclass(frozen=True)
class Action:
    apply: Handler
    # DONE, EXTEND, REASSIGN and PAUSE make no sense once the member has the answer;
    # RESUME and CONFIDENTIAL check the state they need themselves.
    needs_open_case: bool


def dispatch(ctx: Context, command: Command) -> Result:
    """Apply an accepted command through its table entry."""
    action = APPLY[command.verb]
    if action.needs_open_case and ctx.case.status in FINISHED:
        ref = ctx.case.ref
        answered = Bilingual(
            f"{ref} is already answered; nothing changed.",
            f"Mae {ref} wedi'i ateb yn barod; ni newidiwyd dim.",
        )
        if ctx.case.status != CaseStatus.RESPONDED:
            return refuse(answered)
        return refuse(
            Bilingual(
                f"{answered} If what was taken for its answer was not (a holding reply), "
                'reply RESUME "holding reply" first: the clock then runs on to its date.',
                f"{answered.cy} Os nad ateb oedd yr hyn a gymerwyd yn ateb (ateb dros dro), "
                'atebwch RESUME "holding reply" yn gyntaf: bydd y cloc yn rhedeg wedyn tan ei '
                "ddyddiad.",
            )
        )
    return action.apply(ctx, command)


def apply_done(ctx: Context, command: Command) -> Result:
    why = "marked answered with DONE" + (f": {command.reason}" if command.reason else "")
    answered.record_response(ctx.session, ctx.case, ctx.sender, ctx.given_at, why=why[:500])
    cases.refresh_deadlines(ctx.app, ctx.session, ctx.case)
    ref = ctx.case.ref
    return Result(
        True,
        [
            Bilingual(
                f"{ref} is marked as answered; no more reminders will be sent.",
                f"Mae {ref} wedi'i nodi fel wedi'i ateb; ni fydd rhagor o nodiadau atgoffa.",
            )
        ],
    )


def _not_a_working_day(calendar: WorkingCalendar, asked: date, given: date) -> list[Bilingual]:
    """Why EXTEND to a date the council is closed gave the next working day instead: the
    officer may already have promised the member the date they asked for."""
    if given == asked:
        return []
    off = calendar.days_off_between(asked, asked)
    en, cy = (off[0].name, off[0].name) if off else ("a weekend", "penwythnos")
    return [
        Bilingual(
            f"{long_date_or_paused(asked)} is not a working day here ({en}), so the new date "
            "is the next working day.",
            f"Nid yw {long_date_or_paused_cy(asked)} yn ddiwrnod gwaith yma ({cy}), felly'r "
            "dyddiad newydd yw'r diwrnod gwaith nesaf.",
        )
    ]


# An officer who sees no confirmation soon enough sends the same EXTEND again (or Outlook
# does, with a new Message-ID): the member must not get two notices and two dates.
REPEAT_WINDOW = timedelta(days=1)


def _same_extension_lately(ctx: Context, command: Command) -> date | None:
    """The day of an extension by the same person (from either form of their address)
    with the same reason in the last day, if this EXTEND repeats it."""
    earlier = ctx.session.scalars(
        select(ClockEventRow).where(
            ClockEventRow.case_id == ctx.case.id, ClockEventRow.action == "extend"
        )
    )
    for event in earlier:
        if not same_address(event.who, ctx.sender):
            continue
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        if event.why == command.reason and abs(ctx.given_at - at) <= REPEAT_WINDOW:
            return at.astimezone(cases.LONDON).date()
    return None


def apply_extend(ctx: Context, command: Command) -> Result:
    app, case = ctx.app, ctx.case
    if case.kind == Kind.FOI.value:
        if public_interest_extension(command.reason):
            return _extend_for_public_interest(ctx, command)
        return _extend_under_eir_reg_7(ctx, command)
    if not app.policy.clock.extension_by_agreement:
        return refuse(
            Bilingual(
                f"{app.settings.council.name}'s protocol does not allow extensions.",
                f"Nid yw protocol {app.settings.council.name} yn caniatáu estyniadau.",
            )
        )
    current = cases.deadlines_for(app, ctx.session, case).response_due
    if current is None:
        return refuse(
            Bilingual(
                f"{case.ref} is paused; RESUME it before extending.",
                f"Mae {case.ref} wedi'i oedi; defnyddiwch RESUME cyn ei estyn.",
            )
        )
    repeated = _same_extension_lately(ctx, command)
    if repeated is not None:
        return refuse(
            Bilingual(
                f"{case.ref} was already extended to {long_date_or_paused(current)} by the same "
                f"EXTEND on {long_date_or_paused(repeated)}; nothing changed and the member was "
                "not written to again. To extend it further, reply EXTEND with the new reason.",
                f"Estynnwyd {case.ref} eisoes i {long_date_or_paused_cy(current, mutate=True)} "
                f"gan yr un EXTEND ar {long_date_or_paused_cy(repeated, mutate=True)}; ni "
                "newidiwyd dim ac ni ysgrifennwyd at yr aelod eto. I'w estyn ymhellach, "
                "atebwch EXTEND gyda'r rheswm newydd.",
            )
        )
    calendar = app.policy.council_calendar()
    given_on = ctx.given_at.astimezone(cases.LONDON).date()
    moved: list[Bilingual] = []
    if command.days is not None:
        # On a case already overdue, N more days counted from the passed due date would
        # give the member a date already gone: they are counted from the command's day.
        new_due = calendar.add_working_days(max(current, given_on), command.days)
    else:
        assert command.new_date is not None
        new_due = calendar.next_working_day(command.new_date)
        if new_due < given_on:
            return refuse(
                Bilingual(
                    f"{long_date_or_paused(new_due)} has passed; give a date from today on.",
                    f"Mae {long_date_or_paused_cy(new_due)} wedi mynd heibio; rhowch ddyddiad "
                    "o heddiw ymlaen.",
                )
            )
        if new_due <= current:
            return refuse(
                Bilingual(
                    f"{long_date_or_paused(new_due)} is not later than the current date, "
                    f"{long_date_or_paused(current)}.",
                    f"Nid yw {long_date_cy(new_due)} yn hwyrach na'r dyddiad presennol, "
                    f"{long_date_cy(current)}.",
                )
            )
        moved = _not_a_working_day(calendar, command.new_date, new_due)
    cases.add_clock_event(
        ctx.session,
        case,
        "extend",
        who=ctx.sender,
        why=command.reason,
        now=ctx.given_at,
        new_due=new_due,
    )
    cases.refresh_deadlines(app, ctx.session, case)
    case.updated_at = ctx.now
    queued = tell_member(
        app,
        ctx.session,
        case,
        ctx.row,
        ctx.now,
        "extension_notice",
        {
            "reason": command.reason,
            "old_due": current,
            # Given after the date passed: the letter says it was missed, not that it will be.
            "old_due_passed": current < given_on,
            "new_due": case.response_due,
            "officer_name": app.directory.display(case.officer_email or ctx.sender),
        },
    )
    return Result(
        True,
        [
            Bilingual(
                f"The response date of {case.ref} is now "
                f"{long_date_or_paused(case.response_due)} (was {long_date_or_paused(current)}).",
                f"Dyddiad ymateb {case.ref} nawr yw {long_date_or_paused_cy(case.response_due)} "
                f"(yn lle {long_date_or_paused_cy(current)}).",
            ),
            *moved,
            _member_told(
                ctx,
                queued,
                Bilingual(
                    "The member has been sent your reason and the new date.",
                    "Mae'r aelod wedi cael eich rheswm a'r dyddiad newydd.",
                ),
            ),
        ],
        queued,
    )


def _member_told(ctx: Context, queued: list[str], told: Bilingual) -> Bilingual:
    """`told`, if the letter to the member was queued. Mail from someone not in members.csv
    gets no automatic mail (no backscatter to strangers): the officer must not be told
    the member has heard when they have not."""
    if queued:
        return told
    address = ctx.case.member_email
    return Bilingual(
        f"The member was NOT written to: {address} is not in the members directory, and "
        "mailbot writes only to known members. Tell them yourself.",
        f"NI ysgrifennwyd at yr aelod: nid yw {address} yn y cyfeiriadur aelodau, a dim ond "
        "at aelodau hysbys y mae mailbot yn ysgrifennu. Dywedwch wrthynt eich hun.",
    )


def apply_reassign(ctx: Context, command: Command) -> Result:
    app, case, sender, target = ctx.app, ctx.case, ctx.sender, command.address
    if not handover.can_take_cases(app, target):
        return refuse(
            Bilingual(
                f"{target} is not in the officers directory; nothing changed.",
                f"Nid yw {target} yn y cyfeiriadur swyddogion; ni newidiwyd dim.",
            )
        )
    if same_address(target, case.officer_email or ""):
        return refuse(
            Bilingual(
                f"{case.ref} is already with {target}.",
                f"Mae {case.ref} {with_cy(target, 'gyda')} yn barod.",
            )
        )
    previous = case.officer_email or "nobody"
    who = f"{app.directory.display(target)} ({target})"
    lines = [
        Bilingual(f"{case.ref} is now with {who}.", f"Mae {case.ref} {with_cy(who, 'gyda')} nawr.")
    ]
    held = foi_pause.held_by_the_act(ctx.session, case)
    if held is not None:  # an FOI request waits for the member, whoever has it
        lines.append(_still_held_by_the_act(held))
    elif case.status == CaseStatus.PAUSED:  # taking a case on restarts a paused clock
        lines.append(
            Bilingual("The response clock is running again.", "Mae'r cloc ymateb yn rhedeg eto.")
        )
    reason = f": {command.reason}" if command.reason else ""
    dedup_key = f"assignment:{case.id}:{ctx.row.message_id}"
    queued = handover.hand_over(
        app, ctx.session, case, target, by=sender, reason=command.reason,
        headline=Headline(
            f"{app.directory.display(sender)} has passed this case to you.",
            f"Mae {app.directory.display(sender)} wedi trosglwyddo'r achos hwn i chi.",
        ),
        why=_passed_on(app, previous, sender, reason),
        dedup_key=dedup_key,
        now=ctx.now,
    )  # fmt: skip
    lines.append(_member_told_of_move(app, handover.member_was_told(ctx.session, dedup_key),
                                      target))
    return Result(True, lines, [queued] if queued else [])


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


def _member_told_of_move(app: App, told: bool, target: str) -> Bilingual:
    """Whether the member was written to about who has their case now, so the officer
    neither writes a second time nor leaves them thinking it is still with them."""
    if not told:
        return Bilingual("The member has not been told of the change.",
                         "Nid yw'r aelod wedi cael gwybod am y newid.")
    name = app.directory.display(target)
    return Bilingual(f"The member has been told that {name} is now dealing with it.",
                     f"Mae'r aelod wedi cael gwybod mai {name} sy'n delio ag ef nawr.")


def _passed_on(app: App, previous: str, sender: str, reason: str) -> Bilingual:
    """The new officer's "Why you": who passed the case on, and from whom when that was
    someone else (a manager moving it), in names ("from sam@ by sam@" said it twice)."""
    by = app.directory.display(sender)
    if previous in (sender, "nobody"):  # "nobody": a case waiting in triage
        return Bilingual(f"passed to you by {by}{reason}", f"trosglwyddwyd i chi gan {by}{reason}")
    held = app.directory.display(previous)
    return Bilingual(
        f"passed to you from {held} by {by}{reason}",
        f"trosglwyddwyd i chi oddi wrth {held} gan {by}{reason}",
    )


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
    _move_clock(ctx, "pause", command.reason, CaseStatus.PAUSED)
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "paused", command.reason, case=case)
    lines = [
        Bilingual(
            f"The response clock of {case.ref} is paused ({command.reason}).",
            f"Mae cloc ymateb {case.ref} wedi'i oedi ({command.reason}).",
        ),
    ]
    if stop is not None and statutory:
        lines.append(_how_an_foi_pause_ends(ctx.app, stop))
        return Result(True, lines)
    lines.append(
        Bilingual(
            "Reply RESUME when it should run again; the days in between will not count.",
            "Atebwch RESUME pan ddylai redeg eto; ni fydd y diwrnodau yn y cyfamser yn "
            "cyfrif.",
        )
    )
    if promised is not None and member_was_acknowledged(ctx.session, case):
        lines.append(_member_not_told_of_pause(promised))
    return Result(True, lines)


def _extend_under_eir_reg_7(ctx: Context, command: Command) -> Result:
    """The one extension of an FOI request's statutory date: an EIR request that is complex
    and voluminous takes 40 working days in place of 20 (reg 7(1)), the member told within
    the 20 (reg 7(3)). The days or date given are not used: the law sets the 40."""
    app, case = ctx.app, ctx.case
    if not eir_extension(command.reason):
        return refuse(
            Bilingual(
                "The date of an FOI request is set by law (20 working days); no agreement "
                "moves it. The extensions mailbot records, each within the 20 days, are an "
                'EIR request\'s that is complex and voluminous (EIR reg 7: 40 working days), '
                'written EXTEND 20 "EIR reg 7: complex and voluminous", and the time to '
                "consider the public interest where a qualified exemption applies (FOIA "
                's.10(3); not under FOISA), written EXTEND 10 "public interest test: why".',
                "Mae dyddiad cais rhyddid gwybodaeth wedi'i osod gan y gyfraith (20 diwrnod "
                "gwaith); nid oes cytundeb yn ei symud. Yr estyniadau y mae mailbot yn eu "
                "cofnodi, pob un o fewn yr 20 diwrnod, yw un cais EIR cymhleth a swmpus "
                "(rheoliad 7 EIR: 40 diwrnod gwaith), wedi'i ysgrifennu EXTEND 20 \"EIR reg 7: "
                'complex and voluminous", a\'r amser i ystyried budd y cyhoedd pan fo '
                "eithriad amodol yn berthnasol (FOIA a.10(3); nid o dan FOISA), wedi'i "
                'ysgrifennu EXTEND 10 "public interest test: pam".',
            )
        )
    current = cases.deadlines_for(app, ctx.session, case).response
    if current.due is None:
        return refuse(
            Bilingual(
                f"{case.ref} is paused; RESUME it before extending.",
                f"Mae {case.ref} wedi'i oedi; defnyddiwch RESUME cyn ei estyn.",
            )
        )
    if any(e.action == "extend" and public_interest_extension(e.why)
           for e in cases.clock_events(ctx.session, case)):
        return refuse(
            Bilingual(
                f"{case.ref} has a public interest extension (FOIA s.10(3)) to "
                f"{long_date_or_paused(current.due)}: an FOIA request has no EIR reg 7 "
                "extension.",
                f"Mae gan {case.ref} estyniad budd y cyhoedd (FOIA a.10(3)) hyd at "
                f"{long_date_or_paused_cy(current.due)}: nid oes estyniad rheoliad 7 EIR i "
                "gais FOIA.",
            )
        )
    if current.working_days is not None and current.working_days > FOI_RESPONSE_DAYS:
        return refuse(
            Bilingual(
                f"{case.ref} has been extended under EIR reg 7 already: due "
                f"{long_date_or_paused(current.due)}.",
                f"Mae {case.ref} wedi'i estyn dan reoliad 7 EIR eisoes: i'w ateb erbyn "
                f"{long_date_or_paused_cy(current.due)}.",
            )
        )
    given_on = ctx.given_at.astimezone(cases.LONDON).date()
    if given_on > current.due:
        return refuse(
            Bilingual(
                f"EIR reg 7(3): an extension is given within the 20 working days, and "
                f"{case.ref}'s ended on {long_date_or_paused(current.due)}.",
                f"Rheoliad 7(3) EIR: rhoddir estyniad o fewn yr 20 diwrnod gwaith, a daeth "
                f"rhai {case.ref} i ben ar {long_date_or_paused_cy(current.due)}.",
            )
        )
    # The 40th working day, as the clock counts it (pauses and a restart included), kept
    # on the event as the date it gave.
    events = cases.clock_events(ctx.session, case)
    extension = ClockEvent("response", "extend", ctx.given_at, ctx.sender, command.reason,
                           days=FOI_RESPONSE_DAYS)
    fortieth = cases.deadlines_for(app, ctx.session, case, [*events, extension]).response_due
    cases.add_clock_event(ctx.session, case, "extend", who=ctx.sender, why=command.reason,
                          now=ctx.given_at, new_due=fortieth)
    cases.refresh_deadlines(app, ctx.session, case)
    case.updated_at = ctx.now
    queued = tell_member(
        app, ctx.session, case, ctx.row, ctx.now, "extension_notice",
        {
            "reason": command.reason,
            "old_due": current.due,
            "old_due_passed": False,
            "new_due": case.response_due,
            "officer_name": app.directory.display(case.officer_email or ctx.sender),
        },
    )  # fmt: skip
    return Result(
        True,
        [
            Bilingual(
                f"The response date of {case.ref} is now "
                f"{long_date_or_paused(case.response_due)} (was "
                f"{long_date_or_paused(current.due)}): 40 working days, EIR reg 7(1).",
                f"Dyddiad ymateb {case.ref} nawr yw {long_date_or_paused_cy(case.response_due)} "
                f"(yn lle {long_date_or_paused_cy(current.due)}): 40 diwrnod gwaith, "
                "rheoliad 7(1) EIR.",
            ),
            _member_told(
                ctx,
                queued,
                Bilingual(
                    "The member has been sent your reason and the new date (reg 7(3)).",
                    "Mae'r aelod wedi cael eich rheswm a'r dyddiad newydd (rheoliad 7(3)).",
                ),
            ),
        ],
        queued,
    )


# The ICO's guidance on FOIA s.10(3): a reasonable public interest extension is normally no
# more than 20 working days after the 20th.
PUBLIC_INTEREST_DAYS = 20


def _extend_for_public_interest(ctx: Context, command: Command) -> Result:
    """FOIA s.10(3): more time to consider the public interest where a qualified exemption
    applies, to the date the officer estimates (s.17(2): the member told within the 20
    working days, with the exemption). At most PUBLIC_INTEREST_DAYS working days after the
    20th; a later estimate within that may replace an earlier one. FOISA has none."""
    app, case = ctx.app, ctx.case
    if app.policy.foi_regime == "foisa":
        return refuse(
            Bilingual(
                "FOISA has no public interest extension: the 20 working days include the "
                f"public interest test. Nothing changed: {case.ref} is still due "
                f"{long_date_or_paused(case.response_due)}.",
                "Nid oes estyniad budd y cyhoedd o dan FOISA: mae'r 20 diwrnod gwaith yn "
                f"cynnwys prawf budd y cyhoedd. Ni newidiwyd dim: mae {case.ref} i'w ateb "
                f"erbyn {long_date_or_paused_cy(case.response_due)} o hyd.",
            )
        )
    events = cases.clock_events(ctx.session, case)
    current = cases.deadlines_for(app, ctx.session, case, events).response
    if current.due is None:
        return refuse(
            Bilingual(
                f"{case.ref} is paused; RESUME it before extending.",
                f"Mae {case.ref} wedi'i oedi; defnyddiwch RESUME cyn ei estyn.",
            )
        )
    if current.working_days is not None and current.working_days > FOI_RESPONSE_DAYS:
        return refuse(
            Bilingual(
                f"{case.ref} has been extended under EIR reg 7 (due "
                f"{long_date_or_paused(current.due)}): an EIR request has no public interest "
                "extension.",
                f"Mae {case.ref} wedi'i estyn dan reoliad 7 EIR (i'w ateb erbyn "
                f"{long_date_or_paused_cy(current.due)}): nid oes estyniad budd y cyhoedd i "
                "gais EIR.",
            )
        )
    repeated = _same_extension_lately(ctx, command)
    if repeated is not None:
        return refuse(
            Bilingual(
                f"{case.ref} was already extended to {long_date_or_paused(current.due)} by the "
                f"same EXTEND on {long_date_or_paused(repeated)}; nothing changed and the "
                "member was not written to again.",
                f"Estynnwyd {case.ref} eisoes i {long_date_or_paused_cy(current.due, mutate=True)} "
                f"gan yr un EXTEND ar {long_date_or_paused_cy(repeated, mutate=True)}; ni "
                "newidiwyd dim ac ni ysgrifennwyd at yr aelod eto.",
            )
        )
    given_on = ctx.given_at.astimezone(cases.LONDON).date()
    if given_on > current.due:
        return refuse(
            Bilingual(
                "FOIA s.10(3) and s.17(2): a public interest extension is given within the 20 "
                f"working days (or the date already given), and {case.ref}'s ended on "
                f"{long_date_or_paused(current.due)}.",
                "FOIA a.10(3) ac a.17(2): rhoddir estyniad budd y cyhoedd o fewn yr 20 diwrnod "
                f"gwaith (neu'r dyddiad a roddwyd eisoes), a daeth rhai {case.ref} i ben ar "
                f"{long_date_or_paused_cy(current.due)}.",
            )
        )
    # The 20th working day, as the clock counts it without any public interest extension
    # (pauses and a clarification's restart included), and the latest date from it.
    statutory = [e for e in events
                 if not (e.action == "extend" and public_interest_extension(e.why))]
    twentieth = cases.deadlines_for(app, ctx.session, case, statutory).response_due
    assert twentieth is not None  # not paused: current.due is a date
    calendar = app.policy.foi_calendar()
    latest = calendar.add_working_days(twentieth, PUBLIC_INTEREST_DAYS)
    if command.days is not None:
        new_due = calendar.add_working_days(current.due, command.days)
    else:
        assert command.new_date is not None
        new_due = calendar.next_working_day(command.new_date)
    if new_due <= current.due:
        return refuse(
            Bilingual(
                f"{long_date_or_paused(new_due)} is not later than the current date, "
                f"{long_date_or_paused(current.due)}.",
                f"Nid yw {long_date_cy(new_due)} yn hwyrach na'r dyddiad presennol, "
                f"{long_date_cy(current.due)}.",
            )
        )
    if new_due > latest:
        return refuse(
            Bilingual(
                f"{long_date_or_paused(new_due)} is more than 20 further working days after "
                f"the 20th ({long_date_or_paused(twentieth)}): the ICO's guidance is that a "
                "reasonable public interest extension is normally no more than 20 further "
                f"working days, to {long_date_or_paused(latest)} at the latest. Nothing "
                f"changed: {case.ref} is still due {long_date_or_paused(current.due)}.",
                f"Mae {long_date_cy(new_due)} yn fwy nag 20 diwrnod gwaith pellach ar ôl yr "
                f"20fed ({long_date_cy(twentieth)}): canllawiau'r ICO yw nad yw estyniad "
                "budd y cyhoedd rhesymol fel arfer yn fwy nag 20 diwrnod gwaith pellach, hyd "
                f"at {long_date_cy(latest)} fan bellaf. Ni newidiwyd dim: mae {case.ref} i'w "
                f"ateb erbyn {long_date_cy(current.due)} o hyd.",
            )
        )
    cases.add_clock_event(ctx.session, case, "extend", who=ctx.sender, why=command.reason,
                          now=ctx.given_at, new_due=new_due)
    cases.refresh_deadlines(app, ctx.session, case)
    case.updated_at = ctx.now
    queued = tell_member(
        app, ctx.session, case, ctx.row, ctx.now, "extension_notice",
        {
            "reason": command.reason,
            "old_due": current.due,
            "old_due_passed": False,
            "new_due": case.response_due,
            "officer_name": app.directory.display(case.officer_email or ctx.sender),
        },
    )  # fmt: skip
    return Result(
        True,
        [
            Bilingual(
                f"The response date of {case.ref} is now "
                f"{long_date_or_paused(case.response_due)} (was "
                f"{long_date_or_paused(current.due)}): a public interest extension, FOIA "
                "s.10(3).",
                f"Dyddiad ymateb {case.ref} nawr yw {long_date_or_paused_cy(case.response_due)} "
                f"(yn lle {long_date_or_paused_cy(current.due)}): estyniad budd y cyhoedd, "
                "FOIA a.10(3).",
            ),
            _member_told(
                ctx,
                queued,
                Bilingual(
                    "The member has been sent your reason and the new date.",
                    "Mae'r aelod wedi cael eich rheswm a'r dyddiad newydd.",
                ),
            ),
            Bilingual(
                "mailbot's letter is not the refusal notice: unless you have, send the member "
                "within the 20 working days the notice naming the exemption and this date as "
                "your estimate (FOIA s.17(1) and (2)).",
                "Nid llythyr mailbot yw'r hysbysiad gwrthod: oni bai eich bod wedi gwneud, "
                "anfonwch at yr aelod o fewn yr 20 diwrnod gwaith yr hysbysiad yn enwi'r "
                "eithriad a'r dyddiad hwn fel eich amcangyfrif (FOIA a.17(1) a (2)).",
            ),
        ],
        queued,
    )


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


def _how_an_foi_pause_ends(app: App, stop: foi_pause.FoiStop) -> Bilingual:
    """What ends the Act's stop, and what the date then is (mailbot has not written to
    the member: the officer's own request or notice to them is what stops the clock)."""
    law = foi_pause.act(app.policy)
    if stop == "clarification":
        return Bilingual(
            "When the member's clarification arrives, a fresh 20 working days start from "
            f"that day ({law} s.1(3)): their reply in this case's thread does it; if it "
            "comes another way, reply RESUME on the day it arrives. mailbot then sends the "
            "member the new date. It has not written to them now: ask them yourself if you "
            "have not.",
            "Pan ddaw eglurhad yr aelod, bydd 20 diwrnod gwaith newydd yn dechrau o'r diwrnod "
            f"hwnnw ({law} a.1(3)): mae eu hateb yn edefyn yr achos hwn yn gwneud hynny; os "
            "daw mewn ffordd arall, atebwch RESUME ar y diwrnod y daw. Bydd mailbot wedyn yn "
            "anfon y dyddiad newydd at yr aelod. Nid yw wedi ysgrifennu atynt nawr: gofynnwch "
            "iddynt eich hun os nad ydych wedi gwneud.",
        )
    return Bilingual(
        "Reply RESUME on the day the fee is received: the working days from today to that "
        f"day will not count ({law} s.10(2)). The member writing again does not end this "
        "pause. mailbot has not written to the member: send them the fees notice yourself "
        "if you have not.",
        "Atebwch RESUME ar y diwrnod y daw'r ffi i law: ni fydd y diwrnodau gwaith o heddiw "
        f"hyd at y diwrnod hwnnw yn cyfrif ({law} a.10(2)). Nid yw neges arall gan yr "
        "aelod yn dod â'r oedi hwn i ben. Nid yw mailbot wedi ysgrifennu at yr aelod: "
        "anfonwch yr hysbysiad ffioedd atynt eich hun os nad ydych wedi gwneud.",
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


def apply_resume(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if case.status == CaseStatus.RESPONDED and command.reason:
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
    stop = foi_pause.held_by_the_act(ctx.session, case)
    if stop == "clarification":  # FOIA s.1(3): a fresh 20 working days from its day
        _move_clock(ctx, "restart", command.reason or CLARIFICATION_RECEIVED, CaseStatus.OPEN)
    else:
        _move_clock(ctx, "resume", command.reason or "resumed by command", CaseStatus.OPEN)
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "resumed", command.reason, case=case)
    due, due_cy = long_date_or_paused(case.response_due), long_date_or_paused_cy(case.response_due)
    lines = [
        Bilingual(
            f"The response clock of {case.ref} is running again: due {due}.",
            f"Mae cloc ymateb {case.ref} yn rhedeg eto: ateb erbyn {due_cy}.",
        )
    ]
    if stop == "clarification":
        law = foi_pause.act(ctx.app.policy)
        lines.append(
            Bilingual(
                "The clarification has come, so a fresh 20 working days count from today "
                f"({law} s.1(3)).",
                "Mae'r eglurhad wedi dod, felly mae 20 diwrnod gwaith newydd yn cyfrif o "
                f"heddiw ({law} a.1(3)).",
            )
        )
    elif stop == "fees":
        law = foi_pause.act(ctx.app.policy)
        lines.append(
            Bilingual(
                f"The working days from the fees notice to today do not count ({law} s.10(2)).",
                "Nid yw'r diwrnodau gwaith o'r hysbysiad ffioedd hyd heddiw yn cyfrif "
                f"({law} a.10(2)).",
            )
        )
    queued: list[str] = []
    if stop == "clarification":  # the member is told it came, and the new date
        queued = tell_member_clarification_received(
            ctx.app, ctx.session, case, ctx.given_at.astimezone(cases.LONDON).date(), ctx.now
        )
    if queued:
        lines.append(
            Bilingual("The member has been sent the new date.",
                      "Mae'r aelod wedi cael y dyddiad newydd.")
        )
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
    if case.response_due is not None and member_was_acknowledged(ctx.session, case):
        lines.append(_member_not_told_of_new_date())
    return Result(True, lines)


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
    the answer. The member is not written to (they have the officer's own mail)."""
    case = ctx.case
    answered = case.responded_at
    _move_clock(ctx, "resume", command.reason, CaseStatus.OPEN)
    case.responded_at = None
    ledger.record_event(ctx.session, ctx.now, ctx.sender, "resumed", command.reason, case=case)
    when = long_date_or_paused(answered.astimezone(cases.LONDON).date()) if answered else ""
    when_cy = (long_date_or_paused_cy(answered.astimezone(cases.LONDON).date())
               if answered else "")
    due, due_cy = long_date_or_paused(case.response_due), long_date_or_paused_cy(case.response_due)
    return Result(
        True,
        [
            Bilingual(
                f"{case.ref} is open again: what was taken for its answer on {when} was not "
                f"it. The response clock runs on: due {due}.",
                f"Mae {case.ref} ar agor eto: nid ateb oedd yr hyn a gymerwyd yn ateb ar "
                f"{when_cy}. Mae'r cloc ymateb yn rhedeg: ateb erbyn {due_cy}.",
            ),
            Bilingual(
                "Your next reply to the member, copying in the shared mailbox, or DONE, is "
                "taken as the answer. The member has not been written to.",
                "Eich ateb nesaf i'r aelod, gan gopïo'r blwch post a rennir, neu DONE, a "
                "gymerir yn ateb. Nid ysgrifennwyd at yr aelod.",
            ),
        ],
    )


# The reason of an officer's RESUME that ends an FOI clarification pause (when they give none).
CLARIFICATION_RECEIVED = "the clarification was received"


def _move_clock(ctx: Context, event: str, why: str, status: CaseStatus) -> None:
    """Record a pause or resume on the clock, and the new due date it gives."""
    cases.add_clock_event(
        ctx.session, ctx.case, event, who=ctx.sender, why=why, now=ctx.given_at
    )
    ctx.case.status = status
    ctx.case.updated_at = ctx.now
    cases.refresh_deadlines(ctx.app, ctx.session, ctx.case)


def _same_confidentiality_answer(ctx: Context, action: str, reason: str) -> date | None:
    """The day the member was given this same answer, if the last answer on the case is
    this one: an officer answering again (the member wrote again and the update reached
    them) must not send the member the same letter twice. A changed answer is sent."""
    last = ctx.session.scalars(
        select(EventRow)
        .where(
            EventRow.case_id == ctx.case.id,
            EventRow.action.in_(CONFIDENTIALITY_ANSWERED),
        )
        .order_by(EventRow.at.desc(), EventRow.id.desc())
        .limit(1)
    ).first()
    if last is None or last.action != action or last.detail != reason:
        return None
    at = last.at if last.at.tzinfo else last.at.replace(tzinfo=UTC)
    return at.astimezone(cases.LONDON).date()


def apply_confidential(ctx: Context, command: Command) -> Result:
    case = ctx.case
    if not (case.confidential or case.kind == Kind.CONFIDENTIALITY.value):
        return refuse(
            Bilingual(
                f"{case.ref} is not a request for confidentiality.",
                f"Nid yw {case.ref} yn gais am gyfrinachedd.",
            )
        )
    action = CONFIDENTIALITY_CONFIRMED if command.ok else CONFIDENTIALITY_DECLINED
    said = "can be kept confidential" if command.ok else "cannot be kept confidential"
    said_cy = "y gellir" if command.ok else "na ellir"
    told_on = _same_confidentiality_answer(ctx, action, command.reason)
    if told_on is not None:
        return refuse(
            Bilingual(
                f"The member was already told on {long_date_or_paused(told_on)} that "
                f"{case.ref} {said}; they were not written to again.",
                f"Cafodd yr aelod wybod eisoes ar {long_date_or_paused_cy(told_on, mutate=True)} "
                f"{said_cy} cadw {case.ref} yn gyfrinachol; ni ysgrifennwyd atynt eto.",
            )
        )
    ledger.record_event(ctx.session, ctx.now, ctx.sender, action, command.reason, case=case)
    case.updated_at = ctx.now
    queued = tell_member(
        ctx.app,
        ctx.session,
        case,
        ctx.row,
        ctx.now,
        "confidentiality_result",
        {
            "ok": bool(command.ok),
            "reason": command.reason,
            "officer_name": ctx.app.directory.display(case.officer_email or ctx.sender),
        },
    )
    told = Bilingual(
        f"The member has been told that {case.ref} {said}.",
        f"Mae'r aelod wedi cael gwybod {said_cy} cadw {case.ref} yn gyfrinachol.",
    )
    return Result(True, [_member_told(ctx, queued, told)], queued)


# HELP is not here: it changes nothing, so handle() answers it without asking who sent it.
APPLY: dict[str, Action] = {
    "DONE": Action(apply_done, needs_open_case=True),
    "EXTEND": Action(apply_extend, needs_open_case=True),
    "REASSIGN": Action(apply_reassign, needs_open_case=True),
    "PAUSE": Action(apply_pause, needs_open_case=True),
    "RESUME": Action(apply_resume, needs_open_case=False),
    "CONFIDENTIAL": Action(apply_confidential, needs_open_case=False),
}
