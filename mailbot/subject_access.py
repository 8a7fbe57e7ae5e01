"""A subject access export (UK GDPR Article 15): what mailbot.data_subject found about one
person, written to a new folder for the council's data protection officer.

The folder is new, readable by its owner alone (0700, files 0600), and nothing in it is
written over an existing file or through a symlink (mailbot.private_files). Mail is saved
byte for byte as it arrived or as it was sent; the rest as JSON; README.txt says in plain
English what was searched, what was found and what is not covered, for the DPO to send
on once they have checked it for other people's data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mailbot import ledger
from mailbot.addresses import same_address
from mailbot.data_subject import (
    Findings,
    FoundCase,
    FoundMail,
    FoundMessage,
    Matcher,
    people_in_mail,
)
from mailbot.directory_keep import kept_folder
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.private_files import PrivateFolder
from mailbot.store.tables import MessageRow, OutboxRow
from mailbot.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.app import App

MESSAGES, SENT = "received-mail", "sent-mail"
NOT_COVERED = [
    "the mailbox itself on the mail server (the Inbox, the Processed folder, Sent Items): "
    "mailbot reads and moves mail there, and the mail server keeps its own copies",
    "the local outbox folder of the maildir backend, mailbot's logs, and backups of its "
    "database",
    "the members.csv and officers.csv files the council keeps (what they say about this "
    "person is quoted above), and the daemon's copy of them in {directory}, replaced the "
    "next time the files change",
]


def uk_time(moment: datetime | None) -> str:
    return f"{moment.astimezone(LONDON):%Y-%m-%d %H:%M}" if moment else ""


# --- in words, for the console and the README --------------------------------------------


def case_line(case: FoundCase) -> str:
    gone = f", anonymised {uk_time(case.anonymised_at)}" if case.anonymised_at else ""
    return (f"case {case.ref} ({case.kind}, {case.status}{gone}, received "
            f"{uk_time(case.received_at)}): {', '.join(case.roles)}")


def message_line(findings: Findings, message: FoundMessage) -> str:
    ref = findings.ref_of(message.case_id)
    where = f" in {ref}" if ref else f" ({message.status}, in no case)"
    content = (f"erased {uk_time(message.purged_at)}" if message.purged_at
               else f"from {message.sender or '(no sender)'}, {message.subject!r}")
    return (f"received mail row {message.id}, {uk_time(message.received_at)}{where}, "
            f"{content}: {', '.join(message.why)}")


def mail_line(findings: Findings, mail: FoundMail) -> str:
    ref = findings.ref_of(mail.case_id)
    where = f" about {ref}" if ref else ""
    to = f" to {mail.recipients}" if mail.recipients else ""
    gone = f", erased {uk_time(mail.purged_at)}" if mail.purged_at else ""
    return (f"sent mail row {mail.id}, {mail.purpose}{to}{where}, {mail.status} "
            f"{uk_time(mail.sent_at or mail.created_at)}{gone}: {', '.join(mail.why)}")


def found_lines(findings: Findings) -> list[str]:
    """One line per thing found, cases first."""
    lines = [case_line(case) for case in findings.cases]
    lines += [message_line(findings, m) for m in findings.messages]
    lines += [mail_line(findings, m) for m in findings.mail]
    if findings.events:
        lines.append(f"{len(findings.events)} audit trail entr"
                     f"{'y' if len(findings.events) == 1 else 'ies'}")
    if findings.clock_changes:
        lines.append(f"{len(findings.clock_changes)} change(s) to a case's clock")
    if findings.corrections:
        lines.append(f"{len(findings.corrections)} line(s) of the classifier corrections file "
                     f"{findings.corrections_path}")
    lines += [f"listed in {line}" for line in findings.directory]
    return lines or ["nothing"]


def others_section(findings: Findings, notes: dict[str, MailNotes]) -> list[str]:
    """The other people the files give by address, each with the files that give them,
    for the DPO to redact; the officers of the cases too."""
    files_of: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for file, note in sorted(notes.items()):
        for address, as_written in note.others.items():
            files_of.setdefault(address, []).append(file)
            if "<" in as_written or address not in shown:
                shown[address] = as_written
    for case in findings.cases:
        officer = (case.officer_email or "").lower()
        if officer and officer not in findings.person.addresses:
            shown.setdefault(officer, officer)
            if "cases.json" not in files_of.setdefault(officer, []):
                files_of[officer].append("cases.json")
    if not files_of:
        return []
    out = ["", "OTHER PEOPLE IN THESE FILES (check before sending; names written in the",
           "text of mail are not listed, so read each mail too)"]
    return out + [f"- {shown[address]}: {', '.join(files)}"
                  for address, files in sorted(files_of.items())]


# --- the export -------------------------------------------------------------------------


class ExportError(ValueError):
    """The folder cannot be made (it exists, or the parent is not writable)."""


def export(app: App, findings: Findings, to: Path, now: datetime, *, by: str) -> list[str]:
    """Write what was found into the new folder `to`. Returns the names written. The audit
    trail records that an export was made, by whom and how much: not who it was about,
    which would be one more copy of their details."""
    try:
        folder = PrivateFolder(to)
    except FileExistsError:
        raise ExportError(f"{to} already exists: give a new folder (nothing is written "
                          "into or over an existing one)") from None
    except OSError as exc:
        raise ExportError(f"cannot make {to}: {exc.strerror or exc}") from None
    written: list[str] = []
    others: dict[str, MailNotes] = {}
    with folder:
        written += _mail_files(app, findings, folder, others)
        _json(folder, "cases.json", [_case(c) for c in findings.cases], written)
        _json(folder, "received-mail.json",
              [_message(findings, m, others) for m in findings.messages], written)
        _json(folder, "sent-mail.json", [_mail(findings, m, others) for m in findings.mail],
              written)
        _json(folder, "audit-trail.json", {
            "events": [_event(findings, e) for e in findings.events],
            "clock_changes": [_clock(findings, c) for c in findings.clock_changes],
        }, written)
        if findings.corrections:
            text = "".join(f"{found.text}\n" for found in findings.corrections)
            folder.write("corrections.jsonl", text.encode("utf-8"))
            written.append("corrections.jsonl")
        folder.write("README.txt", readme(app, findings, now, by, written, others)
                     .encode("utf-8"))
        written.append("README.txt")
    with app.store.transaction() as session:
        ledger.record_event(session, now, by, "subject access export", _counts(findings))
    return written


# The address mailbot's own letters give as an example ("REASSIGN name@council.gov.uk",
# Welsh "enw@": assignment.reassign_example).
PLACEHOLDER = ("name@", "enw@")


@dataclass(frozen=True)
class MailNotes:
    """What the DPO needs to know of one mail file before sending it on: the other
    people's addresses it gives (to redact, or to ask them), and the files it carries."""

    others: dict[str, str]  # address → as shown ('Name <address>' where a header names it)
    attachments: list[str]

    @property
    def other_people(self) -> list[str]:
        return list(self.others.values())


