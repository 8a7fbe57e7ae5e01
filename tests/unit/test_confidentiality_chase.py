"""Chasing an unanswered confidentiality question (MWDA 7.2, Cardiff), through a real app
(SQLite + memory mailbox), judged by the mail that left and the rows written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import (
    JO,
    RHIAN,
    body_text,
    make_app,
    parse_sent,
    rows,
    sent,
    shared_rules_classifier,
)
from sqlalchemy import select

from mailbot import confidentiality_chase, jobs
from mailbot.answered import record_response
from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.policy import PolicyError, load_policy
from mailbot.render import long_date
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow, OutboxRow

SAM = ("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", "max.boss@wiltshire.gov.uk", "")
MAX = ("Max Boss", "max.boss@wiltshire.gov.uk", "Highways", "", "")
MONITORING = "monitoring.officer@wiltshire.example"  # the Wiltshire pack's routing
# Words of the member's message that must never appear in a chase or an escalation.
SECRETS = ("Ferndale", "tribunal", "neighbour", "dispute")


def confidential_mail(when: datetime, sender: tuple[str, ...] = JO, number: int = 1) -> bytes:
    """A member asking, copying Sam, for advice in confidence (routed to Sam)."""
    return (
        f"From: {sender[0]} <{sender[1]}>\r\n"
        "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
        f"Cc: Sam Patel <{SAM[1]}>\r\n"
        "Subject: CONFIDENTIAL: a neighbour dispute in Ferndale Close\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: <chase{number}@test.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "\r\n"
        "Please keep this confidential. A resident in Ferndale Close has asked me about a\r\n"
        "tribunal over a neighbour dispute. Can I have your advice in confidence?\r\n"
    ).encode()


def reply_mail(sender: str, to: EmailMessage, first_line: str, when: datetime) -> bytes:
    """An officer answering one of our mails from Outlook: a command, then the quote."""
    return (
        f"From: {sender}\r\n"
        "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
        f"Subject: RE: {to['Subject']}\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: <reply{when.timestamp():.0f}@test.example>\r\n"
        f"In-Reply-To: {to['Message-ID']}\r\n"
        f"References: {to['Message-ID']}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "\r\n"
        f"{first_line}\r\n\r\n> {to['Subject']}\r\n"
    ).encode()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[App, MemoryServer]]:
    made, server = make_app(tmp_path, officers=(SAM, MAX))
    yield made, server
    made.close()


def open_case(app: App, server: MemoryServer, now: datetime, raw: bytes | None = None) -> CaseRow:
    """The member's mail arrives at `now`: a case, its ack and Sam's assignment (which asks
    CONFIDENTIAL OK/NO). Only the chase is what these tests look at, so the rest is cleared."""
    server.deliver(raw or confidential_mail(now - timedelta(minutes=10)))
    jobs.poll(app, now)
    jobs.flush_outbox(app, now)
    [assignment] = [m for r, m in sent(server) if r == (SAM[1],)]
    assert "CONFIDENTIAL OK" in body_text(assignment, "plain")
    server.outgoing.clear()
    case = rows(app, CaseRow)[-1]
    assert case.officer_email == SAM[1] and case.confidential
    return case


def tick_hourly(app: App, start: datetime, end: datetime) -> list[tuple[datetime, str, str]]:
    """The daemon's reminder job and outbox flush every hour, day and night."""
    log = []
    now = start
    while now < end:
        for _ref, step, recipient in confidentiality_chase.sweep(app, now).queued:
            log.append((now, step, recipient))
        jobs.flush_outbox(app, now)
        now += timedelta(hours=1)
    return log


def chase_rows(app: App) -> list[OutboxRow]:
    return rows(app, OutboxRow, OutboxRow.purpose == "confidentiality_chase")


