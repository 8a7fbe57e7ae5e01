"""What stops an FOI request's statutory clock, and what starts it again.

The Act (FOIA, and FOISA in Scotland, with the same section numbers) stops the 20 working
days for two things only, and ends each differently:

- clarification (s.1(3)): the council need not answer until the member says what they
  want; their answer starts a fresh 20 working days from the day it arrives (a `restart`);
- a fees notice (s.9): the working days from the day the notice is given to the day the
  fee is received are disregarded (s.10(2)); counting goes on from there (a `resume`).
  The member writing again is not the fee being paid: only the officer's RESUME ends it.

An officer's PAUSE on an FOI request says which in its reason ("clarification: which
roads", "fees notice sent"): mailbot reads it from those words. The one extension the
law gives (EIR reg 7) is clock.eir_extension.
"""

from __future__ import annotations

import re
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.model import CaseStatus, Kind
from mailbot.policy import Policy
from mailbot.store.tables import CaseRow, ClockEventRow

FoiStop = Literal["clarification", "fees"]

# A fee first: "clarification of the fee" waits for the fee.
_FEES = re.compile(r"\b(fees?|ffi|ffioedd|taliad|payment)\b", re.IGNORECASE)
_CLARIFICATION = re.compile(r"clarif|eglur", re.IGNORECASE)


def foi_stop(why: str) -> FoiStop | None:
    """Which of the Act's two stops a pause's reason names, if either."""
    if _FEES.search(why):
        return "fees"
    if _CLARIFICATION.search(why):
        return "clarification"
    return None


def act(policy: Policy) -> str:
    """The Act an FOI request is answered under: FOISA in Scotland, else FOIA."""
    return "FOISA" if policy.foi_regime == "foisa" else "FOIA"


def last_pause(session: Session, case: CaseRow) -> ClockEventRow | None:
    """The case's latest pause of its response clock, if any."""
    return session.scalar(
        select(ClockEventRow)
        .where(ClockEventRow.case_id == case.id, ClockEventRow.action == "pause")
        .order_by(ClockEventRow.id.desc())
        .limit(1)
    )


def held_by_the_act(session: Session, case: CaseRow) -> FoiStop | None:
    """The stop a paused FOI request's clock is held by, if one of the Act's: it waits for
    the member (their clarification, or the fee), whoever has the case."""
    if case.kind != Kind.FOI.value or case.status != CaseStatus.PAUSED:
        return None
    pause = last_pause(session, case)
    return None if pause is None else foi_stop(pause.why)


def waiting_for_fee(session: Session, case: CaseRow) -> bool:
    """A paused FOI request whose clock waits for the fee of a fees notice."""
    return held_by_the_act(session, case) == "fees"


def member_reply_restarts(session: Session, case: CaseRow) -> bool:
    """Whether the member's reply ending the paused `case` starts a fresh 20 working days:
    only when it waits for the clarification the council asked for (s.1(3)). Any other
    pause of an FOI request (one the Act does not know, set while the case was an enquiry
    and kept when it was relabelled) ends as the officer's RESUME ends it, with a resume:
    its working days disregarded, the statutory date moved on by them."""
    return held_by_the_act(session, case) == "clarification"
