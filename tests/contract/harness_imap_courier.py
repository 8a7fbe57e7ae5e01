"""The contract suite against an IMAP server that keeps every folder under "INBOX."
(Courier; Cyrus without altnamespace): mailbot's Processed is INBOX.Processed there."""

from __future__ import annotations

import pytest

from contract.harness_imap import ImapHarness


class CourierHarness(ImapHarness):
    name = "imap-courier"
    processed_folder = "INBOX.Processed"
    sent_folder = "INBOX.Sent"


def make_harness(request: pytest.FixtureRequest) -> ImapHarness:
    return CourierHarness(
        request.getfixturevalue("dovecot_courier"), request.getfixturevalue("smtp_server")
    )