# -- the days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "day0", "chase", "escalation"),
    [
        # A Friday question: chased on Monday, escalated on Tuesday.
        (
            datetime(2026, 11, 27, 11, tzinfo=UTC),
            date(2026, 11, 27),
            date(2026, 11, 30),
            date(2026, 12, 1),
        ),
        # Christmas Eve: 25 Dec, the weekend and the substitute Boxing Day (28 Dec) are off.
        (
            datetime(2026, 12, 24, 10, tzinfo=UTC),
            date(2026, 12, 24),
            date(2026, 12, 29),
            date(2026, 12, 30),
        ),
        # Asked at 19:00 on Wednesday: seen on Thursday, which is day 0.
        (
            datetime(2026, 12, 2, 19, tzinfo=UTC),
            date(2026, 12, 3),
            date(2026, 12, 4),
            date(2026, 12, 7),
        ),
        # Asked on a Saturday: Monday is day 0.
        (
            datetime(2026, 11, 28, 10, tzinfo=UTC),
            date(2026, 11, 30),
            date(2026, 12, 1),
            date(2026, 12, 2),
        ),
    ],
)
def test_chase_days_count_working_days(
    asked: datetime, day0: date, chase: date, escalation: date
) -> None:
    cal = load_policy("wiltshire").council_calendar()
    days = confidentiality_chase.chase_days(cal, asked, 1)
    assert (days.asked, days.chase, days.escalation) == (day0, chase, escalation)
    assert days.step_on(chase - timedelta(days=1)) is None
    assert days.step_on(chase) == "chase"
    assert days.step_on(escalation) == "escalation"


def test_a_longer_pack_setting_doubles_for_the_escalation() -> None:
    policy = load_policy("mwda", overrides={"confidentiality": {"confirm_within_days": 2}})
    assert policy.confidentiality.confirm_within_days == 2
    days = confidentiality_chase.chase_days(
        policy.council_calendar(), datetime(2026, 12, 23, 10, tzinfo=UTC), 2
    )
    assert (days.chase, days.escalation) == (date(2026, 12, 29), date(2026, 12, 31))


@pytest.mark.parametrize("name", ["wiltshire", "mwda", "colchester", "hackney", "cardiff"])
def test_every_pack_sets_and_cites_the_key(name: str) -> None:
    policy = load_policy(name)
    assert policy.confidentiality.confirm_within_days == 1
    source = policy.confidentiality.source
    assert "confirm_within_days" in source
    tail = source.split("confirm_within_days", 1)[1]
    assert policy.seed in tail or "local default" in tail


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "confidentiality.confirm_within_days: must be >= 1"),
        ("true", "confidentiality.confirm_within_days: must be a whole number of days, not true"),
        ("11", "confidentiality.confirm_within_days: "),
        ('"one"', "confidentiality.confirm_within_days: "),
    ],
)
def test_a_bad_setting_names_the_file_and_key(tmp_path: Path, value: str, message: str) -> None:
    pack = Path(__file__).resolve().parents[2] / "config" / "policies" / "mwda.toml"
    text = pack.read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        text.replace("confirm_within_days = 1", f"confirm_within_days = {value}", 1),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=rf"broken\.toml: {message}"):
        load_policy(broken)


