"""What every kind of EXTEND shares: the clock event and the member's letter, the
confirmation's first line, and the refusals of a paused case, a repeated EXTEND and a
date the council is closed on."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mailbot import cases
from mailbot.addresses import same_address
from mailbot.commands.letters import long_date_or_paused, long_date_or_paused_cy, tell_member
from mailbot.commands.outcome import Context, Result, refuse
from mailbot.commands.parse import Command
from mailbot.languages import Bilingual
from mailbot.store.tables import CaseRow, ClockEventRow

if TYPE_CHECKING:
    from mailbot.workdays import WorkingCalendar


# The confirmation's line when the member was sent the extension letter.
REASON_AND_DATE_SENT = Bilingual(
    "The member has been sent your reason and the new date.",
    "Mae'r aelod wedi cael eich rheswm a'r dyddiad newydd.",
)


def not_a_working_day(calendar: WorkingCalendar, asked: date, given: date) -> list[Bilingual]:
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


def same_extension_lately(ctx: Context, command: Command) -> date | None:
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


def paused(ref: str) -> Result:
    return refuse(
        Bilingual(
            f"{ref} is paused; RESUME it before extending.",
            f"Mae {ref} wedi'i oedi; defnyddiwch RESUME cyn ei estyn.",
        )
    )


def record_extension(
    ctx: Context, reason: str, old_due: date, new_due: date | None, *, passed: bool,
    extra: dict[str, Any] | None = None,
) -> list[str]:
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


def now_due(case: CaseRow, was: date, why: str = "", why_cy: str = "") -> Bilingual:
    """The confirmation's first line: the case's new response date, the one it replaced,
    and the law that allowed it, if one did."""
    return Bilingual(
        f"The response date of {case.ref} is now {long_date_or_paused(case.response_due)} "
        f"(was {long_date_or_paused(was)}){why}.",
        f"Dyddiad ymateb {case.ref} nawr yw {long_date_or_paused_cy(case.response_due)} "
        f"(yn lle {long_date_or_paused_cy(was)}){why_cy}.",
    )
