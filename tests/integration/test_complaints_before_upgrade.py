"""A complaint about an officer opened by a release before 27 November 2026 has no "complaint
about an officer" entry on its timeline, so after the upgrade the officer it names saw its
subject in the member's other cases. The first sweep after the upgrade reads such
complaints again, once, and records whom they name; the case stays where it is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from complaint_council import complain
from helpers import body_text, rows
from sqlalchemy import delete
from test_complaint_about_an_officer import RUDE, _council

from mailbot import jobs
from mailbot.complained_about import COMPLAINT_ABOUT
from mailbot.complaints_before_upgrade import DONE_KEY
from mailbot.store.state import read_value, write_value
from mailbot.store.tables import EventRow

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SWEPT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 3, 11, 0, tzinfo=UTC)


def test_the_first_sweep_records_whom_an_old_complaint_names(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as council:
        complain(council, "Complaint about Sam Patel's manner", RUDE)
        complaint = council.case()
        holder = complaint.officer_email
        with council.app.store.transaction() as session:  # as an older release left it
            session.execute(delete(EventRow).where(EventRow.action == COMPLAINT_ABOUT))
            write_value(session, DONE_KEY, None)
        jobs.send_reminders(council.app, SWEPT)
        recorded = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
        with council.app.store.transaction() as session:
            done = read_value(session, DONE_KEY)
        out = council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Pothole on Castle Road",
            "Please could someone look at the pothole outside no. 12 Castle Road?",
            cc="sam@wiltshire.gov.uk", date=LATER), LATER)
        assert council.case(complaint.ref).officer_email == holder  # not moved
    assert [(row.case_id, row.detail) for row in recorded] == [
        (complaint.id, "sam@wiltshire.gov.uk")]
    assert done is not None
    [to_sam] = [m for m in out if m["To"] == "sam@wiltshire.gov.uk"]
    text = " ".join(body_text(to_sam, "plain").split())
    assert complaint.ref in text and "manner" not in text


def test_it_is_done_once(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as council:
        jobs.send_reminders(council.app, SWEPT)  # a new install: nothing to read
        complain(council, "Complaint about Sam Patel's manner", RUDE)
        with council.app.store.transaction() as session:
            session.execute(delete(EventRow).where(EventRow.action == COMPLAINT_ABOUT))
        jobs.send_reminders(council.app, LATER)
        assert rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT) == []
