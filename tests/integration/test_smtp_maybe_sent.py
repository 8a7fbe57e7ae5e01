"""Never send twice, even over SMTP: when a server takes the whole message and then drops
the connection without answering, the mail may have been delivered. The outbox marks it
"uncertain" and does not send it again; a server that answers 451 is retried as before."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from helpers import JO, SHARED_MAILBOX, AppFactory, rows

from mailbot.backends.base import MaybeSent
from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.smtp import SmtpSession, SmtpSettings
from mailbot.jobs import flush_outbox, poll
from mailbot.model import OutgoingMail
from mailbot.store.tables import EventRow, OutboxRow


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SwallowingHandler:
    """Keeps the message, then hangs up instead of answering (a crash, a lost link)."""

    def __init__(self) -> None:
        self.kept: list[bytes] = []
        self.busy = 0  # answer 451 to this many DATA commands first

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Busy, try again later"
        self.kept.append(bytes(envelope.original_content or envelope.content))
        server.transport.close()
        return "250 OK"


def _server() -> tuple[Controller, SwallowingHandler]:
    handler = SwallowingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_port())
    controller.start()
    return controller, handler


def test_a_dropped_connection_after_data_is_maybe_sent_not_retried() -> None:
    controller, handler = _server()
    try:
        session = SmtpSession(SmtpSettings(host="127.0.0.1", port=controller.port,
                                           security="none"))
        mail = OutgoingMail("<m1@example.gov.uk>", ("jo@example.gov.uk",),
                            b"From: a@example.gov.uk\r\nSubject: x\r\n\r\nhello\r\n")
        try:
            session.send(mail, "a@example.gov.uk")
        except MaybeSent as error:
            assert "may or may not have been delivered" in str(error)
        else:
            raise AssertionError("expected MaybeSent")
        assert len(handler.kept) == 1
        session.close()
    finally:
        controller.stop()


def test_outbox_marks_it_uncertain_and_never_resends(app_factory: AppFactory,
                                                     tmp_path: Path) -> None:
    controller, handler = _server()
    app, server = app_factory()
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Broken bench in the park\r\nMessage-ID: <bench@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nPlease fix the bench.\r\n").encode()
    )
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    poll(app, now)  # the member's mail comes in through the memory mailbox...
    smtp = SmtpSettings(host="127.0.0.1", port=controller.port, security="none")
    sender = MaildirMailbox(tmp_path / "mailbox", smtp=smtp, address=SHARED_MAILBOX)
    app.backend_override = sender  # ...and the acknowledgement goes out over real SMTP
    try:
        handler.busy = 1  # a 451 first: an answer, so the backend retries it
        flush_outbox(app, now)
        for hours in (1, 2, 24):
            flush_outbox(app, now + timedelta(hours=hours))
        assert handler.busy == 0, "the 451 was answered and the mail offered again"
        assert len(handler.kept) == 1, "taken once, and never offered again"
        [ack] = [r for r in rows(app, OutboxRow) if r.purpose == "ack"]
        assert ack.status == "uncertain"
        assert "may or may not have been delivered" in ack.last_error
        assert any(e.action == "uncertain" for e in rows(app, EventRow))
    finally:
        sender.close()
        controller.stop()
