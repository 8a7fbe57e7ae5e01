"""EXTEND: a later response date, agreed with the member where the council's protocol
allows it; on an FOI request only the two the law gives (an EIR request that is complex
and voluminous, EIR reg 7; the time to consider the public interest, FOIA s.10(3)). Each
is recorded as a clock event and the member is sent the reason and the new date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mailbot import cases, ledger
from mailbot.access_request import EXTENDED, asks_for_more_months, law_due
from mailbot.acknowledgement import subject_access_context
from mailbot.addresses import same_address
from mailbot.clock import ClockEvent, eir_extension, public_interest_extension
from mailbot.commands.letters import long_date_or_paused, long_date_or_paused_cy, tell_member
from mailbot.commands.outcome import Context, Result, member_told, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual, long_date_cy
from mailbot.model import Kind
from mailbot.policy import FOI_RESPONSE_DAYS
from mailbot.store.tables import CaseRow, ClockEventRow

if TYPE_CHECKING:
    from mailbot.workdays import WorkingCalendar


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
        return _paused(case.ref)
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
    more_months = _subject_access_months(ctx, command)
    past_the_law = _past_the_law_s_date(ctx, command, new_due, more_months)
    if past_the_law is not None:
        return refuse(past_the_law)
    # Given after the date passed: the letter says it was missed, not that it will be.
    queued = _record(ctx, command.reason, current, new_due, passed=current < given_on,
                     extra={"subject_access_until": more_months.until})
    return Result(
        True,
        [
            _now_due(case, current),
            *moved,
            member_told(
                ctx,
                queued,
                Bilingual(
                    "The member has been sent your reason and the new date.",
                    "Mae'r aelod wedi cael eich rheswm a'r dyddiad newydd.",
                ),
            ),
            *_take_subject_access_months(ctx, command, more_months, told=bool(queued)),
        ],
        queued,
    )


@dataclass(frozen=True)
class _MoreMonths:
    """What an EXTEND does to a subject access request's law's date: `until` the date with
    the two further months when it takes them now (else None), or `note` why it does not."""

    month: date | None = None  # the law's date before this EXTEND
    until: date | None = None
    note: Bilingual | None = None


def _subject_access_months(ctx: Context, command: Command) -> _MoreMonths:
    """UK GDPR Article 12(3): a complex subject access request may take two further
    months, the requester told with the reasons within the first. An EXTEND on a case
    marked subject access whose reason says so (access_request.asks_for_more_months)
    takes them when given by the law's date; the member's extension letter, which carries
    the officer's reason, is the telling. Given later, or a second time, it does not."""
    found = subject_access_context(ctx.app, ctx.case)
    if found is None or not asks_for_more_months(command.reason):
        return _MoreMonths()
    month: date = found["due"]
    if found["extended"]:
        return _MoreMonths(month, note=Bilingual(
            f"Data protection law's date for this subject access request already has its "
            f"two further months: {long_date_or_paused(month)}.",
            f"Mae dyddiad cyfraith diogelu data ar gyfer y cais gwrthrych am wybodaeth hwn "
            f"eisoes yn cynnwys y ddau fis arall: {long_date_or_paused_cy(month)}.",
        ))
    if ctx.given_at.astimezone(cases.LONDON).date() > month:
        return _MoreMonths(month, note=Bilingual(
            f"Data protection law's month for this subject access request ended on "
            f"{long_date_or_paused(month)}: the two further months can be taken only by "
            f"telling the requester within it, so its date stays {long_date_or_paused(month)}.",
            f"Daeth mis cyfraith diogelu data ar gyfer y cais gwrthrych am wybodaeth hwn i "
            f"ben ar {long_date_or_paused_cy(month, mutate=True)}: dim ond drwy ddweud wrth y "
            "ceisydd o'i fewn y gellir cymryd y ddau fis arall, felly mae ei ddyddiad yn aros "
            f"yn {long_date_or_paused_cy(month, mutate=True)}.",
        ))
    return _MoreMonths(month, law_due(ctx.app.policy, ctx.case.received_at, extended=True))


def _past_the_law_s_date(
    ctx: Context, command: Command, new_due: date, more: _MoreMonths
) -> Bilingual | None:
    """Why an EXTEND of a subject access request may not give the member `new_due`: it is
    after the law's date (with the two further months when this EXTEND takes them) while
    that date is still to come, so the member would be promised a response the law does
    not allow. None when it may (or the law's date has passed: the case is late anyway)."""
    found = subject_access_context(ctx.app, ctx.case)
    if found is None:
        return None
    law: date = more.until or found["due"]
    if new_due <= law or ctx.given_at.astimezone(cases.LONDON).date() > law:
        return None
    extended = more.until is not None or bool(found["extended"])
    example = f'EXTEND {law.day}/{law.month}/{law.year} "{command.reason}"'
    if extended:
        which = ("with the two further months", "gyda'r ddau fis arall")
        how = (f"Nothing changed. Give a date by then: {example}",
               f"Ni newidiwyd dim. Rhowch ddyddiad erbyn hynny: {example}")
    else:
        which = ("(one calendar month)", "(un mis calendr)")
        how = (f"Nothing changed. Give a date by then ({example}); if the request is "
               "complex, say so in the reason to take the two further months (UK GDPR "
               "Article 12(3)).",
               f"Ni newidiwyd dim. Rhowch ddyddiad erbyn hynny ({example}); os yw'r cais yn "
               "gymhleth, dywedwch hynny yn y rheswm i gymryd y ddau fis arall (Erthygl "
               "12(3) GDPR y DU).")
    return Bilingual(
        f"{long_date_or_paused(new_due)} is after data protection law's date for this "
        f"subject access request, {long_date_or_paused(law)} {which[0]}: the member would "
        f"be promised a response later than the law allows. {how[0]}",
        f"Mae {long_date_or_paused_cy(new_due)} ar ôl dyddiad cyfraith diogelu data ar "
        f"gyfer y cais gwrthrych am wybodaeth hwn, {long_date_or_paused_cy(law)} {which[1]}: "
        f"byddai'r aelod yn cael addewid o ymateb yn hwyrach nag y mae'r gyfraith yn ei "
        f"ganiatáu. {how[1]}",
    )


