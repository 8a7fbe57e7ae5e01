"""An officer's answer sent as the shared mailbox, read from a real Dovecot's Sent folder
(watch_sent) by the poll job: the case's clock stops at the answer's Date, the timeline
says a reply was seen, and no reminder follows. The answer may also have a copy in the
Inbox (the shared mailbox left among the recipients): still one answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer
from helpers import PLAIN_UTF8, rows, shared_rules_classifier, write_csv
from imapclient import IMAPClient

from mailbot import jobs
from mailbot.app import App, build_app
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import NO_WAIT
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow, MessageRow, OutboxRow

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
REMINDER_DAY = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # the Monday before the due date


def _mail(headers: list[str], body: str) -> bytes:
    return ("\r\n".join([*headers, *PLAIN_UTF8]) + "\r\n\r\n" + body + "\r\n").encode()


ENQUIRY = _mail([
    f"From: Cllr Jo Bloggs <{JO}>", f"To: Member Enquiries <{MAILBOX}>", f"Cc: Sam Patel <{SAM}>",
    "Subject: Pothole on Castle Road", "Date: Wed, 25 Nov 2026 09:14:00 +0000",
    "Message-ID: <enquiry-1@council.gov.uk>",
], "A deep pothole by no. 12.")


def _answer(cc: str) -> bytes:
    """Outlook's reply to the member's mail, sent as the shared mailbox."""
    return _mail([
        f"From: Member Enquiries <{MAILBOX}>", f"To: Cllr Jo Bloggs <{JO}>",
        *([f"Cc: {cc}"] if cc else []),
        "Subject: RE: Pothole on Castle Road", "Date: Wed, 25 Nov 2026 15:00:00 +0000",
        "Message-ID: <LO2P265MB0002AS@LO2P265MB0002.GBRP265.PROD.OUTLOOK.COM>",
        "In-Reply-To: <enquiry-1@council.gov.uk>", "References: <enquiry-1@council.gov.uk>",
        "Thread-Topic: Pothole on Castle Road",
        "Thread-Index: AdtfAAECAwQFBgcICQoLDA0ODxAREg==",
    ], "Dear Cllr Bloggs,\r\n\r\nThe crew fills it on Friday.\r\n\r\nSam Patel, Highways")


@pytest.fixture
def imap_app(dovecot: DovecotServer, tmp_path: Path) -> Iterator[tuple[App, IMAPClient]]:
    """A council whose shared mailbox is a Dovecot account read with watch_sent, and a
    client logged in to that account (Outlook, putting mail in its folders)."""
    user = dovecot.new_user()
    write_csv(tmp_path / "members.csv", ("name", "email", "ward", "language"),
              [("Cllr Jo Bloggs", JO, "Castle", "en")])
    write_csv(tmp_path / "officers.csv", ("name", "email"), [("Sam Patel", SAM)])
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\n'
        f'[mailbox]\naddress = "{MAILBOX}"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
        '[classifier]\ntrain_if_missing = false\nthreshold = 0.0\n',
        encoding="utf-8",
    )
    backend = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, watch_sent=True, backoff=NO_WAIT,
    )
    outlook = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    outlook.login(user.username, user.password)
    outlook.create_folder("Sent")
    app = build_app(load_settings(config), backend=backend, classifier=shared_rules_classifier())
    try:
        yield app, outlook
    finally:
        app.close()
        outlook.logout()


@pytest.mark.parametrize("folders", [("Sent",), ("INBOX", "Sent")],
                         ids=["sent items only", "inbox copy too"])
def test_an_answer_in_sent_items_stops_the_clock_once(
    imap_app: tuple[App, IMAPClient], folders: tuple[str, ...]
) -> None:
    app, outlook = imap_app
    outlook.append("INBOX", ENQUIRY)
    jobs.poll(app, NOW)
    [case] = rows(app, CaseRow)
    assert case.status == "open"

    cc = f"Member Enquiries <{MAILBOX}>" if "INBOX" in folders else ""
    for folder in folders:
        outlook.append(folder, _answer(cc))
    jobs.poll(app, LATER)

    [case] = rows(app, CaseRow)
    assert case.status == "responded"
    assert case.responded_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    answered = rows(app, EventRow, EventRow.action == "responded")
    assert [e.detail for e in answered] == ["reply to the member seen"]
    [answer] = rows(app, MessageRow, MessageRow.message_id.contains("LO2P265MB0002AS"))
    assert answer.case_id == case.id and answer.duplicates == len(folders) - 1
    assert int(outlook.folder_status("Sent", [b"MESSAGES"])[b"MESSAGES"]) == 1  # left there

    queued = {r.purpose for r in rows(app, OutboxRow)}
    jobs.send_reminders(app, REMINDER_DAY)
    assert {r.purpose for r in rows(app, OutboxRow)} == queued  # no reminder after it
    assert "ack" in queued and all(r.recipients != MAILBOX for r in rows(app, OutboxRow))
