"""The daemon's journal shows it at work: one INFO line, in counts, for each poll that
found mail and each flush that sent some, and nothing for the quiet minutes between."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from helpers import JO, AppFactory

from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SUBJECT = "Abandoned car on Hill Road"


def enquiry(label: str) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: {SUBJECT}\r\nMessage-ID: <{label}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\n"
        f"A car has been left there for weeks ({label}).\r\n"  # each its own mail, not sent again
    ).encode()


def test_each_poll_and_flush_that_did_something_is_one_info_line(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app, server = app_factory()
    run = daemon_jobs(app, MailboxHealth(app), clock=lambda: NOW)
    caplog.set_level(logging.INFO, logger="mailbot")
    run["poll"]()
    run["flush"]()
    assert [r.getMessage() for r in caplog.records if r.name == "mailbot.scheduler"] == []

    server.deliver(enquiry("car-1"))
    server.deliver(enquiry("car-1"))  # the same message again
    server.deliver(enquiry("car-2"))
    run["poll"]()
    run["flush"]()
    lines = [r.getMessage() for r in caplog.records if r.name == "mailbot.scheduler"]
    assert lines == ["poll: 3 message(s): 1 duplicate, 2 processed", "outbox: 2 sent"]
    assert all(JO[1] not in r.getMessage() and SUBJECT not in r.getMessage()
               for r in caplog.records if r.levelno >= logging.INFO)
