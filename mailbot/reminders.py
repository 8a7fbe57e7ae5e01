"""The reminder sweep: the pack's reminder schedule for every open case with an officer.

Schedule (policy [reminders], all in the council's working days): `days_before` working
days before the response is due, on the due day, then every `overdue_every` working days
while it is overdue; the overdue reminder numbered `escalate_after + 1` goes to the
officer's manager instead (the officer copied in). Later overdue reminders go to the
officer only: the manager sees the case in the weekly digest, not in a daily storm.

Rules that keep it safe:
- runs only inside the pack's working hours on a council working day (no mail at night,
  at weekends or on bank holidays), whatever calls it;
- each reminder has a dedup key (case, due date, step) in the outbox, whose unique index
  is the ledger: a reminder goes out at most once, across restarts and overlapping runs;
- after downtime only the latest step due is sent (plus a missed escalation), never a
  backlog of stale reminders;
- a case answered, closed or paused gets none; a moved due date (an extension) has its
  own schedule, and steps dated before the change are not sent; a reminder queued before
  such a change is withdrawn when it was to go, and one that goes late is written again
  for the day it goes (mailbot.still_due);
- confidential cases: the reminder says there is one, never its subject or content;
- an officer with more than `summary_above` reminders due on one day gets one daily
  summary listing every case, with each case's reply instructions, instead of a mail per
  case (escalations still go one per case, to the manager). Each case's reminder is still
  written to the outbox under its own dedup key, kept as `withdrawn` with the summary's
  key as its reason, so the ledger and the send-time check work as for a single reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from mailbot import directory_alert, ledger, outbox
from mailbot.access_request_reminder import TEMPLATE as ACCESS_REQUEST_REMINDER
from mailbot.ack_reminder import TEMPLATE as ACK_REMINDER
from mailbot.ack_reminder import queue_ack_reminder
from mailbot.acknowledgement import subject_access_context
from mailbot.addresses import address_forms, address_key
from mailbot.answered import officer_acknowledges
from mailbot.assignment import hears_absence
from mailbot.cases import KIND_LABELS, clock_events, refresh_deadlines
from mailbot.clock import ClockEvent
from mailbot.commands.letters import member_told_late, tell_member_it_is_late
from mailbot.compose import Envelope, untagged_subject
from mailbot.confidentiality_chase import TEMPLATE as CONFIDENTIALITY_CHASE
from mailbot.directory import Officer
from mailbot.languages import Languages, staff_languages, staff_languages_for_many
from mailbot.leavers import is_leaver, stand_in
from mailbot.member_cases import subjects_erased
from mailbot.model import FINISHED, Kind
from mailbot.pause_chase import TEMPLATE as PAUSE_CHASE
from mailbot.policy import Reminders
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.sweep import each_case_with_an_officer
from mailbot.workdays import LONDON, WorkingCalendar

if TYPE_CHECKING:
    from mailbot.app import App


StepKind = Literal["before", "due", "overdue", "escalation"]
STEP_KINDS: dict[str, StepKind] = {
    "before": "before", "due": "due", "overdue": "overdue", "escalation": "escalation",
}
# What the reminder sweeps queue, in working hours only, and so send in working hours only.
SUMMARY = "reminder_summary"  # one officer's before-due, due-day and overdue reminders of a day
WORKING_HOURS_MAIL = (
    "reminder", "overdue", "escalation", "late_notice", ACK_REMINDER, CONFIDENTIALITY_CHASE,
    PAUSE_CHASE, SUMMARY, ACCESS_REQUEST_REMINDER,
)
TOPIC_LIMIT = 60


@dataclass(frozen=True)
class Step:
    """One reminder of a schedule: what it is, the day it goes out, the due date it is about."""

    kind: StepKind
    number: int  # overdue reminders count 1, 2, ...; 0 for before/due
    on: date
    due: date

    @property
    def template(self) -> str:
        return "reminder" if self.kind in ("before", "due") else self.kind

    def dedup_key(self, ref: str) -> str:
        return f"reminder:{ref}:{self.due.isoformat()}:{self.kind}:{self.number}"


@dataclass
class ReminderReport:
    queued: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, step, recipient)
    skipped: str = ""  # why the sweep did nothing at all, if it did nothing


# Reminders the sweep found due, by officer, before deciding whether they go alone or in
# the officer's daily summary: (case id, step). Keyed by the officer's address_key, so
# cases stored with another form of the address (caerdydd-ŵ.cymru or
# xn--caerdydd--j9b.cymru, other capitals) are in the same summary.
Deferred = dict[str, list[tuple[int, Step]]]


def schedule(rules: Reminders, cal: WorkingCalendar, due: date, until: date) -> list[Step]:
    """Every step for a response due on `due` that falls on or before `until`, in order."""
    steps: list[Step] = []
    if rules.days_before > 0:
        steps.append(Step("before", 0, cal.add_working_days(due, -rules.days_before), due))
    if rules.on_due_day:
        # An FOI date can fall on a council closure day: remind on the last day in before it.
        on = due if cal.is_working_day(due) else cal.add_working_days(due, -1)
        steps.append(Step("due", 0, on, due))
    number = 1
    while (on := cal.add_working_days(due, number * rules.overdue_every)) <= until:
        kind: StepKind = "escalation" if number == rules.escalate_after + 1 else "overdue"
        steps.append(Step(kind, number, on, due))
        number += 1
    return [s for s in steps if s.on <= until]


def steps_to_send(steps: list[Step], start: date, today: date) -> list[Step]:
    """The latest step due by `today` (older ones are stale), plus an escalation that was
    missed; nothing dated before `start` (the case's opening or the last clock change)."""
    current = [s for s in steps if start <= s.on <= today]
    if not current:
        return []
    picked = [current[-1]]
    escalation = next((s for s in current if s.kind == "escalation"), None)
    if escalation is not None and escalation is not picked[0]:
        picked.insert(0, escalation)
    return picked


def escalation_day(rules: Reminders, cal: WorkingCalendar, due: date) -> date:
    return cal.add_working_days(due, (rules.escalate_after + 1) * rules.overdue_every)


def sweep(app: App, now: datetime) -> ReminderReport:
    """Queue the reminders due at `now`. Sends nothing itself: the outbox flush does."""
    report = ReminderReport()
    # The sweep runs every few minutes at any hour, just after the directory is re-read
    # (jobs.send_reminders): the moment to tell the admins an edit of it could not be read.
    directory_alert.alert_if_unreadable(app, now)
    cal = app.policy.council_calendar()
    if not cal.within_working_hours(now):
        report.skipped = "outside working hours"
        hold_until_working_hours(app, cal, now)
        return report
    deferred: Deferred = {}
    each_case_with_an_officer(
        app, lambda case_id: _remind_case(app, case_id, now, report, deferred), what="reminders"
    )
    _queue_deferred(app, now, deferred, report)
    return report


def summarising(app: App, officer_email: str) -> bool:
    """Whether this officer's reminders may be gathered into a daily summary (in a
    bilingual council, in Welsh and English as its other staff mail). Not for an officer
    whose out-of-office mailbot listens for ([loops] officer_auto_replies): an
    out-of-office answering a case's own reminder moves that case on (mailbot.absence),
    and one answering a summary could not say which case."""
    return app.policy.reminders.summary_above > 0 and not hears_absence(app, officer_email)


def summary_key(officer_email: str, day: date) -> str:
    """reminder_summary:<officer>:<ISO day>, the officer's address by its address_key."""
    return f"{SUMMARY}:{address_key(officer_email)}:{day.isoformat()}"


def summary_keys(officer_email: str, day: date) -> list[str]:
    """Every key the officer's summary of `day` may be under: summary_key, and any form
    of the address an earlier mailbot wrote in it (the domain in Unicode, lower case)."""
    return sorted({f"{SUMMARY}:{form}:{day.isoformat()}" for form in address_forms(officer_email)})


LISTED_IN_SUMMARY = "listed in the daily summary "


def listed_reason(key: str) -> str:
    """What a reminder listed in a summary keeps as its reason (outbox last_error): the
    summary's dedup key, by which the summary finds its cases again when it goes."""
    return f"{LISTED_IN_SUMMARY}{key}"


def _queue_deferred(app: App, now: datetime, deferred: Deferred, report: ReminderReport) -> None:
    """Each officer's reminders of the day: alone when there are few (or the day's summary
    has gone already: a case reassigned to them at noon), else one summary."""
    today = now.astimezone(LONDON).date()
    limit = app.policy.reminders.summary_above
    for officer, steps in deferred.items():
        officer_email = app.directory.as_listed(officer)  # as officers.csv writes it
        key = summary_key(officer_email, today)
        with app.store.transaction() as session:
            already = session.scalar(select(OutboxRow.id).where(
                OutboxRow.dedup_key.in_(summary_keys(officer_email, today))).limit(1))
        if len(steps) <= limit or already is not None:
            for case_id, step in steps:
                try:
                    with app.store.transaction() as session:
                        case = session.get(CaseRow, case_id)
                        if case is None or not case.officer_email:
                            continue
                        queued = _queue_step(app, session, case, step, today, now)
                        if queued is not None:
                            report.queued.append((case.ref, *queued))
                except IntegrityError:
                    continue  # an overlapping run queued it first
            continue
        try:
            with app.store.transaction() as session:
                listed = _queue_listed(app, session, steps, key, today, now)
                if listed:
                    rendered, envelope = summary_mail(app, session, officer_email, listed, today)
                    outbox.queue(
                        session, purpose=SUMMARY, dedup_key=key, case=None,
                        rendered=rendered, envelope=envelope, now=now, automatic=False,
                    )
                    report.queued.append(
                        (f"{len(listed)} cases", "summary", envelope.to[0])
                    )
        except IntegrityError:
            continue  # an overlapping run wrote this officer's summary first


def _queue_listed(
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
    manager = _manager_of(app, officer)
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


def _manager_of(app: App, officer: Officer) -> Officer | None:
    if not officer.manager_email:
        return None
    return app.directory.officer_or_address(officer.manager_email)


def hold_until_working_hours(app: App, cal: WorkingCalendar, now: datetime) -> None:
    """Mail the sweep wrote in working hours that has not gone yet (the mailbox was down
    all day, say) waits for the next working hours: the officer, their manager or the
    member is not sent it in the middle of the night or at the weekend when the mailbox
    comes back. Runs at every sweep outside working hours, so the first one after hours
    end holds back what is left; a flush before that sweep is held back by the outbox's
    send-time check (mailbot.still_due)."""
    opens = cal.next_working_moment(now)
    with app.store.transaction() as session:
        session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.purpose.in_(WORKING_HOURS_MAIL),
                OutboxRow.not_before < opens,
            )
            .values(not_before=opens)
        )


