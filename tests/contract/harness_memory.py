"""Contract harness for the in-process memory backend."""

from __future__ import annotations

import email
import email.policy

import pytest

from contract.harness import HarnessBase
from mailbot.backends.memory import MemoryMailbox, MemoryServer


class MemoryHarness(HarnessBase):
    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.server = MemoryServer()

    def mailbox(self) -> MemoryMailbox:
        return MemoryMailbox(self.server, backoff=self.backoff)

    def deliver(self, raw: bytes) -> None:
        self.server.deliver(raw)

    def inbox_count(self) -> int:
        return len(self.server.inbox)

    def processed_count(self) -> int:
        return len(self.server.processed)

    def sent_copies(self) -> list[bytes]:
        return list(self.server.sent)

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        return list(self.server.outgoing)

    def expire_cursor(self) -> None:
        self.server.expire_cursors()

    def fail_next(self, n: int) -> None:
        self.server.fail_next(n)

    def delete_from_inbox(self, message_id: str) -> None:
        with self.server.lock:
            for uid, raw in list(self.server.inbox.items()):
                parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
                if parsed["Message-ID"] == message_id:
                    del self.server.inbox[uid]


def make_harness(request: pytest.FixtureRequest) -> MemoryHarness:
    return MemoryHarness()
