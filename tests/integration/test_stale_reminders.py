"""A reminder is written when the sweep queues it but may go a day or more later (sending
held, the mail server down): by then it may no longer be true. At send time the flush
checks it against the case as it is now (mailbot.still_due): a reminder whose reason has
gone is withdrawn, kept with the reason, and never sent; one whose words have aged is
written afresh; none goes outside working hours. Read as the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import Council, body_text, parse_sent, rows
from sqlalchemy.orm import Session

from mailbot import jobs, reminders, retention, sending_hold, still_due
from mailbot import outbox as outbox_module
from mailbot.backends.base import SendingBlocked
from mailbot.backends.memory import MemoryMailbox
from mailbot.backends.smtp import SmtpSettings, submit
from mailbot.console import describe_case, summarise_poll
from mailbot.jobs import PollReport
from mailbot.model import OutgoingMail
from mailbot.status import format_status, gather_status
from mailbot.store.tables import CaseRow, EventRow, OutboxRow

D = "wiltshire.gov.uk"
JO, SAM, ALEX, MORGAN, PAT = (f"{who}@{D}" for who in ("jo", "sam", "alex", "morgan", "pat"))
# Received Monday 23 November 2026: due Monday 7 December. Wiltshire's schedule: before
# Thursday 3, due Monday 7, overdue Wednesday 9 and Friday 11, escalation Tuesday 15,
# overdue again Thursday 17.
RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
BEFORE = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
DUE_DAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ESCALATION = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


class SendingRefused(MemoryMailbox):
    """The mailbox reads, but the mail server refuses to send (a password changed)."""

    refusing = True

    def send(self, mail: OutgoingMail) -> None:
        if self.refusing:
            raise SendingBlocked("535 5.7.8 authentication failed")
        super().send(mail)


def council(home: Path) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{D}", name="Wiltshire Council", policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", MORGAN, ""),
                  ("Alex Jones", ALEX, "Highways", PAT, ""),
                  ("Morgan Lee", MORGAN, "Highways", "", ""),
                  ("Pat Khan", PAT, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def enquiry(it: Council) -> EmailMessage:
    """Jo's enquiry, given to Sam; returns Sam's assignment."""
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                              "There is a deep pothole outside no. 12. Can it be repaired?",
                              date=RECEIVED), RECEIVED)
    [assignment] = [m for m in left if str(m["To"]) == SAM]
    return assignment


def refuse_sending(it: Council) -> SendingRefused:
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    return backend


def put_right(it: Council, backend: SendingRefused, at: datetime) -> None:
    """The password is put right and the daemon restarted `at`: as a daemon starting does
    (cli.daemon), its first flush tries at once, the mail the hold put back with the rest."""
    backend.refusing = False
    sending_hold.try_now(it.app.store, at)


def sweep_and_flush(it: Council, now: datetime) -> list[EmailMessage]:
    jobs.send_reminders(it.app, now)
    return it.flush(now)


def officer_says(it: Council, assignment: EmailMessage, who: str, line: str,
                 at: datetime) -> list[EmailMessage]:
    return it.deliver(it.reply(assignment, who, line, date=at), at)


def outbox(it: Council, purpose: str) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == purpose)


def text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def withdrawals(it: Council) -> list[str]:
    return [e.detail for e in rows(it.app, EventRow, EventRow.action == "withdrawn")]


def test_a_reminder_held_back_is_withdrawn_once_the_officer_has_answered(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        assert sweep_and_flush(it, BEFORE) == []  # queued; the server refuses it
        officer_says(it, assignment, f"Sam Patel <{SAM}>", "DONE", BEFORE + timedelta(hours=1))
        put_right(it, backend, BEFORE + timedelta(hours=2))
        left = it.flush(BEFORE + timedelta(hours=2))
        [reminder] = outbox(it, "reminder")
        case = it.case()
        events = withdrawals(it)
    assert [str(m["To"]) for m in left] == [SAM]  # the answer to DONE, and nothing else
    assert not any(str(m["Subject"]).startswith("Reminder") for m in left)
    assert case.status == "responded"
    assert reminder.status == "withdrawn" and reminder.sent_at is None
    assert reminder.last_error == "the case was answered"
    assert events == [f"reminder to {SAM} not sent: the case was answered"]


def test_an_escalation_for_a_case_answered_meanwhile_never_reaches_the_manager(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, ESCALATION)
        [queued] = outbox(it, "escalation")
        assert queued.recipients == f"{MORGAN},{SAM}"
        # Sam's answer to Jo, copying the shared mailbox, is seen while sending is held.
        answer = (f"From: Sam Patel <{SAM}>\r\nTo: Cllr Jo Bloggs <{JO}>\r\n"
                  f"Cc: memberenquiries@{D}\r\nSubject: RE: {assignment['Subject']}\r\n"
                  "Message-ID: <answer@wiltshire.gov.uk>\r\n"
                  f"In-Reply-To: <t1@test.example>\r\n"
                  "Date: Tue, 15 Dec 2026 10:00:00 +0000\r\n\r\n"
                  "Dear Jo, the pothole was filled this morning. Sam\r\n").encode()
        it.deliver(answer, ESCALATION + timedelta(hours=1))
        put_right(it, backend, ESCALATION + timedelta(days=1))
        left = it.flush(ESCALATION + timedelta(days=1))
        [escalation] = outbox(it, "escalation")
        status = it.case().status
    assert status == "responded"
    assert [m for m in left if MORGAN in str(m["To"])] == []
    assert escalation.status == "withdrawn"


def test_a_moved_date_withdraws_the_reminder_and_the_new_date_has_its_own(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, BEFORE)
        officer_says(it, assignment, f"Sam Patel <{SAM}>",
                     'EXTEND 5 "waiting for the contractor"', BEFORE + timedelta(hours=1))
        put_right(it, backend, BEFORE + timedelta(hours=2))
        left = it.flush(BEFORE + timedelta(hours=2))
        [before] = outbox(it, "reminder")
        # The new date, Monday 14 December, is reminded on its own schedule.
        new_before = sweep_and_flush(it, datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    assert sorted(str(m["To"]) for m in left) == [JO, SAM]  # the explanation; the answer
    assert not any(str(m["Subject"]).startswith("Reminder") for m in left)
    assert before.status == "withdrawn"
    assert before.last_error == ("the date moved from 2026-12-07 to 2026-12-14: the new date "
                                 "has its own reminders")
    [reminder] = new_before
    assert str(reminder["Subject"]).endswith(
        f"reply by Monday 14 December 2026 [{it.case().ref}]")


def test_a_paused_case_withdraws_the_reminder(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, BEFORE)
        officer_says(it, assignment, f"Sam Patel <{SAM}>", 'PAUSE "waiting for the member"',
                     BEFORE + timedelta(hours=1))
        put_right(it, backend, BEFORE + timedelta(hours=2))
        left = it.flush(BEFORE + timedelta(hours=2))
        [before] = outbox(it, "reminder")
    # The answer to Sam's PAUSE, and the member's letter that the clock waits for them.
    assert sorted(str(m["To"]) for m in left) == sorted([SAM, JO])
    assert before.status == "withdrawn"
    assert before.last_error == "the case is paused: no response clock runs"


def test_a_reminder_for_a_reassigned_case_goes_to_the_new_officer(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, ESCALATION)
        officer_says(it, assignment, f"Sam Patel <{SAM}>", f"REASSIGN {ALEX}",
                     ESCALATION + timedelta(hours=1))
        put_right(it, backend, ESCALATION + timedelta(hours=2))
        left = it.flush(ESCALATION + timedelta(hours=2))
        [escalation] = outbox(it, "escalation")
    [to_pat] = [m for m in left if str(m["To"]) == PAT]
    assert [m for m in left if MORGAN in str(m["To"])] == []  # Sam's manager: not now
    assert str(to_pat["Cc"]) == ALEX
    assert "Alex Jones" in str(to_pat["Subject"])
    assert escalation.status == "sent" and escalation.recipients == f"{PAT},{ALEX}"


def test_due_today_sent_the_next_day_says_overdue_and_is_dated_when_it_went(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        enquiry(it)
        ref = it.case().ref
        backend = refuse_sending(it)
        sweep_and_flush(it, DUE_DAY)  # "Due today", Monday 7 December: refused
        tuesday = DUE_DAY + timedelta(days=1, hours=1)
        put_right(it, backend, tuesday)
        left = sweep_and_flush(it, tuesday)
        reminders_left = [m for m in left if str(m["To"]) == SAM]
        # Wednesday's overdue reminder is its own, and goes as usual.
        wednesday = sweep_and_flush(it, DUE_DAY + timedelta(days=2))
    [reminder] = reminders_left  # not a second one from Tuesday's sweep
    assert str(reminder["Subject"]) == (
        f"Overdue by 1 working day: Pothole on Castle Road [{ref}]")
    assert "due today" not in text(reminder).lower()
    assert "was due on Monday 7 December 2026 and is now 1 working day overdue" in text(reminder)
    assert str(reminder["Date"]) == "Tue, 08 Dec 2026 10:00:00 +0000"
    assert [str(m["To"]) for m in wednesday] == [SAM]
    assert str(wednesday[0]["Subject"]).startswith("Overdue by 2 working days")


def test_a_reminder_overtaken_by_the_next_step_is_withdrawn_and_only_the_next_goes(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, BEFORE)  # "due in 2 working days", Thursday 3: refused
        put_right(it, backend, DUE_DAY)
        left = sweep_and_flush(it, DUE_DAY)
        [before] = outbox(it, "reminder")[:1]
    [reminder] = [m for m in left if str(m["To"]) == SAM]
    assert str(reminder["Subject"]).startswith("Due today")
    assert before.status == "withdrawn"
    assert before.last_error.startswith("a later reminder is due now (due of 2026-12-07)")


def test_an_escalation_held_for_days_still_reaches_the_manager(tmp_path: Path) -> None:
    """Its dedup key is per due date and step: withdrawn, it could never be queued again."""
    with council(tmp_path) as it:
        enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, ESCALATION)  # Tuesday 15: refused
        # A week on, the officer's next overdue reminder is due (weekly after the
        # escalation: overdue_every_after_escalation).
        tuesday = ESCALATION + timedelta(days=7)
        jobs.send_reminders(it.app, tuesday)
        put_right(it, backend, tuesday)
        left = it.flush(tuesday)
    by_to = {str(m["To"]): m for m in left}
    assert set(by_to) == {MORGAN, SAM, JO}  # Jo: told the date has passed
    assert str(by_to[MORGAN]["Subject"]).startswith("Escalation: overdue by 11 working days")
    assert str(by_to[MORGAN]["Date"]) == "Tue, 22 Dec 2026 09:00:00 +0000"
    assert str(by_to[SAM]["Subject"]).startswith("Overdue by 11 working days")


def test_working_hours_mail_is_not_sent_after_five_whenever_the_flush_runs(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        enquiry(it)
        it.server.fail_next(100)  # the mail server is down from the afternoon
        jobs.send_reminders(it.app, BEFORE.replace(hour=16, minute=50))
        it.flush(BEFORE.replace(hour=16, minute=50))
        it.server.fail_next(0)
        # Back at 17:05, before the evening's first sweep holds the rest back.
        evening = it.flush(BEFORE.replace(hour=17, minute=5))
        [held] = outbox(it, "reminder")
        night = it.flush(BEFORE.replace(hour=23, minute=0))
        morning = it.flush(BEFORE.replace(day=4, hour=9, minute=0))
    assert evening == [] and night == []
    assert held.status == "pending"
    assert held.not_before == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    [reminder] = morning
    assert str(reminder["Subject"]).startswith("Reminder: Pothole on Castle Road")
    assert "due in 1 working day" in text(reminder)  # Friday's words, not Thursday's


def test_the_member_s_acknowledgement_still_goes_after_the_case_is_answered(
    tmp_path: Path,
) -> None:
    """An acknowledgement is owed whatever happened after the mail came in."""
    with council(tmp_path) as it:
        backend = refuse_sending(it)
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                           "There is a deep pothole outside no. 12.", date=RECEIVED), RECEIVED)
        ref = it.case().ref
        later = RECEIVED + timedelta(hours=1)
        it.deliver(it.mail(f"Sam Patel <{SAM}>", f"RE: Pothole on Castle Road [{ref}]", "DONE",
                           date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = it.flush(later + timedelta(hours=1))
        acks = outbox(it, "ack")
        status = it.case().status
    assert status == "responded"
    assert JO in [str(m["To"]) for m in left]
    assert [a.status for a in acks] == ["sent"]


def test_a_late_notice_to_the_member_is_withdrawn_when_the_case_is_closed_meanwhile(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        tuesday = DUE_DAY + timedelta(days=1)
        sweep_and_flush(it, tuesday)
        assert [r.status for r in outbox(it, "late_notice")] == ["pending"]
        officer_says(it, assignment, f"Sam Patel <{SAM}>", "DONE", tuesday + timedelta(hours=1))
        put_right(it, backend, tuesday + timedelta(hours=2))
        left = it.flush(tuesday + timedelta(hours=2))
        [notice] = outbox(it, "late_notice")
        case = rows(it.app, CaseRow)[0]
    assert [m for m in left if str(m["To"]) == JO] == []
    assert notice.status == "withdrawn" and notice.last_error == "the case was answered"
    assert case.status == "responded"


def confidential_enquiry(it: Council) -> EmailMessage:
    """Jo asks Sam's advice in confidence; returns Sam's assignment (CONFIDENTIAL OK/NO?)."""
    left = it.deliver(it.mail(
        f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: a neighbour dispute in Ferndale Close",
        "Please keep this confidential. A resident has asked me about a tribunal over a "
        "neighbour dispute. Can I have your advice in confidence?", cc=SAM, date=RECEIVED,
    ), RECEIVED)
    [assignment] = [m for m in left if str(m["To"]) == SAM]
    assert "CONFIDENTIAL OK" in text(assignment)
    return assignment


# Asked on Monday 23 November: chased on Tuesday 24, escalated on Wednesday 25.
CHASE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_confidentiality_chase_answered_meanwhile_is_withdrawn(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        assignment = confidential_enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, CHASE)
        officer_says(it, assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK",
                     CHASE + timedelta(hours=1))
        put_right(it, backend, CHASE + timedelta(hours=2))
        left = it.flush(CHASE + timedelta(hours=2))
        [chase] = outbox(it, "confidentiality_chase")
    # The answer to Sam's command and the member's letter; no chase.
    assert [(str(m["To"]), str(m["Subject"]).split(" ")[0]) for m in left] == [
        (SAM, "RE:"), (JO, "Re:")]
    assert chase.status == "withdrawn"
    assert chase.last_error == "CONFIDENTIAL OK or NO has been given"


def test_a_chase_held_until_the_escalation_day_gives_way_to_the_escalation(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        confidential_enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, CHASE)
        put_right(it, backend, CHASE + timedelta(days=1))
        left = sweep_and_flush(it, CHASE + timedelta(days=1))
        chase, escalation = outbox(it, "confidentiality_chase")
    [mail] = left
    assert str(mail["To"]) == MORGAN and str(mail["Cc"]) == SAM
    assert chase.status == "withdrawn"
    assert chase.last_error == "the escalation is due now; the sweep sends that one"
    assert escalation.status == "sent"


def hackney_complaint(home: Path) -> tuple[Council, EmailMessage, datetime]:
    """Hackney 11.3: the Director acknowledges a complaint within three working days.
    (the council, mailbot's receipt to Jo, 10:00 on the day the acknowledgement is due)."""
    it = Council(
        home, mailbox="memberenquiries@hackney.gov.uk", name="Hackney Council",
        policy="hackney", members=[("Cllr Jo Bloggs", "jo@hackney.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam@hackney.gov.uk", "Highways", "", "")],
        config='[routing]\ndefault_officer = "sam@hackney.gov.uk"\n',
    )
    out = it.deliver(it.mail(
        "Cllr Jo Bloggs <jo@hackney.gov.uk>", "Complaint about my pothole reports",
        "I wish to make a formal complaint: three reports were ignored and nobody replied. "
        "I want this investigated.", date=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
    ), datetime(2026, 11, 25, 10, 5, tzinfo=UTC))
    [receipt] = [m for m in out if str(m["To"]) == "jo@hackney.gov.uk"]
    ack_due = it.case().ack_due
    assert ack_due is not None
    return it, receipt, datetime.combine(ack_due, datetime.min.time(), UTC).replace(hour=10)


def test_an_officer_s_acknowledgement_reminder_is_withdrawn_once_they_acknowledged(
    tmp_path: Path,
) -> None:
    it, receipt, ack_day = hackney_complaint(tmp_path)
    with it:
        officer = it.case().officer_email
        backend = refuse_sending(it)
        sweep_and_flush(it, ack_day)
        assert [r.status for r in outbox(it, "ack_reminder")] == ["pending"]
        it.deliver(it.mail(
            f"Director <{officer}>", f"RE: {receipt['Subject']}",
            "Dear Cllr Bloggs, I have your complaint and will investigate.",
            cc="jo@hackney.gov.uk", in_reply_to=str(receipt["Message-ID"]),
            date=ack_day + timedelta(hours=1),
        ), ack_day + timedelta(hours=1))
        put_right(it, backend, ack_day + timedelta(hours=2))
        left = it.flush(ack_day + timedelta(hours=2))
        [reminder] = outbox(it, "ack_reminder")
    assert not any("Acknowledge" in str(m["Subject"]) for m in left)
    assert reminder.status == "withdrawn"
    assert reminder.last_error == "the acknowledgement has been given"


def test_acknowledge_today_sent_the_next_day_says_it_is_overdue(tmp_path: Path) -> None:
    it, _receipt, ack_day = hackney_complaint(tmp_path)
    with it:
        officer = it.case().officer_email
        backend = refuse_sending(it)
        sweep_and_flush(it, ack_day)
        put_right(it, backend, ack_day + timedelta(days=1))
        left = it.flush(ack_day + timedelta(days=1))
    [reminder] = [m for m in left if "Acknowledge" in str(m["Subject"])]
    assert str(reminder["To"]) == officer
    assert str(reminder["Subject"]).startswith("Acknowledgement overdue: complaint")
    assert "was to be acknowledged by" in text(reminder)


def test_every_kind_of_working_hours_mail_is_checked_before_it_goes() -> None:
    """A new sweep's mail added to WORKING_HOURS_MAIL without a check would go unchecked,
    at any hour."""
    checked = set(still_due.CHECKS) | set(still_due.CASELESS_CHECKS)
    assert checked == set(reminders.WORKING_HOURS_MAIL)


def test_a_withdrawn_reminder_is_shown_to_the_administrator_and_purged_like_sent_mail(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = refuse_sending(it)
        sweep_and_flush(it, BEFORE)
        it.server.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE",
                                   date=BEFORE + timedelta(hours=1)))
        jobs.poll(it.app, BEFORE + timedelta(hours=1))
        put_right(it, backend, BEFORE + timedelta(hours=2))
        flushed = jobs.flush_outbox(it.app, BEFORE + timedelta(hours=2))
        status = format_status(gather_status(it.app, BEFORE + timedelta(hours=2)))
        timeline = describe_case(it.app, it.case().ref) or ""
        retention.purge(it.app, BEFORE + timedelta(days=400))
        [reminder] = outbox(it, "reminder")
    assert "1 withdrawn as no longer true" in summarise_poll(PollReport(), flushed)
    assert "1 withdrawn" in status.split("outbox: ")[1].splitlines()[0]
    assert f"reminder to {SAM} not sent: the case was answered" in timeline
    assert reminder.status == "withdrawn" and reminder.mime == b""