def _remind_case(
    app: App, case_id: int, now: datetime, report: ReminderReport, deferred: Deferred
) -> None:
    cal = app.policy.council_calendar()
    rules = app.policy.reminders
    today = now.astimezone(LONDON).date()
    with app.store.transaction() as session:
        case = session.get(CaseRow, case_id)
        if case is None or case.status in FINISHED or not case.officer_email:
            return
        events = clock_events(session, case)  # read once: the dates and the schedule's start
        found = refresh_deadlines(app, session, case, events)
        if officer_acknowledges(app, case) and found.ack.status == "running" and found.ack.due:
            recipient = queue_ack_reminder(app, session, case, found.ack.due, today, now)
            if recipient is not None:
                report.queued.append((case.ref, "acknowledge", recipient))
        due = found.response.due
        if found.response.status != "running" or due is None:
            return  # stopped (answered) or paused: no reminders
        start = schedule_start(case, events)
        # The date the member was given has passed with no answer and no new date: the
        # protocol has them told (Wiltshire 6.5.8, Cardiff, Colchester 16(6)). Not for a
        # date that passed before the case opened or the date last changed, nor while the
        # officer is a leaver (their escalation finds the case a person, who is named).
        late = (Kind(case.kind) in rules.tell_member_when_late and start <= due < today
                and not is_leaver(app, case.officer_email))
        if late and tell_member_it_is_late(app, session, case, due, now):
            report.queued.append((case.ref, "late_notice", case.member_email))
        steps = steps_to_send(schedule(rules, cal, due, today), start, today)
        for step in steps:
            if step.kind != "escalation" and summarising(app, case.officer_email):
                # Goes alone or in the officer's summary: decided once every case is seen.
                if not _queued(session, step.dedup_key(case.ref)):
                    deferred.setdefault(address_key(case.officer_email), []).append(
                        (case.id, step)
                    )
                continue
            queued = _queue_step(app, session, case, step, today, now)
            if queued is not None:
                report.queued.append((case.ref, *queued))