def _take_subject_access_months(
    ctx: Context, command: Command, more: _MoreMonths, *, told: bool
) -> list[Bilingual]:
    """Record the two further months (the EXTENDED timeline entry the law's date is read
    from) and say so in the confirmation; or say why they were not taken."""
    if more.note is not None:
        return [more.note]
    if more.until is None or more.month is None:
        return []
    ledger.record_event(
        ctx.session, ctx.now, ctx.sender, EXTENDED,
        f"two further months (UK GDPR Article 12(3)): the law's date is "
        f"{long_date_or_paused(more.until)} (was {long_date_or_paused(more.month)}); "
        f"{command.reason}"[:2000], case=ctx.case,
    )
    said = Bilingual(
        f"Data protection law's date for this subject access request is now "
        f"{long_date_or_paused(more.until)} (two further months, UK GDPR Article 12(3); was "
        f"{long_date_or_paused(more.month)}).",
        f"Dyddiad cyfraith diogelu data ar gyfer y cais gwrthrych am wybodaeth hwn nawr yw "
        f"{long_date_or_paused_cy(more.until)} (dau fis arall, Erthygl 12(3) GDPR y DU; yn "
        f"lle {long_date_or_paused_cy(more.month)}).",
    )
    if told:
        return [said]
    return [said, Bilingual(
        f"The requester must be told of it, with the reasons, by "
        f"{long_date_or_paused(more.month)}: mailbot has not written to them.",
        f"Rhaid dweud wrth y ceisydd, gyda'r rhesymau, erbyn "
        f"{long_date_or_paused_cy(more.month)}: nid yw mailbot wedi ysgrifennu atynt.",
    )]


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
        return _paused(case.ref)
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
    queued = _record(ctx, command.reason, current.due, fortieth, passed=False)
    return Result(
        True,
        [
            _now_due(case, current.due, ": 40 working days, EIR reg 7(1)",
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
        return _paused(case.ref)
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
    queued = _record(ctx, command.reason, current.due, new_due, passed=False)
    return Result(
        True,
        [
            _now_due(case, current.due, ": a public interest extension, FOIA s.10(3)",
                     ": estyniad budd y cyhoedd, FOIA a.10(3)"),
            member_told(
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


def _paused(ref: str) -> Result:
    return refuse(
        Bilingual(
            f"{ref} is paused; RESUME it before extending.",
            f"Mae {ref} wedi'i oedi; defnyddiwch RESUME cyn ei estyn.",
        )
    )


def _record(ctx: Context, reason: str, old_due: date, new_due: date | None, *, passed: bool,
            extra: dict[str, Any] | None = None) -> list[str]:
    """Record the extension to `new_due` as a clock event, move the case's dates, and send
    the member the reason and the new date (`passed`: the old date was missed). Returns
    the outbox purposes queued (none for someone not in members.csv)."""
    app, case = ctx.app, ctx.case
    cases.add_clock_event(ctx.session, case, "extend", who=ctx.sender, why=reason,
                          now=ctx.given_at, new_due=new_due)
    cases.refresh_deadlines(app, ctx.session, case)
    case.updated_at = ctx.now
    return tell_member(
        app, ctx.session, case, ctx.row, ctx.now, "extension_notice",
        {
            "reason": reason,
            "old_due": old_due,
            "old_due_passed": passed,
            "new_due": case.response_due,
            "officer_name": app.directory.display(case.officer_email or ctx.sender),
            **(extra or {}),
        },
    )  # fmt: skip


def _now_due(case: CaseRow, was: date, why: str = "", why_cy: str = "") -> Bilingual:
    """The confirmation's first line: the case's new response date, the one it replaced,
    and the law that allowed it, if one did."""
    return Bilingual(
        f"The response date of {case.ref} is now {long_date_or_paused(case.response_due)} "
        f"(was {long_date_or_paused(was)}){why}.",
        f"Dyddiad ymateb {case.ref} nawr yw {long_date_or_paused_cy(case.response_due)} "
        f"(yn lle {long_date_or_paused_cy(was)}){why_cy}.",
    )
