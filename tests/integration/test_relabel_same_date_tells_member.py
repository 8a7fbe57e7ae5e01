"""An enquiry relabelled a complaint where both kinds have the same number of days
(Wiltshire: ten and ten) kept its date, so the member, thanked for their "enquiry", was
never told it is now handled as a complaint: the acknowledgement was written again only
when the date moved. Now any relabel of a case the member was told about tells them what
it is handled as, once, with the date that applies (the same one)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, rows

from mailbot.model import Kind
from mailbot.store.tables import OutboxRow
from mailbot.triage import relabel_case

JO, SAM = "jo.bloggs@wiltshire.gov.uk", "sam.patel@wiltshire.gov.uk"
RECEIVED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday: due Monday 7 December
RELABELLED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ADMIN = "admin@wiltshire.gov.uk"


def council(home: Path) -> Council:
    return Council(
        home, mailbox="memberenquiries@wiltshire.gov.uk", policy="wiltshire", threshold=0.0,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
    )


def to_jo(mails: list[EmailMessage]) -> list[str]:
    return [body_text(m, "plain") for m in mails if m["To"] and JO in str(m["To"])]


def test_an_enquiry_relabelled_a_complaint_on_the_same_date_tells_the_member(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as place:
        [first] = to_jo(place.deliver(place.mail(
            JO, "Bins on Castle Road", "The bins were missed again.", cc=SAM,
            date=RECEIVED), RECEIVED))
        assert "Thank you for your enquiry" in first
        case = place.case()
        due = case.response_due
        relabel_case(place.app, case.ref, Kind.COMPLAINT, who=ADMIN, now=RELABELLED)
        [again] = to_jo(place.flush(RELABELLED))
        assert "we are now handling it as a complaint" in again
        assert "Monday 7 December 2026" in again
        assert place.case().response_due == due
        relabel_case(place.app, case.ref, Kind.COMPLAINT, who=ADMIN, now=RELABELLED)
        assert to_jo(place.flush(RELABELLED)) == []  # the same kind again: nothing new
        relabel_case(place.app, case.ref, Kind.ENQUIRY, who=ADMIN, now=RELABELLED)
        [back] = to_jo(place.flush(RELABELLED))
        assert "we are now handling it as an enquiry" in back
        acks = rows(place.app, OutboxRow, OutboxRow.purpose == "ack")
    assert [r.status for r in acks] == ["sent"] * 3


def test_an_answered_case_relabelled_sends_the_member_nothing(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail(JO, "Bins on Castle Road",
                                       "The bins were missed again.", cc=SAM, date=RECEIVED),
                            RECEIVED)
        [assignment] = [m for m in out if SAM in str(m["To"])]
        place.deliver(place.reply(assignment, SAM, "DONE", date=RECEIVED), RECEIVED)
        case = place.case()
        assert case.status == "responded"
        relabel_case(place.app, case.ref, Kind.COMPLAINT, who=ADMIN, now=RELABELLED)
        assert to_jo(place.flush(RELABELLED)) == []
