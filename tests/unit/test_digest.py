"""The weekly digest: when it goes, to whom, what it says, and what it never says."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import body_text, make_app, sent, shared_rules_classifier
from typer.testing import CliRunner

from mailbot import digest, jobs
from mailbot.app import App, build_app
from mailbot.backends.memory import MemoryMailbox, MemoryServer
from mailbot.cli import app as cli
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, EventRow, OutboxRow

MAX = ("Max Boss", "max.boss@wiltshire.gov.uk", "Highways", "", "")
SAM = ("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", MAX[1], "")
ANN = ("Ann Lee", "ann.lee@wiltshire.gov.uk", "Housing", MAX[1], "")
PAT = ("Pat Kerr", "pat.kerr@wiltshire.gov.uk", "Waste", "", "")
BOB = ("Bob Hill", "bob.hill@wiltshire.gov.uk", "Waste", PAT[1], "")
CHIEF = "chief.executive@wiltshire.gov.uk"
MONDAY_8AM = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # GMT: London time is UTC
SECRET = "Allegation about a neighbour"


def digest_app(tmp_path: Path, server: MemoryServer | None = None) -> tuple[App, MemoryServer]:
    """A real app whose config has a [digest] section naming a council-wide recipient."""
    first, server = make_app(tmp_path, officers=(MAX, SAM, ANN, PAT, BOB), server=server)
    first.close()
    config = tmp_path / "mailbot.toml"
    text = config.read_text(encoding="utf-8")
    if "[digest]" not in text:
        config.write_text(text + f'[digest]\nrecipients = ["{CHIEF}"]\n', encoding="utf-8")
    app = build_app(
        load_settings(config), backend=MemoryMailbox(server), classifier=shared_rules_classifier()
    )
    return app, server


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[App, MemoryServer]]:
    made, server = digest_app(tmp_path)
    yield made, server
    made.close()


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add_case(
    app: App,
    ref: str,
    officer: str,
    subject: str,
    received: date,
    due: date,
    responded: date | None = None,
    confidential: bool = False,
) -> int:
    with app.store.transaction() as session:
        case = CaseRow(
            ref=ref,
            kind="enquiry",
            priority="normal",
            confidential=confidential,
            confidence=0.9,
            status="responded" if responded else "open",
            member_email="jo.bloggs@wiltshire.gov.uk",
            member_name="Cllr Jo Bloggs",
            known_member=True,
            officer_email=officer,
            subject=subject,
            policy="wiltshire",
            received_at=at(received),
            ack_due=received + timedelta(days=2),
            response_due=due,
            acknowledged_at=at(received, 11),
            responded_at=at(responded) if responded else None,
            root_message_id=f"<{ref}@test>",
            created_at=at(received),
            updated_at=at(received),
        )
        session.add(case)
        session.flush()
        return case.id


def seed(app: App) -> None:
    add_case(app, "MB-2026-00001", SAM[1], "Pothole on Castle Street",
             date(2026, 11, 20), date(2026, 12, 4))
    add_case(app, "MB-2026-00002", SAM[1], SECRET, date(2026, 11, 24), date(2026, 12, 8),
             confidential=True)
    add_case(app, "MB-2026-00003", ANN[1], "Damp in a council flat",
             date(2026, 12, 1), date(2026, 12, 15))
    add_case(app, "MB-2026-00004", SAM[1], "Street light out",
             date(2026, 11, 23), date(2026, 12, 7), responded=date(2026, 12, 9))
    answered = add_case(app, "MB-2026-00005", ANN[1], "Housing list question",
                        date(2026, 11, 30), date(2026, 12, 14), responded=date(2026, 12, 10))
    add_case(app, "MB-2026-00006", BOB[1], "Missed bin collection",
             date(2026, 12, 2), date(2026, 12, 16))
    add_case(app, "MB-2026-00007", BOB[1], "Fly-tipping in Mill Lane",
             date(2026, 12, 8), date(2026, 12, 22))
    with app.store.transaction() as session:
        session.add(EventRow(at=at(date(2026, 12, 11)), case_id=answered, actor="member",
                             action="reopened", detail="follow-up within the window"))


def digests(server: MemoryServer) -> dict[str, EmailMessage]:
    return {m["To"]: m for _, m in sent(server) if "Weekly digest" in m["Subject"]}


def plain(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def test_digests_go_on_monday_at_eight_once_per_iso_week(
    app: tuple[App, MemoryServer], tmp_path: Path
) -> None:
    the_app, server = app
    assert jobs.send_digests(the_app, MONDAY_8AM - timedelta(minutes=1)).queued == []
    report = jobs.send_digests(the_app, MONDAY_8AM)
    assert sorted(report.queued) == sorted([CHIEF, MAX[1], PAT[1]])
    # Every later run that week, and a restarted process on the same database: nothing.
    for hours in (0, 1, 26, 100):
        assert jobs.send_digests(the_app, MONDAY_8AM + timedelta(hours=hours)).queued == []
    again, _ = digest_app(tmp_path, server)
    try:
        assert jobs.send_digests(again, MONDAY_8AM + timedelta(hours=3)).queued == []
    finally:
        again.close()
    jobs.flush_outbox(the_app, MONDAY_8AM)
    assert sorted(digests(server)) == sorted([CHIEF, MAX[1], PAT[1]])
    # The next ISO week brings the next digest.
    assert len(jobs.send_digests(the_app, MONDAY_8AM + timedelta(days=7)).queued) == 3


def test_eight_o_clock_is_london_time_in_summer(app: tuple[App, MemoryServer]) -> None:
    the_app, _ = app
    monday = datetime(2027, 6, 7, 6, 59, tzinfo=UTC)  # 07:59 BST
    assert jobs.send_digests(the_app, monday).queued == []
    assert len(jobs.send_digests(the_app, monday + timedelta(minutes=1)).queued) == 3


def test_the_council_digest_counts_everything(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    seed(the_app)
    jobs.send_digests(the_app, MONDAY_8AM)
    jobs.flush_outbox(the_app, MONDAY_8AM)
    message = digests(server)[CHIEF]
    assert message["Subject"] == (
        "Weekly digest, week of Monday 14 December 2026: 2 overdue, 2 due this week"
    )
    text = plain(message)
    assert "weekly digest for the whole council" in text
    assert "Opened:               1" in text  # MB-7, received last week
    assert "Answered:             2" in text
    assert "Answered on time:     50%" in text
    assert "Reopened:             1" in text
    assert "Open:                 5 (of which 1 confidential)" in text
    # Most overdue first, with working days overdue (4 Dec to 14 Dec: 6 working days).
    overdue = text.index("MB-2026-00001    6 wd overdue  due Fri 4 Dec  Sam Patel (Highways)")
    assert overdue < text.index("MB-2026-00002    4 wd overdue  due Tue 8 Dec")
    assert "Enquiry: confidential" in text
    for service in ("Highways", "Housing", "Waste"):
        assert f"\n{service}\n" in text
    assert "  Enquiry                         7       2 wd     100%" in text
    # The trend: MB-1 overdue at the end of the week of 30 Nov; MB-1 and MB-2 a week later.
    assert "  30 Nov         3         0        -               1         0" in text
    assert "  7 Dec          1         2      50%               2         1" in text


def test_a_manager_sees_only_their_team(app: tuple[App, MemoryServer]) -> None:
    the_app, server = app
    seed(the_app)
    jobs.send_digests(the_app, MONDAY_8AM)
    jobs.flush_outbox(the_app, MONDAY_8AM)
    mine = digests(server)[MAX[1]]
    text = plain(mine) + body_text(mine, "html")
    assert mine["Subject"] == (
        "Weekly digest, Highways, Housing, week of Monday 14 December 2026: "
        "2 overdue, 1 due this week"
    )
    assert "Pothole on Castle Street" in text and "Damp in a council flat" in text
    assert "Missed bin collection" not in text and "Fly-tipping" not in text
    assert "Bob Hill" not in text
    assert "Max Boss" in text  # the whole team is listed, quiet or not
    theirs = plain(digests(server)[PAT[1]])
    assert "Missed bin collection" in theirs and "Pothole" not in theirs


def test_confidential_cases_are_referenced_never_described(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    seed(the_app)
    jobs.send_digests(the_app, MONDAY_8AM)
    jobs.flush_outbox(the_app, MONDAY_8AM)
    for _, mime in server.outgoing:
        assert b"neighbour" not in mime and b"Allegation" not in mime
    text = plain(digests(server)[CHIEF])
    assert "MB-2026-00002" in text


def test_the_chart_is_an_inline_png_with_a_text_table_alternative(
    app: tuple[App, MemoryServer],
) -> None:
    the_app, server = app
    seed(the_app)
    jobs.send_digests(the_app, MONDAY_8AM)
    jobs.flush_outbox(the_app, MONDAY_8AM)
    message = digests(server)[CHIEF]
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()  # type: ignore[misc]
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html_part.get_content()
    assert "(week beginning)" in plain.get_content()


def test_preview_writes_an_eml_and_queues_nothing(
    app: tuple[App, MemoryServer], tmp_path: Path
) -> None:
    the_app, _ = app
    seed(the_app)
    out = tmp_path / "preview.eml"
    result = CliRunner().invoke(
        cli, ["digest", "--preview", "--out", str(out), "--config", str(tmp_path / "mailbot.toml")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)  # the log (stderr) may say more
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert message["To"] == CHIEF and "Weekly digest" in message["Subject"]
    with the_app.store.transaction() as session:
        assert session.query(OutboxRow).filter(OutboxRow.purpose == "digest").count() == 0


def test_no_recipients_and_no_managers_means_no_digest(tmp_path: Path) -> None:
    made, _ = make_app(tmp_path, officers=(PAT,))  # no [digest] recipients, no managers
    try:
        assert digest.send_digests(made, MONDAY_8AM).queued == []
    finally:
        made.close()


NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])  # English; Welsh and English
def test_the_digest_gives_its_dates_in_words_never_as_numbers(
    tmp_path: Path, policy: str
) -> None:
    # The digest's tables said "due 09/12/2026": 12 September to a manager whose phone or
    # mail client reads dates the American way, under a subject and letters that give
    # "Wednesday 9 December 2026". Now "Wed 9 Dec" (a year only when it is not this one).
    first, server = make_app(tmp_path, policy=policy, officers=(MAX, SAM, ANN, PAT, BOB))
    first.close()
    config = tmp_path / "mailbot.toml"
    config.write_text(config.read_text() + f'[digest]\nrecipients = ["{CHIEF}"]\n')
    the_app = build_app(load_settings(config), backend=MemoryMailbox(server),
                        classifier=shared_rules_classifier())
    try:
        seed(the_app)
        add_case(the_app, "MB-2025-00009", SAM[1], "Leaning wall on Bridge Street",
                 date(2025, 12, 10), date(2025, 12, 30))
        jobs.send_digests(the_app, MONDAY_8AM)
        jobs.flush_outbox(the_app, MONDAY_8AM)
    finally:
        the_app.close()
    message = digests(server)[CHIEF]
    text = plain(message)
    html = " ".join(re.sub(r"<[^>]+>", " ", body_text(message, "html")).split())
    for body in (text, html):
        assert not NUMERIC_DATE.search(body), NUMERIC_DATE.findall(body)
        for due in ("Fri 4 Dec", "Tue 15 Dec", "Wed 16 Dec"):
            assert due in body, due
        assert re.search(r"(Mon|Tue|Wed|Thu|Fri) \d{1,2} Dec 2025", body)  # last year's
    if policy == "cardiff":
        for body in (text, html):
            for words in ("Gwe 4 Rhag", "Mer 16 Rhag", "Rhag 2025",
                          "Last week (Mon 7 Dec - Sun 13 Dec)",
                          "Yr wythnos diwethaf (Llun 7 Rhag - Sul 13 Rhag)", "30 Nov/Tach",
                          "Monday 21 September 2026 - Sunday 13 December 2026",
                          "dydd Llun 21 Medi 2026 - dydd Sul 13 Rhagfyr 2026"):
                assert words in body, words
        assert "due Fri 4 Dec / erbyn Gwe 4 Rhag" in text
