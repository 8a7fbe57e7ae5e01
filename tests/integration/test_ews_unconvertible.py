"""An Inbox item Exchange cannot turn into MIME (a damaged item, or one from a broken
import or migration): GetItem answers it with ErrorMimeContentConversionFailed, every
time. Before, that error failed the whole download, and the item stayed first in the
cursor's unread list, so every poll failed at it and no mail behind it was read. It is
now left in the Inbox for a person, named in the log, and the rest are read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.ews_council import exchange_and_mailbox
from fakes.ews_server import FakeExchange

from mailbot.backends.ews import EwsMailbox

pytestmark = pytest.mark.timeout(60)

MAILBOX = "memberenquiries@council.example"


def member_email(label: str) -> bytes:
    return (
        "From: Cllr Example <cllr@members.test.invalid>\r\n"
        f"To: {MAILBOX}\r\nSubject: {label}\r\n"
        f"Message-ID: <{label}@members.test.invalid>\r\n\r\nText.\r\n"
    ).encode()


@pytest.fixture
def exchange() -> Iterator[tuple[FakeExchange, EwsMailbox]]:
    with exchange_and_mailbox(MAILBOX) as (fake, box):
        yield fake, box


def test_an_item_exchange_cannot_convert_is_left_for_a_person_and_the_rest_read(
    exchange: tuple[FakeExchange, EwsMailbox], caplog: pytest.LogCaptureFixture
) -> None:
    fake, box = exchange
    fake.deliver(member_email("first"))
    broken = fake.deliver(member_email("damaged"))
    fake.deliver(member_email("third"))
    fake.unconvertible.add(broken)
    fetched, cursor = box.fetch_new(None)
    assert sorted(m.raw.split(b"Subject: ")[1][:5] for m in fetched) == [b"first", b"third"]
    assert f"cannot convert Inbox item {broken} to MIME" in caplog.text
    for item in fetched:
        box.mark_processed(item.ref)
    assert list(fake.inbox.items) == [broken]  # left where it was, for a person

    fake.deliver(member_email("fourth"))
    later, cursor = box.fetch_new(cursor)
    assert [m.raw.split(b"Subject: ")[1][:6] for m in later] == [b"fourth"]
