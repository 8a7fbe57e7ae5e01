"""The promises every mailbox backend keeps, run against each harness_<name>.py.

Tests look at what the server holds and what went out on the wire, through the
harness, never at how the client got there.
"""

from __future__ import annotations

import email
import email.policy
import uuid

import pytest

from contract.harness import Harness
from mailbot.backends.base import CursorExpired, Mailbox, mark_all_processed
from mailbot.model import FetchedMessage, OutgoingMail

pytestmark = pytest.mark.timeout(120)


def make_message(label: str, body: str = "Please look into the pothole on Mill Lane.\r\n") -> bytes:
    """A plain member email with a unique Message-ID, CRLF line endings as on the wire."""
    message_id = f"<{label}.{uuid.uuid4().hex}@members.test.invalid>"
    head = (
        "From: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        "To: Member Enquiries <enquiries@council.test.invalid>\r\n"
        f"Subject: Contract test {label}\r\n"
        "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body.encode("ascii")


def message_id_of(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    return str(parsed["Message-ID"]).strip()


def normalised(raw: bytes) -> bytes:
    """Servers may store LF and hand back CRLF; compare content, not line endings."""
    return raw.replace(b"\r\n", b"\n").rstrip(b"\n")


def fetch_all(mailbox: Mailbox, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
    """Call fetch_new until it returns nothing new, as the poll job does (backends may page)."""
    collected: list[FetchedMessage] = []
    for _ in range(100):
        batch, cursor = mailbox.fetch_new(cursor)
        if not batch:
            return collected, cursor
        collected.extend(batch)
    raise AssertionError("fetch_new never ran dry")


def ids(messages: list[FetchedMessage]) -> list[str]:
    return [message_id_of(m.raw) for m in messages]


def test_fetch_is_incremental_with_the_cursor(harness: Harness) -> None:
    first = [make_message(f"first{i}") for i in range(3)]
    harness.deliver_many(first)
    mailbox = harness.mailbox()
    try:
        fetched, cursor = fetch_all(mailbox, None)
        assert sorted(ids(fetched)) == sorted(message_id_of(m) for m in first)
        assert all(m.folder == "inbox" for m in fetched)

        later = make_message("later")
        harness.deliver(later)
        fetched_again, cursor = fetch_all(mailbox, cursor)
        assert ids(fetched_again) == [message_id_of(later)]

        nothing, _ = fetch_all(mailbox, cursor)
        assert nothing == []
    finally:
        mailbox.close()


def test_cursor_is_a_string_that_survives_a_new_client(harness: Harness) -> None:
    harness.deliver(make_message("before"))
    first_client = harness.mailbox()
    fetched, cursor = fetch_all(first_client, None)
    first_client.close()
    assert len(fetched) == 1
    assert isinstance(cursor, str)

    after = make_message("after")
    harness.deliver(after)
    second_client = harness.mailbox()
    try:
        fetched, _ = fetch_all(second_client, cursor)
        assert ids(fetched) == [message_id_of(after)]
    finally:
        second_client.close()


def test_mark_processed_moves_the_message_out_of_the_inbox(harness: Harness) -> None:
    raws = [make_message(f"mark{i}") for i in range(3)]
    harness.deliver_many(raws)
    mailbox = harness.mailbox()
    try:
        fetched, _ = fetch_all(mailbox, None)
        done = fetched[0]
        mailbox.mark_processed(done.ref)
        mailbox.mark_processed(done.ref)  # idempotent: the second call is not an error

        assert harness.processed_count() == 1
        assert harness.inbox_count() == 2
        remaining, _ = fetch_all(mailbox, None)
        assert message_id_of(done.raw) not in ids(remaining)
        assert len(remaining) == 2
    finally:
        mailbox.close()


def test_refs_stay_valid_in_a_new_client(harness: Harness) -> None:
    """The pipeline marks a message only after its transaction commits, maybe after a restart."""
    harness.deliver(make_message("restart"))
    first_client = harness.mailbox()
    fetched, _ = fetch_all(first_client, None)
    first_client.close()

    second_client = harness.mailbox()
    try:
        second_client.mark_processed(fetched[0].ref)
    finally:
        second_client.close()
    assert harness.inbox_count() == 0
    assert harness.processed_count() == 1


def test_marking_a_message_a_person_deleted_is_not_an_error(harness: Harness) -> None:
    kept, deleted = make_message("kept"), make_message("deleted")
    harness.deliver_many([kept, deleted])
    mailbox = harness.mailbox()
    try:
        fetched, _ = fetch_all(mailbox, None)
        by_id = {message_id_of(m.raw): m for m in fetched}
        harness.delete_from_inbox(message_id_of(deleted))

        mailbox.mark_processed(by_id[message_id_of(deleted)].ref)
        mailbox.mark_processed(by_id[message_id_of(kept)].ref)

        assert harness.inbox_count() == 0
        assert harness.processed_count() == 1
    finally:
        mailbox.close()


def outgoing(label: str) -> OutgoingMail:
    message_id = f"<ack.{label}.{uuid.uuid4().hex}@council.test.invalid>"
    mime = (
        "From: Member Enquiries <enquiries@council.test.invalid>\r\n"
        "To: Cllr Ann Example <ann.example@members.test.invalid>\r\n"
        f"Subject: [MB-2026-0001] We have your enquiry ({label})\r\n"
        "Date: Wed, 25 Nov 2026 10:05:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Thank you. Your reference is MB-2026-0001.\r\n"
    ).encode("ascii")
    return OutgoingMail(
        message_id=message_id, recipients=("ann.example@members.test.invalid",), mime=mime
    )


def test_send_goes_out_on_the_wire_and_is_saved_to_sent(harness: Harness) -> None:
    mail = outgoing("send")
    mailbox = harness.mailbox()
    try:
        mailbox.send(mail)
    finally:
        mailbox.close()

    delivered = harness.delivered_out()
    assert len(delivered) == 1
    recipients, raw = delivered[0]
    assert [r.lower() for r in recipients] == ["ann.example@members.test.invalid"]
    assert message_id_of(raw) == mail.message_id
    assert [message_id_of(raw) for raw in harness.sent_copies()] == [mail.message_id]


def test_send_during_a_transient_failure_goes_out_once(harness: Harness) -> None:
    mail = outgoing("flaky")
    mailbox = harness.mailbox()
    try:
        harness.fail_next(1)
        mailbox.send(mail)
    finally:
        mailbox.close()
    assert [message_id_of(raw) for _, raw in harness.delivered_out()] == [mail.message_id]
    assert [message_id_of(raw) for raw in harness.sent_copies()] == [mail.message_id]


def test_resync_after_an_expired_cursor_returns_only_unprocessed(harness: Harness) -> None:
    raws = [make_message(f"resync{i}") for i in range(3)]
    harness.deliver_many(raws)
    mailbox = harness.mailbox()
    try:
        fetched, cursor = fetch_all(mailbox, None)
        mailbox.mark_processed(fetched[0].ref)
        seen = set(ids(fetched))

        harness.expire_cursor()
        newcomer = make_message("newcomer")
        harness.deliver(newcomer)
        with pytest.raises(CursorExpired):
            mailbox.fetch_new(cursor)

        resynced, new_cursor = fetch_all(mailbox, None)
        resynced_ids = ids(resynced)
        assert len(resynced_ids) == len(set(resynced_ids)) == 3
        assert message_id_of(fetched[0].raw) not in resynced_ids
        # The caller dedups by Message-ID: exactly one message is new to it.
        assert set(resynced_ids) - seen == {message_id_of(newcomer)}

        # The refs from the resync work and the new cursor is usable.
        for message in resynced:
            mailbox.mark_processed(message.ref)
        assert harness.inbox_count() == 0
        assert harness.processed_count() == 4
        nothing, _ = fetch_all(mailbox, new_cursor)
        assert nothing == []
    finally:
        mailbox.close()


def test_transient_failures_are_retried_with_backoff_nothing_lost_or_doubled(
    harness: Harness,
) -> None:
    raws = [make_message(f"flaky{i}") for i in range(5)]
    harness.deliver_many(raws)
    mailbox = harness.mailbox()
    try:
        first, cursor = mailbox.fetch_new(None)  # connected and working
        later = [make_message(f"flakylater{i}") for i in range(3)]
        harness.deliver_many(later)

        harness.fail_next(2)
        second, cursor = fetch_all(mailbox, cursor)

        got = ids(first) + ids(second)
        assert sorted(got) == sorted(message_id_of(r) for r in raws + later)
        assert len(harness.sleeps) >= 1
        assert harness.sleeps == sorted(harness.sleeps)  # backing off, not hammering

        harness.fail_next(1)
        for message in first + second:
            mailbox.mark_processed(message.ref)
        assert harness.inbox_count() == 0
        assert harness.processed_count() == 8
    finally:
        mailbox.close()


def test_a_5_mb_message_round_trips(harness: Harness) -> None:
    line = "The quick brown fox reports a broken streetlight on Mill Lane, again.\r\n"
    body = line * (5 * 1024 * 1024 // len(line) + 1)
    raw = make_message("large", body=body)
    assert len(raw) > 5 * 1024 * 1024
    harness.deliver(raw)
    mailbox = harness.mailbox()
    try:
        fetched, _ = fetch_all(mailbox, None)
    finally:
        mailbox.close()
    assert len(fetched) == 1
    assert normalised(fetched[0].raw) == normalised(raw)


def test_a_thousand_messages_are_all_fetched(harness: Harness) -> None:
    raws = [make_message(f"bulk{i}") for i in range(1000)]
    harness.deliver_many(raws)
    mailbox = harness.mailbox()
    try:
        fetched, cursor = fetch_all(mailbox, None)
        fetched_ids = ids(fetched)
        assert len(fetched_ids) == len(set(fetched_ids)) == 1000
        assert set(fetched_ids) == {message_id_of(r) for r in raws}
        nothing, _ = fetch_all(mailbox, cursor)
        assert nothing == []
    finally:
        mailbox.close()


def test_marking_many_at_once_moves_them_all(harness: Harness) -> None:
    raws = [make_message(f"many{i}") for i in range(30)]
    harness.deliver_many(raws)
    mailbox = harness.mailbox()
    try:
        fetched, _ = fetch_all(mailbox, None)
        harness.delete_from_inbox(message_id_of(fetched[3].raw))  # a person was quicker
        mark_all_processed(mailbox, [m.ref for m in fetched[:20]])
        assert harness.processed_count() == 19
        assert harness.inbox_count() == 10
        remaining, _ = fetch_all(mailbox, None)
        assert sorted(ids(remaining)) == sorted(ids(fetched[20:]))
    finally:
        mailbox.close()


def test_was_sent_knows_a_mail_that_went(harness: Harness) -> None:
    """Optional (KnowsWhatItSent): after a crash mid-send the outbox asks the backend."""
    mailbox = harness.mailbox()
    try:
        was_sent = getattr(mailbox, "was_sent", None)
        if was_sent is None:
            pytest.skip(f"{harness.name} has no was_sent")
        mail = outgoing("was-sent")
        mailbox.send(mail)
        assert was_sent(mail.message_id) is True
        assert was_sent("<never-sent@council.test.invalid>") is not True
    finally:
        mailbox.close()
