"""[mailbox.imap] pointing at the wrong place, in words an administrator acts on: a host
name that does not resolve, and the port of a mail submission (SMTP) server."""

from __future__ import annotations

import pytest
from fixtures.smtpd import SmtpServer

from mailbot.backends.base import BackendError
from mailbot.backends.imap import ImapMailbox
from mailbot.backends.retry import Backoff

pytestmark = pytest.mark.timeout(60)


def mailbox(host: str, port: int) -> ImapMailbox:
    return ImapMailbox(host=host, port=port, security="none", username="mailbot",
                       password="x", backoff=Backoff(attempts=1, sleep=lambda _: None))


def failure(box: ImapMailbox) -> str:
    with pytest.raises(BackendError) as caught:
        box.fetch_new(None)
    box.close()
    return str(caught.value)


def test_a_host_that_does_not_resolve_is_named_as_such() -> None:
    said = failure(mailbox("imap.example.invalid", 993))
    assert "imap.example.invalid" in said
    assert "does not resolve" in said and "[mailbox.imap] host" in said


def test_the_port_of_an_smtp_server_is_named_as_such(smtp_server: SmtpServer) -> None:
    said = failure(mailbox(smtp_server.host, smtp_server.port))
    assert "SMTP" in said and "not IMAP" in said
    assert "[mailbox.imap] port" in said
