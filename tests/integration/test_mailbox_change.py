"""A council points [mailbox] address at another shared mailbox (or, on IMAP, another
account) while staying on the same backend. The stored cursor (a Graph delta link naming
the old mailbox, an IMAP UIDVALIDITY:UID of the old account) and the refs remembered to
move belong to the old mailbox: the new one is read afresh, once, and nothing of the old
one is done to it. The ledger's Message-ID dedup keeps a fresh read safe."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.graph_server import FakeGraph
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.app import App, build_app
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.cli import app as cli
from mailbot.jobs import flush_outbox, poll
from mailbot.mailbox_cursor import CURSOR_KEY
from mailbot.model import MessageStatus
from mailbot.settings import load_settings
from mailbot.store.state import read_value, write_value
from mailbot.unmoved import UNMOVED_KEY

pytestmark = pytest.mark.timeout(120)

OLD = "memberenquiries@example.gov.uk"
NEW = "councillors@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
NO_WAITING = Backoff(attempts=2, sleep=lambda _: None)
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def enquiry(label: str, to: str) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{MEMBER}>\r\nTo: <{to}>\r\n"
        f"Subject: Pothole on Mill Lane ({label})\r\nDate: Tue, 24 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane?\r\n"
    ).encode("ascii")


def graph_app(tmp_path: Path, fake: FakeGraph, address: str) -> App:
    config = tmp_path / f"{address}.toml"
    config.write_text(
        f'[council]\npolicy = "wiltshire"\ndata_dir = "var"\n\n'
        f'[mailbox]\nbackend = "graph"\naddress = "{address}"\n\n'
        '[mailbox.graph]\ntenant_id = "example.onmicrosoft.com"\n'
        'client_id = "11111111-2222-3333-4444-555555555555"\nclient_secret = "unused"\n\n'
        f'[directory]\nmembers = "{DEMO / "members.csv"}"\nofficers = "{DEMO / "officers.csv"}"\n'
        "\n[classifier]\ntrain_if_missing = false\n",
        encoding="utf-8",
    )
    backend = GraphMailbox(mailbox=address, base_url=fake.base_url,
                           token_provider=StaticTokenProvider(fake.token), backoff=NO_WAITING)
    return build_app(load_settings(config), backend=backend, classifier=rules_classifier())


def acked(mails: list[tuple[tuple[str, ...], bytes]]) -> list[str]:
    return [str(email.message_from_bytes(raw, policy=email.policy.default)["In-Reply-To"])
            for _, raw in mails]


def test_graph_reads_the_new_mailbox_not_the_old_ones_delta_link(tmp_path: Path) -> None:
    with FakeGraph(OLD) as old, FakeGraph(NEW) as new:
        old.deliver(enquiry("old-one", OLD))
        app = graph_app(tmp_path, old, OLD)
        try:
            poll(app, NOW)
            flush_outbox(app, NOW)
        finally:
            app.close()
        assert acked(old.outgoing) == ["<old-one@councillors.example.gov.uk>"]

        new.deliver(enquiry("old-one", NEW))  # also sent to the new mailbox: known already
        new.deliver(enquiry("new-one", NEW))
        asked_old = len(old.requests)
        app = graph_app(tmp_path, new, NEW)
        try:
            report = poll(app, NOW)
            flush_outbox(app, NOW)
            again = poll(app, NOW)
        finally:
            app.close()
    assert sorted((o.message_id, o.status) for o in report.outcomes) == [
        ("<new-one@councillors.example.gov.uk>", MessageStatus.PROCESSED),
        ("<old-one@councillors.example.gov.uk>", MessageStatus.DUPLICATE),
    ]
    assert report.mailbox_changed == (OLD, NEW) and report.resynced
    assert acked(new.outgoing) == ["<new-one@councillors.example.gov.uk>"]
    assert new.messages_in("inbox") == []
    assert len(old.requests) == asked_old  # the old mailbox's delta link was not followed
    assert again.outcomes == [] and not again.resynced and again.mailbox_changed is None


def test_a_cursor_marked_by_an_earlier_version_is_kept_for_the_same_mailbox(
    tmp_path: Path,
) -> None:
    with FakeGraph(OLD) as fake:
        fake.deliver(enquiry("first", OLD))
        app = graph_app(tmp_path, fake, OLD)
        try:
            poll(app, NOW)
            with app.store.transaction() as session:  # as a version that marked the backend only
                write_value(session, "backend.cursor_mailbox", None)
            fake.deliver(enquiry("second", OLD))
            report = poll(app, NOW)
        finally:
            app.close()
        assert [o.message_id for o in report.outcomes] == ["<second@councillors.example.gov.uk>"]
        assert not report.resynced and report.mailbox_changed is None
        # The mark now names the mailbox: a later change of address is seen.
        with FakeGraph(NEW) as new:
            new.deliver(enquiry("third", NEW))
            app = graph_app(tmp_path, new, NEW)
            try:
                moved = poll(app, NOW)
            finally:
                app.close()
        assert moved.mailbox_changed == (OLD, NEW)
        assert [o.message_id for o in moved.outcomes] == ["<third@councillors.example.gov.uk>"]


def _uidvalidity(client: IMAPClient) -> int:
    return int(client.folder_status("INBOX", ["UIDVALIDITY"])[b"UIDVALIDITY"])


@pytest.mark.dovecot
def test_imap_another_account_is_read_afresh_and_the_old_refs_are_not_moved_there(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    first, second = dovecot.new_user(), dovecot.new_user()
    clients = []
    for user, labels in ((first, ["a1", "a2", "a3"]), (second, ["b1"])):
        client = IMAPClient(dovecot.host, dovecot.port, ssl=False)
        client.login(user.username, user.password)
        for label in labels:
            client.append("INBOX", enquiry(label, OLD))
        clients.append(client)
    smtp = (smtp_server.host, smtp_server.port)
    extra = "[classifier]\ntrain_if_missing = false"
    before = mailbot_config(tmp_path / "first.toml", dovecot, first, smtp, address=OLD,
                            directory=DEMO, extra=extra)
    result = CliRunner().invoke(cli, ["poll", "--config", str(before), "--once"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.received) == 3

    # Dovecot's UIDVALIDITY is the second the folder was made: two accounts made together
    # can share one, and then the old account's cursor and remembered refs read as the new
    # one's. Make it so here, whatever the clock did.
    validity = _uidvalidity(clients[1])
    app = build_app(load_settings(before), classifier=rules_classifier())
    try:
        with app.store.transaction() as session:
            uid = (read_value(session, CURSOR_KEY) or "").rpartition(":")[2]
            write_value(session, CURSOR_KEY, f"{validity}:{uid}")
            write_value(session, UNMOVED_KEY, json.dumps(
                {"backend": "imap", "refs": [f"{validity}:1"]}))
    finally:
        app.close()

    after = mailbot_config(tmp_path / "second.toml", dovecot, second, smtp, address=OLD,
                           directory=DEMO, extra=extra)
    result = CliRunner().invoke(cli, ["poll", "--config", str(after), "--once"])
    assert result.exit_code == 0, result.output
    assert "now reads another mailbox" in result.output
    assert "expired" not in result.output
    assert "1 processed" in result.output, result.output
    assert acked(
        [(r.recipients, r.raw) for r in smtp_server.received[3:]]
    ) == ["<b1@councillors.example.gov.uk>"]
    clients[1].select_folder("INBOX")
    assert clients[1].search() == []  # moved to Processed after it was handled, not before
    for client in clients:
        client.logout()


def test_status_says_before_the_first_poll_that_the_new_mailbox_is_read_afresh(
    tmp_path: Path,
) -> None:
    """An administrator who points [mailbox] address at another mailbox checks `mailbot
    status` before starting the daemon: it must confirm which mailbox the next poll reads,
    and that it starts afresh there (and say nothing of it once the poll has been)."""
    with FakeGraph(OLD) as old:
        old.deliver(enquiry("old-one", OLD))
        app = graph_app(tmp_path, old, OLD)
        try:
            poll(app, NOW)
        finally:
            app.close()

    same = CliRunner().invoke(cli, ["status", "--config", str(tmp_path / f"{OLD}.toml")])
    assert same.exit_code == 0, same.output
    assert "afresh" not in same.output

    with FakeGraph(NEW) as new:
        graph_app(tmp_path, new, NEW).close()  # writes the new mailbox's config
    before = CliRunner().invoke(cli, ["status", "--config", str(tmp_path / f"{NEW}.toml")])
    assert before.exit_code == 0, before.output
    assert (f"mailbox: the stored cursor is for {OLD} and [mailbox] now reads {NEW}: the "
            "next poll reads the new mailbox's Inbox afresh, once") in before.output

    with FakeGraph(NEW) as new:
        new.deliver(enquiry("new-one", NEW))
        app = graph_app(tmp_path, new, NEW)
        try:
            poll(app, NOW)
        finally:
            app.close()
    after = CliRunner().invoke(cli, ["status", "--config", str(tmp_path / f"{NEW}.toml")])
    assert after.exit_code == 0, after.output
    assert "afresh" not in after.output
