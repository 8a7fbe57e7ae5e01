"""A backlog of big mail (planning drawings, scanned letters) is read in batches that fit a
byte budget on Exchange, through EWS and through Graph, as on IMAP (test_imap_servers):
one poll never holds gigabytes, and every message still comes exactly once, in order,
even when the ids a server page gave are read over several fetches and clients."""

from __future__ import annotations

import base64
import gc
import mailbox
import os
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.ews_server import FakeExchange, running
from fakes.graph_server import FakeGraph
from sqlalchemy import select

from mailbot.app import build_app
from mailbot.backends.base import Mailbox
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.ews_download import MIME_BYTES
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.classify import rules_classifier
from mailbot.jobs import poll
from mailbot.model import FetchedMessage
from mailbot.settings import load_settings
from mailbot.store.tables import MessageRow

pytestmark = pytest.mark.timeout(120)

ADDRESS = "memberenquiries@council.example"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
MB = 1024 * 1024
BUDGET = 1 * MB
# A backlog like the IMAP test's: three of 0.4 MB, one of 1.5 MB, two of 0.1 MB
TENTHS = [4, 4, 4, 15, 1, 1]


def with_drawings(tenths: int, label: str = "") -> bytes:
    """A member's email with a PDF attached, about `tenths` tenths of a MB in all."""
    pdf = base64.encodebytes(os.urandom(tenths * MB // 10 * 3 // 4 - 600))
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: Member Enquiries <{ADDRESS}>\r\n"
        f"Subject: Drawings for 12 Mill Lane ({tenths} tenths {label})\r\n"
        "Date: Wed, 25 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <drawings.{tenths}.{uuid.uuid4().hex}@councillors.example.gov.uk>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n'
        "\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Could planning look at the drawings attached?\r\n"
        "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + pdf.replace(b"\n", b"\r\n") + b"--b--\r\n"


def tenths_of(raw: bytes) -> int:
    return int(raw.split(b"Subject: Drawings for 12 Mill Lane (")[1].split(b" ")[0])


def fetches_of(
    new_client: Callable[[], Mailbox], cursor: str | None = None
) -> list[list[FetchedMessage]]:
    """Each batch fetch_new hands over from `cursor`, each read by a new client from the
    cursor the last one returned, as after a restart between polls."""
    batches: list[list[FetchedMessage]] = []
    for _ in range(20):
        mailbox = new_client()
        try:
            fetched, cursor = mailbox.fetch_new(cursor)
        finally:
            mailbox.close()
        if not fetched:
            return batches
        batches.append(fetched)
    raise AssertionError("fetch_new never ran dry")


def batches_of(new_client: Callable[[], Mailbox]) -> list[list[int]]:
    """The batches from the start, by the size of their messages."""
    return [[tenths_of(message.raw) for message in batch] for batch in fetches_of(new_client)]


def folders_and_sizes(batches: list[list[FetchedMessage]]) -> list[tuple[str, int]]:
    return [(message.folder, tenths_of(message.raw)) for batch in batches for message in batch]


@pytest.fixture
def exchange() -> Iterator[tuple[FakeExchange, str]]:
    with running(FakeExchange(mailbox_address=ADDRESS)) as (fake, base):
        yield fake, f"{base}/EWS/Exchange.asmx"


def ews_client(endpoint: str, **overrides: object) -> EwsMailbox:
    settings: dict[str, object] = dict(
        primary_smtp_address=ADDRESS, service_endpoint=endpoint, auth_type="basic",
        username="svc-mailbot", password="s3cret", backoff=Backoff(sleep=lambda _: None),
        batch_bytes=BUDGET)
    settings.update(overrides)
    return EwsMailbox(**settings)  # type: ignore[arg-type]


def graph_client(fake: FakeGraph, **overrides: object) -> GraphMailbox:
    settings: dict[str, object] = dict(
        mailbox=ADDRESS, base_url=fake.base_url, token_provider=StaticTokenProvider(fake.token),
        backoff=Backoff(sleep=lambda _: None), batch_bytes=BUDGET)
    settings.update(overrides)
    return GraphMailbox(**settings)  # type: ignore[arg-type]


def test_ews_reads_big_mail_in_batches_that_fit_the_byte_budget(
    exchange: tuple[FakeExchange, str],
) -> None:
    fake, endpoint = exchange
    for tenths in TENTHS:
        fake.deliver(with_drawings(tenths))

    batches = batches_of(lambda: ews_client(endpoint))

    # 1 MB: two of 0.4 (a third would not fit), then 0.4 alone (1.5 would not fit), the
    # 1.5 MB one alone (bigger than the budget: read alone, never skipped), the small two.
    # The sync found all six at once; the ids not read waited in the cursor.
    assert batches == [[4, 4], [4], [15], [1, 1]]
    assert fake.mime_answers and max(fake.mime_answers) <= 16 * MB


def test_ews_downloads_a_batch_in_answers_of_bounded_size(
    exchange: tuple[FakeExchange, str],
) -> None:
    """One GetItem answer holds at most MIME_BYTES of mail, however many messages fit the
    batch: Exchange's answer is XML holding each message in base64, parsed whole."""
    fake, endpoint = exchange
    for _ in range(6):
        fake.deliver(with_drawings(4))
    mailbox = ews_client(endpoint, batch_bytes=64 * MB)
    try:
        fetched, _ = mailbox.fetch_new(None)
    finally:
        mailbox.close()
    assert [tenths_of(m.raw) for m in fetched] == [4] * 6
    assert MIME_BYTES == 16 * MB and len(fake.mime_answers) == 1  # 2.4 MB: one answer

    import mailbot.backends.ews_download as ews_download

    fake.mime_answers.clear()
    for _ in range(3):
        fake.deliver(with_drawings(4))
    saved, ews_download.MIME_BYTES = ews_download.MIME_BYTES, MB
    try:
        mailbox = ews_client(endpoint, batch_bytes=64 * MB)
        fetched, _ = mailbox.fetch_new(None)  # all nine again: the Inbox afresh
        mailbox.close()
    finally:
        ews_download.MIME_BYTES = saved
    assert len(fetched) == 9
    assert len(fake.mime_answers) == 5  # two 0.4 MB messages an answer, the last alone
    assert max(fake.mime_answers) <= MB


def test_ews_sent_items_wait_for_the_inbox_ids_still_to_read(
    exchange: tuple[FakeExchange, str],
) -> None:
    """With watch_sent, an officer's reply in Sent Items comes once the Inbox ids found
    before it are read; nothing is missed or doubled across the batches."""
    fake, endpoint = exchange
    first = ews_client(endpoint, watch_sent=True)
    try:
        _, cursor = first.fetch_new(None)  # finds the place in Sent Items
    finally:
        first.close()
    for tenths in TENTHS:
        fake.deliver(with_drawings(tenths))
    fake.deliver(with_drawings(2, "officer's reply"), fake.sent)

    seen = folders_and_sizes(fetches_of(lambda: ews_client(endpoint, watch_sent=True), cursor))
    assert seen == [("inbox", t) for t in TENTHS] + [("sent", 2)]


def test_graph_reads_big_mail_in_batches_that_fit_the_byte_budget() -> None:
    with FakeGraph(ADDRESS) as fake:
        for tenths in TENTHS:
            fake.deliver(with_drawings(tenths))
        batches = batches_of(lambda: graph_client(fake))
    # Graph tells no size before the download: a batch stops once it holds the budget,
    # so it can go over by the message that filled it (three of 0.4 MB: 1.2 MB).
    assert batches == [[4, 4, 4], [15], [1, 1]]


def test_graph_sent_items_wait_for_the_inbox_ids_still_to_read() -> None:
    with FakeGraph(ADDRESS) as fake:
        first = graph_client(fake, watch_sent=True)
        try:
            _, cursor = first.fetch_new(None)
        finally:
            first.close()
        for tenths in TENTHS:
            fake.deliver(with_drawings(tenths))
        fake.deliver(with_drawings(2, "officer's reply"), folder="sentitems")
        seen = folders_and_sizes(
            fetches_of(lambda: graph_client(fake, watch_sent=True), cursor)
        )
    assert seen == [("inbox", t) for t in TENTHS] + [("sent", 2)]


def write_config(tmp_path: Path, backend: str, section: str) -> Path:
    config = tmp_path / "mailbot.toml"
    config.write_text(
        f"""
[council]
policy = "wiltshire"
data_dir = "var"

[mailbox]
backend = "{backend}"
address = "{ADDRESS}"

{section}

[directory]
members = "{DEMO / "members.csv"}"
officers = "{DEMO / "officers.csv"}"
""",
        encoding="utf-8",
    )
    return config


GRAPH_SECTION = """[mailbox.graph]
tenant_id = "example.onmicrosoft.com"
client_id = "11111111-2222-3333-4444-555555555555"
client_secret = "not-used-the-test-injects-a-token"
"""


def test_a_poll_over_big_mail_records_and_moves_every_message_once(tmp_path: Path) -> None:
    """The poll takes batch after batch while the cursor holds ids still to read: every
    message is recorded once and moved, and the next poll finds nothing."""
    settings = load_settings(write_config(tmp_path, "graph", GRAPH_SECTION))
    with FakeGraph(ADDRESS) as fake:
        for tenths in TENTHS:
            fake.deliver(with_drawings(tenths))
        backend = graph_client(fake)
        app = build_app(settings, backend=backend, classifier=rules_classifier())
        try:
            report = poll(app, NOW)
            again = poll(app, NOW)
            with app.store.transaction() as session:
                recorded = sorted(row.size // (MB // 10) for row in session.scalars(
                    select(MessageRow)))
        finally:
            app.close()
            backend.close()
        assert len(report.outcomes) == len(TENTHS) and again.outcomes == []
        assert recorded == sorted(TENTHS)
        assert fake.messages_in("inbox") == []
        assert len(fake.messages_in("Processed")) == len(TENTHS)


def test_graph_lets_a_downloaded_message_go_when_mailbot_does() -> None:
    """A message's bytes are freed as soon as mailbot drops them, not whenever Python's
    cycle collector next runs: httpx keeps a body in its Response, which sits in a
    reference cycle, and a poll piled up batches of 35 MB messages that way."""
    with FakeGraph(ADDRESS) as fake:
        fake.deliver(with_drawings(40))
        mailbox = graph_client(fake)
        gc.collect()
        gc.disable()  # as between two of the collector's runs
        tracemalloc.start()
        try:
            fetched, _ = mailbox.fetch_new(None)
            assert [tenths_of(m.raw) for m in fetched] == [40]
            del fetched
            left, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            gc.enable()
            mailbox.close()
    assert left < MB, f"{left / MB:.1f} MB still held"


def test_maildir_reads_big_mail_in_batches_that_fit_the_byte_budget(tmp_path: Path) -> None:
    """The maildir read every new message in one fetch, whatever their size."""
    inbox = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for tenths in TENTHS:
        inbox.add(with_drawings(tenths))
    batches = batches_of(lambda: MaildirMailbox(
        tmp_path / "Maildir", outbox=tmp_path / "outbox", batch_bytes=BUDGET))
    # A batch stops once it holds the budget; every message comes once.
    assert sorted(t for batch in batches for t in batch) == sorted(TENTHS)
    assert all(sum(batch[:-1]) < 10 for batch in batches)
    assert len(batches) > 1
