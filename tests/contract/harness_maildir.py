"""Contract harness for the Maildir backend (outbox mode: no SMTP)."""

from __future__ import annotations

import email
import email.policy
import errno
import itertools
import json
import mailbox
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from contract.harness import HarnessBase
from mailbot.backends.maildir import EPOCH_FILE, MaildirMailbox


class MaildirHarness(HarnessBase):
    name = "maildir"

    def __init__(self) -> None:
        super().__init__()
        self._temporary = tempfile.TemporaryDirectory(prefix="mailbot-maildir-")
        root = Path(self._temporary.name)
        self.path = root / "mailbox"
        self.outbox = root / "outbox"
        self.inbox = mailbox.Maildir(self.path, create=True)
        self._failures_left = 0
        self._numbers = itertools.count()

    def close(self) -> None:
        self._temporary.cleanup()

    def _disk(self) -> None:
        """The backend's io_check: the disk (or NFS mount) fails while failures are due."""
        if self._failures_left > 0:
            self._failures_left -= 1
            raise OSError(errno.EIO, "simulated I/O error")

    def mailbox(self) -> MaildirMailbox:
        return MaildirMailbox(
            self.path,
            outbox=self.outbox,
            address="enquiries@council.test.invalid",
            backoff=self.backoff,
            io_check=self._disk,
        )

    def deliver(self, raw: bytes) -> None:
        self.inbox.add(raw)

    def deliver_many(self, raws: Iterable[bytes]) -> None:
        """As an MDA does (tmp/ then rename into new/), minus the stdlib's fsync per file."""
        stamp = int(time.time())
        for raw in raws:
            name = f"{stamp}.M{next(self._numbers):07d}P{os.getpid()}.contract"
            temporary = self.path / "tmp" / name
            temporary.write_bytes(raw)
            os.rename(temporary, self.path / "new" / name)

    def inbox_count(self) -> int:
        return len(self.inbox)

    def _folder_count(self, name: str) -> int:
        if name not in self.inbox.list_folders():
            return 0
        return len(self.inbox.get_folder(name))

    def processed_count(self) -> int:
        return self._folder_count("Processed")

    def sent_copies(self) -> list[bytes]:
        if "Sent" not in self.inbox.list_folders():
            return []
        sent = self.inbox.get_folder("Sent")
        return [sent.get_bytes(key) for key in sorted(sent.keys())]

    def delivered_out(self) -> list[tuple[tuple[str, ...], bytes]]:
        out = []
        for envelope_file in sorted(self.outbox.glob("*.envelope.json")):
            envelope = json.loads(envelope_file.read_text())
            raw = envelope_file.with_name(envelope_file.name.replace(".envelope.json", ".eml"))
            out.append((tuple(envelope["recipients"]), raw.read_bytes()))
        return out

    def expire_cursor(self) -> None:
        (self.path / EPOCH_FILE).unlink(missing_ok=True)

    def fail_next(self, n: int) -> None:
        self._failures_left = n

    def delete_from_inbox(self, message_id: str) -> None:
        for key in list(self.inbox.keys()):
            parsed = email.message_from_bytes(
                self.inbox.get_bytes(key), policy=email.policy.compat32
            )
            if parsed["Message-ID"] == message_id:
                self.inbox.remove(key)


def make_harness(request: pytest.FixtureRequest) -> MaildirHarness:
    return MaildirHarness()
