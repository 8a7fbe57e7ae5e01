"""An officer's assignment is queued when a case opens or moves, but may go much later
(sending held: an outage, a password changed). At send time the flush checks it against
the case as it is now (mailbot.still_due): an assignment whose officer no longer holds the
case, or whose case was answered meanwhile, is withdrawn, kept with the reason, and never
sent. Unlike reminders it is not held to working hours. Read as the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, rows
from test_stale_reminders import (
    ALEX,
    JO,
    SAM,
    SendingRefused,
    council,
    put_right,
    refuse_sending,
)

from mailbot import leavers
from mailbot.store.tables import EventRow, OutboxRow

RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning

def held_enquiry(it: Council, at: datetime = RECEIVED) -> SendingRefused:
    """Sending is refused; Jo's enquiry arrives and is given to Sam (his assignment waits)."""
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                       "There is a deep pothole outside no. 12. Can it be repaired?",
                       date=at), at)
    return backend


def assignments(it: Council) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == "assignment")


def withdrawals(it: Council) -> list[str]:
    return [e.detail for e in rows(it.app, EventRow, EventRow.action == "withdrawn")]


def to_and_subject(left: list[EmailMessage]) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"])) for m in left]


def test_an_assignment_held_back_goes_only_to_the_officer_the_case_was_handed_to(
    tmp_path: Path,
) -> None:
    """`mailbot reassign` while sending is held: Sam is never told of a case not his."""
    with council(tmp_path) as it:
        backend = held_enquiry(it)
        ref = it.case().ref
        moved_at = RECEIVED + timedelta(hours=1)
        leavers.hand_over(it.app, refs=[ref], from_officer="", to=ALEX, who="admin",
                          reason="Sam is on leave", now=moved_at)
        put_right(it, backend, moved_at + timedelta(hours=1))
        left = to_and_subject(it.flush(moved_at + timedelta(hours=1)))
        to_sam, to_alex = assignments(it)
        events = withdrawals(it)
    assert [to for to, _ in left if to in (SAM, ALEX)] == [ALEX]
    assert to_sam.status == "withdrawn" and to_sam.sent_at is None
    assert to_sam.last_error == f"the case is now with {ALEX}"
    assert to_alex.status == "sent"
    assert events == [f"assignment to {SAM} not sent: the case is now with {ALEX}"]


def test_an_assignment_held_back_is_withdrawn_after_a_reassign_command(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        backend = held_enquiry(it)
        ref = it.case().ref
        later = RECEIVED + timedelta(hours=1)
        it.deliver(it.mail(f"Sam Patel <{SAM}>", f"RE: Pothole on Castle Road [{ref}]",
                           f"REASSIGN {ALEX}", date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = to_and_subject(it.flush(later + timedelta(hours=1)))
        to_sam, to_alex = assignments(it)
    # Sam gets the answer to his command, not the assignment of a case he passed on.
    assert [s for to, s in left if to == SAM and not s.startswith("RE:")] == []
    assert [to for to, _ in left].count(ALEX) == 1
    assert to_sam.status == "withdrawn"
    assert to_alex.status == "sent"


def test_an_assignment_for_a_case_answered_meanwhile_is_withdrawn(tmp_path: Path) -> None:
    """An officer told of a case after it was answered would think there is work to do."""
    with council(tmp_path) as it:
        backend = held_enquiry(it)
        ref = it.case().ref
        later = RECEIVED + timedelta(hours=1)
        it.deliver(it.mail(f"Sam Patel <{SAM}>", f"RE: Pothole on Castle Road [{ref}]", "DONE",
                           date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = to_and_subject(it.flush(later + timedelta(hours=1)))
        [to_sam] = assignments(it)
    assert [s for to, s in left if to == SAM and not s.startswith("RE:")] == []
    assert JO in [to for to, _ in left]  # the member's acknowledgement is still owed
    assert to_sam.status == "withdrawn"
    assert to_sam.last_error == "the case was answered"


def test_an_assignment_held_back_goes_at_night_when_sending_resumes(tmp_path: Path) -> None:
    """Assignments are not working-hours mail: a case opened at night is told at once."""
    with council(tmp_path) as it:
        night = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
        backend = held_enquiry(it, night)
        put_right(it, backend, night + timedelta(minutes=30))
        left = to_and_subject(it.flush(night + timedelta(minutes=30)))
        [to_sam] = assignments(it)
    assert SAM in [to for to, _ in left]
    assert to_sam.status == "sent"


def bounced_ack(it: Council) -> SendingRefused:
    """Jo's enquiry is acknowledged; then sending is refused and the acknowledgement
    bounces (Jo's address does not exist): Sam's notice of it waits."""
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                              "There is a deep pothole outside no. 12.", date=RECEIVED),
                      RECEIVED)
    [ack] = [m for m in left if str(m["To"]) == JO]
    backend = refuse_sending(it)
    dsn = (
        "From: Mail Delivery Subsystem <mailer-daemon@mx.example>\r\n"
        f"To: {it.app.mailbox_address}\r\nSubject: Delivery Status Notification (Failure)\r\n"
        "Message-ID: <dsn1@mx.example>\r\nDate: Mon, 23 Nov 2026 09:40:00 +0000\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        f"--b\r\nContent-Type: text/plain\r\n\r\nNot delivered to {JO}.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {JO}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {ack['Message-ID']}\r\nSubject: {ack['Subject']}\r\n\r\n--b--\r\n"
    ).encode()
    it.deliver(dsn, RECEIVED + timedelta(minutes=10))
    [notice] = bounce_notices(it)
    assert (notice.recipients, notice.status) == (SAM, "pending")
    return backend


def bounce_notices(it: Council) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == "member_bounce")


def test_a_bounce_notice_held_back_goes_to_the_officer_the_case_was_handed_to(
    tmp_path: Path,
) -> None:
    """Sam was to be told that Jo's acknowledgement bounced; the case went to Alex while
    sending was held: Alex is told, from the bounce itself, and Sam is not."""
    with council(tmp_path) as it:
        backend = bounced_ack(it)
        moved_at = RECEIVED + timedelta(hours=1)
        leavers.hand_over(it.app, refs=[it.case().ref], from_officer="", to=ALEX, who="admin",
                          reason="Sam is on leave", now=moved_at)
        put_right(it, backend, moved_at + timedelta(hours=1))
        left = it.flush(moved_at + timedelta(hours=1))
        [notice] = bounce_notices(it)
    told = [m for m in left if str(m["Subject"]).startswith("Not delivered to the member")]
    assert [str(m["To"]) for m in told] == [ALEX]
    assert (f"could not be delivered to {JO}: no such user" in
            " ".join(body_text(told[0], "plain").split()))
    assert (notice.recipients, notice.status) == (ALEX, "sent")


def test_a_bounce_notice_held_back_is_withdrawn_once_the_case_is_answered(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        backend = bounced_ack(it)
        later = RECEIVED + timedelta(hours=1)
        it.deliver(it.mail(f"Sam Patel <{SAM}>", f"RE: Pothole on Castle Road [{it.case().ref}]",
                           "DONE", date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = to_and_subject(it.flush(later + timedelta(hours=1)))
        [notice] = bounce_notices(it)
        events = withdrawals(it)
    assert [s for _, s in left if s.startswith("Not delivered")] == []
    assert (notice.status, notice.sent_at) == ("withdrawn", None)
    assert notice.last_error == "the case was answered"
    assert f"member_bounce to {SAM} not sent: the case was answered" in events
