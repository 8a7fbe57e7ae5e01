"""After a crash mid-send the outbox asks the mailbox whether the mail went (was_sent).

A council's shared mailbox can hold years of Sent Items. The question must be asked of
the server for that one Message-ID (EWS: FindItem restricted to message:InternetMessageId;
Graph: $filter on internetMessageId; IMAP: SEARCH HEADER Message-ID), never by paging
through the folder, and with `since` (when the mail was queued) only over the mail sent
since then, less a day for clocks that disagree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fakes.ews_council import exchange_and_mailbox
from fakes.ews_server import FakeExchange
from fakes.graph_server import FakeGraph
from fixtures.dovecot import DovecotServer
from imapclient import IMAPClient

from mailbot.backends.ews import EwsMailbox
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff
from mailbot.model import OutgoingMail

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@council.example"


def acknowledgement(label: str) -> OutgoingMail:
    message_id = f"<{label}.{uuid.uuid4().hex}@council.example>"
    mime = (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        "To: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        "Subject: [MB-2026-0042] We have your enquiry\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "\r\n"
        "Your reference is MB-2026-0042.\r\n"
    ).encode("ascii")
    return OutgoingMail(
        message_id=message_id, recipients=("ann.example@members.test.invalid",), mime=mime
    )


# --- EWS ------------------------------------------------------------------------------


@pytest.fixture
def exchange() -> Iterator[tuple[FakeExchange, EwsMailbox]]:
    with exchange_and_mailbox(MAILBOX) as (fake, box):
        yield fake, box


def test_ews_asks_exchange_for_the_one_item_among_years_of_sent_items(
    exchange: tuple[FakeExchange, EwsMailbox],
) -> None:
    fake, box = exchange
    old = acknowledgement("last-year")
    fake.fill(fake.sent, 20_000, old.mime)  # years of sent mail, one Message-ID among them
    queued = fake.clock
    mail = acknowledgement("today")
    box.send(mail)
    box.was_sent("<warm-up@council.example>", queued)  # connected, as the daemon would be

    before = len(fake.operations)
    assert box.was_sent(mail.message_id, queued) is True
    assert fake.operations[before:] == ["FindItem"]  # one question, no pages of the folder

    # The time limit reaches Exchange: a copy from a year before the mail was queued is
    # not it (a Message-ID used again by another system, say), and is not counted.
    assert box.was_sent(old.message_id, queued) is None
    assert box.was_sent(old.message_id) is True  # with no time given, all of Sent Items
    assert box.was_sent("<never-sent@council.example>", queued) is None


def test_ews_allows_for_clocks_that_disagree(exchange: tuple[FakeExchange, EwsMailbox]) -> None:
    """Exchange's clock behind ours: the copy's DateTimeCreated is before the time we
    queued the mail. Missing it would hold a sent acknowledgement as uncertain."""
    fake, box = exchange
    mail = acknowledgement("skewed")
    box.send(mail)
    ours = fake.clock + timedelta(hours=3)
    assert box.was_sent(mail.message_id, ours) is True


# --- Graph ----------------------------------------------------------------------------


def test_graph_asks_for_the_one_message_among_years_of_sent_items() -> None:
    with FakeGraph(MAILBOX) as fake:
        box = GraphMailbox(
            mailbox=MAILBOX, base_url=fake.base_url,
            token_provider=StaticTokenProvider(fake.token),
            backoff=Backoff(attempts=3, sleep=lambda _: None),
        )
        try:
            fake.fill("sentitems", 5_000, acknowledgement("last-year").mime)
            queued = fake.clock
            mail = acknowledgement("today")
            box.send(mail)
            before = len(fake.requests)
            assert box.was_sent(mail.message_id, queued) is True
            [asked] = fake.requests[before:]
            assert "/mailFolders/sentitems/messages?" in asked.path
            assert "internetMessageId" in asked.path and "skiptoken" not in asked.path
            assert box.was_sent("<never-sent@council.example>", queued) is None
        finally:
            box.close()


# --- IMAP -----------------------------------------------------------------------------


@pytest.mark.dovecot
def test_imap_looks_only_at_sent_mail_from_the_day_before_it_was_queued_on(
    dovecot: DovecotServer,
) -> None:
    user = dovecot.new_user()
    person = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    person.login(user.username, user.password)
    person.create_folder("Sent")
    queued = datetime.now(UTC)
    old = acknowledgement("last-year")
    person.append("Sent", old.mime, msg_time=queued - timedelta(days=365))
    today = acknowledgement("today")
    person.append("Sent", today.mime, msg_time=queued - timedelta(hours=2))
    box = ImapMailbox(
        host=dovecot.host, port=dovecot.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=2, sleep=lambda _: None), timeout=10,
    )
    try:
        assert box.was_sent(today.message_id, queued) is True
        assert box.was_sent(old.message_id, queued) is None
        assert box.was_sent(old.message_id) is True
    finally:
        box.close()
        person.logout()
