"""A firewall or load balancer between mailbot and the IMAP server forgets a connection
left idle (Azure's after 4 minutes, many firewalls after 5 to 10), silently: no reset, and
nothing comes back. mailbot kept its connection between polls, so with polls minutes apart
(poll_seconds of 300 or more, IDLE off) each poll's first command waited out the whole
read timeout (60 s), then logged in again: a minute lost a poll, and a LOGOUT on it another.
Now a connection unused for STALE_AFTER seconds is let go without a word and the poll logs
in afresh at once. Measured against a real Dovecot behind a proxy that goes silent on the
connections it had."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fixtures.dovecot import DovecotServer, ImapUser
from imapclient import IMAPClient
from test_imap_unreadable_memory import deliver, person, user

from mailbot.backends.imap import ImapMailbox
from mailbot.backends.imap_connection import STALE_AFTER
from mailbot.backends.retry import Backoff

__all__ = ["person", "user"]  # pytest fixtures, used by name

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(60)]

# Long, so that the fresh login the poll makes instead (a few seconds on a loaded machine)
# stays well inside half of it; 8 s left under 4 s for that login.
READ_TIMEOUT = 30.0


class ForgetfulFirewall:
    """TCP in front of a server; `forget()` makes every connection open now go silent in
    both directions, as a firewall that dropped their state does; new ones pass."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.generation = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def forget(self) -> None:
        self.generation += 1

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            born = self.generation
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink, born),
                                 daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, born: int) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if self.generation == born:
                    sink.sendall(chunk)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def firewall(dovecot: DovecotServer) -> Iterator[ForgetfulFirewall]:
    proxy = ForgetfulFirewall((dovecot.host, dovecot.port))
    yield proxy
    proxy.close()


def test_a_poll_after_a_long_quiet_does_not_wait_on_a_connection_the_firewall_forgot(
    dovecot: DovecotServer, user: ImapUser, person: IMAPClient, firewall: ForgetfulFirewall
) -> None:
    now = [100.0]
    mailbox = ImapMailbox(
        host=dovecot.host, port=firewall.port, security="none", username=user.username,
        password=user.password, backoff=Backoff(attempts=3, sleep=lambda _: None),
        timeout=READ_TIMEOUT, clock=lambda: now[0],
    )
    deliver(person, user, ["first"])
    fetched, cursor = mailbox.fetch_new(None)
    mailbox.mark_processed_many([item.ref for item in fetched])
    now[0] += STALE_AFTER + 60  # the next poll, minutes later
    firewall.forget()
    deliver(person, user, ["second"])
    started = time.monotonic()
    fetched, cursor = mailbox.fetch_new(cursor)
    took = time.monotonic() - started
    assert [item.raw.split(b"Subject: ")[1][:6] for item in fetched] == [b"second"]
    assert took < READ_TIMEOUT / 2, f"the poll waited {took:.1f} s on a dead connection"
    mailbox.close()
