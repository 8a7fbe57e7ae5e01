"""The officer's lines about the letter giving the member a new date.

The letter (the fee received, the clarification, the member's reply that ended a pause:
commands/letters.py) is queued when the clock moves, and withdrawn at send time if the
case is answered or paused again first (still_due): the officer's mail written then says
it goes unless that happens (new_date_letter_to_go), and a DONE or PAUSE in the same poll
says it will not go after all (new_date_letter_stopped).
"""

from __future__ import annotations

from datetime import date

from mailbot.commands.letters import (
    long_date_or_paused,
    long_date_or_paused_cy,
    new_date_letter_waiting,
)
from mailbot.commands.outcome import Context
from mailbot.languages import Bilingual, long_date_cy
from mailbot.render import long_date


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