def test_a_check_that_breaks_holds_its_mail_back_and_the_rest_still_goes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in a check must neither send the reminder unchecked nor stop the flush."""
    def broken(session: Session, row: OutboxRow, now: datetime) -> outbox_module.Verdict:
        if row.purpose == "reminder":
            raise KeyError("officer")
        return outbox_module.SEND_AS_QUEUED

    with council(tmp_path) as it:
        enquiry(it)
        backend = refuse_sending(it)
        jobs.send_reminders(it.app, BEFORE)
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Bins not collected",
                           "The bins on Mill Lane were not collected.", date=BEFORE), BEFORE)
        put_right(it, backend, BEFORE + timedelta(hours=1))
        report = outbox_module.flush(it.app.store, it.app.backend, BEFORE + timedelta(hours=1),
                                     review=broken)
        left = it.left()
        [reminder] = outbox(it, "reminder")
    assert sorted(str(m["To"]) for _, m in left) == [JO, SAM]  # the new case's ack, assignment
    assert reminder.status == "pending" and reminder.attempts == 1
    assert reminder.last_error == "could not check it is still due: KeyError('officer')"
    assert reminder.not_before == BEFORE + timedelta(hours=1, minutes=2)
    assert report.deferred == [reminder.message_id]
    assert "could not check row" in caplog.text


class SendsThroughSmtp(MemoryMailbox):
    """Reads the memory mailbox; sends through a real SMTP server (aiosmtpd)."""

    def __init__(self, it: Council, smtpd: SmtpServer) -> None:
        super().__init__(it.server)
        self.settings = SmtpSettings(host=smtpd.host, port=smtpd.port, security="none")
        self.sender = it.mailbox

    def send(self, mail: OutgoingMail) -> None:
        submit(self.settings, mail, self.sender)
        super().send(mail)  # also kept in the memory server, for was_sent


@pytest.mark.timeout(60)
def test_smtp_busy_while_the_officer_answers_sends_the_answer_and_not_the_reminder(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    smtpd.reset()
    with council(tmp_path) as it:
        assignment = enquiry(it)
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        smtpd.fail_next(1000)  # "451 try again later" to every mail, all morning
        jobs.send_reminders(it.app, DUE_DAY)
        it.flush(DUE_DAY)
        done_at = DUE_DAY + timedelta(hours=2)
        officer_says(it, assignment, f"Sam Patel <{SAM}>", "DONE", done_at)
        smtpd.fail_next(0)
        it.flush(done_at + timedelta(hours=1))
        [reminder] = outbox(it, "reminder")
    received = [parse_sent(mail.raw) for mail in smtpd.received]
    assert [(str(m["To"]), str(m["Subject"])[:3]) for m in received] == [(SAM, "RE:")]
    assert "is marked as answered" in text(received[0])
    assert reminder.status == "withdrawn" and reminder.attempts == 1
    assert reminder.last_error == "the case was answered"
