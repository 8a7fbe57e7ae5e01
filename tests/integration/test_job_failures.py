"""A daemon job that fails at every run with an error of its own (a fault in mailbot, or
data it cannot handle) is shown by `mailbot status`, which exits 1, until it works again.
Without this, status said "daemon: polling" while no mail was handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import JO, NOW, SHARED_MAILBOX, AppFactory, rows

from mailbot import mailbox_cursor
from mailbot.health import MailboxHealth
from mailbot.scheduler import daemon_jobs
from mailbot.status import format_status, gather_status
from mailbot.store.tables import MessageRow


def member_mail() -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{JO[1]}>\r\nTo: {SHARED_MAILBOX}\r\nSubject: Bins\r\n"
        "Message-ID: <bins@example.org>\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n\r\n"
        "The bins on Elm Road were not collected.\r\n"
    ).encode()


def test_a_poll_failing_at_every_run_is_shown_until_it_works(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, server = app_factory()
    server.deliver(member_mail())
    clock = [NOW]
    jobs = daemon_jobs(app, MailboxHealth(app), lambda: clock[0])
    real_load = mailbox_cursor.load

    def broken(_app: object) -> None:
        raise KeyError("cursor.mark")

    monkeypatch.setattr(mailbox_cursor, "load", broken)
    for _ in range(3):
        jobs["poll"]()
        clock[0] += timedelta(minutes=1)

    status = gather_status(app, clock[0])
    assert not status.healthy
    [line] = [x for x in format_status(status).splitlines() if "FAILING" in x]
    assert line.startswith("daemon: poll FAILING since 2026-11-25 12:00 (3 run(s) in a row): "
                           "KeyError: 'cursor.mark'")
    assert rows(app, MessageRow) == [], "nothing was handled meanwhile"

    monkeypatch.setattr(mailbox_cursor, "load", real_load)
    jobs["poll"]()
    status = gather_status(app, clock[0])
    assert "FAILING" not in format_status(status)
    assert [m.status for m in rows(app, MessageRow)] == ["processed"]


def test_a_new_daemon_clears_what_an_earlier_one_left(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = app_factory()
    monkeypatch.setattr(mailbox_cursor, "load", lambda _app: 1 / 0)
    daemon_jobs(app, MailboxHealth(app), lambda: NOW)["poll"]()
    assert "poll FAILING" in format_status(gather_status(app, NOW))
    monkeypatch.undo()

    daemon_jobs(app, MailboxHealth(app), lambda: NOW)["poll"]()  # the next start
    assert "FAILING" not in format_status(gather_status(app, NOW))
