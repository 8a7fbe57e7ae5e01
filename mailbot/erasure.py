"""Erasure on request (UK GDPR Article 17): one person's data, with the retention purge's
own means (mailbot.retention), so an erased row looks exactly like a purged one.

What goes, of what mailbot.data_subject finds:
- a case whose member they are is anonymised as the purge anonymises old cases: member
  details, subject, its mail received and sent, the free text of its audit trail;
- a case of someone else whose subject names them loses its subject, and its timeline
  says so (SUBJECT_ERASED), never whom it named;
- mail received or sent that concerns them loses its content (the row and Message-ID
  stay: the dedup ledger, so a resync answers nothing twice), sent mail its recipients;
- audit trail entries and clock changes that name them lose their free text, and where
  they were the one who acted, their address;
- their classifier corrections lines are removed.
What stays, and is said: anything of a case still open (being answered) unless the
person running it says `include_open`, and of an open FOI request or complaint even then
(STILL_OWED: UK GDPR Article 17(3)(b)); mail that may still be sent (the flush needs
it); and an officer's address, which is refused outright: staff details are kept for the
life of the case record (docs/data-protection.md).

The erasure is recorded in the audit trail with counts and case references only, never
who it was about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from mailbot import corrections_file, ledger, retention
from mailbot.data_subject import (
    IN_ERROR,
    IN_SUBJECT,
    MEMBER,
    OFFICER,
    Findings,
    FoundCase,
    FoundClockChange,
    FoundEvent,
    FoundMail,
    FoundMessage,
    Matcher,
    correction_id,
)
from mailbot.model import FINISHED, Kind
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, OutboxRow
from mailbot.subject_access import case_line, mail_line, message_line

if TYPE_CHECKING:
    from mailbot.app import App

# Open cases the council must still deal with by law, kept even with include_open: UK
# GDPR Article 17(3)(b) takes from the right to erasure what a legal obligation needs.
STILL_OWED = {
    Kind.FOI.value: "an open FOI request: the council must still answer it by law (Freedom "
                    "of Information Act 2000, section 10; in Scotland, FOISA 2002)",
    Kind.COMPLAINT.value: "an open complaint: the council must still deal with it under its "
                          "complaints procedure, and the Ombudsman may ask for its record",
}
ERASED = "(erased on request)"  # who acted, in an entry made by a person since erased
ACTION = "erasure"
# In the timeline of a case of someone else whose subject named the person: its subject
# is gone on request, not one the member left out (the digest says so where it was).
SUBJECT_ERASED = "subject erased"


class ErasureRefused(ValueError):
    """Not a person whose data this command erases (one line, for the console)."""


@dataclass
class ErasurePlan:
    findings: Findings
    include_open: bool
    anonymise: list[FoundCase] = field(default_factory=list)
    blank_subject: list[FoundCase] = field(default_factory=list)
    messages: list[FoundMessage] = field(default_factory=list)
    mail: list[FoundMail] = field(default_factory=list)
    events: list[FoundEvent] = field(default_factory=list)
    clock_changes: list[FoundClockChange] = field(default_factory=list)
    corrections: int = 0
    kept: list[str] = field(default_factory=list)  # what stays, and why, in words

    @property
    def total(self) -> int:
        return (len(self.anonymise) + len(self.blank_subject) + len(self.messages)
                + len(self.mail) + len(self.events) + len(self.clock_changes)
                + self.corrections)

    def counts(self) -> str:
        """For the audit trail: counts and case references, nothing about the person."""
        refs = ", ".join(case.ref for case in self.anonymise)
        kept = [case.ref for case in self.findings.cases
                if case.id in kept_open(self.findings, self.include_open)]
        return (
            f"on request (UK GDPR Article 17): cases_anonymised {len(self.anonymise)}"
            + (f" ({refs})" if refs else "")
            + f", case_subjects {len(self.blank_subject)}, received_mail {len(self.messages)}"
            f", sent_mail {len(self.mail)}, events {len(self.events)}"
            f", clock_changes {len(self.clock_changes)}, corrections_lines {self.corrections}"
            + (f"; open cases kept {len(kept)} ({', '.join(kept)})" if kept else "")
        )

    def lines(self, *, done: bool) -> list[str]:
        """What goes (or would go) and what stays, one line each."""
        verb = (lambda text: text) if done else (lambda text: f"would {text}")
        found = self.findings
        out = [verb(f"anonymise {case_line(c)}") for c in self.anonymise]
        out += [verb(f"blank the subject of {case_line(c)}") for c in self.blank_subject]
        out += [verb(f"erase {message_line(found, m)}") for m in self.messages]
        out += [verb(f"erase {mail_line(found, m)}") for m in self.mail]
        if self.events or self.clock_changes:
            out.append(verb(f"blank {len(self.events)} audit trail entr"
                            f"{'y' if len(self.events) == 1 else 'ies'} and "
                            f"{len(self.clock_changes)} clock change(s) that name them"))
        if self.corrections:
            out.append(verb(f"remove {self.corrections} line(s) of the classifier corrections "
                            f"file {found.corrections_path}"))
        if not self.total:
            out.append("nothing to erase")
        return out + [f"kept: {line}" for line in self.kept]


def plan(app: App, findings: Findings, *, include_open: bool) -> ErasurePlan:
    """What erasing the person found would change, and what it would keep. Refused for an
    officer (ErasureRefused)."""
    _refuse_officers(app, findings)
    return _plan(findings, include_open)


def _plan(findings: Findings, include_open: bool) -> ErasurePlan:
    result = ErasurePlan(findings, include_open)
    kept = kept_open(findings, include_open)
    for case in findings.cases:
        if case.id in kept and case.kind in STILL_OWED and include_open:
            result.kept.append(f"case {case.ref} is {STILL_OWED[case.kind]}; so nothing of "
                               "it is erased, even with --include-open (UK GDPR Article "
                               "17(3)(b)): run again once it is answered")
        elif case.id in kept:
            result.kept.append(f"case {case.ref} is {case.status}: it is still being answered,"
                               " so nothing of it is erased (--include-open erases it too)")
        elif MEMBER in case.roles and case.anonymised_at is None:
            result.anonymise.append(case)
        elif IN_SUBJECT in case.roles and MEMBER not in case.roles and case.subject:
            result.blank_subject.append(case)
    for message in findings.messages:
        if message.case_id not in kept and message.purged_at is None:
            result.messages.append(message)
    for mail in findings.mail:
        if mail.case_id in kept or (mail.only_lists_cases and set(mail.names_cases) <= kept):
            continue  # a summary or digest listing only cases kept goes with them
        if mail.status in retention.MAY_STILL_SEND:
            result.kept.append(f"sent mail row {mail.id} ({mail.purpose}) is {mail.status}: "
                               "it may still be sent, so it is not erased; run again once sent")
        elif mail.purged_at is None or mail.recipients or IN_ERROR in mail.why:
            result.mail.append(mail)
    result.events = [e for e in findings.events if e.case_id not in kept]
    result.clock_changes = [c for c in findings.clock_changes if c.case_id not in kept]
    readable = [c for c in findings.corrections if c.text.lstrip().startswith("{")]
    result.corrections = len(readable)
    unreadable = [str(c.line) for c in findings.corrections if c not in readable]
    if unreadable:
        result.kept.append(f"corrections file line(s) {', '.join(unreadable)} name them but "
                           "are not JSON: edit them by hand")
    return result


def kept_open(findings: Findings, include_open: bool) -> set[int]:
    """The cases found that are still open and so kept: all of them, or with include_open
    the FOI requests and complaints the council must still deal with (STILL_OWED)."""
    return {case.id for case in findings.cases
            if case.open and (not include_open or case.kind in STILL_OWED)}


def _refuse_officers(app: App, findings: Findings) -> None:
    who = findings.person
    matcher = Matcher(who)
    officers = {o.email for o in app.directory.officers.values()
                if o.email in who.addresses or matcher.named(o.name)}
    handled = [case.ref for case in findings.cases if OFFICER in case.roles]
    if officers or handled:
        what = (f"{', '.join(sorted(officers))} is in the officers file" if officers
                else f"the officer of {len(handled)} case(s) ({', '.join(handled[:3])}"
                + ("..." if len(handled) > 3 else "") + ")")
        raise ErasureRefused(
            f"this is an officer: {what}. Staff details are kept for the life of the case "
            "record (docs/data-protection.md); `mailbot person export` gives what is held"
        )


def erase(app: App, todo: ErasurePlan, now: datetime, *, by: str) -> ErasurePlan:
    """Carry out the plan in one transaction and record it. A case found finished that
    was reopened meanwhile (a member's follow-up) is left, as if it had been open."""
    with app.store.transaction() as session:
        todo = _reopened_meanwhile(session, todo)
        if todo.anonymise:
            retention.anonymise_cases(session, [c.id for c in todo.anonymise], now)
        if todo.blank_subject:
            _blank_subjects(session, todo.blank_subject, now, by)
        if todo.messages:
            retention.erase_messages(session, [m.id for m in todo.messages], now)
        if todo.mail:
            retention.blank_sent_mail(session, OutboxRow.id.in_([m.id for m in todo.mail]), now)
        _blank_trail(session, todo)
    todo.corrections = _remove_corrections(app, todo)
    with app.store.transaction() as session:
        ledger.record_event(session, now, by, ACTION, todo.counts())
    if not app.store.empty_the_log():
        todo.kept.append("the database's write-ahead log (mailbot.db-wal) was in use by "
                         "another program and could not be emptied: the erased data stays "
                         "in that file until the next nightly purge empties it")
    return todo


def _blank_subjects(session: Session, cases: list[FoundCase], now: datetime, by: str) -> None:
    """Blank the subjects that name the person, each case's timeline saying it was done
    on request (never whom it named)."""
    session.execute(update(CaseRow).where(
        CaseRow.id.in_([c.id for c in cases])).values(subject="", matter_key=""))
    for case in cases:
        ledger.record_event(session, now, by, SUBJECT_ERASED,
                            "on request (UK GDPR Article 17)", case_id=case.id)


def _reopened_meanwhile(session: Session, todo: ErasurePlan) -> ErasurePlan:
    """The plan again if a case it would erase was reopened since it was made (a member's
    follow-up): that case is then kept as an open one is (with include_open, an FOI
    request or complaint). The cases stay locked until the erasure commits, so none is
    reopened half way through."""
    involved = sorted({c.id for c in todo.findings.cases if not c.open})
    if not involved:
        return todo
    statuses = session.execute(
        select(CaseRow.id, CaseRow.status).where(CaseRow.id.in_(involved)).with_for_update()
    ).tuples().all()
    reopened = {case_id for case_id, status in statuses if status not in FINISHED}
    if not reopened:
        return todo
    for case in todo.findings.cases:
        if case.id in reopened:
            case.status = next(s for i, s in statuses if i == case.id)
    return _plan(todo.findings, todo.include_open)


def _blank_trail(session: Session, todo: ErasurePlan) -> None:
    addresses = list(todo.findings.person.addresses)
    if todo.events:
        _blank_entries(session, EventRow, [e.id for e in todo.events],
                       EventRow.detail, EventRow.actor, addresses)
    if todo.clock_changes:
        _blank_entries(session, ClockEventRow, [c.id for c in todo.clock_changes],
                       ClockEventRow.why, ClockEventRow.who, addresses)


def _blank_entries(
    session: Session,
    table: type[EventRow] | type[ClockEventRow],
    ids: list[int],
    text: InstrumentedAttribute[str],
    actor: InstrumentedAttribute[str],
    addresses: list[str],
) -> None:
    """The audit entries `ids` of `table` lose their words (`text`), and ERASED stands for
    the person where `actor` names one of their `addresses`."""
    session.execute(update(table).where(table.id.in_(ids)).values({text: ""}))
    if addresses:
        session.execute(update(table).where(table.id.in_(ids), actor.in_(addresses))
                        .values({actor: ERASED}))


def _remove_corrections(app: App, todo: ErasurePlan) -> int:
    if not todo.corrections:
        return 0
    matcher = Matcher(todo.findings.person)
    found = {correction_id(m.message_id) for m in todo.findings.messages}
    removed = corrections_file.remove_corrections(
        app.settings.corrections_path, lambda row: bool(matcher.in_correction(row, found))
    )
    if removed is None:
        todo.kept.append("the corrections file kept changing while it was rewritten: run "
                         "again to remove their lines")
        return 0
    return removed

