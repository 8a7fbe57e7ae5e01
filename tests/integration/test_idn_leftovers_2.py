"""More places where one person's address, written in either form of an internationalised
domain (caerdydd-ŵ.cymru or xn--caerdydd--j9b.cymru), is one person: an officer's EXTEND
sent again from the other form is a repeat; an officer's command from the other form
copies nobody in; a member's auto-reply to their acknowledgement, held under the other
form, is not an officer's out-of-office; a leaver whose cases hold both forms is listed
once. Judged by the mail that left and the rows written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, rows, write_csv
from sqlalchemy import update
from test_idn_leftovers import JONES, MAILBOX, SAM, ascii_form, enquiry, recipient_domains
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.jobs import flush_outbox, poll
from mailbot.store.tables import CaseRow, OutboxRow

TRIAGE = "triage@caerdydd-\u0175.cymru"
RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cyngor Caerdydd",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""),
                  ("Triage", TRIAGE, "Member services", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=PLAIN_UTF8,
    ) as it:
        yield it


def assignment_to_sam(it: Council) -> EmailMessage:
    [assignment] = [m for m in enquiry(it, "Pothole on Heol y Castell", RECEIVED)
                    if "sam.patel" in str(m["To"])]
    return assignment


def test_the_same_extend_again_from_the_other_form_is_a_repeat(council: Council) -> None:
    it = council
    assignment = assignment_to_sam(it)
    first = RECEIVED + timedelta(hours=2)
    it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", 'EXTEND 3 "survey"', date=first),
               first)
    due = it.case().response_due
    again = first + timedelta(hours=1)
    it.deliver(it.reply(assignment, f"Sam Patel <{ascii_form(SAM)}>", 'EXTEND 3 "survey"',
                        date=again), again)
    # Cllr Jones heard of the new date once, and it is the same date.
    assert [r.purpose for r in rows(it.app, OutboxRow)
            if "cllr.jones" in r.recipients and r.purpose != "ack"] == ["extension_notice"]
    assert it.case().response_due == due


def test_the_officer_holding_the_case_is_not_copied_in_on_their_own_command(
    council: Council,
) -> None:
    it = council
    assignment = assignment_to_sam(it)
    it.left()
    later = RECEIVED + timedelta(hours=2)
    it.server.deliver(it.reply(assignment, f"Sam Patel <{ascii_form(SAM)}>",
                               'EXTEND 3 "survey"', date=later))
    poll(it.app, later)
    flush_outbox(it.app, later)
    left = it.left()
    # One confirmation, to the address he wrote from, with no copy to himself.
    assert recipient_domains(left, "sam.patel") == [ascii_form(SAM)]


def test_a_members_auto_reply_to_an_acknowledgement_in_the_other_form_is_not_an_officers(
    council: Council,
) -> None:
    it = council
    enquiry(it, "Pothole on Heol y Castell", RECEIVED)
    [ack] = rows(it.app, OutboxRow, OutboxRow.purpose == "ack")
    assert ack.recipients == ascii_form(JONES)
    # The case holds her address as members.csv writes it (as an earlier mailbot stored it).
    with it.app.store.transaction() as session:
        session.execute(update(CaseRow).values(member_email=JONES))
    away = RECEIVED + timedelta(minutes=10)
    it.deliver(it.mail(f"Cllr Eleri Jones <{JONES}>", "Automatic reply: Pothole",
                       "I am away until Monday.", extra="Auto-Submitted: auto-replied",
                       in_reply_to=f"<{ack.message_id.strip('<>')}>", date=away), away)
    assert it.events("officer out of office") == []
    assert it.case().status == "open"


def test_a_leaver_whose_cases_hold_both_forms_is_listed_once(council: Council) -> None:
    it = council
    enquiry(it, "Pothole on Heol y Castell", RECEIVED)
    enquiry(it, "Street light out on Heol y Bont", RECEIVED + timedelta(minutes=5))
    with it.app.store.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.subject.startswith("Street"))
                        .values(officer_email=ascii_form(SAM)))
    path = it.home / "officers.csv"
    write_csv(path, ("name", "email", "service", "manager_email", "deputy_email"),
              [("Triage", TRIAGE, "Member services", "", "")])
    os.utime(path, ns=(1, 1))
    (it.home / "mailbot.toml").write_text((it.home / "mailbot.toml").read_text().replace(
        f'default_officer = "{SAM}"', f'default_officer = "{TRIAGE}"'))
    result = CliRunner().invoke(cli, ["status", "--config", str(it.home / "mailbot.toml")])
    assert result.output.count("not in officers.csv") == 1, result.output
    assert f"2 open case(s) with {SAM}, who is not in officers.csv" in result.output
