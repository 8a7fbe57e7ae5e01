"""The digest's "acknowledged in time" counts the cases whose acknowledgement has been
given or is overdue, as "answered on time" counts those answered or past due: a case whose
officer still has days to acknowledge it is neither in time nor late yet.

Hackney 11.3: the Director acknowledges a complaint within three working days. A complaint
received on Friday 27 November 2026 is to be acknowledged by Wednesday 2 December; the
digest of Monday 30 November counted it as not acknowledged in time, so a Director who
had acknowledged every complaint on time was shown 50%, and with only that one, 0%."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import CaseRow, OutboxRow

MAILBOX = "memberenquiries@hackney.gov.uk"
JO = "jo.bloggs@hackney.gov.uk"
SAM = "sam.patel@hackney.gov.uk"
DANA = "dana.reed@hackney.gov.uk"
CHIEF = "chief.executive@hackney.gov.uk"
COMPLAINT = ("I want to complain about how my enquiry about the damp flat was handled: three "
             "emails unanswered. Please investigate and put it right.")
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def complaint(place: Council, subject: str, received: datetime) -> str:
    """The member's complaint, copying Sam: the Director (Dana) has it. Its Message-ID."""
    raw = place.mail(f"Cllr Jo Bloggs <{JO}>", subject, COMPLAINT, cc=SAM, date=received)
    place.deliver(raw, received)
    assert place.case().kind == "complaint" and place.case().officer_email == DANA
    return f"<t{place.count}@test.example>"


def kpi_line(place: Council, kind: str) -> list[str]:
    """The kind's line of the digest's protocol KPIs: received, ack target, ack'd in
    time, response target, on time, median."""
    jobs.send_digests(place.app, MONDAY)
    [row] = rows(place.app, OutboxRow, OutboxRow.purpose == "digest")
    message = email.message_from_bytes(row.mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = body_text(message, "plain")
    kpis = text[text.index("Protocol KPIs"):text.index("(week beginning)")]
    [line] = [line for line in kpis.splitlines() if line.startswith(f"  {kind}  ")]
    return line.removeprefix(f"  {kind}").split()


def _hackney(folder: Path) -> Council:
    """Hackney, where the Director (Dana) acknowledges complaints; the chief executive
    gets the whole council's digest."""
    return Council(
        folder, name="Hackney Council", policy="hackney", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Housing", DANA, ""), ("Dana Reed", DANA, "Housing", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[digest]\nrecipients = ["{CHIEF}"]\nmanagers = false\n',
    )


def test_a_complaint_not_yet_due_its_acknowledgement_is_not_counted_late(
    tmp_path: Path,
) -> None:
    with _hackney(tmp_path) as place:
        first = complaint(place, "Complaint about my damp flat casework",
                          datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
        acknowledged = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
        place.deliver(place.mail(f"Dana Reed <{DANA}>", "RE: Complaint", "We are looking into it.",
                                 cc=JO, in_reply_to=first, date=acknowledged), acknowledged)
        complaint(place, "Complaint about the repairs line", datetime(2026, 11, 27, 10, 0,
                                                                      tzinfo=UTC))
        acks = {c.subject: (c.ack_due, c.acknowledged_at) for c in rows(place.app, CaseRow)}
        assert acks["Complaint about the repairs line"][1] is None  # due Wednesday 2 December
        assert str(acks["Complaint about the repairs line"][0]) == "2026-12-02"
        assert acks["Complaint about my damp flat casework"][1] is not None
        # Received 2, the ack target 3 working days, acknowledged in time: 1 of 1 due.
        assert kpi_line(place, "Complaint")[:4] == ["2", "3", "wd", "100%"]


def test_with_no_acknowledgement_due_yet_the_figure_is_a_dash(tmp_path: Path) -> None:
    with _hackney(tmp_path) as place:
        complaint(place, "Complaint about the repairs line",
                  datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
        assert kpi_line(place, "Complaint")[:4] == ["1", "3", "wd", "-"]