# -- the sweep ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        # Over a weekend.
        (
            datetime(2026, 11, 27, 11, tzinfo=UTC),
            [
                (datetime(2026, 11, 30, 9, tzinfo=UTC), "chase", SAM[1]),
                (datetime(2026, 12, 1, 9, tzinfo=UTC), "escalation", MAX[1]),
            ],
        ),
        # Over Christmas and the substitute Boxing Day.
        (
            datetime(2026, 12, 24, 10, tzinfo=UTC),
            [
                (datetime(2026, 12, 29, 9, tzinfo=UTC), "chase", SAM[1]),
                (datetime(2026, 12, 30, 9, tzinfo=UTC), "escalation", MAX[1]),
            ],
        ),
    ],
)
def test_one_chase_then_one_escalation_in_working_hours_only(
    app: tuple[App, MemoryServer],
    opened: datetime,
    expected: list[tuple[datetime, str, str]],
) -> None:
    the_app, server = app
    open_case(the_app, server, opened)
    log = tick_hourly(the_app, opened, opened + timedelta(days=14))
    assert log == expected
    calendar = the_app.policy.council_calendar()
    assert all(calendar.within_working_hours(when) for when, _, _ in log)
    mails = sent(server)
    assert [(r, m["To"], m["Cc"]) for r, m in mails] == [
        ((SAM[1],), SAM[1], None),
        ((MAX[1], SAM[1]), MAX[1], SAM[1]),
    ]
    chase, escalation = mails[0][1], mails[1][1]
    assert chase["Subject"] == "Confidentiality question not yet answered [MB-2026-00001]"
    assert escalation["Subject"] == (
        "Confidentiality question not answered by Sam Patel [MB-2026-00001]"
    )
    text = body_text(chase, "plain")
    assert "Dear Sam Patel" in text
    assert f"You were asked on {long_date(opened.date())} to say whether" in text
    assert 'CONFIDENTIAL NO "the reason it cannot be kept private"' in text
    assert "Max Boss will be asked to follow it up on" in text
    manager = body_text(escalation, "plain")
    assert "Dear Max Boss" in manager and "Sam Patel (Highways) was asked on" in manager
    assert "You can answer for them" in manager and "CONFIDENTIAL OK" in manager


