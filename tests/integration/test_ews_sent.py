"""The ews backend's watch_sent: replies officers send as the shared mailbox land in its
Sent Items; mailbot reads them (never moves them) and records the case's response.

Against the loopback fake EWS server; end to end through jobs.poll and the real store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.ews_server import FakeExchange, running
from sqlalchemy import select
from test_graph_poll import member_email  # the same member's email, on the same day

from mailbot.app import build_app, build_backend
from mailbot.backends.base import CursorExpired
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.jobs import flush_outbox, poll
from mailbot.model import FetchedMessage
from mailbot.parse import message_id_of
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, ClockEventRow

pytestmark = pytest.mark.timeout(120)

MAILBOX = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def officer_reply(label: str, answering: str) -> bytes:
    """An officer's answer sent from Outlook as the shared mailbox."""
    return (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        f"To: Cllr Jo Bloggs <{MEMBER}>\r\n"
        "Subject: RE: Pothole on Mill Lane\r\n"
        "Date: Thu, 26 Nov 2026 13:55:00 +0000\r\n"
        f"Message-ID: <{label}@example.gov.uk>\r\n"
        f"In-Reply-To: <{answering}@councillors.example.gov.uk>\r\n"
        f"References: <{answering}@councillors.example.gov.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Highways will fill it on Friday. Sam Patel\r\n"
    ).encode("ascii")


def old_sent_mail(label: str) -> bytes:
    return (
        f"From: Member Enquiries <{MAILBOX}>\r\n"
        "To: someone@example.gov.uk\r\n"
        "Subject: Last year's answer\r\n"
        f"Message-ID: <{label}@example.gov.uk>\r\n"
        "\r\n"
        "Sent long before mailbot watched this folder.\r\n"
    ).encode("ascii")


@pytest.fixture
def server() -> Iterator[tuple[FakeExchange, str]]:
    with running(FakeExchange(mailbox_address=MAILBOX)) as (exchange, base):
        yield exchange, f"{base}/EWS/Exchange.asmx"


def client(endpoint: str, *, watch_sent: bool = True, **paging: int) -> EwsMailbox:
    return EwsMailbox(
        primary_smtp_address=MAILBOX,
        service_endpoint=endpoint,
        auth_type="basic",
        username="svc-mailbot",
        password="s3cret",
        backoff=Backoff(attempts=3, sleep=lambda _: None),
        watch_sent=watch_sent,
        **paging,
    )


def ids(messages: list[FetchedMessage]) -> list[tuple[str, str]]:
    """(folder, Message-ID) of each fetched message, in order."""
    return [(m.folder, message_id_of(m.raw)) for m in messages]


# --- the backend on its own ----------------------------------------------------------------


def test_first_round_only_finds_its_place_in_sent_items(server) -> None:
    exchange, endpoint = server
    exchange.deliver(old_sent_mail("history"), exchange.sent)
    exchange.deliver(member_email("new"))
    box = client(endpoint)
    try:
        first, cursor = box.fetch_new(None)
        assert ids(first) == [("inbox", "<new@councillors.example.gov.uk>")]
        assert cursor is not None and set(json.loads(cursor)) == {"inbox", "sent"}

        exchange.deliver(officer_reply("reply", "new"), exchange.sent)
        second, cursor = box.fetch_new(cursor)
        assert ids(second) == [("sent", "<reply@example.gov.uk>")]
        assert second[0].ref.startswith("sent:")

        box.mark_processed(second[0].ref)  # leaves Sent Items alone
        third, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert third == []
    assert len(exchange.sent.items) == 2
    assert exchange.folder_named("Processed") is None  # nothing was moved anywhere


def test_a_plain_inbox_cursor_is_accepted_when_watch_sent_is_turned_on(server) -> None:
    exchange, endpoint = server
    exchange.deliver(member_email("before"))
    plain = client(endpoint, watch_sent=False)
    try:
        _, inbox_only = plain.fetch_new(None)
    finally:
        plain.close()
    assert inbox_only is not None and not inbox_only.startswith("{")

    exchange.deliver(old_sent_mail("history"), exchange.sent)
    exchange.deliver(member_email("after"))
    box = client(endpoint)
    try:
        fetched, cursor = box.fetch_new(inbox_only)
    finally:
        box.close()
    # The Inbox carries on from its state (no "before" again); Sent Items start from now.
    assert ids(fetched) == [("inbox", "<after@councillors.example.gov.uk>")]
    assert cursor is not None and json.loads(cursor)["sent"]


