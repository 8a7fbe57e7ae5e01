"""The reminder sweep, through a real app (SQLite + memory mailbox), judged by what left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import JO, RHIAN, body_text, eml, make_app, rows, run, sent
from sqlalchemy import update

from mailbot import jobs, reminders
from mailbot.answered import record_response
from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.policy import load_policy
from mailbot.store.tables import CaseRow, ClockEventRow, OutboxRow

SAM = ("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", "max.boss@wiltshire.gov.uk", "")
MAX = ("Max Boss", "max.boss@wiltshire.gov.uk", "Highways", "", "")
# member_enquiry.eml arrives Wednesday 25 November 2026; Wiltshire: 10 working days.
DUE = date(2026, 12, 9)
JO_ADDRESS = "jo.bloggs@wiltshire.gov.uk"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[App, MemoryServer]]:
    made, server = make_app(tmp_path, officers=(SAM, MAX))
    yield made, server
    made.close()


def open_assigned_case(app: App, server: MemoryServer, raw: bytes | None = None) -> CaseRow:
    """Deliver a member's mail, run the poll, and assign the case to Sam (routing's job)."""
    server.deliver(raw or eml("member_enquiry.eml"))
    run(app)
    with app.store.transaction() as session:
        session.execute(update(CaseRow).values(officer_email=SAM[1]))
    server.outgoing.clear()  # the acknowledgement is not what these tests are about
    return rows(app, CaseRow)[-1]


def hourly(start: datetime, end: datetime) -> Iterator[datetime]:
    t = start
    while t < end:
        yield t
        t += timedelta(hours=1)


def sweep_hourly(app: App, start: datetime, end: datetime) -> list[tuple[datetime, str, str]]:
    """Sweep and flush every hour, day and night; (when, step, recipient) of each officer's
    reminder (the member's late notice is tests/integration/test_late_notice.py's)."""
    log = []
    for now in hourly(start, end):
        for _ref, step, recipient in reminders.sweep(app, now).queued:
            if step != "late_notice":
                log.append((now, step, recipient))
        jobs.flush_outbox(app, now)
    return log


def officers_mail(server: MemoryServer) -> list[tuple[tuple[str, ...], EmailMessage]]:
    """What left for officers: everything but the member's late notice."""
    return [(to, m) for to, m in sent(server) if to != (JO_ADDRESS,)]


def test_schedule_counts_working_days_and_skips_christmas() -> None:
    policy = load_policy("wiltshire")
    cal = policy.council_calendar()
    steps = reminders.schedule(policy.reminders, cal, date(2026, 12, 23), date(2027, 1, 8))
    got = [(s.kind, s.number, s.on) for s in steps]
    assert got == [
        ("before", 0, date(2026, 12, 21)),
        ("due", 0, date(2026, 12, 23)),
        # 25 Dec and the substitute Boxing Day (Mon 28 Dec) are bank holidays.
        ("overdue", 1, date(2026, 12, 29)),
        ("overdue", 2, date(2026, 12, 31)),
        ("escalation", 3, date(2027, 1, 5)),  # 1 Jan is a bank holiday
        # then weekly (overdue_every_after_escalation = 5): Tue 12 Jan, after the 8th
    ]


