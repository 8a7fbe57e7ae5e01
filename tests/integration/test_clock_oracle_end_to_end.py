"""What a council sees, checked against the independent reckoner (tests/deadline_oracle.py):
the dates stored and mailed for real messages whose Date header is in UTC across
London's midnight, a case relabelled from enquiry to FOI, PAUSE and RESUME across a
weekend, EXTEND over Christmas, and the FOI reminders, escalation and "overdue by N
working days" over a Christmas shutdown, sent by the real sweep day by day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import deadline_oracle as oracle
import pytest
from helpers import Council, body_text, by_recipient

from mailbot.console import query_cases
from mailbot.model import Kind
from mailbot.reminders import sweep
from mailbot.triage import relabel_case

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
BOSS = "kim.shaw@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
POTHOLE = ("Pothole on Castle Street", "Please could you look into the pothole on Castle Street.")
FOI = (
    "Freedom of Information request: road budgets",
    "Under the Freedom of Information Act 2000 please send me the road budgets.",
)
SHUTDOWN = (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))


def _council(home: Path, pack: str, nation: str = "england-and-wales") -> Council:
    regime = "foisa" if nation == "scotland" else "foia"
    return Council(
        home, name="Test Council", mailbox=MAILBOX, policy=pack,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", BOSS, ""),
                  ("Kim Shaw", BOSS, "Highways", "", ""),
                  ("FOI Team", FOI_TEAM, "Information governance", BOSS, "")],
        threshold=0.0,
        config=f'[policy]\nregion = "{nation}"\nfoi_regime = "{regime}"\n'
        f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n'
        "[policy.calendar]\n"
        'closures = [{ start = 2026-12-29, end = 2026-12-31, name = "Christmas shutdown" }]\n',
    )


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "council"


def _rules(pack: str, nation: str = "england-and-wales") -> oracle.Rules:
    return replace(oracle.PACKS[pack], nation=nation)


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


@pytest.mark.parametrize("pack", ["colchester", "wiltshire", "mwda"])
@pytest.mark.parametrize(
    "sent",
    [
        datetime(2026, 7, 2, 23, 30, tzinfo=UTC),  # Fri 3 Jul in London
        datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # Sun 25 Oct, 00:30 BST
        datetime(2026, 10, 25, 16, 30, tzinfo=UTC),  # Sun, 16:30 GMT
        datetime(2026, 12, 24, 17, 0, tzinfo=UTC),  # Christmas Eve at the cutoff
        datetime(2027, 3, 26, 16, 59, 59, tzinfo=UTC),  # Good Friday, a second before it
    ],
)
def test_a_utc_date_header_is_counted_from_the_london_day(
    home: Path, pack: str, sent: datetime
) -> None:
    with _council(home, pack) as council:
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", *POTHOLE, date=sent),
            now=sent + timedelta(minutes=3),
        ))
        case = council.case()
        closures = SHUTDOWN
        ack = oracle.due(_rules(pack), "enquiry", "normal", sent, "ack", closures)
        response = oracle.due(_rules(pack), "enquiry", "normal", sent, "response", closures)
        assert (case.ack_due, case.response_due) == (ack, response)
        assert response is not None
        text = body_text(out[JO], "plain")
        assert f"received on {_long(sent.astimezone(oracle.LONDON).date())}" in text
        assert f"respond by {_long(response)}" in text


@pytest.mark.parametrize(
    ("pack", "nation", "sent"),
    [
        # After Colchester's 17:00 cutoff on Friday: the enquiry counted from Saturday,
        # the FOI request from Friday, the date it was received.
        ("colchester", "england-and-wales", datetime(2026, 11, 27, 17, 30, tzinfo=UTC)),
        # A Scottish council (FOISA s.73): St Andrew's Day is not a working day.
        ("wiltshire", "scotland", datetime(2026, 11, 23, 23, 30, tzinfo=UTC)),
        # Northern Ireland: FOIA's calendar, Scotland's 4 Jan holiday included.
        ("mwda", "northern-ireland", datetime(2026, 12, 18, 18, 0, tzinfo=UTC)),
    ],
)
def test_an_enquiry_relabelled_as_foi_gets_the_statutory_date(
    home: Path, pack: str, nation: str, sent: datetime
) -> None:
    with _council(home, pack, nation) as council:
        council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", *POTHOLE, date=sent), now=sent)
        case = council.case()
        rules = _rules(pack, nation)
        assert case.kind == "enquiry"
        assert case.response_due == oracle.due(rules, "enquiry", "normal", sent,
                                               closures=SHUTDOWN)
        later = sent + timedelta(days=1)
        relabel_case(council.app, case.ref, Kind.FOI, who="triage@council.gov.uk", now=later)
        case = council.case()
        statutory = oracle.due(rules, "foi", "normal", sent)
        assert case.response_due == statutory
        assert case.ack_due == oracle.due(rules, "foi", "normal", sent, "ack", SHUTDOWN)


def test_an_extended_enquiry_relabelled_as_foi_is_due_on_the_statutory_date(home: Path) -> None:
    # The officer agreed 29 Jan 2027 with the member for an enquiry; triage then found it
    # is an FOI request. FOIA s.10(1) gives 20 working days from 2 Nov: Tue 1 Dec (St
    # Andrew's Day skipped). The FOI team was told 29 Jan was "the statutory date".
    with _council(home, "wiltshire") as council:
        sent = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", *POTHOLE, cc=SAM, date=sent), now=sent
        ))
        agreed = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
        council.deliver(council.reply(out[SAM], f"Sam Patel <{SAM}>",
                                      'EXTEND 2027-01-29 "a big job"', date=agreed), now=agreed)
        assert str(council.case().response_due) == "2027-01-29"
        later = agreed + timedelta(days=1)
        relabel_case(council.app, council.case().ref, Kind.FOI, who="triage@council.gov.uk",
                     now=later)
        statutory = oracle.due(_rules("wiltshire"), "foi", "normal", sent)
        assert str(statutory) == "2026-12-01"
        assert council.case().response_due == statutory
        left = by_recipient(council.flush(later))
        assert "Reply by:  Tuesday 1 December 2026 (the statutory date" in body_text(
            left[FOI_TEAM], "plain"
        )
        assert "by Tuesday 1 December 2026 at the latest" in body_text(left[JO], "plain")


@pytest.mark.parametrize(
    ("subject", "body", "kind", "pauses"),
    [
        (*FOI, "foi", False),  # statutory: only a fees notice pauses it (FOIA s.10(2))
        ("Complaint about the handling of my case",
         "I wish to make a formal complaint about how the highways team handled my case; "
         "it was not dealt with properly.", "complaint", False),  # 16(1): its own process
        (*POTHOLE, "enquiry", True),  # 16(3): the usual timescale does not apply
    ],
)
def test_an_officers_out_of_office_pauses_only_a_colchester_enquiry(
    home: Path, subject: str, body: str, kind: str, pauses: bool
) -> None:
    # Colchester 16(3) suspends an enquiry's timescale while the officer is away. An FOI
    # officer's out-of-office paused the statutory clock too: no date, no reminders, and
    # a date moved past the statutory one when someone finally took the case.
    with _council(home, "colchester") as council:
        sent = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", subject, body, cc=SAM, date=sent), now=sent
        ))
        case = council.case()
        assert case.kind == kind
        officer = str(case.officer_email)
        away = council.mail(
            officer, f"Automatic reply: {out[officer]['Subject']}", "On leave until 14 Dec.",
            in_reply_to=str(out[officer]["Message-ID"]), extra="Auto-Submitted: auto-replied",
            date=sent + timedelta(hours=1),
        )
        council.deliver(away, now=sent + timedelta(hours=1))
        case = council.case()
        if pauses:
            assert case.status == "paused" and case.response_due is None
        else:
            assert case.status == "open"
            assert case.response_due == oracle.due(_rules("colchester"), kind, "normal", sent,
                                                   closures=SHUTDOWN)


def test_an_enquiry_paused_for_an_absence_and_relabelled_as_foi_runs_on_the_statute(
    home: Path,
) -> None:
    # Colchester: Sam's out-of-office paused the enquiry's clock (16(3)); triage then found
    # it is an FOI request. It went to the FOI team still paused: no date, no reminder,
    # and the member never told the statutory date.
    with _council(home, "colchester") as council:
        sent = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", "Road budgets",
                         "Please could you look into the road budgets.", cc=SAM, date=sent),
            now=sent,
        ))
        away = council.mail(
            SAM, f"Automatic reply: {out[SAM]['Subject']}", "On leave until 14 Dec.",
            in_reply_to=str(out[SAM]["Message-ID"]), extra="Auto-Submitted: auto-replied",
            date=sent + timedelta(hours=1),
        )
        council.deliver(away, now=sent + timedelta(hours=1))
        assert council.case().status == "paused"
        later = sent + timedelta(days=7)  # the week Sam was away does not hold the Act's clock
        relabel_case(council.app, council.case().ref, Kind.FOI, who="triage@council.gov.uk",
                     now=later)
        case = council.case()
        statutory = oracle.due(_rules("colchester"), "foi", "normal", sent)
        assert case.status == "open" and case.response_due == statutory
        left = by_recipient(council.flush(later))
        assert f"by {_long(statutory)} at the latest" in body_text(left[JO], "plain")
        assert case.officer_email == FOI_TEAM
        before = oracle.reminder_schedule(oracle.council_calendar("england-and-wales", SHUTDOWN),
                                          statutory).before
        assert before is not None
        morning = datetime.combine(before, datetime.min.time(), oracle.LONDON) + timedelta(
            hours=10
        )
        sweep(council.app, morning)
        reminded = by_recipient(council.flush(morning))
        assert case.ref in str(reminded[FOI_TEAM]["Subject"])


def test_pause_on_friday_and_resume_on_monday_by_command(home: Path) -> None:
    with _council(home, "colchester") as council:
        sent = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", *POTHOLE, cc=SAM, date=sent), now=sent
        ))
        friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
        council.deliver(council.reply(out[SAM], f"Sam Patel <{SAM}>", 'PAUSE "on site"',
                                      date=friday), now=friday)
        assert council.case().status == "paused"
        # Sunday 23:30 UTC in winter is still Sunday; Monday 00:30 BST would not be.
        monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        council.deliver(council.reply(out[SAM], f"Sam Patel <{SAM}>", "RESUME", date=monday),
                        now=monday)
        held = (oracle.Pause(date(2026, 11, 27), date(2026, 11, 30)),)
        want = oracle.due(_rules("colchester"), "enquiry", "normal", sent, closures=SHUTDOWN,
                          pauses=held)
        assert str(want) == "2026-12-09"
        assert council.case().response_due == want


def test_extend_over_christmas_by_command(home: Path) -> None:
    with _council(home, "wiltshire") as council:
        sent = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(
            council.mail(f"Cllr Jo Bloggs <{JO}>", *POTHOLE, cc=SAM, date=sent), now=sent
        ))
        current = council.case().response_due
        own = oracle.council_calendar("england-and-wales", SHUTDOWN)
        assert current == oracle.nth_working_day(own, date(2026, 12, 10), 10)
        given = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
        left = by_recipient(council.deliver(
            council.reply(out[SAM], f"Sam Patel <{SAM}>", 'EXTEND 5 "survey"', date=given),
            now=given,
        ))
        want = oracle.nth_working_day(own, current, 5)
        # Due Thu 24 Dec; then 25 and 28 Dec (bank holidays), 29-31 (closed), 1 Jan: 4-8 Jan.
        assert str(want) == "2027-01-08"
        assert council.case().response_due == want
        assert _long(want) in body_text(left[JO], "plain")


def test_foi_reminders_escalation_and_overdue_counts_over_a_christmas_shutdown(
    home: Path,
) -> None:
    with _council(home, "colchester") as council:
        sent = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
        council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", *FOI, date=sent), now=sent)
        case = council.case()
        rules = _rules("colchester")
        due = oracle.due(rules, "foi", "normal", sent)
        assert due is not None and case.response_due == due
        own = oracle.council_calendar("england-and-wales", SHUTDOWN)
        statutory = oracle.foi_calendar("england-and-wales")
        plan = oracle.reminder_schedule(own, due)
        want = {plan.before: "Reminder", plan.due_day: "Last working day"
                if not own.working(due) else "Due today"}
        for day in plan.overdue[:3]:
            want[day] = "Escalation" if day == plan.escalation else "Overdue"
        got: dict[date, str] = {}
        day = date(2026, 12, 1)
        while day <= plan.overdue[2]:
            now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=oracle.LONDON)
            sweep(council.app, now)
            for mail in council.flush(now):
                if case.ref not in str(mail["Subject"]):
                    continue
                subject = str(mail["Subject"])
                got[day] = subject.split(":")[0]
                late = re.search(r"[Oo]verdue by (\d+) working days?", subject)
                if late:
                    assert int(late.group(1)) == oracle.working_days_after(statutory, due, day)
                if subject.startswith("Escalation"):
                    assert mail["To"] == BOSS
            [line] = [x for x in query_cases(council.app, now) if x.ref == case.ref]
            overdue = oracle.working_days_after(statutory, due, day) if day > due else 0
            assert line.days_overdue == overdue, day
            day += timedelta(days=1)
        assert {d: s.split(" ")[0] for d, s in got.items()} == {
            d: s.split(" ")[0] for d, s in want.items()
        }
