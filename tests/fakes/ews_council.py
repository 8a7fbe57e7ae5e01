"""A council on the EWS backend for tests: a mailbot.toml whose service account
(basic auth) logs in at the given EWS endpoint for the shared mailbox ADDRESS, and
mailbot's EWS backend logged in the same way to the fake Exchange."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fakes.council_toml import write_council_config
from fakes.ews_server import FakeExchange, running
from mailbot.backends.ews import EwsMailbox
from mailbot.backends.retry import Backoff

ADDRESS = "memberenquiries@council.example"


def ews_config(folder: Path, endpoint: str) -> Path:
    """folder/mailbot.toml for the demo's directory on the EWS backend at `endpoint`."""
    return write_council_config(
        folder / "mailbot.toml", "ews", ADDRESS,
        {"service_endpoint": endpoint, "auth_type": "basic", "username": "svc-mailbot",
         "password": "s3cret"},
    )  # fmt: skip


def basic_mailbox(base: str, address: str, attempts: int) -> EwsMailbox:
    """mailbot's EWS backend on the fake Exchange at `base`, for the shared mailbox
    `address`, logged in as its service account; `attempts` tries, no waiting."""
    return EwsMailbox(
        primary_smtp_address=address, service_endpoint=f"{base}/EWS/Exchange.asmx",
        auth_type="basic", username="svc-mailbot", password="s3cret",
        backoff=Backoff(attempts=attempts, sleep=lambda _: None),
    )


@contextmanager
def exchange_and_mailbox(
    address: str, attempts: int = 3
) -> Iterator[tuple[FakeExchange, EwsMailbox]]:
    """The fake Exchange for `address` and basic_mailbox on it, closed when the block ends."""
    with running(FakeExchange(mailbox_address=address)) as (fake, base):
        box = basic_mailbox(base, address, attempts)
        try:
            yield fake, box
        finally:
            box.close()
