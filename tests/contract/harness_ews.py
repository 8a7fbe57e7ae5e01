"""Contract harness for the ews backend, against the loopback fake EWS server."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from typing import Self

import pytest
from fakes.ews_server import FakeExchange, running

from contract.harness import HarnessBase
from mailbot.backends.ews import EwsMailbox

ADDRESS = "memberenquiries@council.example"


class EwsHarness(HarnessBase):
    name = "ews"

    def __init__(self) -> None:
        super().__init__()
        # ErrorServerBusy hints 0.2s, below the harness's 0.5s first wait, so the
        # recorded waits are the Backoff's own schedule.
        self.exchange = FakeExchange(mailbox_address=ADDRESS, busy_back_off_ms=200)
        self._stack = ExitStack()
        self._clients: list[EwsMailbox] = []
        self.url = ""

    def __enter__(self) -> Self:
        _, base = self._stack.enter_context(running(self.exchange))
        self.url = f"{base}/EWS/Exchange.asmx"
        return self

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._stack.close()

    def mailbox(self) -> EwsMailbox:
        client = EwsMailbox(
            primary_smtp_address=ADDRESS,
            service_endpoint=self.url,
            auth_type="basic",
            username="svc-mailbot",
            password="s3cret",
            backoff=self.backoff,
        )
        self._clients.append(client)
        return client

    def deliver(self, raw: bytes) -> None:
        self.exchange.deliver(raw)

    def deliver_many(self, raws: Iterable[bytes]) -> None:
        for raw in raws:
            self.exchange.deliver(raw)

    def inbox_count(self) -> int:
        return len(self.exchange.inbox.items)

    def processed_count(self) -> int:
        folder = self.exchange.folder_named("Processed")
        return len(folder.items) if folder is not None else 0

    def sent_copies(self) -> list[bytes]:
        return list(self.exchange.sent.items.values())

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        return list(self.exchange.delivered)

    def expire_cursor(self) -> None:
        self.exchange.expire_sync_states()

    def fail_next(self, n: int) -> None:
        self.exchange.fail_next(n)

    def delete_from_inbox(self, message_id: str) -> None:
        self.exchange.delete_message_id(message_id)


def make_harness(request: pytest.FixtureRequest) -> EwsHarness:
    return EwsHarness()
