"""A confidentiality request whose confidential flag was never set (relabelled so before
the relabel set it) is as confidential as a flagged one: the officers' mail about it (the
update carrying the member's mail, the new holder's assignment, the confirmation of the
command, reminders and the escalation to the manager) and `mailbot cases` / `mailbot
case` name it by reference only, as the digest already did."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, relabelled_without_its_flag, rows

from mailbot import jobs
from mailbot.console import describe_case, query_cases
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
LEE = "lee.wong@wiltshire.gov.uk"
MAX = "max.boss@wiltshire.gov.uk"
SUBJECT = "Mrs Smith at 4 Elm Road and her son's arrest"
WORDS = ("Smith", "Elm Road", "arrest", "solicitor")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday


def mail_text(mime: bytes) -> str:
    message = email.message_from_bytes(mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return f"{message['Subject']}\n{body_text(message, 'plain')}\n{body_text(message, 'html')}"


def test_officers_mail_about_it_names_it_by_reference_only(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", MAX, ""), ("Lee Wong", LEE, "Highways", MAX, ""),
                  ("Max Boss", MAX, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as town:
        town.deliver(town.mail(JO, SUBJECT, "Can we talk about her son first?", date=RECEIVED),
                     RECEIVED)
        case = relabelled_without_its_flag(town.app, town.case().id)
        before = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
        [update] = town.deliver(town.mail(JO, f"Re: {SUBJECT} [{case.ref}]",
                                          "His solicitor rang me.", date=before), before)
        town.deliver(town.reply(update, SAM, f"REASSIGN {LEE}", date=before), before)
        for day in range(4, 30):
            moment = RECEIVED + timedelta(days=day)
            jobs.send_reminders(town.app, moment)
            town.flush(moment)
        officers = [row for row in rows(town.app, OutboxRow, OutboxRow.created_at >= before)
                    if row.recipients != JO]
        assert {row.purpose for row in officers} >= {
            "assignment", "update", "command_reply", "reminder", "overdue", "escalation"}
        for row in officers:
            text = mail_text(row.mime)
            assert not [word for word in WORDS if word in text], (row.purpose, text[:300])
        later = RECEIVED + timedelta(days=30)
        [line] = query_cases(town.app, later)
        assert line.subject == "(confidential)" and line.confidential
        shown = describe_case(town.app, case.ref, later) or ""
        assert "subject: (confidential)" in shown and "CONFIDENTIAL" in shown
        assert not [word for word in WORDS if word in shown]
