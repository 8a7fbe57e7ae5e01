"""A confidentiality request is shown by reference only, however it became one."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, relabelled_without_its_flag, rows

from mailbot import jobs
from mailbot.model import Kind
from mailbot.store.tables import OutboxRow
from mailbot.triage import relabel_case

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
CHIEF = "chief.executive@wiltshire.gov.uk"
SUBJECT = "Mrs Smith at 4 Elm Road and her son's arrest"
WORDS = ("Smith", "Elm Road", "arrest")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def council(home: Path) -> Council:
    return Council(
        home, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nrecipients = ["{CHIEF}"]\n',
        mail_headers=PLAIN_UTF8,
    )


def mail_text(mime: bytes) -> str:
    message = email.message_from_bytes(mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return f"{message['Subject']}\n{body_text(message, 'plain')}\n{body_text(message, 'html')}"


def test_a_case_relabelled_as_a_confidentiality_request_loses_its_subject(
    tmp_path: Path,
) -> None:
    """An enquiry (no privacy words the classifier knows) that a person relabels as a
    confidentiality request: the new handler's assignment and the digest name it by
    reference only. The flag was left unset, and both showed the subject."""
    with council(tmp_path) as town:
        town.deliver(town.mail(JO, SUBJECT, "Can we talk about her son first?", date=RECEIVED),
                     RECEIVED)
        assert town.case().kind == "enquiry" and not town.case().confidential
        relabelled = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
        relabel_case(town.app, town.case().ref, Kind.CONFIDENTIALITY,
                     who="it.admin@wiltshire.gov.uk", now=relabelled)
        town.flush(relabelled)
        assert town.case().confidential
        jobs.send_digests(town.app, MONDAY)
        after = rows(town.app, OutboxRow, OutboxRow.created_at >= relabelled)
        assert {row.purpose for row in after} >= {"assignment", "digest"}
        for row in after:
            if row.purpose == "ack":  # the member is told what it is now handled as: to
                # them alone, its Subject their own, as every reply to them is
                assert row.recipients == JO
                text = mail_text(row.mime).partition("\n")[2]
                assert "You asked for this to be kept confidential" in text
            else:
                text = mail_text(row.mime)
            assert not any(word in text for word in WORDS), row.purpose
        [digest] = [row for row in after if row.purpose == "digest"]
        assert "MB-2026-00001" in mail_text(digest.mime)


def test_a_confidentiality_request_without_the_flag_is_still_shown_by_reference(
    tmp_path: Path,
) -> None:
    """A case relabelled before the flag was set with the kind keeps confidential false in
    the database; the digest goes by its kind too."""
    with council(tmp_path) as town:
        town.deliver(town.mail(JO, SUBJECT, "Can we talk about her son first?", date=RECEIVED),
                     RECEIVED)
        relabelled_without_its_flag(town.app, town.case().id)
        jobs.send_digests(town.app, MONDAY)
        [digest] = rows(town.app, OutboxRow, OutboxRow.purpose == "digest")
        text = mail_text(digest.mime)
        assert not any(word in text for word in WORDS)
        assert "Open:                 1 (of which 1 confidential)" in text
        assert "Confidentiality request: confidential" in text
