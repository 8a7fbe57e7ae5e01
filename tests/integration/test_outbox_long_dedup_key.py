"""The outbox keeps a mail's dedup key to its first 200 characters, but looked for an
earlier mail by the whole key: a key longer than that (a digest to a long address, a
reminder about a long reference) never matched its own stored row, so a second queueing
of the same mail went out again, against "never send twice". The check now uses the
key as it is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, rows

from mailbot import outbox
from mailbot.compose import Envelope
from mailbot.render import Rendered
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@wiltshire.gov.uk"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_a_mail_with_a_key_over_200_characters_is_queued_once(tmp_path: Path) -> None:
    key = "digest:" + "x" * 230 + "@wiltshire.gov.uk:council:2026-W49"
    with Council(tmp_path, mailbox=MAILBOX, members=[], officers=[]) as place:
        for _ in range(2):
            with place.app.store.transaction() as session:
                outbox.queue(
                    session, purpose="digest", dedup_key=key, case=None,
                    rendered=Rendered("Weekly digest", "text", "<p>html</p>"),
                    envelope=Envelope(sender=MAILBOX, sender_name="Member Enquiries",
                                      to=("dana.reed@wiltshire.gov.uk",)),
                    now=NOW,
                )
        assert [row.dedup_key for row in rows(place.app, OutboxRow)] == [key[:200]]
        with place.app.store.transaction() as session:
            assert outbox.already_queued(session, key)
            assert not outbox.already_queued(session, key[:199] + "y")
