"""The contract suite against a bare IMAP4rev1 server: no MOVE (COPY, \\Deleted and
EXPUNGE instead), no UIDPLUS (a plain EXPUNGE), no IDLE, CONDSTORE or NAMESPACE."""

from __future__ import annotations

import pytest

from contract.harness_imap import ImapHarness


class BareHarness(ImapHarness):
    name = "imap-bare"


def make_harness(request: pytest.FixtureRequest) -> ImapHarness:
    return BareHarness(
        request.getfixturevalue("dovecot_bare"), request.getfixturevalue("smtp_server")
    )
