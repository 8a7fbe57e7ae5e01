"""One reminder's mail, as the case stands when it is written: to whom (the officer, or
their manager for an escalation, a stand-in for a leaver's), in what words (the values a
reminder template may see: reminder_context), and what the audit trail notes. Used by the
sweep (mailbot.reminders), the daily summary (reminder_summary) and the send-time check
(mailbot.still_due), which writes a late one again for the day it goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from mailbot.acknowledgement import subject_access_context
from mailbot.assignment import confidentiality_still_asked, hears_absence
from mailbot.cases import KIND_LABELS
from mailbot.clock_restart import last_restart
from mailbot.commands.letters import member_told_late
from mailbot.complained_about import one_of
from mailbot.compose import Envelope, untagged_subject
from mailbot.directory import Officer
from mailbot.languages import staff_languages
from mailbot.leavers import about_them, is_leaver, stand_in_for
from mailbot.member_cases import shown_as_confidential, subjects_erased
from mailbot.model import Kind
from mailbot.reminder_schedule import LISTED_IN_SUMMARY, Step, escalation_day, step_of_key
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.typed_date import typed_date
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

TOPIC_LIMIT = 60


@dataclass(frozen=True)
class StepMail:
    """One reminder as it would go today: to whom, in what words, and what the audit
    trail should say about how its recipient was chosen."""

    step: Step  # an escalation with nobody to escalate to becomes an overdue reminder
    envelope: Envelope
    rendered: Rendered
    notes: tuple[tuple[str, str], ...] = ()  # (action, detail) events


def step_mail(app: App, session: Any, case: CaseRow, step: Step, today: date) -> StepMail:
    """The reminder for `step` as the case stands now (its officer, their manager): used
    by the sweep to queue it, and by the send-time check (mailbot.still_due) to write it
    again when it goes later than it was queued."""
    who = step_recipient(app, case, step)
    step, officer, manager, gone = who.step, who.officer, who.manager, who.officer_gone
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(who.to.email,),
        cc=(officer.email,) if step.kind == "escalation" else (),
        instance=app.settings.council.instance,
        # An officer's reminder answered by their out-of-office moves the case on.
        hear_absence=step.kind != "escalation" and hears_absence(app, officer.email),
    )
    member = app.directory.member(case.member_email)
    languages = staff_languages(app.policy.language, member.language if member else None)
    context = reminder_context(app, case, step, today, officer, manager)
    context["reminder"]["officer_gone"] = gone  # and a stand-in is the one told
    if step.kind == "escalation":
        context["reminder"]["reminders_sent"] = overdue_reminders_given(session, case, step.due)
    context["reminder"]["member_told_late"] = step.kind in (
        "overdue", "escalation"
    ) and member_told_late(session, case, step.due)
    rendered = app.renderer.render(step.template, context, languages)
    return StepMail(step, envelope, rendered, who.notes)


@dataclass(frozen=True)
class StepRecipient:
    """Who a reminder goes to: the officer, or for an escalation their manager (a leaver's
    stand-in in place of the manager), with the officer copied."""

    step: Step  # an escalation with nobody to escalate to becomes an overdue reminder
    officer: Officer
    manager: Officer | None
    officer_gone: bool  # escalated to a stand-in: the officer is not in officers.csv
    notes: tuple[tuple[str, str], ...] = ()  # (action, detail) events

    @property
    def to(self) -> Officer:
        return self.manager if self.step.kind == "escalation" and self.manager else self.officer


def step_recipient(app: App, case: CaseRow, step: Step) -> StepRecipient:
    """Whom the reminder for `step` goes to, as the directory stands now: the sweep's
    choice, and what `mailbot case` says is to come (mailbot.reminders_ahead)."""
    assert case.officer_email is not None
    notes: list[tuple[str, str]] = []
    officer = app.directory.officer_or_address(case.officer_email)
    manager = manager_of(app, officer)
    gone = step.kind == "escalation" and is_leaver(app, case.officer_email)
    if gone and (stand := stand_in_for(app, case, case.officer_email)) is not None:
        # Their row was deleted (they left, or their address changed): no manager is known,
        # and the overdue reminders may be reaching nobody. Whoever takes unrouted mail is
        # asked instead, and may use the commands (commands.authority).
        manager = app.directory.officer_or_address(stand)
        notes.append(("escalation to stand-in",
                      f"{case.officer_email} is not in officers.csv; escalated to {stand}"))
    if step.kind == "escalation" and manager is not None and one_of(
            manager.email, about_them(case)):
        # A complaint about the officer's own manager: never escalated to them (they would
        # be asked to see the complaint against them answered), but to the stand-in.
        stand = stand_in_for(app, case, case.officer_email)
        notes.append(("escalation past the manager",
                      f"the complaint is about {manager.email}; "
                      + (f"escalated to {stand}" if stand else "nobody else to escalate to")))
        manager = app.directory.officer_or_address(stand) if stand else None
    if step.kind == "escalation" and manager is None:
        # Nobody to escalate to: the officer gets an ordinary overdue reminder instead.
        notes.append(("no escalation", "nobody to escalate to" if notes
                      else "the officer has no manager"))
        step = Step("overdue", step.number, step.on, step.due)
    return StepRecipient(step, officer, manager, gone, tuple(notes))


def manager_of(app: App, officer: Officer) -> Officer | None:
    if not officer.manager_email:
        return None
    return app.directory.officer_or_address(officer.manager_email)


def overdue_reminders_given(session: Any, case: CaseRow, due: date) -> int:
    """The overdue reminders about `due` the officer has been given (sent, waiting to go,
    or listed in their daily summary). An escalation says how many: not its number less
    one, since the steps before it may never have gone (a RESUME dated back to the day
    the wait ended sets a date already passed; the sweep sends only the latest step)."""
    found = session.execute(
        select(OutboxRow.dedup_key, OutboxRow.status, OutboxRow.last_error).where(
            OutboxRow.case_id == case.id, OutboxRow.dedup_key.like("reminder:%")
        )
    ).all()
    given = 0
    for key, status, error in found:
        step = step_of_key(key)
        listed = status == "withdrawn" and (error or "").startswith(LISTED_IN_SUMMARY)
        if (step is not None and step[0] == due and step[1] == "overdue"
                and (status not in ("withdrawn", "failed") or listed)):
            given += 1
    return given


def reminder_context(
    app: App,
    case: CaseRow,
    step: Step,
    today: date,
    officer: Officer,
    manager: Officer | None,
) -> dict[str, Any]:
    """The whitelisted values a reminder template may see. Confidential: no subject."""
    cal = app.policy.council_calendar()  # the days mail goes out and the office is open
    # Working days left or overdue are counted on the calendar the due date was (for an
    # FOI, FOIA s.10(6): every UK bank holiday, closure days count), not the office's.
    counted = app.policy.response_calendar(Kind(case.kind))
    rules = app.policy.reminders
    member = app.directory.member(case.member_email)
    escalate_on = escalation_day(rules, cal, step.due)
    confidential = shown_as_confidential(case)
    subject = "" if confidential else untagged_subject(case.subject)[:200]
    extendable = app.policy.can_extend(Kind(case.kind))
    subject_access = subject_access_context(app, case)
    return {
        "council": {
            "name": app.settings.council.name,
            "mailbox": app.mailbox_address,
            "domain": app.mailbox_address.rpartition("@")[2],
        },
        "today_typed": typed_date(today),  # RESUME's example date: the day it is written
        "officer": {"name": officer.name, "email": officer.email, "service": officer.service},
        "manager": {"name": manager.name, "email": manager.email} if manager else None,
        # Who the answer is for, as the assignment names them: the officer may have no
        # other mail from the member to hand, and the ward says whose residents it is.
        "member": {
            "name": member.name if member else (case.member_name or case.member_email),
            "email": case.member_email,
            "ward": member.ward if member else "",
        },
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": KIND_LABELS[Kind(case.kind)],
            # The member was told the officer sees it marked important (the acknowledgement).
            "priority": case.priority,
            "received": case.received_at.astimezone(LONDON).date(),
            "response_due": step.due,
            "confidential": confidential,
            "subject": subject,
            "topic": _topic(subject),
            # Its subject blanked by an erasure on request: said so where the subject
            # goes, as the assignment's Subject line does, not left to look unsent.
            "subject_erased": not confidential and not subject and _erased(case),
            "extendable": extendable,
            # Whether it can be kept private is still unanswered: the commands list offers
            # CONFIDENTIAL OK / NO (the manager's escalation too), as the assignment did.
            "confidentiality_unanswered": confidentiality_still_asked(case),
            # An FOI request's one lawful extension (EIR reg 7): only before its date passes.
            "eir_extendable": case.kind == Kind.FOI.value and step.kind in ("before", "due"),
            # And FOIA s.10(3)'s public interest extension, likewise (FOISA has none).
            "public_interest_extendable": case.kind == Kind.FOI.value
            and step.kind in ("before", "due") and app.policy.foi_regime != "foisa",
            # A subject access request says so, with data protection law's date (no clock
            # of the case keeps it; 'Reply by' is the protocol's), as the weekly digest
            # does: in the reminders, the overdue reminders, the escalation and the summary.
            "subject_access": subject_access,
            # A clock started afresh (reopened, next stage, FOI clarification): the day it
            # counts from, beside Received, so a far later Reply by reads as meant.
            "restarted": _restarted(case),
        },
        "reminder": {
            "step": step.kind,
            "number": step.number,
            "working_days_left": counted.working_days_between(today, step.due),
            "days_overdue": counted.working_days_between(step.due, today),
            "reminders_sent": max(step.number - 1, 0),
            "escalate_on": (
                escalate_on
                if step.kind in ("before", "due", "overdue") and manager and escalate_on > today
                else None
            ),
            # Wiltshire 6.5.7/6.5.8: when the answer will be late, the member gets the
            # reason, the action and a new date; EXTEND lets the bot send that for them.
            # Not for a sender outside members.csv: mailbot writes nothing to them.
            "explain_prompt": extendable
            and step.kind in ("before", "due", "overdue")
            and (member is not None or app.settings.directory.acknowledge_unknown_senders),
            # An FOI date on a closure day is reminded on the last working day before it:
            # that mail must not call the due date "today".
            "due_day_closed": step.kind == "due" and not cal.is_working_day(step.due),
            "officer_gone": False,  # set by _queue_step for an officer not in officers.csv
            "member_told_late": False,  # set by _queue_step once the member has been told
            # A subject access request whose protocol date a pause moved past the law's:
            # the headline's date is not the one to keep, so it says which is.
            **law_date_first(subject_access, step, today),
        },
    }


def law_date_first(
    subject_access: dict[str, Any] | None, step: Step, today: date
) -> dict[str, Any]:
    """{law_date_first, law_date_passed}: data protection law's date of a subject access
    request when it falls before the protocol's date a before-due or due-day reminder
    gives (None otherwise), and whether it has passed by `today`."""
    law_due = subject_access["due"] if subject_access else None
    if law_due is None or step.kind not in ("before", "due") or law_due >= step.due:
        return {"law_date_first": None, "law_date_passed": False}
    return {"law_date_first": law_due, "law_date_passed": law_due < today}


def _erased(case: CaseRow) -> bool:
    """Whether an erasure on request blanked the case's subject (member_cases.
    subjects_erased; a case rendered outside a session cannot tell)."""
    session = object_session(case)
    return session is not None and case.id in subjects_erased(session, [case.id])


def _restarted(case: CaseRow) -> dict[str, Any] | None:
    session = object_session(case)
    found = last_restart(session, case) if session is not None else None
    return {"on": found.on, "why": found.why} if found else None


def _topic(subject: str) -> str:
    """The case's subject as the reminder's Subject line names it, without a mail gateway's
    "[EXTERNAL]"; "" (the kind is named instead) if nothing else is left."""
    subject = " ".join(untagged_subject(subject).split())
    return subject if len(subject) <= TOPIC_LIMIT else subject[: TOPIC_LIMIT - 1] + "…"
