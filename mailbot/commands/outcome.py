"""What a command's handler works on and gives back: the Context of one accepted command,
its Result (whether the case changed, the lines of the officer's confirmation, the mail it
queued), and the lines every handler may need (a refusal, whether the member was told).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot.languages import Bilingual
from mailbot.store.tables import CaseRow, MessageRow

if TYPE_CHECKING:
    from mailbot.app import App


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


def member_told(ctx: Context, queued: list[str], told: Bilingual) -> Bilingual:
    """`told`, if the letter to the member was queued. Mail from someone not in members.csv
    gets no automatic mail (no backscatter to strangers): the officer must not be told
    the member has heard when they have not."""
    return told if queued else not_written_to(ctx.case.member_email)


def not_written_to(address: str) -> Bilingual:
    """The member at `address` was sent nothing: not in members.csv (no backscatter)."""
    return Bilingual(
        f"The member was NOT written to: {address} is not in the members directory, and "
        "mailbot writes only to known members. Tell them yourself.",
        f"NI ysgrifennwyd at yr aelod: nid yw {address} yn y cyfeiriadur aelodau, a dim ond "
        "at aelodau hysbys y mae mailbot yn ysgrifennu. Dywedwch wrthynt eich hun.",
    )