def test_a_month_of_hourly_sweeps_sends_each_step_once_in_working_hours(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    open_assigned_case(the_app, server)
    log = sweep_hourly(
        the_app, datetime(2026, 11, 25, 0, tzinfo=UTC), datetime(2026, 12, 25, tzinfo=UTC)
    )
    nine = [(when.date(), when.hour) for when, _, _ in log]
    assert all(hour == 9 for _, hour in nine)  # the first sweep of the working day
    assert [(when.date(), step, to) for when, step, to in log] == [
        (date(2026, 12, 7), "before:0", SAM[1]),
        (date(2026, 12, 9), "due:0", SAM[1]),
        (date(2026, 12, 11), "overdue:1", SAM[1]),
        (date(2026, 12, 15), "overdue:2", SAM[1]),
        (date(2026, 12, 17), "escalation:3", MAX[1]),
        (date(2026, 12, 24), "overdue:4", SAM[1]),  # weekly after the escalation
    ]
    # Wiltshire 6.5.8: the member is told once, the working day after the date passed.
    assert [m["Subject"] for to, m in sent(server) if to == (JO_ADDRESS,)] == [
        "Re: Pothole outside 14 Castle Street [MB-2026-00001]"
    ]
    mails = officers_mail(server)
    assert len(mails) == 6
    escalation = mails[4][1]
    assert escalation["To"] == MAX[1] and escalation["Cc"] == SAM[1]
    assert set(mails[4][0]) == {MAX[1], SAM[1]}
    assert "Dear Max Boss" in body_text(escalation, "plain")
    before = body_text(mails[0][1], "plain")
    assert "due in 2 working days, by Wednesday 9 December 2026" in before
    assert "Pothole outside 14 Castle Street" in before
    assert 'EXTEND 5 "' in before and "REASSIGN" in before and "PAUSE" in before
    assert "DONE" in before
    assert "[MB-2026-00001]" in mails[0][1]["Subject"]
    overdue = body_text(mails[3][1], "plain")
    assert "now 4 working days overdue" in overdue
    assert "referred to Max Boss" in overdue and "Thursday 17 December 2026" in overdue


def test_nothing_at_weekends_bank_holidays_or_outside_hours(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    open_assigned_case(the_app, server)
    saturday = datetime(2026, 12, 12, 10, tzinfo=UTC)
    christmas = datetime(2026, 12, 25, 10, tzinfo=UTC)
    evening = datetime(2026, 12, 11, 17, 30, tzinfo=UTC)
    early = datetime(2026, 12, 11, 8, 59, tzinfo=UTC)
    for now in (saturday, christmas, evening, early):
        report = reminders.sweep(the_app, now)
        assert report.queued == [] and report.skipped == "outside working hours"
    assert rows(the_app, OutboxRow, OutboxRow.purpose != "ack") == []


def test_restart_and_overlapping_runs_never_send_twice(
    app: tuple[App, MemoryServer], tmp_path: Path
) -> None:
    the_app, server = app
    open_assigned_case(the_app, server)
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert len(reminders.sweep(the_app, now).queued) == 1
    assert reminders.sweep(the_app, now).queued == []
    # A second process on the same database (a restart, or a second scheduler).
    again, _ = make_app(tmp_path, officers=(SAM, MAX), server=server)
    try:
        assert reminders.sweep(again, now + timedelta(hours=3)).queued == []
    finally:
        again.close()
    jobs.flush_outbox(the_app, now)
    assert len(server.outgoing) == 1


def test_after_downtime_only_the_latest_step_goes(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    open_assigned_case(the_app, server)
    # Down from before the before-due reminder until the first overdue day.
    report = reminders.sweep(the_app, datetime(2026, 12, 11, 11, tzinfo=UTC))
    assert [step for _, step, _ in report.queued] == ["late_notice", "overdue:1"]


def test_an_answered_case_gets_no_reminder(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    case = open_assigned_case(the_app, server)
    with the_app.store.transaction() as session:
        row = session.get(CaseRow, case.id)
        assert row is not None
        record_response(session, row, SAM[1], datetime(2026, 12, 1, 14, tzinfo=UTC))
    log = sweep_hourly(
        the_app, datetime(2026, 12, 1, 15, tzinfo=UTC), datetime(2026, 12, 24, tzinfo=UTC)
    )
    assert log == [] and server.outgoing == []


def test_an_extension_moves_the_schedule_to_the_new_date(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    case = open_assigned_case(the_app, server)
    log = sweep_hourly(
        the_app, datetime(2026, 12, 7, 8, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)
    )
    assert [step for _, step, _ in log] == ["before:0"]
    with the_app.store.transaction() as session:
        session.add(
            ClockEventRow(
                case_id=case.id,
                clock="response",
                action="extend",
                at=datetime(2026, 12, 8, 11, tzinfo=UTC),
                who=SAM[1],
                why="waiting for the contractor",
                new_due=date(2026, 12, 16),
            )
        )
    log = sweep_hourly(
        the_app, datetime(2026, 12, 8, 8, tzinfo=UTC), datetime(2026, 12, 19, tzinfo=UTC)
    )
    assert [(when.date(), step) for when, step, _ in log] == [
        (date(2026, 12, 14), "before:0"),
        (date(2026, 12, 16), "due:0"),
        (date(2026, 12, 18), "overdue:1"),
    ]
    assert "Overdue by 2 working days" in sent(server)[-1][1]["Subject"]
    assert "was due on Wednesday 16 December 2026" in body_text(sent(server)[-1][1], "plain")


def test_confidential_case_reminders_carry_no_subject_or_content(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    raw = eml("member_enquiry.eml").replace(
        b"Subject: Pothole outside 14 Castle Street",
        b"Subject: CONFIDENTIAL: Pothole outside 14 Castle Street",
    )
    case = open_assigned_case(the_app, server, raw)
    assert case.confidential
    sweep_hourly(the_app, datetime(2026, 12, 7, 8, tzinfo=UTC), datetime(2026, 12, 18, tzinfo=UTC))
    mails = officers_mail(server)
    assert len(mails) == 5
    for _, message in mails:
        for text in (message["Subject"], body_text(message, "plain"), body_text(message, "html")):
            assert "Pothole" not in text and "Castle Street" not in text
        assert "confidential" in body_text(message, "plain").lower()
        # Who it is for is not content: the member and their ward, as in the assignment.
        assert "Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>, Castle ward" in body_text(
            message, "plain"
        )


def test_bilingual_council_reminders_put_welsh_first_for_a_welsh_member(tmp_path: Path) -> None:
    app, server = make_app(tmp_path, members=(JO, RHIAN), officers=(SAM, MAX), policy="cardiff")
    try:
        raw = eml("member_enquiry.eml").replace(JO[1].encode(), RHIAN[1].encode())
        raw = raw.replace(b"Cllr Jo Bloggs", b"Cllr Rhian Evans")
        open_assigned_case(app, server, raw)
        sweep_hourly(app, datetime(2026, 12, 7, 8, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
        [(_, message)] = sent(server)
        text = body_text(message, "plain")
        assert message["Subject"].startswith("Nodyn atgoffa / Reminder:")
        welsh = text.index("Mae angen ymateb i achos MB-2026-00001 ymhen 2 ddiwrnod gwaith")
        english = text.index("The response to case MB-2026-00001 is due in 2 working days")
        assert welsh < english
        assert "erbyn dydd Mercher 9 Rhagfyr 2026" in text
        assert 'lang="cy"' in body_text(message, "html")
    finally:
        app.close()


def test_an_officer_without_a_manager_gets_the_overdue_reminder_instead(tmp_path: Path) -> None:
    lone = ("Sam Patel", SAM[1], "Highways", "", "")
    app, server = make_app(tmp_path, officers=(lone,))
    try:
        open_assigned_case(app, server)
        log = sweep_hourly(
            app, datetime(2026, 12, 17, 8, tzinfo=UTC), datetime(2026, 12, 18, tzinfo=UTC)
        )
        assert [(step, to) for _, step, to in log] == [("overdue:3", SAM[1])]
        [(_, message)] = officers_mail(server)
        assert message["Cc"] is None and "referred to" not in body_text(message, "plain")
    finally:
        app.close()


def test_the_daemon_schedules_the_sweep_and_the_digest(app: tuple[App, MemoryServer]) -> None:
    from mailbot.scheduler import build_scheduler

    scheduler = build_scheduler(app[0])
    assert {"poll", "flush", "reminders", "digest"} <= {job.id for job in scheduler.get_jobs()}


FOI_TEAM = ("FOI Team", "foi@wiltshire.example", "Information Governance", MAX[1], "")
FOI_REQUEST = (
    b"From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
    b"To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
    b"Subject: Freedom of Information request - gritting contracts\r\n"
    b"Date: Wed, 25 Nov 2026 09:14:03 +0000\r\n"
    b"Message-ID: <foi-gritting-contracts@wiltshire.gov.uk>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Under the Freedom of Information Act please send me copies of the council's\r\n"
    b"gritting contracts and the amounts paid under them in 2025/26.\r\n\r\nJo\r\n"
)


def test_mail_about_an_foi_request_never_offers_extend_which_is_refused(tmp_path: Path) -> None:
    # An FOI date is set by statute and EXTEND on an FOI case is refused ("Not done"), yet
    # the assignment and every reminder told the FOI team to reply EXTEND 5 "reason" and
    # that mailbot would send the member the explanation with the new date. The two
    # extensions the law gives (an EIR request's, reg 7, and FOIA s.10(3)'s public interest
    # extension, each within the 20 working days) are offered while they can be given: not
    # once the date has passed.
    app, server = make_app(tmp_path, officers=(FOI_TEAM, MAX))
    try:
        server.deliver(FOI_REQUEST)
        run(app)
        [case] = rows(app, CaseRow)
        assert (case.kind, case.officer_email) == ("foi", FOI_TEAM[1])
        day = date(2026, 12, 21)  # statutory due date: Thursday 24 December 2026
        while day < date(2027, 1, 7):
            now = datetime(day.year, day.month, day.day, 9, 5, tzinfo=UTC)
            reminders.sweep(app, now)
            jobs.flush_outbox(app, now)
            day += timedelta(days=1)
        mails = [message for _, message in sent(server) if FOI_TEAM[1] in message["To"]
                 or MAX[1] in message["To"]]
        kinds = [message["Subject"].split(":")[0] for message in mails]
        # Sent Wed 30 Dec and Mon 4 Jan: by FOIA s.10(6) Mon 4 Jan, Scotland's 2 January
        # holiday, is not a working day, so the second is 3 working days overdue.
        assert kinds == ["FOI request from Cllr Jo Bloggs", "Reminder", "Due today",
                         "Overdue by 2 working days", "Overdue by 3 working days",
                         "Escalation"], kinds
        for kind, message in zip(kinds, mails, strict=True):
            for text in (body_text(message, "plain"), body_text(message, "html")):
                offered = [line for line in text.splitlines() if "EXTEND" in line]
                lawful = ('EXTEND 20 "EIR reg 7', 'EXTEND 10 "public interest test')
                assert all(any(form in line for form in lawful) for line in offered), offered
                assert bool(offered) == (kind in kinds[:3]), (kind, offered)
                assert "the protocol asks you" not in text
                assert "DONE" in text and "REASSIGN" in text
    finally:
        app.close()


BORSETSHIRE_PACK = Path(__file__).resolve().parents[1] / "data" / (
    "pack_borsetshire_christmas_closure.toml"
)
BORSETSHIRE_FOI_TEAM = ("FOI Team", "foi@borsetshire.gov.uk", "Information Governance", "", "")


def test_an_foi_date_on_a_closure_day_is_not_called_today_on_the_day_before(
    tmp_path: Path,
) -> None:
    # Received Thursday 26 November 2026: the statutory 20th working day is Tuesday 29
    # December, the council's closure day, so the due-day reminder goes on Thursday 24
    # December, and said "is due today, Tuesday 29 December 2026" under "Due today".
    app, server = make_app(tmp_path, officers=(BORSETSHIRE_FOI_TEAM,),
                           policy=str(BORSETSHIRE_PACK))
    try:
        server.deliver(FOI_REQUEST.replace(b"Wed, 25 Nov 2026", b"Thu, 26 Nov 2026"))
        run(app, datetime(2026, 11, 26, 10, 5, tzinfo=UTC))
        [case] = rows(app, CaseRow)
        assert (case.kind, case.response_due) == ("foi", date(2026, 12, 29))
        server.outgoing.clear()
        log = []
        for day in (21, 22, 23, 24, 29, 30, 31):
            now = datetime(2026, 12, day, 9, 5, tzinfo=UTC)
            log += [(day, step) for _, step, _ in reminders.sweep(app, now).queued]
            jobs.flush_outbox(app, now)
        assert log == [(23, "before:0"), (24, "due:0"), (31, "overdue:1")]
        due_mail = sent(server)[1][1]
        assert due_mail["Subject"].startswith("Last working day: Freedom of Information")
        for text in (body_text(due_mail, "plain"), body_text(due_mail, "html")):
            flat = " ".join(text.replace("<strong>", "").replace("</strong>", "").split())
            assert "today" not in flat.replace("today is the last working day", "")
            assert ("is due on Tuesday 29 December 2026, when the office is closed, so today "
                    "is the last working day to send it") in flat
    finally:
        app.close()
