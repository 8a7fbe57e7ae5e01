"""A member's recall notice that waits in the outbox (the mail server down for an hour)
follows the case: passed on meanwhile, it goes to the new officer; answered or closed
meanwhile, it is withdrawn (there is nothing left to check with the member)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam, rows
from test_member_recalls_a_message import JO, SUBJECT, recall, said

from mailbot.jobs import poll
from mailbot.store.tables import OutboxRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 20, tzinfo=UTC)
ASK = "The hedge on Elm Road is blocking the pavement. Could it be cut back?"


@pytest.fixture
def sam_has_it(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.server.deliver(it.mail(JO, SUBJECT, ASK, date=MONDAY))
        poll(it.app, MONDAY)
        it.flush(MONDAY)
        yield it


def test_a_recall_notice_waiting_when_the_case_moves_goes_to_its_new_officer(
    tmp_path: Path
) -> None:
    with Council(
        tmp_path, mailbox="memberenquiries@wiltshire.gov.uk", policy="wiltshire",
        members=[("Cllr Jo Bloggs", "jo@wiltshire.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam@wiltshire.gov.uk", "Highways", "", ""),
                  ("Lee Wong", "lee@wiltshire.gov.uk", "Highways", "", "")],
        config='[routing]\ndefault_officer = "sam@wiltshire.gov.uk"\n',
    ) as council:
        council.deliver(council.mail(JO, SUBJECT, ASK, date=MONDAY), MONDAY)
        council.left()
        ref = council.case().ref
        # The recall is queued for Sam while the mail server is away...
        council.server.deliver(recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT)))
        poll(council.app, LATER)
        # ...and Sam passes the case to Lee before it leaves.
        council.server.deliver(council.mail(
            "Sam Patel <sam@wiltshire.gov.uk>", f"RE: {SUBJECT} [{ref}]",
            "REASSIGN lee@wiltshire.gov.uk", date=LATER))
        poll(council.app, LATER)
        left = council.flush(LATER)
        notices = [m for m in left if str(m["Subject"]).startswith("Update: ")]
        assert [str(m["To"]) for m in notices] == ["lee@wiltshire.gov.uk"]
        assert "tried to recall" in body_text(notices[0], "plain")
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "recall")
        assert row.status == "sent" and "lee@wiltshire.gov.uk" in row.recipients


def test_a_recall_notice_waiting_when_the_case_is_closed_is_withdrawn(
    sam_has_it: Council
) -> None:
    ref = sam_has_it.case().ref
    sam_has_it.server.deliver(recall(JO, SUBJECT, body=said("Cllr Jo Bloggs", SUBJECT)))
    poll(sam_has_it.app, LATER)
    sam_has_it.server.deliver(sam_has_it.mail(
        "Sam Patel <sam@wiltshire.gov.uk>", f"RE: {SUBJECT} [{ref}]", "DONE", date=LATER))
    poll(sam_has_it.app, LATER)
    left = sam_has_it.flush(LATER)
    assert not [m for m in left if "tried to recall" in body_text(m, "plain")]
    [row] = rows(sam_has_it.app, OutboxRow, OutboxRow.purpose == "recall")
    assert row.status == "withdrawn"
    assert sam_has_it.case().status in ("responded", "closed")


