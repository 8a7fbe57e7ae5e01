"""An officer's daily summary of reminders: when they have more than the pack's
`summary_above` due on one day, one mail lists every case, most overdue first, with each
case's reply instructions, instead of a mail per case (escalations still go one per case).
Each case's reminder is still written to the outbox under its own dedup key, kept back as
`withdrawn` with the summary's key as its reason, so the ledger and the send-time check
(mailbot.still_due) work as for a single reminder. The sweep that decides is
mailbot.reminders.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mailbot import ledger, outbox
from mailbot.assignment import hears_absence
from mailbot.commands.letters import member_told_late
from mailbot.compose import Envelope
from mailbot.languages import Languages, staff_languages_for_many
from mailbot.reminder_mail import manager_of, reminder_context, step_mail
from mailbot.reminder_schedule import SUMMARY, Step, listed_reason
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow
from mailbot.typed_date import typed_date

if TYPE_CHECKING:
    from mailbot.app import App

def summarising(app: App, officer_email: str) -> bool:
    """Whether this officer's reminders may be gathered into a daily summary (in a
    bilingual council, in Welsh and English as its other staff mail). Not for an officer
    whose out-of-office mailbot listens for ([loops] officer_auto_replies): an
    out-of-office answering a case's own reminder moves that case on (mailbot.absence),
    and one answering a summary could not say which case."""
    return app.policy.reminders.summary_above > 0 and not hears_absence(app, officer_email)


def queue_listed(
    app: App, session: Any, steps: list[tuple[int, Step]], key: str, today: date, now: datetime
) -> list[tuple[CaseRow, Step]]:
    """Each case's reminder written to the outbox under its own dedup key but kept back
    (`withdrawn`, with the summary as reason): the ledger says it was given, once, and the
    case's timeline says where."""
    listed: list[tuple[CaseRow, Step]] = []
    for case_id, step in steps:
        case = session.get(CaseRow, case_id)
        if case is None or not case.officer_email:
            continue
        mail = step_mail(app, session, case, step, today)
        row = outbox.queue(
            session, purpose=mail.step.template, dedup_key=mail.step.dedup_key(case.ref),
            case=case, rendered=mail.rendered, envelope=mail.envelope, now=now,
            automatic=False,
        )
        if row is None:
            continue
        row.status, row.last_error = "withdrawn", listed_reason(key)
        ledger.record_event(
            session, now, "mailbot", f"{mail.step.template} in daily summary",
            f"{mail.step.kind} to {mail.envelope.to[0]}: listed in the day's summary of "
            "their cases, not sent alone", case=case,
        )
        listed.append((case, mail.step))
    return listed


def summary_mail(
    app: App, session: Any, officer_email: str, listed: list[tuple[CaseRow, Step]], today: date
) -> tuple[Rendered, Envelope]:
    """One officer's daily summary: every case listed with what it is, for whom, by when
    and how to answer it, most overdue first. Used by the sweep, and by the send-time
    check (mailbot.still_due) to write it again with the cases still to answer."""
    officer = app.directory.officer_or_address(officer_email)
    manager = manager_of(app, officer)
    items = []
    for case, step in listed:
        item = reminder_context(app, case, step, today, officer, manager)
        item["reminder"]["member_told_late"] = step.kind == "overdue" and member_told_late(
            session, case, step.due
        )
        items.append(item)
    items.sort(key=lambda i: (-i["reminder"]["days_overdue"], i["case"]["response_due"],
                              i["case"]["ref"]))
    overdue = sum(1 for i in items if i["reminder"]["days_overdue"] > 0)
    due_today = sum(1 for i in items if i["reminder"]["days_overdue"] == 0
                    and i["reminder"]["working_days_left"] == 0)
    context = {
        "council": items[0]["council"],
        "officer": items[0]["officer"],
        "manager": items[0]["manager"],
        "today": today,
        "today_typed": typed_date(today),  # RESUME's example date: the day it is written
        "items": items,
        "counts": {"overdue": overdue, "due_today": due_today,
                   "soon": len(items) - overdue - due_today, "all": len(items)},
    }
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(officer.email,),
        instance=app.settings.council.instance,
        # About many cases: an out-of-office answering it cannot say which one to move.
        hear_absence=False,
    )
    return app.renderer.render(SUMMARY, context, _summary_languages(app, listed)), envelope


def _summary_languages(app: App, listed: list[tuple[CaseRow, Step]]) -> Languages:
    """English only, or in a bilingual council both languages: Welsh first when every
    case listed is for a member who prefers Welsh, as each reminder alone would be."""
    chosen = [app.directory.member(case.member_email) for case, _ in listed]
    return staff_languages_for_many(
        app.policy.language, [member.language if member else None for member in chosen]
    )
