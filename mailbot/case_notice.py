"""Who is told of mail about a case, when the case may have no officer.

An officer's notice of mail on their case (the member writing again, a recall, someone
else in the thread) goes to the case's officer. A case nobody holds ("unassigned": no
routing rule matched and no [routing] default_officer) still gets such mail on its
timeline, and someone must hear of it: the notice goes to whoever settles unassigned
cases (leavers.stand_in: the default officer, else the first of [directory] admins),
its headline first saying the case has no officer yet and how to give it one. With
nobody configured the notice is not sent, and the case's timeline says nobody was told
(`mailbot status` counts such cases as unassigned).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mailbot import assignment, ledger, outbox
from mailbot.assignment import Headline
from mailbot.languages import Bilingual
from mailbot.leavers import stand_in_for
from mailbot.model import ParsedMessage
from mailbot.store.tables import CaseRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mailbot.app import App

NOBODY_TOLD = "nobody told"
WHY_YOU = ("the case has no officer, so it comes to you",
           "nid oes swyddog gan yr achos, felly mae'n dod atoch chi")


def reader(app: App, case: CaseRow) -> str | None:
    """Who is told of mail on the case: its officer, else the stand-in (never one its
    complaint is about), else nobody."""
    return case.officer_email or stand_in_for(app, case, case.member_email)


def no_officer_yet(case: CaseRow, headline: Headline) -> Headline:
    """`headline` for the stand-in of a case nobody holds: how to give it an officer first."""
    return Headline(
        f"This case has no officer yet. To give it to one, run mailbot reassign {case.ref} "
        "--to ADDRESS, or (as an administrator) reply to this email with REASSIGN and "
        f"their address. {headline.en}",
        f"Nid oes swyddog gan yr achos hwn eto. I'w roi i un, rhedwch mailbot reassign "
        f"{case.ref} --to CYFEIRIAD, neu (fel gweinyddwr) atebwch yr e-bost hwn gyda "
        f"REASSIGN a'u cyfeiriad. {headline.cy}",
    )


def why(case: CaseRow) -> str:
    """The assignment's "Why you" line: only for the stand-in of a case nobody holds."""
    return "" if case.officer_email else Bilingual(*WHY_YOU)


def notice(
    app: App, case: CaseRow, headline: Headline, message: ParsedMessage | None, prefix: str,
    *, now: datetime,
) -> outbox.Rewritten | None:
    """The notice as it should go `now` (written again as it leaves the outbox), to
    whoever is told now; None if nobody is."""
    to = reader(app, case)
    if to is None:
        return None
    if not case.officer_email:
        headline = no_officer_yet(case, headline)
    return assignment.officer_mail(app, case, to=to, headline=headline, why=why(case),
                                   message=message, subject_prefix=prefix, now=now)


def queue(
    app: App, session: Session, case: CaseRow, *, purpose: str, dedup_key: str,
    headline: Headline, message: ParsedMessage | None, now: datetime, prefix: str,
) -> str | None:
    """Queue the notice for whoever is told now; with nobody, record that nobody was."""
    to = reader(app, case)
    if to is None:
        ledger.record_event(
            session, now, "mailbot", NOBODY_TOLD,
            f"{purpose}: the case has no officer, and neither [routing] default_officer "
            "nor [directory] admins is set, so nobody was sent it",
            case=case,
        )
        return None
    if not case.officer_email:
        headline = no_officer_yet(case, headline)
    return assignment.queue_officer_mail(
        app, session, case, to=to, purpose=purpose, dedup_key=dedup_key,
        headline=headline, why=why(case), message=message, now=now,
        subject_prefix=prefix,
    )