def mail_notes(raw: bytes, findings: Findings, mailbox: str) -> MailNotes:
    """Everyone a mail gives but the person (by address, or by a display name of theirs)
    and the shared mailbox; and the names of the files attached to it."""
    matcher = Matcher(findings.person)
    others = {address: shown for address, shown in sorted(people_in_mail(raw).items())
              if address not in findings.person.addresses
              and not same_address(address, mailbox)
              and not address.startswith(PLACEHOLDER)
              and not (matcher.name_words and matcher.named(shown.rpartition("<")[0]))}
    parsed = parse_message(raw)
    files = ([f.name for f in parsed.attached_files] if isinstance(parsed, ParsedMessage)
             else [])
    return MailNotes(others, files)


def _mail_files(
    app: App, findings: Findings, folder: PrivateFolder, notes: dict[str, MailNotes]
) -> list[str]:
    """Each message as received and each mail as sent, whose bytes are still held; with
    each file's notes (mail_notes), by its name in the folder."""
    written = []
    received = [m for m in findings.messages if not m.purged_at]
    sent = [m for m in findings.mail if not m.purged_at]
    for name, items, table, column in ((MESSAGES, received, MessageRow, MessageRow.raw),
                                       (SENT, sent, OutboxRow, OutboxRow.mime)):
        if not items:
            continue
        with folder.folder(name) as inside, app.store.transaction() as session:
            for item in items:
                data = session.scalar(select(column).where(table.id == item.id))
                if data:
                    file_name = mail_file(item)
                    inside.write(file_name, data)
                    written.append(f"{name}/{file_name}")
                    notes[f"{name}/{file_name}"] = mail_notes(
                        data, findings, app.settings.mailbox.address)
    return written


def mail_file(item: FoundMessage | FoundMail) -> str:
    if isinstance(item, FoundMessage):
        return f"{item.id:06d}-{item.received_at:%Y-%m-%d}.eml"
    purpose = re.sub(r"[^a-z0-9-]+", "-", item.purpose.lower()).strip("-") or "mail"
    return f"{item.id:06d}-{purpose}-{(item.sent_at or item.created_at):%Y-%m-%d}.eml"


