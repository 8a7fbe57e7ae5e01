"""Two different mails under one Message-ID (a scanner or a business system that numbers
its mail from 1 again) are two messages: neither is skipped as a duplicate. A true copy
of a mail (delivered twice, or fetched again after a crash) is still skipped."""

from __future__ import annotations

from helpers import JO, NOW, RHIAN, AppFactory, rows, sent

from mailbot.jobs import flush_outbox, poll
from mailbot.store.tables import CaseRow, MessageRow

REUSED = "<1@scanner.wiltshire.gov.uk>"


def scan(sender: tuple[str, ...], subject: str, body: str, relay: str = "mx1") -> bytes:
    return (
        f"Received: from {relay}.wiltshire.gov.uk by mail.wiltshire.gov.uk; "
        "Wed, 25 Nov 2026 09:14:05 +0000\r\n"
        f"From: {sender[0]} <{sender[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: {REUSED}\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def test_different_mails_under_one_message_id_each_open_a_case(app_factory: AppFactory) -> None:
    app, server = app_factory()
    first = scan(JO, "Fly-tipping in Mill Lane", "Please clear the fly-tipping in Mill Lane.")
    second = scan(RHIAN, "Broken bench", "The bench on the green is broken, can it be fixed?")
    server.deliver(first)
    poll(app, NOW)
    server.deliver(second)
    server.deliver(scan(RHIAN, "Broken bench", "The bench on the green is broken, can it be "
                        "fixed?", relay="mx2"))  # the same mail again, by another route
    poll(app, NOW)
    flush_outbox(app, NOW)

    cases = rows(app, CaseRow)
    assert sorted(c.member_email for c in cases) == sorted([JO[1], RHIAN[1]])
    acknowledged = sorted(recipients[0] for recipients, _ in sent(server))
    assert acknowledged == sorted([JO[1], RHIAN[1]])
    messages = rows(app, MessageRow)
    assert len(messages) == 2 and messages[0].message_id == REUSED
    assert messages[1].message_id != REUSED and messages[1].duplicates == 1

    server.expire_cursors()  # both fetched again (a resync): nothing new
    server.inbox.update({100: first, 101: second})
    again = poll(app, NOW)
    assert {o.status for o in again.outcomes} == {"duplicate"}
    assert len(rows(app, CaseRow)) == 2
