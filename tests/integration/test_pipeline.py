"""Threading through the real pipeline: follow-ups join their case without a second ack,
an officer's reply stops the clock, and a stranger cannot attach mail to a case by typing
its reference. Each test starts from member_enquiry.eml (case MB-2026-00001)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import (
    JO,
    NEVER_MAILED,
    NOW,
    SAM,
    AppFactory,
    all_recipients,
    eml,
    rows,
    run,
    sent_to,
)
from sqlalchemy import select

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

ORIGINAL_ID = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def opened(app_factory: AppFactory) -> tuple[App, MemoryServer]:
    """The member's enquiry, processed and acknowledged."""
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    [case] = rows(app, CaseRow)
    assert (case.ref, case.status) == ("MB-2026-00001", "open")
    assert acks_to_jo(server) == 1
    return app, server


def acks_to_jo(server: MemoryServer) -> int:
    """Acknowledgements that went to the member; no stranger or robot got anything."""
    assert not all_recipients(server) & NEVER_MAILED
    return len(sent_to(server, JO[1]))


def message_row(app: App, message_id: str) -> MessageRow:
    [row] = rows(app, MessageRow, MessageRow.message_id == message_id)
    return row


def test_member_follow_up_joins_the_case_without_a_second_ack(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    server.deliver(eml("member_followup.eml"))
    report, _ = run(app, LATER)
    [case] = rows(app, CaseRow)
    assert report.outcomes[0].case_ref == case.ref
    assert acks_to_jo(server) == 1
    followup = message_row(
        app, "<DB9PR01MB7361FF00EE11DD22@DB9PR01MB7361.eurprd01.prod.outlook.com>")
    assert (followup.status, followup.case_id) == ("processed", case.id)
    assert case.status == "open"
    assert "follow-up" in {e.action for e in rows(app, EventRow, EventRow.case_id == case.id)}


def test_member_replying_to_our_ack_joins_the_case(opened: tuple[App, MemoryServer]) -> None:
    app, server = opened
    [(ack, _)] = sent_to(server, JO[1])
    ack_id = ack["Message-ID"].strip()
    reply = (
        f"From: Cllr Jo Bloggs <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: RE: {ack['Subject']}\r\nMessage-ID: <reply-to-ack-1@wiltshire.gov.uk>\r\n"
        f"In-Reply-To: {ack_id}\r\nReferences: {ORIGINAL_ID} {ack_id}\r\n"
        "Date: Wed, 25 Nov 2026 12:30:00 +0000\r\n\r\nThanks - photos attached later.\r\n"
    ).encode()
    server.deliver(reply)
    run(app, LATER)
    assert len(rows(app, CaseRow)) == 1
    assert acks_to_jo(server) == 1
    assert len([r for r in rows(app, OutboxRow) if r.purpose == "ack"]) == 1
    assert message_row(app, "<reply-to-ack-1@wiltshire.gov.uk>").case_id == rows(app, CaseRow)[0].id


def test_member_writing_with_only_the_tag_joins_the_case(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    raw = (f"From: {JO[1]}\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
           "Subject: More on the pothole [MB-2026-00001]\r\n"
           "Message-ID: <tag-only-1@wiltshire.gov.uk>\r\n\r\nIt is getting deeper.\r\n").encode()
    server.deliver(raw)
    run(app, LATER)
    assert len(rows(app, CaseRow)) == 1 and acks_to_jo(server) == 1


def test_officer_reply_with_the_mailbox_in_cc_stops_the_clock(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    server.deliver(eml("officer_reply_cc.eml"))
    report, _ = run(app, LATER)
    [case] = rows(app, CaseRow)
    assert report.outcomes[0].case_ref == case.ref
    assert case.status == "responded" and case.responded_at == LATER
    [stop] = rows(app, ClockEventRow, ClockEventRow.case_id == case.id)
    assert (stop.clock, stop.action, stop.who) == ("response", "stop", SAM[1])
    assert acks_to_jo(server) == 1  # nobody is acknowledged again
    assert "responded" in {e.action for e in rows(app, EventRow, EventRow.case_id == case.id)}


def test_officer_reply_found_by_tag_alone_also_stops_the_clock(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    raw = b"\r\n".join(
        line for line in eml("officer_reply_cc.eml").split(b"\r\n")
        if not line.startswith((b"In-Reply-To:", b"References:"))
    )
    server.deliver(raw)
    run(app, LATER)
    [case] = rows(app, CaseRow)
    assert case.status == "responded"
    assert [e.action for e in rows(app, ClockEventRow)] == ["stop"]


def test_the_same_officer_reply_twice_records_one_stop(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    server.deliver(eml("officer_reply_cc.eml"))
    run(app, LATER)
    server.deliver(eml("officer_reply_cc.eml"))
    run(app, LATER + timedelta(minutes=5))
    assert len(rows(app, ClockEventRow)) == 1


def test_forged_tag_from_a_stranger_goes_on_the_case_and_only_its_officer_is_told(
    opened: tuple[App, MemoryServer],
) -> None:
    """An unlisted address naming a case is put on it for the officer to check (it may be
    the member from another account, or not), never answered and never taken as the
    member's: the case stays open, its clock untouched (thread_senders.py). This case
    has no officer, so nobody is mailed; test_others_in_a_members_thread has the
    officer's notice."""
    app, server = opened
    server.deliver(eml("forged_tag_stranger.eml"))
    report, _ = run(app, LATER)
    [case] = rows(app, CaseRow)
    assert report.outcomes[0].case_ref == case.ref == "MB-2026-00001"
    assert (case.status, case.responded_at) == ("open", None)
    forged = message_row(app, "<forged-tag-a9a9@example.net>")
    assert forged.case_id == case.id
    assert rows(app, ClockEventRow) == []
    assert acks_to_jo(server) == 1  # and nothing at all to the stranger
    [note] = [e for e in rows(app, EventRow) if e.message_id == forged.id]
    assert "not on the members list" in note.detail and "not taken as the member's" in note.detail
    assert [r.purpose for r in rows(app, OutboxRow)] == ["ack"]  # no officer here to tell


def test_out_of_office_and_our_returning_ack_leave_the_case_alone(
    opened: tuple[App, MemoryServer],
) -> None:
    app, server = opened
    [case_before] = rows(app, CaseRow)
    server.deliver(eml("ooo_welsh_no_headers.eml"))
    server.deliver(eml("own_ack_returned.eml"))
    report, _ = run(app, LATER)
    assert [o.status for o in report.outcomes] == ["automatic", "automatic"]
    [case] = rows(app, CaseRow)
    assert (case.status, case.updated_at) == ("open", case_before.updated_at)
    assert rows(app, ClockEventRow) == []
    assert acks_to_jo(server) == 1


def test_a_whole_thread_delivered_twice_changes_nothing(app_factory: AppFactory) -> None:
    app, server = app_factory()
    thread = ["member_enquiry.eml", "member_followup.eml", "ooo_welsh_no_headers.eml",
              "forged_tag_stranger.eml", "officer_reply_cc.eml", "own_ack_returned.eml"]
    for name in thread:
        server.deliver(eml(name))
    run(app)
    before = ([(c.ref, c.status) for c in rows(app, CaseRow)], len(server.outgoing),
              len(rows(app, ClockEventRow)))
    assert before[0] == [("MB-2026-00001", "responded")]  # the stranger's mail is on it
    assert (acks_to_jo(server), before[2]) == (1, 1)
    for name in thread:
        server.deliver(eml(name))
    report, _ = run(app, LATER)
    assert {o.status for o in report.outcomes} == {"duplicate"}
    after = ([(c.ref, c.status) for c in rows(app, CaseRow)], len(server.outgoing),
             len(rows(app, ClockEventRow)))
    assert after == before


@pytest.mark.parametrize(("words", "officer_told"), [
    ("Thank you very much!", False),
    ("Thanks. It is now twice as deep and a cyclist fell in it this morning.", True),
])
def test_a_members_thanks_on_an_open_case_does_not_trouble_the_officer(
    opened: tuple[App, MemoryServer], words: str, officer_told: bool
) -> None:
    app, server = opened
    with app.store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        case.officer_email = SAM[1]
    server.deliver((
        f"From: Cllr Jo Bloggs <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        "Subject: RE: Pothole outside 14 Castle Street [MB-2026-00001]\r\n"
        f"Message-ID: <thanks-{officer_told}@wiltshire.gov.uk>\r\nIn-Reply-To: {ORIGINAL_ID}\r\n"
        "Date: Wed, 25 Nov 2026 12:30:00 +0000\r\n\r\n" + words + "\r\n"
    ).encode())
    run(app, LATER)
    updates = [r for r in rows(app, OutboxRow) if r.purpose == "update"]
    assert bool(updates) is officer_told
    assert len(rows(app, CaseRow)) == 1 and rows(app, CaseRow)[0].status == "open"
