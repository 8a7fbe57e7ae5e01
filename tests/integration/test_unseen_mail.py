"""Real-world mail the rest of the suite does not show: out-of-office replies from
mailboxes set to other languages, ticket systems and notification services, mail sent
in a member's name by another system, and members forwarding a resident's email.

Each message goes through poll + flush on a real app; we look at what left (the
acknowledgement's MIME) and what was recorded (the messages table).
"""

from __future__ import annotations

import pytest
from helpers import (
    JO,
    NEVER_MAILED,
    AppFactory,
    all_recipients,
    body_text,
    eml,
    rows,
    run,
    sent_to,
)

from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

ROBOTS = {
    # file: the kind of automatic mail it must be recorded as
    "ooo_polish_no_headers.eml": "auto_reply",
    "ooo_urdu_body_only.eml": "auto_reply",
    "ticket_system_acknowledgement.eml": "auto_reply",
    "sharepoint_share_in_members_name.eml": "bulk",
}


@pytest.mark.parametrize("name", sorted(ROBOTS))
def test_robots_in_a_members_name_or_language_are_never_answered(
    app_factory: AppFactory, name: str
) -> None:
    # Unknown senders acknowledged too, so only the loop guard can stop the reply.
    app, server = app_factory(acknowledge_unknown_senders=True)
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert (row.status, row.automatic) == ("automatic", ROBOTS[name]), row.reason
    assert rows(app, CaseRow) == []
    assert [r for r in rows(app, OutboxRow) if r.purpose == "ack"] == []
    assert server.outgoing == []


@pytest.mark.parametrize("name", [
    "member_forwards_resident_out_of_office.eml",
    "member_forwards_resident_html_only.eml",
])
def test_a_forwarded_residents_out_of_office_words_do_not_drop_the_members_mail(
    app_factory: AppFactory, name: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "processed" and row.automatic is None, row.reason
    [(ack, _)] = sent_to(server, JO[1])
    [case] = rows(app, CaseRow)
    assert case.member_email == JO[1]
    # The resident is the forwarded author, never a recipient of ours.
    assert not all_recipients(server) & NEVER_MAILED
    assert str(ack["Subject"]) == "Re: FW: Overgrown hedge on Oak Lane [MB-2026-00001]"
    text = body_text(ack, "plain")
    assert text.startswith("Dear Cllr Jo Bloggs,")
    assert "received on Wednesday 25 November 2026" in text


def test_a_members_out_of_office_in_polish_in_reply_to_our_ack_stays_quiet(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    [ack_row] = [r for r in rows(app, OutboxRow) if r.purpose == "ack"]
    reply = eml("ooo_polish_no_headers.eml").replace(
        b"Message-ID: <ooo-pl-7a1c@mail.wiltshire.gov.uk>",
        b"Message-ID: <ooo-pl-7a1c@mail.wiltshire.gov.uk>\r\nIn-Reply-To: "
        + ack_row.message_id.encode(),
    )
    server.deliver(reply)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "open"
    statuses = [(r.status, r.automatic) for r in rows(app, MessageRow)]
    assert statuses == [("processed", None), ("automatic", "auto_reply")]
    assert len(server.outgoing) == 1  # the one acknowledgement, nothing to the officer
