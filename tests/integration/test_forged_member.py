"""Mail in a known member's name that their own domain disowns (DMARC failed at our
server) opens a case for a person to judge, and the member is not written to about a
message they may never have sent."""

from __future__ import annotations

import pytest
from helpers import JO, NOW, AppFactory, eml, rows, sent

from mailbot.jobs import flush_outbox, poll
from mailbot.store.tables import CaseRow, EventRow

VERDICT = "Authentication-Results: mx1.wiltshire.gov.uk; spf=pass smtp.mailfrom={}; dmarc={} "


def with_verdict(dmarc: str) -> bytes:
    header = VERDICT.format("wiltshire.gov.uk", dmarc) + "header.from=wiltshire.gov.uk\r\n"
    return header.encode() + eml("member_enquiry.eml")


@pytest.mark.parametrize(("dmarc", "acknowledged", "status"), [
    ("fail (p=reject)", False, "needs_triage"),
    ("pass", True, "open"),
])
def test_a_member_is_acknowledged_only_for_mail_their_domain_owns(
    app_factory: AppFactory, dmarc: str, acknowledged: bool, status: str
) -> None:
    app, server = app_factory()
    server.deliver(with_verdict(dmarc))
    poll(app, NOW)
    flush_outbox(app, NOW)
    (case,) = rows(app, CaseRow)
    assert case.status == status
    to_member = [m for recipients, m in sent(server) if recipients == (JO[1],)]
    assert bool(to_member) is acknowledged
    disowned = [e for e in rows(app, EventRow) if e.action == "not acknowledged"]
    assert bool(disowned) is not acknowledged
