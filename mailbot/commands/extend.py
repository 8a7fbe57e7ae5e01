"""EXTEND: a later response date, agreed with the member where the council's protocol
allows it; on an FOI request only the two the law gives (extend_foi.py). Each is recorded
as a clock event and the member is sent the reason and the new date (extension_record.py).
On a subject access request, the two further months data protection law allows are taken
here too, and a date past the law's is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailbot import cases, ledger
from mailbot.access_request import EXTENDED, asks_for_more_months, law_due
from mailbot.acknowledgement import subject_access_context
from mailbot.clock import public_interest_extension
from mailbot.commands.extend_foi import extend_for_public_interest, extend_under_eir_reg_7
from mailbot.commands.extension_record import (
    REASON_AND_DATE_SENT,
    not_a_working_day,
    now_due,
    paused,
    record_extension,
    same_extension_lately,
)
from mailbot.commands.letters import long_date_or_paused, long_date_or_paused_cy
from mailbot.commands.outcome import Context, Result, member_told, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual, long_date_cy
from mailbot.model import Kind


def apply_extend(ctx: Context, command: Command) -> Result:
    app, case = ctx.app, ctx.case
    if case.kind == Kind.FOI.value:
        if public_interest_extension(command.reason):
            return extend_for_public_interest(ctx, command)
        return extend_under_eir_reg_7(ctx, command)
    if not app.policy.clock.extension_by_agreement:
        return refuse(
            Bilingual(
                f"{app.settings.council.name}'s protocol does not allow extensions.",
                f"Nid yw protocol {app.settings.council.name} yn caniatáu estyniadau.",
            )
        )
    current = cases.deadlines_for(app, ctx.session, case).response_due
    if current is None:
        return paused(case.ref)
    repeated = same_extension_lately(ctx, command)
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
        moved = not_a_working_day(calendar, command.new_date, new_due)
    more_months = _subject_access_months(ctx, command)
    past_the_law = _past_the_law_s_date(ctx, command, new_due, more_months)
    if past_the_law is not None:
        return refuse(past_the_law)
    # Given after the date passed: the letter says it was missed, not that it will be.
    queued = record_extension(ctx, command.reason, current, new_due, passed=current < given_on,
                     extra={"subject_access_until": more_months.until})
    return Result(
        True,
        [
            now_due(case, current),
            *moved,
            member_told(
                ctx,
                queued,
                REASON_AND_DATE_SENT,
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
