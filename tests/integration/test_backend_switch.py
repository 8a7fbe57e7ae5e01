"""A council changes [mailbox] backend under its existing database: EWS to Graph as
Microsoft turns EWS off in Exchange Online, IMAP to Graph on moving to Microsoft 365.

One database; polls through backend A (the fake EWS server, or real Dovecot), then through
backend B (the fake Graph service) over the same mailbox contents. The cursor and the
remembered refs A stored must not be handed to B as if they were its own: B starts afresh
once, recognises what A recorded by its Message-ID, answers nothing twice, and reports no
outage. See docs/backends/switching.md.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.council_toml import write_council_config
from fakes.ews_server import FakeExchange, running
from fakes.graph_server import FakeGraph
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from sqlalchemy import select
from typer.testing import CliRunner

from mailbot.app import App, build_app
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.cli import app as cli
from mailbot.jobs import flush_outbox, poll
from mailbot.mailbox_cursor import CURSOR_BACKEND_KEY, CURSOR_KEY
from mailbot.model import MessageStatus
from mailbot.settings import load_settings
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import MessageRow, OutboxRow
from mailbot.unmoved import UNMOVED_KEY

pytestmark = pytest.mark.timeout(120)

ADDRESS = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
BEFORE = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
AFTER = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
NO_WAITING = Backoff(attempts=2, sleep=lambda _: None)


def enquiry(label: str) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{MEMBER}>\r\n"
        f"To: Member Enquiries <{ADDRESS}>\r\n"
        f"Subject: Pothole on Mill Lane ({label})\r\n"
        "Date: Tue, 24 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane?\r\n"
    ).encode("ascii")


def as_exchange_writes_it(label: str) -> bytes:
    """enquiry(label) as Exchange Online hands it out after a migration: Exchange keeps
    what a message says, not its bytes, and writes the MIME out again (the display name
    quoted, the Date in its own form, the Subject and body in its own encoding, its own
    headers added)."""
    return (
        f'From: "Cllr Jo Bloggs" <{MEMBER}>\r\n'
        f'To: "Member Enquiries" <{ADDRESS}>\r\n'
        f"Subject: =?us-ascii?Q?Pothole_on_Mill_Lane_({label})?=\r\n"
        f"Thread-Topic: Pothole on Mill Lane ({label})\r\n"
        "Thread-Index: AQHbPxAbCdEfGhIjKlMnOpQrStUvWx==\r\n"
        "Date: Tue, 24 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n"
        "Accept-Language: en-GB\r\n"
        "Content-Language: en-GB\r\n"
        "X-MS-Has-Attach:\r\n"
        "X-MS-TNEF-Correlator:\r\n"
        'Content-Type: text/plain; charset="us-ascii"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "MIME-Version: 1.0\r\n"
        "\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane?\r\n"
        "\r\n"
    ).encode("ascii")


def graph_config(tmp_path: Path) -> Path:
    return write_council_config(
        tmp_path / "graph.toml", "graph", ADDRESS,
        {"tenant_id": "example.onmicrosoft.com",
         "client_id": "11111111-2222-3333-4444-555555555555",
         "client_secret": "not-used-the-test-injects-a-token"},
        name=None,
    )  # fmt: skip


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph(ADDRESS) as fake:
        yield fake


def graph_app(tmp_path: Path, fake: FakeGraph, *, watch_sent: bool = False) -> App:
    backend = GraphMailbox(
        mailbox=ADDRESS,
        base_url=fake.base_url,
        token_provider=StaticTokenProvider(fake.token),
        backoff=NO_WAITING,
        watch_sent=watch_sent,
    )
    return build_app(load_settings(graph_config(tmp_path)), backend=backend,
                     classifier=rules_classifier())


def state(app: App, key: str) -> str | None:
    with app.store.transaction() as session:
        return read_value(session, key)


def statuses(app: App) -> dict[str, str]:
    with app.store.transaction() as session:
        return {row.message_id: str(row.status) for row in session.scalars(select(MessageRow))}


def acks_in(mails: list[tuple[tuple[str, ...], bytes]]) -> list[str]:
    """The In-Reply-To of each acknowledgement that left."""
    found = []
    for _, raw in mails:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        found.append(str(parsed["In-Reply-To"]))
    return found


def test_ews_to_graph_starts_afresh_answers_nothing_twice_and_moves_ews_leftovers(
    tmp_path: Path, graph: FakeGraph
) -> None:
    # Before: EWS reads two enquiries and answers both, but may not create Processed, so
    # both stay in the Inbox and their EWS refs are remembered to move later.
    settings = load_settings(graph_config(tmp_path))
    with running(FakeExchange(mailbox_address=ADDRESS, can_create_folders=False)) as (x, base):
        ews = EwsMailbox(
            primary_smtp_address=ADDRESS, service_endpoint=f"{base}/EWS/Exchange.asmx",
            auth_type="basic", username="svc-mailbot", password="s3cret", backoff=NO_WAITING,
        )
        app = build_app(settings, backend=ews, classifier=rules_classifier())
        try:
            x.deliver(enquiry("first"))
            x.deliver(enquiry("second"))
            assert len(poll(app, BEFORE).unmarked) == 2
            flush_outbox(app, BEFORE)
            ews_acks = list(x.delivered)
            assert state(app, CURSOR_BACKEND_KEY) == "ews"
            assert json.loads(state(app, UNMOVED_KEY) or "")["backend"] == "ews"
            # The second acknowledgement was cut off mid-send: its row says `sending`.
            with app.store.transaction() as session:
                row = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()[-1]
                row.status = "sending"
                cut_off = row.message_id
        finally:
            app.close()
    assert sorted(acks_in(ews_acks)) == ["<first@councillors.example.gov.uk>",
                                         "<second@councillors.example.gov.uk>"]

    # The administrator changes the config to backend = "graph" and asks for the status.
    shown = CliRunner().invoke(cli, ["status", "--config", str(graph_config(tmp_path))])
    assert shown.exit_code == 0, shown.output
    assert ("the stored cursor is the ews backend's and backend is now graph: the next poll "
            "reads the Inbox afresh") in shown.output
    assert "not yet moved" not in shown.output  # EWS's leftovers are not Graph's to move

    # The same mailbox, now read through Graph: both enquiries still in the Inbox, the
    # copies EWS saved in Sent Items, a Processed folder made earlier, and one new enquiry.
    for _, raw in ews_acks:
        graph.deliver(raw, "sentitems")
    processed = graph.add_folder("Processed")
    graph.deliver(enquiry("handled-last-year"), processed)
    graph.deliver(enquiry("first"))
    graph.deliver(enquiry("second"))
    graph.deliver(enquiry("third"))
    app = graph_app(tmp_path, graph)
    try:
        report = poll(app, AFTER)
        flush_outbox(app, AFTER)
        again = poll(app, AFTER)
        flush_outbox(app, AFTER)
        with app.store.transaction() as session:
            cut_off_status = session.scalars(
                select(OutboxRow.status).where(OutboxRow.message_id == cut_off)
            ).one()
        assert state(app, CURSOR_BACKEND_KEY) == "graph"
        assert (state(app, CURSOR_KEY) or "").startswith(graph.base_url)
        assert state(app, UNMOVED_KEY) is None
        found = statuses(app)
    finally:
        app.close()
    shown = CliRunner().invoke(cli, ["status", "--config", str(graph_config(tmp_path))])
    assert shown.exit_code == 0, shown.output
    assert "stored cursor" not in shown.output and "not yet moved" not in shown.output
    assert shown.output.startswith("mailbox: OK")

    assert report.resynced
    assert sorted((o.message_id, o.status) for o in report.outcomes) == [
        ("<first@councillors.example.gov.uk>", MessageStatus.DUPLICATE),
        ("<second@councillors.example.gov.uk>", MessageStatus.DUPLICATE),
        ("<third@councillors.example.gov.uk>", MessageStatus.PROCESSED),
    ]
    assert again.outcomes == [] and not again.resynced
    assert cut_off_status == "sent"  # found in Sent Items by its Message-ID, not resent
    # Only the new enquiry is answered; the ones EWS answered are not answered again.
    assert acks_in(graph.outgoing) == ["<third@councillors.example.gov.uk>"]
    assert graph.messages_in("inbox") == []
    # EWS's Processed folder is found and used: no second one is made beside it.
    assert not [r for r in graph.requests if r.method == "POST" and "childFolders" in r.path]
    assert len(graph.messages_in(processed)) == 4
    assert found["<third@councillors.example.gov.uk>"] == "processed"


def test_graph_refuses_an_unmarked_ews_cursor_and_refs_stored_by_an_earlier_version(
    tmp_path: Path, graph: FakeGraph
) -> None:
    # A council that upgrades mailbot and switches to Graph the same day: its database has
    # EWS's watch_sent cursor and EWS refs as earlier versions stored them, with no mark
    # saying which backend wrote them.
    app = graph_app(tmp_path, graph, watch_sent=True)
    try:
        with app.store.transaction() as session:
            write_value(session, CURSOR_KEY, json.dumps({
                "inbox": "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaU",
                "sent": "seen|2026-11-24T09:00:00Z|H4sIAAAAAAAEAO29B2AcSZYl",
            }))
            write_value(session, UNMOVED_KEY, json.dumps(
                ["AAMkADAwATM0MDAAMS1hNzA0LTJlNDQtMDACLTAwCgBGAAADPuP8=|CQAAABYAAAA=",
                 "1700000001:42"]
            ))
        graph.deliver(enquiry("waiting"))
        report = poll(app, AFTER)
        flush_outbox(app, AFTER)
        assert state(app, UNMOVED_KEY) is None
        assert state(app, CURSOR_BACKEND_KEY) == "graph"
    finally:
        app.close()
    assert report.resynced and report.still_unmoved == 0
    assert [(o.message_id, o.status) for o in report.outcomes] == [
        ("<waiting@councillors.example.gov.uk>", MessageStatus.PROCESSED)]
    assert acks_in(graph.outgoing) == ["<waiting@councillors.example.gov.uk>"]
    assert graph.messages_in("inbox") == []
    # No request went to Graph with another backend's cursor or ids in it.
    assert not [r for r in graph.requests if "H4sI" in r.path or "AAMkAD" in r.path]


@pytest.mark.dovecot
def test_imap_to_graph_starts_afresh_and_answers_nothing_twice(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path, graph: FakeGraph
) -> None:
    user = dovecot.new_user()
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    admin.append("INBOX", enquiry("first"))
    imap_config = mailbot_config(
        tmp_path / "imap.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )
    result = CliRunner().invoke(cli, ["poll", "--config", str(imap_config), "--once"])
    assert result.exit_code == 0, result.output
    admin.logout()
    assert [item.recipients for item in smtp_server.received] == [(MEMBER,)]

    # Moved to Microsoft 365: the migration copied the Inbox (and Processed) across, and
    # "first" was filed in the Inbox again by a person; one new enquiry came in.
    graph.deliver(as_exchange_writes_it("first"))
    graph.deliver(enquiry("second"))
    app = graph_app(tmp_path, graph)
    try:
        assert state(app, CURSOR_BACKEND_KEY) == "imap"
        with app.store.transaction() as session:  # as if the stop cut its sending short
            row = session.scalars(select(OutboxRow).where(OutboxRow.recipients == MEMBER)).one()
            row.status = "sending"
            cut_off = row.message_id
        report = poll(app, AFTER)
        flush_outbox(app, AFTER)
        with app.store.transaction() as session:
            cut_off_status = session.scalars(
                select(OutboxRow.status).where(OutboxRow.message_id == cut_off)
            ).one()
    finally:
        app.close()
    assert report.resynced
    assert sorted((o.message_id, o.status) for o in report.outcomes) == [
        ("<first@councillors.example.gov.uk>", MessageStatus.DUPLICATE),
        ("<second@councillors.example.gov.uk>", MessageStatus.PROCESSED),
    ]
    assert acks_in(graph.outgoing) == ["<second@councillors.example.gov.uk>"]
    assert len(smtp_server.received) == 1
    # Its copy is in the old server's Sent folder, not in Exchange Online: nobody can say
    # it went, so it is left for a person (mailbot status lists it), never sent again.
    assert cut_off_status == "uncertain"
    assert graph.messages_in("inbox") == []


def test_back_from_graph_to_ews_with_watch_sent_starts_afresh_on_both_folders(
    tmp_path: Path, graph: FakeGraph
) -> None:
    # A council tries Graph, finds its app's consent not ready, and goes back to EWS for a
    # while: EWS must not be handed Graph's delta links as sync states.
    graph.deliver(enquiry("first"))
    app = graph_app(tmp_path, graph, watch_sent=True)
    try:
        poll(app, BEFORE)
        flush_outbox(app, BEFORE)
        assert state(app, CURSOR_BACKEND_KEY) == "graph"
    finally:
        app.close()
    assert acks_in(graph.outgoing) == ["<first@councillors.example.gov.uk>"]

    settings = load_settings(graph_config(tmp_path))
    with running(FakeExchange(mailbox_address=ADDRESS)) as (x, base):
        x.deliver(enquiry("first"))  # put back in the Inbox by a person
        x.deliver(enquiry("second"))
        ews = EwsMailbox(
            primary_smtp_address=ADDRESS, service_endpoint=f"{base}/EWS/Exchange.asmx",
            auth_type="basic", username="svc-mailbot", password="s3cret", backoff=NO_WAITING,
            watch_sent=True,
        )
        app = build_app(settings, backend=ews, classifier=rules_classifier())
        try:
            report = poll(app, AFTER)
            flush_outbox(app, AFTER)
            assert state(app, CURSOR_BACKEND_KEY) == "ews"
            assert "https://" not in (state(app, CURSOR_KEY) or "")
            again = poll(app, AFTER)
        finally:
            app.close()
        sent_by_ews = acks_in(x.delivered)
    assert report.resynced
    assert sorted((o.message_id, o.status) for o in report.outcomes) == [
        ("<first@councillors.example.gov.uk>", MessageStatus.DUPLICATE),
        ("<second@councillors.example.gov.uk>", MessageStatus.PROCESSED),
    ]
    assert sent_by_ews == ["<second@councillors.example.gov.uk>"]
    # The next poll goes on from EWS's own places: only our acknowledgement, now in Sent
    # Items, is new there, and it is known as ours.
    assert not again.resynced
    assert [o.status for o in again.outcomes] == [MessageStatus.AUTOMATIC]


def test_an_officers_reply_sent_while_ews_was_gone_is_seen_by_graph(
    tmp_path: Path, graph: FakeGraph
) -> None:
    # EWS (watch_sent) opens the case; then EWS is switched off, and for two days, until
    # the council has Graph working, officers go on answering from the shared mailbox.
    settings = load_settings(graph_config(tmp_path))
    with running(FakeExchange(mailbox_address=ADDRESS)) as (x, base):
        ews = EwsMailbox(
            primary_smtp_address=ADDRESS, service_endpoint=f"{base}/EWS/Exchange.asmx",
            auth_type="basic", username="svc-mailbot", password="s3cret", backoff=NO_WAITING,
            watch_sent=True,
        )
        app = build_app(settings, backend=ews, classifier=rules_classifier())
        try:
            x.deliver(enquiry("first"))
            (opened,) = poll(app, BEFORE).outcomes
            flush_outbox(app, BEFORE)
            ews_acks = list(x.delivered)
        finally:
            app.close()
    assert opened.case_ref is not None

    graph.fill("sentitems", 3, b"Subject: old sent mail\r\nMessage-ID: <old@x>\r\n\r\nold\r\n")
    for _, raw in ews_acks:  # our acknowledgement, sent through EWS before the switch
        graph.deliver(raw, "sentitems", received=BEFORE)
    reply = (
        f"From: Member Enquiries <{ADDRESS}>\r\n"
        f"To: Cllr Jo Bloggs <{MEMBER}>\r\n"
        "Subject: RE: Pothole on Mill Lane (first)\r\n"
        "Date: Wed, 25 Nov 2026 08:05:00 +0000\r\n"
        "Message-ID: <officer-reply@example.gov.uk>\r\n"
        "In-Reply-To: <first@councillors.example.gov.uk>\r\n"
        "References: <first@councillors.example.gov.uk>\r\n"
        "\r\n"
        "Highways will fill it on Friday. Sam Patel\r\n"
    ).encode("ascii")
    graph.deliver(reply, "sentitems", received=datetime(2026, 11, 25, 8, 5, tzinfo=UTC))

    app = graph_app(tmp_path, graph, watch_sent=True)
    try:
        outcomes = {o.message_id: o for o in poll(app, AFTER).outcomes}
        flush_outbox(app, AFTER)
        again = poll(app, AFTER)
    finally:
        app.close()
    officer = outcomes["<officer-reply@example.gov.uk>"]
    assert officer.case_ref == opened.case_ref
    assert officer.reason == "response to the member recorded"
    assert "<old@x>" not in outcomes  # sent mail from before the last EWS poll is history
    assert graph.outgoing == []
    assert again.outcomes == []