def test_an_invalid_sent_items_state_restarts_that_folder_alone(server, caplog) -> None:
    exchange, endpoint = server
    box = client(endpoint)
    try:
        _, cursor = box.fetch_new(None)
        exchange.deliver(officer_reply("lost", "x"), exchange.sent)
        exchange.expire_sync_states(exchange.sent)  # Exchange forgot our Sent Items state
        exchange.deliver(member_email("still-seen"))
        with caplog.at_level(logging.WARNING, logger="mailbot.backends.ews_sent"):
            fetched, cursor = box.fetch_new(cursor)
        assert ids(fetched) == [("inbox", "<still-seen@councillors.example.gov.uk>")]
        assert any("Sent Items sync state" in r.getMessage() for r in caplog.records)

        exchange.deliver(officer_reply("found", "x"), exchange.sent)
        again, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert ids(again) == [("sent", "<found@example.gov.uk>")]


def test_an_invalid_sent_items_state_after_a_reply_loses_no_later_reply(server) -> None:
    """Exchange forgets sync states when a mailbox moves between databases. The Sent Items
    place remembers the newest item it has seen, so the new reading starts there: a reply
    sent just before the move is still seen, and the one seen before is not seen again."""
    exchange, endpoint = server
    box = client(endpoint)
    try:
        _, cursor = box.fetch_new(None)
        exchange.deliver(officer_reply("seen-before", "x"), exchange.sent)
        before, cursor = box.fetch_new(cursor)
        exchange.deliver(officer_reply("sent-in-between", "x"), exchange.sent)
        exchange.expire_sync_states(exchange.sent)
        after, cursor = box.fetch_new(cursor)
        again, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert ids(before) == [("sent", "<seen-before@example.gov.uk>")]
    assert ids(after) == [("sent", "<sent-in-between@example.gov.uk>")]
    assert again == []


def test_a_sent_items_sync_state_stored_by_an_earlier_version_goes_on(server) -> None:
    exchange, endpoint = server
    exchange.deliver(old_sent_mail("history"), exchange.sent)
    box = client(endpoint)
    try:
        _, inbox_state = box._sync("inbox", None)
        _, plain_sent_state = box._sync("sent", None)  # as earlier versions stored it
        stored = json.dumps({"inbox": inbox_state, "sent": plain_sent_state})
        exchange.deliver(officer_reply("after-upgrade", "x"), exchange.sent)
        fetched, cursor = box.fetch_new(stored)
    finally:
        box.close()
    assert ids(fetched) == [("sent", "<after-upgrade@example.gov.uk>")]
    assert cursor is not None and json.loads(cursor)["sent"].startswith("seen|")


def test_an_invalid_inbox_state_keeps_the_sent_items_place(server) -> None:
    """Exchange forgets the Inbox sync state while an officer's reply waits in Sent Items:
    the Inbox resync must not restart Sent Items from now, or the reply is missed."""
    exchange, endpoint = server
    exchange.deliver(member_email("left-unmarked"))  # fetched, never moved: comes back
    box = client(endpoint)
    try:
        first, cursor = box.fetch_new(None)
        assert ids(first) == [("inbox", "<left-unmarked@councillors.example.gov.uk>")]
        exchange.deliver(officer_reply("reply-while-expired", "left-unmarked"), exchange.sent)
        exchange.deliver(member_email("new-in-inbox"))
        exchange.expire_sync_states(exchange.inbox)

        with pytest.raises(CursorExpired) as expired:
            box.fetch_new(cursor)
        assert expired.value.resume_cursor is not None
        resynced, cursor = box.fetch_new(expired.value.resume_cursor)
        after, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert sorted(ids(resynced)) == [
        ("inbox", "<left-unmarked@councillors.example.gov.uk>"),
        ("inbox", "<new-in-inbox@councillors.example.gov.uk>"),
        ("sent", "<reply-while-expired@example.gov.uk>"),
    ]
    assert after == []  # nothing comes round a second time


def test_without_watch_sent_an_invalid_state_resumes_from_nothing(server) -> None:
    exchange, endpoint = server
    box = client(endpoint, watch_sent=False)
    try:
        _, cursor = box.fetch_new(None)
        exchange.expire_sync_states(exchange.inbox)
        with pytest.raises(CursorExpired) as expired:
            box.fetch_new(cursor)
    finally:
        box.close()
    assert expired.value.resume_cursor is None


def test_without_watch_sent_sent_items_are_not_read(server) -> None:
    exchange, endpoint = server
    box = client(endpoint, watch_sent=False)
    try:
        _, cursor = box.fetch_new(None)
        exchange.deliver(officer_reply("unseen", "x"), exchange.sent)
        fetched, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert fetched == []


