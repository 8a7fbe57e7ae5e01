"""End to end through Graph: a member's email in the fake Exchange Online Inbox becomes a
case, the acknowledgement leaves through sendMail, and the email is moved to Processed."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes.council_toml import write_council_config
from fakes.graph_server import FakeGraph

from mailbot.app import App, build_app
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.jobs import flush_outbox, poll
from mailbot.settings import load_settings

MAILBOX = "memberenquiries@example.gov.uk"
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)

pytestmark = pytest.mark.timeout(120)


def member_email(label: str) -> bytes:
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: Member Enquiries <{MAILBOX}>\r\n"
        f"Subject: Pothole on Mill Lane ({label})\r\n"
        "Date: Wed, 25 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane? A resident\r\n"
        "has damaged a tyre on it.\r\n"
    ).encode("ascii")


def officer_reply(*, references: bool) -> bytes:
    """An officer's answer to the "enquiry" email, sent from Outlook as the mailbox; with
    or without a References header (In-Reply-To alone must do)."""
    thread = "References: <enquiry@councillors.example.gov.uk>\r\n" if references else ""
    return (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        "To: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        "Subject: RE: Pothole on Mill Lane\r\n"
        "Message-ID: <officer-reply@example.gov.uk>\r\n"
        "In-Reply-To: <enquiry@councillors.example.gov.uk>\r\n"
        f"{thread}"
        "\r\n"
        "Highways will fill it on Friday. Sam Patel\r\n"
    ).encode("ascii")


def write_config(tmp_path: Path) -> Path:
    return write_council_config(
        tmp_path / "mailbot.toml", "graph", MAILBOX,
        {"tenant_id": "example.onmicrosoft.com",
         "client_id": "11111111-2222-3333-4444-555555555555",
         "client_secret": "not-used-the-test-injects-a-token"},
        name=None, train_classifier=None,
    )  # fmt: skip


@contextmanager
def polling(tmp_path: Path, fake: FakeGraph, **options: Any) -> Iterator[App]:
    """mailbot on the fake Graph (a token it was given, no waiting between tries, the
    backend's `options`), closed with its backend when the block ends."""
    backend = GraphMailbox(
        mailbox=MAILBOX,
        base_url=fake.base_url,
        token_provider=StaticTokenProvider(fake.token),
        backoff=Backoff(sleep=lambda _: None),
        **options,
    )
    app = build_app(load_settings(write_config(tmp_path)), backend=backend,
                    classifier=rules_classifier())
    try:
        yield app
    finally:
        app.close()
        backend.close()


def test_poll_and_flush_through_graph(tmp_path: Path) -> None:
    with FakeGraph(MAILBOX) as fake:
        with polling(tmp_path, fake) as app:
            fake.deliver(member_email("first"))
            fake.deliver(member_email("first"))  # delivered twice: one case, one ack
            report = poll(app, NOW)
            assert len(report.outcomes) == 2
            flush_outbox(app, NOW)

            again = poll(app, NOW)  # nothing new: the cursor moved on
            assert again.outcomes == []
            flush_outbox(app, NOW)

        assert fake.messages_in("inbox") == []
        assert len(fake.messages_in("Processed")) == 2
        out = fake.outgoing
        assert [recipients for recipients, _ in out] == [("jo.bloggs@councillors.example.gov.uk",)]
        ack = email.message_from_bytes(out[0][1], policy=email.policy.default)
        assert ack["Auto-Submitted"] == "auto-replied"
        assert ack["In-Reply-To"] == "<first@councillors.example.gov.uk>"
        assert len(fake.messages_in("sentitems")) == 1


def test_officer_reply_in_sent_items_is_recorded_and_our_ack_is_not(tmp_path: Path) -> None:
    with FakeGraph(MAILBOX) as fake, polling(tmp_path, fake, watch_sent=True) as app:
        fake.deliver(member_email("enquiry"))
        (opened,) = poll(app, NOW).outcomes
        assert opened.case_ref is not None
        flush_outbox(app, NOW)  # our ack goes out and is saved to Sent Items

        reply = officer_reply(references=True)
        fake.deliver(reply, folder="sentitems")  # an officer answered as the mailbox

        outcomes = {o.message_id: o for o in poll(app, NOW).outcomes}

    (ack_id,) = [mid for mid in outcomes if mid != "<officer-reply@example.gov.uk>"]
    assert outcomes[ack_id].status == "automatic"  # our own ack: recognised, not a reply
    officer = outcomes["<officer-reply@example.gov.uk>"]
    assert officer.case_ref == opened.case_ref
    assert officer.reason == "response to the member recorded"
    assert len(fake.messages_in("sentitems")) == 2  # Sent Items are never moved


def test_an_expired_inbox_cursor_does_not_lose_an_officer_reply(tmp_path: Path) -> None:
    """Graph forgets the Inbox delta token between two polls while an officer answers:
    the poll resyncs the Inbox but still sees the reply, and records everything once."""
    with FakeGraph(MAILBOX) as fake, polling(tmp_path, fake, watch_sent=True) as app:
        fake.deliver(member_email("enquiry"))
        (opened,) = poll(app, NOW).outcomes
        # A copy of the recorded enquiry still in the Inbox (say its move failed): the
        # resync hands it over again and the ledger must skip it.
        fake.deliver(member_email("enquiry"))
        reply = officer_reply(references=False)
        fake.deliver(reply, folder="sentitems")
        fake.deliver(member_email("second"))
        fake.expire_delta_tokens(folder="inbox")

        report = poll(app, NOW)
        again = poll(app, NOW)

    assert report.resynced
    outcomes = {o.message_id: o for o in report.outcomes}
    assert sorted(outcomes) == [
        "<enquiry@councillors.example.gov.uk>",
        "<officer-reply@example.gov.uk>",
        "<second@councillors.example.gov.uk>",
    ]
    assert len(report.outcomes) == 3  # each once
    assert outcomes["<enquiry@councillors.example.gov.uk>"].status == "duplicate"
    assert outcomes["<second@councillors.example.gov.uk>"].case_ref not in (None, opened.case_ref)
    assert outcomes["<officer-reply@example.gov.uk>"].case_ref == opened.case_ref
    assert outcomes["<officer-reply@example.gov.uk>"].reason == "response to the member recorded"
    assert again.outcomes == [] and not again.resynced
    assert fake.messages_in("inbox") == []


def test_one_poll_handles_a_full_inbox_a_page_at_a_time(tmp_path: Path) -> None:
    """A first poll over 23 waiting messages, fetched one delta page (5) at a time with the
    nextLink as cursor, records and moves every one once; the next poll finds nothing."""
    with FakeGraph(MAILBOX) as fake:
        for n in range(23):
            fake.deliver(member_email(f"waiting-{n}"))
        with polling(tmp_path, fake, page_size=5, watch_sent=True) as app:
            report = poll(app, NOW)
            again = poll(app, NOW)
        handled = sorted(o.message_id for o in report.outcomes)
        assert handled == sorted(f"<waiting-{n}@councillors.example.gov.uk>" for n in range(23))
        assert again.outcomes == []
        assert fake.messages_in("inbox") == []
        assert len(fake.messages_in("Processed")) == 23
