"""`mailbot adopt` on Exchange: the fake EWS server and the fake Graph server, each with a
full Inbox read in several batches. The old mail stays in the Inbox unanswered; the next
member's mail is answered through the backend's own send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fakes.ews_server import FakeExchange, running
from fakes.graph_server import FakeGraph

from mailbot.adoption import adopt_mailbox
from mailbot.app import build_app
from mailbot.backends.base import Mailbox
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.jobs import flush_outbox, poll
from mailbot.settings import load_settings

MAILBOX = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
OLD = 23  # more than one batch of each backend below


def member_email(label: str) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{MEMBER}>\r\nTo: Member Enquiries <{MAILBOX}>\r\n"
        f"Subject: Street light out ({label})\r\nDate: Wed, 25 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n\r\n"
        "The street light outside 3 Church Walk has been out for a week.\r\n"
    ).encode("ascii")


def write_config(tmp_path: Path, backend: str) -> Path:
    config = tmp_path / "mailbot.toml"
    config.write_text(
        f'[council]\npolicy = "wiltshire"\ndata_dir = "var"\n'
        f'[mailbox]\nbackend = "{backend}"\naddress = "{MAILBOX}"\n'
        '[mailbox.graph]\ntenant_id = "example.onmicrosoft.com"\n'
        'client_id = "11111111-2222-3333-4444-555555555555"\nclient_secret = "unused"\n'
        '[mailbox.ews]\nservice_endpoint = "http://127.0.0.1:9/EWS/Exchange.asmx"\n'
        'auth_type = "basic"\nusername = "svc-mailbot"\npassword = "unused"\n'
        f'[directory]\nmembers = "{DEMO / "members.csv"}"\nofficers = "{DEMO / "officers.csv"}"\n',
        encoding="utf-8",
    )
    return config


def adopt_then_poll(
    tmp_path: Path, kind: str, backend: Mailbox, deliver: Callable[[bytes], object]
) -> list[str]:
    """Adopt the full Inbox, then one member's new mail arrives: the Message-IDs polled."""
    app = build_app(load_settings(write_config(tmp_path, kind)), backend=backend,
                    classifier=rules_classifier())
    try:
        assert adopt_mailbox(app, NOW).left == OLD
        deliver(member_email("new"))
        report = poll(app, NOW)
        flush_outbox(app, NOW)
    finally:
        app.close()
        backend.close()
    return [outcome.message_id for outcome in report.outcomes]


def test_adopt_on_ews(tmp_path: Path) -> None:
    with running(FakeExchange(mailbox_address=MAILBOX)) as (exchange, base):
        for n in range(OLD):
            exchange.deliver(member_email(f"old-{n}"))
        backend = EwsMailbox(
            primary_smtp_address=MAILBOX, service_endpoint=f"{base}/EWS/Exchange.asmx",
            auth_type="basic", username="svc-mailbot", password="s3cret",
            backoff=Backoff(attempts=3, sleep=lambda _: None), watch_sent=True, batch=10,
        )
        polled = adopt_then_poll(tmp_path, "ews", backend, exchange.deliver)
        assert polled == ["<new@councillors.example.gov.uk>"]
        assert len(exchange.inbox.items) == OLD
        assert [recipients for recipients, _ in exchange.delivered] == [(MEMBER,)]


def test_adopt_on_graph(tmp_path: Path) -> None:
    with FakeGraph(MAILBOX) as fake:
        for n in range(OLD):
            fake.deliver(member_email(f"old-{n}"))
        backend = GraphMailbox(
            mailbox=MAILBOX, base_url=fake.base_url,
            token_provider=StaticTokenProvider(fake.token),
            backoff=Backoff(sleep=lambda _: None), watch_sent=True,
        )
        polled = adopt_then_poll(tmp_path, "graph", backend, fake.deliver)
        assert polled == ["<new@councillors.example.gov.uk>"]
        assert len(fake.messages_in("inbox")) == OLD
        assert [recipients for recipients, _ in fake.outgoing] == [(MEMBER,)]