def sync_calls(exchange: FakeExchange, since: int) -> int:
    return exchange.operations[since:].count("SyncFolderItems")


def test_a_large_sent_items_is_caught_up_over_polls_and_no_reply_is_missed(server) -> None:
    """A shared mailbox with years of sent mail: the first sync of Sent Items must not page
    through all of it in one poll, nor hand any of it on; an officer's reply sent while it
    catches up is still seen, once."""
    exchange, endpoint = server
    exchange.fill(exchange.sent, 95, old_sent_mail("history"))
    box = client(endpoint, sync_page=10, catch_up_pages=2)
    try:
        start = len(exchange.operations)
        first, cursor = box.fetch_new(None)
        assert first == []
        assert sync_calls(exchange, start) == 1 + 2  # the Inbox, then two pages of Sent Items

        exchange.deliver(officer_reply("during", "x"), exchange.sent)
        seen: list[tuple[str, str]] = []
        for _ in range(6):  # 95 old items, 20 a poll: caught up within five more polls
            start = len(exchange.operations)
            fetched, cursor = box.fetch_new(cursor)
            assert sync_calls(exchange, start) <= 1 + 2
            seen += ids(fetched)
        assert seen == [("sent", "<during@example.gov.uk>")]
        assert cursor is not None and not json.loads(cursor)["sent"].startswith("catchup")

        exchange.deliver(officer_reply("after", "x"), exchange.sent)
        later, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert ids(later) == [("sent", "<after@example.gov.uk>")]


def test_an_empty_sent_items_reports_everything_that_comes(server) -> None:
    exchange, endpoint = server
    box = client(endpoint)
    try:
        _, cursor = box.fetch_new(None)
        exchange.deliver(officer_reply("first-ever", "x"), exchange.sent)
        fetched, _ = box.fetch_new(cursor)
    finally:
        box.close()
    assert ids(fetched) == [("sent", "<first-ever@example.gov.uk>")]


def test_a_first_run_over_a_full_inbox_comes_in_batches(server) -> None:
    """10,000 unhandled items on the first run must not all be downloaded into memory by
    one fetch: each returns a batch and a cursor part way, and the next goes on."""
    exchange, endpoint = server
    for n in range(25):
        exchange.deliver(member_email(f"backlog-{n}"))
    box = client(endpoint, watch_sent=False, batch=10)  # pages of 512 would hold all 25
    sizes: list[int] = []
    seen: list[tuple[str, str]] = []
    try:
        cursor = None
        for _ in range(5):
            fetched, cursor = box.fetch_new(cursor)
            sizes.append(len(fetched))
            seen += ids(fetched)
    finally:
        box.close()
    assert sizes == [10, 10, 5, 0, 0]
    assert sorted(seen) == sorted(
        ("inbox", f"<backlog-{n}@councillors.example.gov.uk>") for n in range(25)
    )


# --- end to end through jobs.poll ----------------------------------------------------------


def write_config(tmp_path: Path, endpoint: str) -> Path:
    config = tmp_path / "mailbot.toml"
    config.write_text(
        f"""
[council]
policy = "wiltshire"
data_dir = "var"

[mailbox]
backend = "ews"
address = "{MAILBOX}"

[mailbox.ews]
service_endpoint = "{endpoint}"
auth_type = "basic"
username = "svc-mailbot"
password = "s3cret"
watch_sent = true

[directory]
members = "{DEMO / "members.csv"}"
officers = "{DEMO / "officers.csv"}"
""",
        encoding="utf-8",
    )
    return config


def test_config_turns_watch_sent_on(server, tmp_path: Path) -> None:
    _, endpoint = server
    backend = build_backend(load_settings(write_config(tmp_path, endpoint)))
    assert isinstance(backend, EwsMailbox) and backend.watch_sent