def _json(folder: PrivateFolder, name: str, data: Any, written: list[str]) -> None:
    folder.write(name, (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
                 .encode("utf-8"))
    written.append(name)


def _case(case: FoundCase) -> dict[str, Any]:
    when = {key: value.isoformat() if value else None
            for key, value in (("received_at", case.received_at),
                               ("anonymised_at", case.anonymised_at))}
    return {"ref": case.ref, "row": case.id, "kind": case.kind, "status": case.status,
            "member_email": case.member_email, "member_name": case.member_name,
            "officer_email": case.officer_email, "subject": case.subject, **when,
            "found_by": case.roles}


def _noted(file: str | None, notes: dict[str, MailNotes]) -> dict[str, Any]:
    note = notes.get(file) if file else None
    return {"other_people": note.other_people if note else None,
            "attachments": note.attachments if note else None}


def _message(findings: Findings, message: FoundMessage, notes: dict[str, MailNotes]
             ) -> dict[str, Any]:
    saved = not message.purged_at
    file = f"{MESSAGES}/{mail_file(message)}" if saved else None
    return {
        "row": message.id, "message_id": message.message_id,
        "received_at": message.received_at.isoformat(), "status": message.status,
        "from": message.sender, "subject": message.subject,
        "case": findings.ref_of(message.case_id) or None,
        "erased_at": message.purged_at.isoformat() if message.purged_at else None,
        "file": file, **_noted(file, notes),
        "found_by": message.why,
    }


def _mail(findings: Findings, mail: FoundMail, notes: dict[str, MailNotes]) -> dict[str, Any]:
    saved = not mail.purged_at
    file = f"{SENT}/{mail_file(mail)}" if saved else None
    return {
        "row": mail.id, "message_id": mail.message_id, "purpose": mail.purpose,
        "recipients": mail.recipients, "status": mail.status,
        "queued_at": mail.created_at.isoformat(),
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
        "case": findings.ref_of(mail.case_id) or None,
        "erased_at": mail.purged_at.isoformat() if mail.purged_at else None,
        "file": file, **_noted(file, notes),
        "found_by": mail.why,
    }


def _event(findings: Findings, event: Any) -> dict[str, Any]:
    return {"at": event.at.isoformat(), "case": findings.ref_of(event.case_id) or None,
            "received_mail_row": event.message_id, "by": event.actor,
            "action": event.action, "detail": event.detail, "found_by": event.why}


def _clock(findings: Findings, change: Any) -> dict[str, Any]:
    return {"at": change.at.isoformat(), "case": findings.ref_of(change.case_id) or None,
            "clock": change.clock, "action": change.action, "by": change.who,
            "why": change.reason, "new_due": change.new_due, "found_by": change.why}


def _counts(findings: Findings) -> str:
    """Counts only, for the audit trail."""
    return (f"cases {len(findings.cases)}, received_mail {len(findings.messages)}, "
            f"sent_mail {len(findings.mail)}, events {len(findings.events)}, "
            f"clock_changes {len(findings.clock_changes)}, "
            f"corrections_lines {len(findings.corrections)}"
            + (", text searched" if findings.person.in_text else ""))


def readme(app: App, findings: Findings, now: datetime, by: str, written: list[str],
           notes: dict[str, MailNotes] | None = None) -> str:
    council = app.settings.council.name
    saved_in = sum(name.startswith(f"{MESSAGES}/") for name in written)
    sent_saved = sum(name.startswith(f"{SENT}/") for name in written)
    erased = sum(1 for m in findings.messages if m.purged_at)
    erased += sum(1 for m in findings.mail if m.purged_at)
    out = [
        f"Subject access export from mailbot, {council}",
        f"Made {uk_time(now)} (UK time) by {by}.",
        "",
        "mailbot is the system that handles the council's shared member-enquiries mailbox:",
        "it reads the mail councillors send, opens a case for each enquiry, tells the",
        "councillor who will answer and by when, and reminds officers.",
        "",
        "WHAT WAS SEARCHED",
        "mailbot's database (cases, mail received, mail sent, the audit trail of what was",
        f"done and by whom) and its classifier corrections file ({findings.corrections_path}),",
        "for:",
        *[f"- {line}" for line in findings.person.searched()],
        "",
        "WHAT WAS FOUND",
        f"- {len(findings.cases)} case(s): cases.json",
        f"- {len(findings.messages)} message(s) received: received-mail.json lists them; "
        f"{saved_in} are in {MESSAGES}/ exactly as they arrived (.eml, open with any mail "
        "program)",
        f"- {len(findings.mail)} mail(s) mailbot sent or queued: sent-mail.json lists them; "
        f"{sent_saved} are in {SENT}/ exactly as sent",
        f"- {len(findings.events)} audit trail entr{'y' if len(findings.events) == 1 else 'ies'}"
        f" and {len(findings.clock_changes)} change(s) to a case's deadline: audit-trail.json",
        f"- {len(findings.corrections)} line(s) of the classifier corrections file (the "
        "text of a message, kept to teach mailbot's classifier)"
        + (": corrections.jsonl" if findings.corrections else ""),
    ]
    if erased:
        out.append(f"- {erased} of these mails were already erased under the council's "
                   "retention schedule: only when they came or went, and their Message-ID, "
                   "are left, and are listed")
    if findings.directory:
        out += ["", "THE COUNCIL'S DIRECTORY FILES SAY", *[f"- {d}" for d in findings.directory]]
    out += ["", "ITEM BY ITEM", *[f"- {line}" for line in found_lines(findings)]]
    out += others_section(findings, notes or {})
    kept_copy = kept_folder(app.settings)
    out += ["", "NOT COVERED (search these separately)",
            *[f"- {n.format(directory=kept_copy)}" for n in NOT_COVERED]]
    out += [
        "",
        "BEFORE SENDING THIS ON",
        "The mail and cases found may also hold other people's personal data (the officer",
        "who answered, others named in forwarded mail). Check each file and redact what the",
        "person is not entitled to (UK GDPR Article 15(4); Data Protection Act 2018,",
        "Schedule 2, paragraph 16). The files are readable by the person who made them only.",
        "",
    ]
    return "\n".join(out)