def test_no_subject_or_message_in_the_chase_or_the_escalation(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    tick_hourly(the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    assert len(server.outgoing) == 2
    for _recipients, mime in server.outgoing:
        message = parse_sent(mime)
        whole = " ".join(
            [str(message["Subject"]), body_text(message, "plain"), body_text(message, "html")]
        )
        for word in SECRETS:
            assert word.lower() not in whole.lower(), word
            assert word.encode() not in mime
        assert "MB-2026-00001" in message["Subject"]
        assert "confidential" in body_text(message, "plain").lower()
        assert "CONFIDENTIAL OK" in body_text(message, "html")


def test_answered_before_the_chase_gets_nothing(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    opened = datetime(2026, 11, 25, 10, tzinfo=UTC)
    server.deliver(confidential_mail(opened - timedelta(minutes=10)))
    jobs.poll(the_app, opened)
    jobs.flush_outbox(the_app, opened)
    [assignment] = [m for r, m in sent(server) if r == (SAM[1],)]
    answer_at = opened + timedelta(hours=3)
    server.deliver(reply_mail(SAM[1], assignment, "CONFIDENTIAL OK", answer_at))
    jobs.poll(the_app, answer_at)
    jobs.flush_outbox(the_app, answer_at)
    told = [m["Subject"] for r, m in sent(server) if r == (JO[1],)]
    assert len(told) == 2  # the acknowledgement and the confidentiality result
    server.outgoing.clear()
    log = tick_hourly(the_app, answer_at, answer_at + timedelta(days=10))
    assert log == [] and server.outgoing == [] and chase_rows(the_app) == []


def test_an_answer_to_the_chase_stops_the_escalation(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    log = tick_hourly(
        the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 26, 12, tzinfo=UTC)
    )
    assert [step for _, step, _ in log] == ["chase"]
    [(_, chase)] = sent(server)
    answer_at = datetime(2026, 11, 26, 15, tzinfo=UTC)
    server.deliver(
        reply_mail(SAM[1], chase, 'CONFIDENTIAL NO "a safeguarding duty applies"', answer_at)
    )
    jobs.poll(the_app, answer_at)
    declined = rows(the_app, EventRow, EventRow.action == "confidentiality declined")
    assert [e.actor for e in declined] == [SAM[1]]
    log = tick_hourly(the_app, answer_at, answer_at + timedelta(days=10))
    assert log == []
    assert [r.dedup_key for r in chase_rows(the_app)] == [
        f"confidentiality_chase:MB-2026-00001:{SAM[1]}:chase"
    ]


def test_escalation_goes_once_and_a_restart_sends_nothing_new(
    app: tuple[App, MemoryServer], tmp_path: Path
) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    escalation_day = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
    # Down since before the chase: only the latest step goes, never a backlog.
    first = confidentiality_chase.sweep(the_app, escalation_day)
    assert first.queued == [("MB-2026-00001", "escalation", MAX[1])]
    assert confidentiality_chase.sweep(the_app, escalation_day).queued == []
    # A second process on the same database (a restart, or a second scheduler).
    again, _ = make_app(tmp_path, officers=(SAM, MAX), server=server)
    try:
        assert confidentiality_chase.sweep(again, escalation_day + timedelta(hours=2)).queued == []
        assert jobs.send_reminders(again, escalation_day + timedelta(hours=3)).queued == []
    finally:
        again.close()
    # Weeks later, still unanswered: nothing more.
    assert tick_hourly(the_app, escalation_day, escalation_day + timedelta(days=21)) == []
    assert [r.status for r in chase_rows(the_app)] == ["sent"]
    assert len(server.outgoing) == 1


def test_nothing_at_weekends_bank_holidays_or_outside_hours(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 12, 18, 10, tzinfo=UTC))  # a Friday
    for now in (
        datetime(2026, 12, 19, 10, tzinfo=UTC),  # Saturday
        datetime(2026, 12, 25, 10, tzinfo=UTC),  # Christmas Day
        datetime(2026, 12, 28, 10, tzinfo=UTC),  # the substitute Boxing Day
        datetime(2026, 12, 21, 8, 59, tzinfo=UTC),
        datetime(2026, 12, 21, 17, 0, tzinfo=UTC),
    ):
        report = confidentiality_chase.sweep(the_app, now)
        assert report.queued == [] and report.skipped == "outside working hours"
    assert chase_rows(the_app) == []


def test_an_answered_or_closed_case_is_not_chased(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    case = open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    with the_app.store.transaction() as session:
        row = session.get(CaseRow, case.id)
        assert row is not None
        record_response(session, row, SAM[1], datetime(2026, 11, 25, 14, tzinfo=UTC))
    log = tick_hourly(
        the_app, datetime(2026, 11, 25, 14, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC)
    )
    assert log == [] and server.outgoing == []


def test_an_ordinary_enquiry_is_not_chased(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    raw = confidential_mail(datetime(2026, 11, 25, 9, 50, tzinfo=UTC))
    raw = (
        raw.replace(b"CONFIDENTIAL: ", b"")
        .replace(b"Please keep this confidential. ", b"")
        .replace(b"your advice in confidence", b"your advice")
    )
    server.deliver(raw)
    jobs.poll(the_app, datetime(2026, 11, 25, 10, tzinfo=UTC))
    [case] = rows(the_app, CaseRow)
    assert not case.confidential and case.kind != "confidentiality"
    assert (
        tick_hourly(
            the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
        )
        == []
    )


def test_without_a_manager_the_monitoring_officer_is_told(tmp_path: Path) -> None:
    lone = ("Sam Patel", SAM[1], "Highways", "", "")
    the_app, server = make_app(tmp_path, officers=(lone,))
    try:
        open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
        log = tick_hourly(
            the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
        )
        assert [(when.date(), step, to) for when, step, to in log] == [
            (date(2026, 11, 26), "chase", SAM[1]),
            (date(2026, 11, 27), "escalation", MONITORING),
        ]
        escalation = sent(server)[1][1]
        assert escalation["To"] == MONITORING and escalation["Cc"] == SAM[1]
        text = body_text(escalation, "plain")
        assert "You are told as the Monitoring Officer" in text
        # The monitoring officer is not allowed to answer by command, so is not told to.
        assert "You can answer for them" not in text
        assert "Please make sure Sam Patel replies with CONFIDENTIAL OK" in text
    finally:
        the_app.close()


def test_a_new_officer_is_asked_afresh_after_a_reassignment(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    tick_hourly(
        the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 26, 10, tzinfo=UTC)
    )
    [(_, chase)] = sent(server)
    passed = datetime(2026, 11, 26, 11, tzinfo=UTC)
    server.deliver(reply_mail(SAM[1], chase, f"REASSIGN {MAX[1]}", passed))
    jobs.poll(the_app, passed)
    jobs.flush_outbox(the_app, passed)
    server.outgoing.clear()
    log = tick_hourly(the_app, passed, passed + timedelta(days=7))
    # Max was given it on Thursday 26th (day 0); Max has no manager: the monitoring officer.
    assert [(when.date(), step, to) for when, step, to in log] == [
        (date(2026, 11, 27), "chase", MAX[1]),
        (date(2026, 11, 30), "escalation", MONITORING),
    ]


def test_a_bilingual_council_chases_in_welsh_first_for_a_welsh_member(tmp_path: Path) -> None:
    cardiff_sam = ("Sam Patel", SAM[1], "Priffyrdd", MAX[1], "")
    app, server = make_app(
        tmp_path, members=(JO, RHIAN), officers=(cardiff_sam, MAX), policy="cardiff"
    )
    try:
        open_case(
            app,
            server,
            datetime(2026, 11, 25, 10, tzinfo=UTC),
            confidential_mail(datetime(2026, 11, 25, 9, 50, tzinfo=UTC), RHIAN),
        )
        tick_hourly(
            app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 26, 10, tzinfo=UTC)
        )
        [(_, chase)] = sent(server)
        assert chase["Subject"] == (
            "Cwestiwn cyfrinachedd heb ei ateb / Confidentiality question not yet answered "
            "[MB-2026-00001]"
        )
        text = body_text(chase, "plain")
        welsh = text.index("Gofynnodd Cllr Rhian Evans i achos MB-2026-00001")
        english = text.index("Cllr Rhian Evans asked for case MB-2026-00001")
        assert welsh < english
        assert "Gofynnwyd i chi ar ddydd Mercher 25 Tachwedd 2026" in text
        assert 'lang="cy"' in body_text(chase, "html")
        for word in SECRETS:
            assert word not in text
    finally:
        app.close()


def test_the_daemon_job_runs_the_chase(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
    report = jobs.send_reminders(the_app, datetime(2026, 11, 26, 9, tzinfo=UTC))
    assert report.queued == [("MB-2026-00001", "chase", SAM[1])]
    with the_app.store.transaction() as session:
        events = session.scalars(
            select(EventRow.action).where(EventRow.action.like("confidentiality%"))
        ).all()
    assert events == ["confidentiality chase queued"]


def test_the_monitoring_officers_own_case_is_chased_but_not_escalated_to_them(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    # Nobody named: a confidentiality request goes to the pack's monitoring officer.
    raw = confidential_mail(datetime(2026, 11, 25, 9, 50, tzinfo=UTC)).replace(
        f"Cc: Sam Patel <{SAM[1]}>\r\n".encode(), b""
    )
    server.deliver(raw)
    jobs.poll(the_app, datetime(2026, 11, 25, 10, tzinfo=UTC))
    [case] = rows(the_app, CaseRow)
    assert case.kind == "confidentiality" and case.officer_email == MONITORING
    log = tick_hourly(
        the_app, datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC)
    )
    assert [(when.date(), step, to) for when, step, to in log] == [
        (date(2026, 11, 26), "chase", MONITORING),
    ]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        # Two working days to answer: chased on day 2, escalated on day 4.
        (
            "confirm_within_days = 2",
            [(date(2026, 11, 27), "chase", SAM[1]), (date(2026, 12, 1), "escalation", MAX[1])],
        ),
        ("say_at_once_if_not_possible = false", []),
    ],
)
def test_the_council_config_can_change_the_setting(
    tmp_path: Path, override: str, expected: list[tuple[date, str, str]]
) -> None:
    made, server = make_app(tmp_path, officers=(SAM, MAX))
    made.close()
    config = tmp_path / "mailbot.toml"
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f"[policy.confidentiality]\n{override}\n")
    the_app = build_app(
        load_settings(config), backend=MemoryMailbox(server), classifier=shared_rules_classifier()
    )
    try:
        open_case(the_app, server, datetime(2026, 11, 25, 10, tzinfo=UTC))
        log = tick_hourly(
            the_app, datetime(2026, 11, 25, 10, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC)
        )
        assert [(when.date(), step, to) for when, step, to in log] == expected
    finally:
        the_app.close()
