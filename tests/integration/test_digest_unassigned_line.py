"""A case no officer has, in the digest's plain-text lists: "(unassigned)", then its kind.
The line gave the officer's service in brackets after the name, and a case with no
officer has no service: "(unassigned) ()  Enquiry: ...", in English and in a bilingual
council's digest. The HTML gives the service its own column (empty)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # due Wednesday 25 November
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("policy", "listed"), [
    ("wiltshire", "(unassigned)  Enquiry: Noise from 3 Elm Road"),
    ("cardiff", "(unassigned) / (heb swyddog)  Enquiry / Ymholiad: Noise from 3 Elm Road"),
])
def test_an_unassigned_case_is_listed_without_empty_brackets(
    tmp_path: Path, policy: str, listed: str
) -> None:
    domain = f"{policy}.gov.uk"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", policy=policy,
        members=[("Cllr Ann Lee", f"ann.lee@{domain}", "Abbey", "en")],
        officers=[("Sam Patel", f"sam.patel@{domain}", "Highways", "", "")],
        config=f'[digest]\nrecipients = ["chief.executive@{domain}"]\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"ann.lee@{domain}", "Noise from 3 Elm Road",
                                 "The music goes on all night.", date=RECEIVED), RECEIVED)
        assert place.case().officer_email is None
        jobs.send_digests(place.app, MONDAY)
        [row] = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = body_text(message, "plain")
    [line] = [line for line in text.splitlines() if "Noise from 3 Elm Road" in line]
    assert line.endswith(listed), line
    assert "()" not in text
