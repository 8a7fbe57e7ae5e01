"""EXTEND on an FOI request: its date is set by law, so only the two extensions the law
gives are recorded (an EIR request that is complex and voluminous, EIR reg 7; the time to
consider the public interest, FOIA s.10(3)); any other is refused with the reason."""

from __future__ import annotations

from mailbot import cases
from mailbot.clock import ClockEvent, eir_extension, public_interest_extension
from mailbot.commands.extension_record import (
    REASON_AND_DATE_SENT,
    now_due,
    paused,
    record_extension,
    same_extension_lately,
)
from mailbot.commands.letters import long_date_or_paused, long_date_or_paused_cy
from mailbot.commands.outcome import Context, Result, member_told, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual, long_date_cy
from mailbot.policy import FOI_RESPONSE_DAYS


def extend_under_eir_reg_7(ctx: Context, command: Command) -> Result:
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
        return paused(case.ref)
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
    queued = record_extension(ctx, command.reason, current.due, fortieth, passed=False)
    return Result(
        True,
        [
            now_due(case, current.due, ": 40 working days, EIR reg 7(1)",
                     ": 40 diwrnod gwaith, rheoliad 7(1) EIR"),
            member_told(
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


def extend_for_public_interest(ctx: Context, command: Command) -> Result:
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
        return paused(case.ref)
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
    repeated = same_extension_lately(ctx, command)
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
    queued = record_extension(ctx, command.reason, current.due, new_due, passed=False)
    return Result(
        True,
        [
            now_due(case, current.due, ": a public interest extension, FOIA s.10(3)",
                     ": estyniad budd y cyhoedd, FOIA a.10(3)"),
            member_told(
                ctx,
                queued,
                REASON_AND_DATE_SENT,
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
