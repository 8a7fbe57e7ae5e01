"""Contract harness for the Microsoft Graph backend, against the loopback fake Graph."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from fakes.graph_server import FakeGraph

from contract.harness import HarnessBase
from mailbot.backends.graph import GraphMailbox
from mailbot.backends.graph_tokens import StaticTokenProvider

MAILBOX = "memberenquiries@council.example"


class GraphHarness(HarnessBase):
    name = "graph"

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeGraph(MAILBOX).start()
        self._clients: list[GraphMailbox] = []

    def mailbox(self) -> GraphMailbox:
        client = GraphMailbox(
            mailbox=MAILBOX,
            base_url=self.fake.base_url,
            token_provider=StaticTokenProvider(self.fake.token),
            backoff=self.backoff,
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.fake.close()

    def deliver(self, raw: bytes) -> None:
        self.fake.deliver(raw)

    def deliver_many(self, raws: Iterable[bytes]) -> None:
        for raw in raws:
            self.fake.deliver(raw)

    def inbox_count(self) -> int:
        return len(self.fake.messages_in("inbox"))

    def processed_count(self) -> int:
        return len(self.fake.messages_in("Processed"))

    def sent_copies(self) -> list[bytes]:
        return self.fake.messages_in("sentitems")

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        return self.fake.outgoing

    def expire_cursor(self) -> None:
        self.fake.expire_delta_tokens()

    def fail_next(self, n: int) -> None:
        # Graph's way of saying "busy": 503 with a Retry-After the client must honour.
        self.fake.fail_next(n, status=503, retry_after="1")

    def delete_from_inbox(self, message_id: str) -> None:
        self.fake.delete_message(message_id, folder="inbox")


def make_harness(request: pytest.FixtureRequest) -> GraphHarness:
    return GraphHarness()