def test_officer_reply_in_sent_items_stops_the_clock_and_our_ack_opens_nothing(
    server, tmp_path: Path
) -> None:
    exchange, endpoint = server
    settings = load_settings(write_config(tmp_path, endpoint))
    backend = client(endpoint)
    app = build_app(settings, backend=backend, classifier=rules_classifier())
    try:
        exchange.deliver(old_sent_mail("history"), exchange.sent)
        exchange.deliver(member_email("enquiry"))
        (opened,) = poll(app, NOW).outcomes
        assert opened.case_ref is not None
        assert len(flush_outbox(app, NOW).sent) >= 1  # our ack, saved to Sent Items

        exchange.deliver(officer_reply("officer-reply", "enquiry"), exchange.sent)
        outcomes = {o.message_id: o for o in poll(app, LATER).outcomes}

        with app.store.transaction() as session:
            cases = session.scalars(select(CaseRow)).all()
            stops = session.scalars(
                select(ClockEventRow).where(ClockEventRow.action == "stop")
            ).all()
            case_view = [(c.ref, c.status, c.responded_at) for c in cases]
            stop_view = [(s.case_id, s.at) for s in stops]
            case_ids = [c.id for c in cases]
    finally:
        app.close()
        backend.close()

    assert "<history@example.gov.uk>" not in outcomes  # old sent mail is history
    acks = [mid for mid in outcomes if mid != "<officer-reply@example.gov.uk>"]
    assert len(acks) >= 1 and all(outcomes[m].status == "automatic" for m in acks)
    officer = outcomes["<officer-reply@example.gov.uk>"]
    assert officer.case_ref == opened.case_ref
    # The answer counts from when the officer sent it (its Date), not when we saw it.
    sent_at = datetime(2026, 11, 26, 13, 55, tzinfo=UTC)
    assert case_view == [(opened.case_ref, "responded", sent_at)]  # the ack opened no case
    assert stop_view == [(case_ids[0], sent_at)]
    assert len(exchange.sent.items) == len(acks) + 2  # Sent Items are never moved
    assert len(exchange.inbox.items) == 0


def test_an_invalid_inbox_state_between_polls_loses_no_officer_reply(
    server, tmp_path: Path
) -> None:
    """End to end: the poll resyncs the Inbox, still records the officer's reply (the
    clock stops), and records every message once."""
    exchange, endpoint = server
    settings = load_settings(write_config(tmp_path, endpoint))
    backend = client(endpoint)
    app = build_app(settings, backend=backend, classifier=rules_classifier())
    try:
        exchange.deliver(member_email("enquiry"))
        (opened,) = poll(app, NOW).outcomes
        # A copy of the recorded enquiry still in the Inbox (say its move failed): the
        # resync hands it over again and the ledger must skip it.
        exchange.deliver(member_email("enquiry"))
        exchange.deliver(officer_reply("officer-reply", "enquiry"), exchange.sent)
        exchange.deliver(member_email("second"))
        exchange.expire_sync_states(exchange.inbox)

        report = poll(app, LATER)
        again = poll(app, LATER)
        with app.store.transaction() as session:
            responded = [(c.ref, c.status) for c in session.scalars(select(CaseRow)).all()]
    finally:
        app.close()
        backend.close()

    assert report.resynced
    outcomes = {o.message_id: o for o in report.outcomes}
    assert len(report.outcomes) == 3 and sorted(outcomes) == [
        "<enquiry@councillors.example.gov.uk>",
        "<officer-reply@example.gov.uk>",
        "<second@councillors.example.gov.uk>",
    ]
    assert outcomes["<enquiry@councillors.example.gov.uk>"].status == "duplicate"
    assert outcomes["<officer-reply@example.gov.uk>"].case_ref == opened.case_ref
    assert (opened.case_ref, "responded") in responded
    assert again.outcomes == [] and not again.resynced
    assert len(exchange.inbox.items) == 0


def test_one_poll_handles_a_full_inbox_in_batches_while_sent_items_catch_up(
    server, tmp_path: Path
) -> None:
    """End to end: a first poll over 25 waiting messages, fetched 10 at a time, records and
    moves every one once; the years of sent mail are neither handled nor paged at once."""
    exchange, endpoint = server
    exchange.fill(exchange.sent, 95, old_sent_mail("history"))
    for n in range(25):
        exchange.deliver(member_email(f"waiting-{n}"))
    settings = load_settings(write_config(tmp_path, endpoint))
    backend = client(endpoint, batch=10, sync_page=10, catch_up_pages=2)
    app = build_app(settings, backend=backend, classifier=rules_classifier())
    try:
        report = poll(app, NOW)
        with app.store.transaction() as session:
            cases = len(session.scalars(select(CaseRow)).all())
    finally:
        app.close()
        backend.close()
    handled = sorted(o.message_id for o in report.outcomes)
    assert handled == sorted(f"<waiting-{n}@councillors.example.gov.uk>" for n in range(25))
    assert cases == 25
    assert len(exchange.inbox.items) == 0
    processed = exchange.folder_named("Processed")
    assert processed is not None and len(processed.items) == 25
