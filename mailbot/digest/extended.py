"""Whether a listed case's response date was moved by an extension, and how the digest's
lists say so beside its kind: "FOI/EIR request (extended for the public interest test)",
"Enquiry (extended)". The reason is the officer's own words: only whether it names the
public interest test (FOIA s.10(3)) or EIR reg 7 is said, so a confidential case says no
more than that its date was moved, and under which law."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from mailbot.clock import eir_extension, public_interest_extension
from mailbot.store.tables import CaseRow, ClockEventRow


def last_extension() -> Any:
    """For a select over cases: the reason of the case's latest extension of its response
    clock since it last restarted ("" when none was given), or None when its date was
    never extended (a complaint's stage two restarts the clock and its dates)."""
    restart = aliased(ClockEventRow)
    later_restart = (
        select(restart.id)
        .where(restart.case_id == ClockEventRow.case_id, restart.clock == "response",
               restart.action == "restart", restart.id > ClockEventRow.id)
        .exists()
    )
    return (
        select(func.coalesce(ClockEventRow.why, ""))
        .where(ClockEventRow.case_id == CaseRow.id, ClockEventRow.clock == "response",
               ClockEventRow.action == "extend", ~later_restart)
        .order_by(ClockEventRow.id.desc())
        .limit(1)
        .correlate(CaseRow)
        .scalar_subquery()
        .label("extension")
    )


def extended_words(why: str | None) -> tuple[str, str]:
    """What the lists add to an extended case's kind, in English and Welsh; ("", "") for
    a case never extended."""
    if why is None:
        return "", ""
    if public_interest_extension(why):
        return ("extended for the public interest test",
                "estynnwyd ar gyfer prawf budd y cyhoedd")
    if eir_extension(why):
        return "extended under EIR reg 7", "estynnwyd dan reoliad 7 EIR"
    return "extended", "estynnwyd"
