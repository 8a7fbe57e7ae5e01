"""Late notices for response dates that passed long ago: kept back, and listed once for
the administrators.

The reminder sweep tells a member their response is late on the first working day after
the date they were given (mailbot.reminders). The first sweep after an upgrade from a
release that sent no late notices, or after the daemon was switched off for weeks, finds
every case whose date passed meanwhile, some of them months old: mailing all those
members at once would tell them about old cases in one go, weeks after the event.

So a late notice goes only while its date passed no more than WINDOW working days before
the sweep. An older one is written to the outbox under its own dedup key but kept back
(`withdrawn`, the reason given): the ledger says it was dealt with, once, so no later
sweep sends it; the case's timeline says `late_notice held back`; and the sweep's cases
held back are listed in one email to the [directory] admins, who decide what each member
is told. The officer's reminders go on as before and do not say the member was told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import admin_alert, ledger, outbox
from mailbot.commands.letters import late_notice_key, late_notice_mail, may_be_told_late
from mailbot.store.tables import CaseRow
from mailbot.workdays import WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App

log = logging.getLogger(__name__)

# A late notice goes while its date passed at most this many working days before the
# sweep: two working weeks, time for an escalation to find a leaver's case a person.
WINDOW = 10
TEMPLATE = "late_notice_backlog_alert"  # the administrators' list, and its outbox purpose


@dataclass(frozen=True)
class HeldBack:
    """One case's late notice kept back, as the administrators' list names it."""
    ref: str
    member: str
    officer: str
    due: date


def too_old(cal: WorkingCalendar, due: date, today: date) -> bool:
    """Whether a response date of `due` passed too long before `today` for its late notice
    to go now: more than WINDOW working days before."""
    return cal.add_working_days(due, WINDOW) < today


def alert_key(now: datetime) -> str:
    """The administrators' list of one sweep's cases held back."""
    return f"{TEMPLATE}:{now.isoformat()}"


def hold_back(
    app: App, session: Session, case: CaseRow, due: date, now: datetime
) -> HeldBack | None:
    """Write the case's late notice for `due` to the outbox, kept back, with the reason;
    None if it is there already (sent, kept back before, or queued by an overlapping run)
    or the member is not one mailbot writes to."""
    if (not may_be_told_late(app, session, case)
            or outbox.already_queued(session, late_notice_key(case, due))):
        return None
    mail = late_notice_mail(app, session, case, due)
    if mail is None:
        return None
    row = outbox.queue(
        session, purpose="late_notice", dedup_key=late_notice_key(case, due), case=case,
        rendered=mail.rendered, envelope=mail.envelope, now=now,
    )
    if row is None:
        return None
    where = (f"listed for the administrators ({alert_key(now)})" if admin_alert.admins(app)
             else "no administrators are set in [directory] admins to list it for")
    row.status = "withdrawn"
    row.last_error = (f"the response date {due.isoformat()} passed more than {WINDOW} working "
                      f"days before this sweep: not sent to the member weeks late; {where}")
    session.flush()  # written now: the case's reminders, queued next, ask whether it went
    ledger.record_event(
        session, now, "mailbot", "late_notice held back",
        f"to {case.member_email}: the date {due.isoformat()} passed more than {WINDOW} "
        f"working days ago; {where}", case=case,
    )
    return HeldBack(case.ref, case.member_name or case.member_email,
                    case.officer_email or "", due)


def tell_admins(app: App, held: list[HeldBack], now: datetime) -> bool:
    """One email to the administrators listing the cases this sweep held back, oldest date
    first; True if queued. Logged whether or not there is anyone to email."""
    if not held:
        return False
    log.warning("%d late notice(s) to members not sent: the response date passed more than "
                "%d working days ago (see each case's timeline)", len(held), WINDOW)
    if not admin_alert.admins(app):
        return False
    cases = [{"ref": h.ref, "member": h.member, "officer": h.officer, "due": h.due}
             for h in sorted(held, key=lambda h: (h.due, h.ref))]
    with app.store.transaction() as session:
        row = admin_alert.queue_alert(
            app, session, template=TEMPLATE, dedup_key=alert_key(now),
            context={"cases": cases, "window": WINDOW}, now=now,
        )
    return row is not None
