"""A message Exchange Online cannot turn into MIME: /$value answers 500
ErrorMimeContentConversionFailed, the same on every try, for S/MIME encrypted or
opaque-signed mail and S/MIME non-delivery reports (members and partners do send those).
Before, the 500 was retried as a busy server, the poll gave up, and every later poll met
the same message first: no mail behind it was ever read. It is now left in the Inbox for a
person, named in the log, and the rest are read."""

from __future__ import annotations

import pytest
from fakes.graph_server import FakeGraph

from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider
from mailbot.backends.retry import Backoff

pytestmark = pytest.mark.timeout(60)

MAILBOX = "memberenquiries@council.example"


def member_email(label: str) -> bytes:
    return (
        "From: Cllr Example <cllr@members.test.invalid>\r\n"
        f"To: {MAILBOX}\r\nSubject: {label}\r\n"
        f"Message-ID: <{label}@members.test.invalid>\r\n\r\nText.\r\n"
    ).encode()


def test_a_message_graph_cannot_convert_is_left_for_a_person_and_the_rest_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeGraph(MAILBOX) as fake:
        sleeps: list[float] = []
        box = GraphMailbox(
            mailbox=MAILBOX, base_url=fake.base_url,
            token_provider=StaticTokenProvider(fake.token),
            backoff=Backoff(attempts=3, sleep=sleeps.append),
        )
        try:
            fake.deliver(member_email("first"))
            encrypted = fake.deliver(member_email("encrypted"))
            fake.deliver(member_email("third"))
            fake.unconvertible.add(encrypted)
            fetched, cursor = box.fetch_new(None)
            subjects = sorted(m.raw.split(b"Subject: ")[1][:5] for m in fetched)
            assert subjects == [b"first", b"third"]
            assert sleeps == []  # not taken for a busy server
            assert f"cannot convert Inbox message {encrypted} to MIME" in caplog.text
            for item in fetched:
                box.mark_processed(item.ref)
            assert fake.messages_in("inbox") == [member_email("encrypted")]

            fake.deliver(member_email("fourth"))
            later, cursor = box.fetch_new(cursor)
            assert [m.raw.split(b"Subject: ")[1][:6] for m in later] == [b"fourth"]
        finally:
            box.close()