def _queued(session: Any, dedup_key: str) -> bool:
    return session.scalar(
        select(OutboxRow.id).where(OutboxRow.dedup_key == dedup_key[:200])
    ) is not None


def schedule_start(case: CaseRow, events: list[ClockEvent]) -> date:
    """Steps dated before this day are not sent: the case was not open, or its due date
    was different then (an extension, a restart or a resumed pause). `events` are the
    case's clock events (cases.clock_events)."""
    start = case.created_at.astimezone(LONDON).date()
    for event in events:
        if event.clock == "response" and event.action in ("extend", "restart", "resume"):
            start = max(start, event.at.astimezone(LONDON).date())
    return start


def _queue_step(
    app: App, session: Any, case: CaseRow, step: Step, today: date, now: datetime
) -> tuple[str, str] | None:
    """Queue one reminder; returns (step, recipient), or None if it was already queued."""
    mail = step_mail(app, session, case, step, today)
    row = outbox.queue(
        session,
        purpose=mail.step.template,
        dedup_key=mail.step.dedup_key(case.ref),
        case=case,
        rendered=mail.rendered,
        envelope=mail.envelope,
        now=now,
        # Not a reply to anyone's mail, and bounded by the ledger: the per-recipient cap
        # for automatic replies must not swallow an officer's fifth reminder of the day.
        automatic=False,
    )
    if row is None:
        return None
    # Said once, with the mail it is about, not at every sweep that finds it queued.
    for action, detail in mail.notes:
        ledger.record_event(session, now, "mailbot", action, detail, case=case)
    recipient = mail.envelope.to[0]
    ledger.record_event(
        session, now, "mailbot", f"{mail.step.template} queued",
        f"{mail.step.kind} to {recipient}", case=case,
    )
    return f"{mail.step.kind}:{mail.step.number}", recipient


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
    assert case.officer_email is not None
    notes: list[tuple[str, str]] = []
    officer = app.directory.officer_or_address(case.officer_email)
    manager = _manager_of(app, officer)
    gone = step.kind == "escalation" and is_leaver(app, case.officer_email)
    if gone and (stand := stand_in(app, case.officer_email)) is not None:
        # Their row was deleted (they left, or their address changed): no manager is known,
        # and the overdue reminders may be reaching nobody. Whoever takes unrouted mail is
        # asked instead, and may use the commands (commands.authority).
        manager = app.directory.officer_or_address(stand)
        notes.append(("escalation to stand-in",
                      f"{case.officer_email} is not in officers.csv; escalated to {stand}"))
    if step.kind == "escalation" and manager is None:
        # Nobody to escalate to: the officer gets an ordinary overdue reminder instead.
        notes.append(("no escalation", "the officer has no manager"))
        step = Step("overdue", step.number, step.on, step.due)
    envelope = Envelope(
        sender=app.mailbox_address,
        sender_name=app.settings.mailbox.display_name,
        to=(manager.email,) if step.kind == "escalation" and manager else (officer.email,),
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
    return StepMail(step, envelope, rendered, tuple(notes))


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


def step_of_key(dedup_key: str) -> tuple[date, StepKind, int] | None:
    """(due date, kind, number) of a reminder's dedup key (Step.dedup_key); None if it is
    not one. The ref may hold any character, so the key is read from the right."""
    head, _, rest = dedup_key.partition(":")
    parts = rest.rsplit(":", 3)
    if head != "reminder" or len(parts) != 4:
        return None
    _ref, due, kind_text, number = parts
    kind = STEP_KINDS.get(kind_text)
    if kind is None or not number.isdigit():
        return None
    try:
        return date.fromisoformat(due), kind, int(number)
    except ValueError:
        return None


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
    subject = "" if case.confidential else untagged_subject(case.subject)[:200]
    extendable = app.policy.can_extend(Kind(case.kind))
    subject_access = subject_access_context(app, case)
    return {
        "council": {
            "name": app.settings.council.name,
            "mailbox": app.mailbox_address,
            "domain": app.mailbox_address.rpartition("@")[2],
        },
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
            "confidential": case.confidential,
            "subject": subject,
            "topic": _topic(subject),
            # Its subject blanked by an erasure on request: said so where the subject
            # goes, as the assignment's Subject line does, not left to look unsent.
            "subject_erased": not case.confidential and not subject and _erased(case),
            "extendable": extendable,
            # An FOI request's one lawful extension (EIR reg 7): only before its date passes.
            "eir_extendable": case.kind == Kind.FOI.value and step.kind in ("before", "due"),
            # And FOIA s.10(3)'s public interest extension, likewise (FOISA has none).
            "public_interest_extendable": case.kind == Kind.FOI.value
            and step.kind in ("before", "due") and app.policy.foi_regime != "foisa",
            # A subject access request says so, with data protection law's date (no clock
            # of the case keeps it; 'Reply by' is the protocol's), as the weekly digest
            # does: in the reminders, the overdue reminders, the escalation and the summary.
            "subject_access": subject_access,
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


def _topic(subject: str) -> str:
    """The case's subject as the reminder's Subject line names it, without a mail gateway's
    "[EXTERNAL]"; "" (the kind is named instead) if nothing else is left."""
    subject = " ".join(untagged_subject(subject).split())
    return subject if len(subject) <= TOPIC_LIMIT else subject[: TOPIC_LIMIT - 1] + "…"
