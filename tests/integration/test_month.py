"""A month of simulated time through the whole system, judged by every email that left.

Monday 30 November 2026 to Monday 4 January 2027, Wiltshire's pack (acknowledge in 2
working days, answer in 10; reminders 2 working days before, on the day, then every 2
working days overdue, the manager after 2 overdue reminders), bank holidays on 25 and 28
December and 1 January. A fake clock: every hour, day and night, the daemon's jobs run
with an explicit `now` — poll, reminder sweep, digest, outbox flush — and the mail people
send arrives at the hour it was written:

- Cllr Jo Bloggs reports a pothole, copying Sam Patel (Highways). Sam answers the
  before-due reminder with EXTEND 5 "reason" (Jo gets the explanation and the new date),
  is reminded again for the new date, and answers DONE on the day after it.
- Cllr Siân Evans, who prefers Welsh, reports missed bins: routed to Alex Morgan (Waste),
  who never answers; reminders before, on and after the due date, the escalation to his
  manager Pat Kerr, and overdue reminders that skip Christmas and New Year.
- Jo asks for confidentiality about a tenant's health, after office hours, copying Sam;
  Sam's out-of-office answers the assignment, the case goes to his deputy Lee Wong, whose
  reminders carry no subject or content; Lee answers DONE the day after it was due.
- Jo makes an FOI request: the FOI team, on the statutory clock (due in January).
- Every Monday at 08:00 the digests: the whole council, Dana Reed (Highways), Pat (Waste).

Run with -s to see the month's mail.
"""

# ruff: noqa: E501 - the month's mail table is easier to check one mail per line
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs
from mailbot.policy import load_policy
from mailbot.workdays import LONDON

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SIAN = "sian.evans@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
LEE = "lee.wong@wiltshire.gov.uk"
DANA = "dana.reed@wiltshire.gov.uk"
ALEX = "alex.morgan@wiltshire.gov.uk"
PAT = "pat.kerr@wiltshire.gov.uk"
CHIEF = "chief.executive@wiltshire.gov.uk"
FOI_TEAM = "foi@wiltshire.example"

START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday; GMT all month, so UTC = London
END = datetime(2027, 1, 4, 13, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    at: datetime
    to: str
    cc: str
    subject: str
    message: EmailMessage

    @property
    def text(self) -> str:
        return body_text(self.message, "plain").replace("\r\n", "\n")

    @property
    def kind(self) -> str:
        """What the mail is, from its subject (the test's own labels)."""
        subject = self.subject
        for prefix, label in (
            ("Weekly digest", "digest"),
            ("Reminder:", "before"),
            ("Due today:", "due"),
            ("Overdue by", "overdue"),
            ("Escalation:", "escalation"),
        ):
            if subject.startswith(prefix):
                return label
        return "other"


class Month(Council):
    """Wiltshire's council and a clock that only moves when the test says so."""

    def __init__(self, home: Path) -> None:
        super().__init__(
            home,
            mailbox=MAILBOX,
            members=[
                ("Cllr Jo Bloggs", JO, "Castle", "en"),
                ("Cllr Siân Evans", SIAN, "Trowbridge", "cy"),
            ],
            officers=[
                ("Sam Patel", SAM, "Highways", DANA, LEE),
                ("Lee Wong", LEE, "Highways", DANA, ""),
                ("Dana Reed", DANA, "Highways", "", ""),
                ("Alex Morgan", ALEX, "Waste", PAT, ""),
                ("Pat Kerr", PAT, "Waste", "", ""),
            ],
            # The rules-only classifier gives a plain enquiry 0.5; the default threshold is
            # set for the trained model.
            threshold=0.5,
            config=f'[routing]\ndefault_officer = "{SAM}"\n'
            "[[routing.rules]]\n"
            f'name = "waste"\nofficer = "{ALEX}"\nkeywords = ["bin", "bins", "recycling"]\n'
            f'[digest]\nrecipients = ["{CHIEF}"]\n',
            message_ids="month",
            mail_headers=PLAIN_UTF8,
            reply_quotes=6,
        )
        self.sent: list[Sent] = []

    def tick(self, now: datetime) -> None:
        """What the daemon's scheduler does, all at `now`."""
        jobs.poll(self.app, now)
        jobs.send_reminders(self.app, now)
        jobs.send_digests(self.app, now)
        jobs.flush_outbox(self.app, now)
        for recipients, message in self.left():
            self.sent.append(
                Sent(
                    now,
                    str(message["To"]),
                    str(message["Cc"] or ""),
                    str(message["Subject"]).strip(),
                    message,
                )
            )
            assert set(recipients) == {
                str(message["To"]),
                *([str(message["Cc"])] if message["Cc"] else []),
            }

    def last_to(self, address: str, kind: str | None = None, ref: str = "") -> Sent:
        found = [
            s
            for s in self.sent
            if address in (s.to, s.cc) and (kind is None or s.kind == kind) and ref in s.subject
        ]
        assert found, f"nothing sent to {address} ({kind}, {ref})"
        return found[-1]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# Every mail that left in the month, in order: (London time, To, Cc, Subject).
# fmt: off
MONTH_MAIL = [
    ("Mon 30 Nov 08:00", CHIEF, "", 'Weekly digest, week of Monday 30 November 2026: 0 overdue, 0 due this week'),
    ("Mon 30 Nov 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 30 November 2026: 0 overdue, 0 due this week'),
    ("Mon 30 Nov 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 30 November 2026: 0 overdue, 0 due this week'),
    ("Mon 30 Nov 10:00", JO, "", 'Re: Pothole on Castle Road [MB-2026-00001]'),
    ("Mon 30 Nov 10:00", SAM, "", 'Enquiry from Cllr Jo Bloggs: Pothole on Castle Road [MB-2026-00001]'),
    ("Tue 01 Dec 14:00", SIAN, "", 'Re: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
    ("Tue 01 Dec 14:00", ALEX, "", 'Enquiry from Cllr Siân Evans: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
    ("Wed 02 Dec 19:00", JO, "", "Re: CONFIDENTIAL: a tenant's health and a damp flat [MB-2026-00003]"),
    ("Wed 02 Dec 19:00", SAM, "", 'Confidentiality request from Cllr Jo Bloggs [MB-2026-00003]'),
    ("Wed 02 Dec 20:00", LEE, "", 'Confidentiality request from Cllr Jo Bloggs [MB-2026-00003]'),
    # Jo was told Sam would deal with it; Sam's out-of-office gave it to Lee, and Jo is told.
    ("Wed 02 Dec 20:00", JO, "", "Re: CONFIDENTIAL: a tenant's health and a damp flat [MB-2026-00003]"),
    # Lee never answers CONFIDENTIAL OK/NO: asked after hours, so Thursday is day 0; one chase
    # on the next working day, then his manager once (Wiltshire confirm_within_days = 1).
    ("Fri 04 Dec 09:00", LEE, "", 'Confidentiality question not yet answered [MB-2026-00003]'),
    ("Mon 07 Dec 08:00", CHIEF, "", 'Weekly digest, week of Monday 7 December 2026: 0 overdue, 0 due this week'),
    ("Mon 07 Dec 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 7 December 2026: 0 overdue, 0 due this week'),
    ("Mon 07 Dec 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 7 December 2026: 0 overdue, 0 due this week'),
    ("Mon 07 Dec 09:00", DANA, LEE, 'Confidentiality question not answered by Lee Wong [MB-2026-00003]'),
    ("Mon 07 Dec 10:00", JO, "", 'Re: Freedom of Information request: pothole repair costs [MB-2026-00004]'),
    ("Mon 07 Dec 10:00", FOI_TEAM, "", 'FOI request from Cllr Jo Bloggs: Freedom of Information request: pothole repair costs [MB-2026-00004]'),
    ("Thu 10 Dec 09:00", SAM, "", 'Reminder: Pothole on Castle Road - reply by Monday 14 December 2026 [MB-2026-00001]'),
    ("Fri 11 Dec 09:00", ALEX, "", 'Reminder: Missed bin collection / Biniau heb eu casglu - reply by Tuesday 15 December 2026 [MB-2026-00002]'),
    ("Fri 11 Dec 11:00", JO, "", 'Re: Pothole on Castle Road [MB-2026-00001]'),
    ("Fri 11 Dec 11:00", SAM, "", 'RE: Reminder: Pothole on Castle Road - reply by Monday 14 December 2026 [MB-2026-00001]'),
    ("Mon 14 Dec 08:00", CHIEF, "", 'Weekly digest, week of Monday 14 December 2026: 0 overdue, 2 due this week'),
    ("Mon 14 Dec 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 14 December 2026: 0 overdue, 1 due this week'),
    ("Mon 14 Dec 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 14 December 2026: 0 overdue, 1 due this week'),
    ("Mon 14 Dec 09:00", LEE, "", 'Reminder: request for confidentiality - reply by Wednesday 16 December 2026 [MB-2026-00003]'),
    ("Tue 15 Dec 09:00", ALEX, "", 'Due today: Missed bin collection / Biniau heb eu casglu - reply by Tuesday 15 December 2026 [MB-2026-00002]'),
    # Wiltshire 6.5.8: a date passed unanswered, the member is told (once per date).
    ("Wed 16 Dec 09:00", SIAN, "", 'Re: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
    ("Wed 16 Dec 09:00", LEE, "", 'Due today: request for confidentiality - reply by Wednesday 16 December 2026 [MB-2026-00003]'),
    ("Thu 17 Dec 09:00", SAM, "", 'Reminder: Pothole on Castle Road - reply by Monday 21 December 2026 [MB-2026-00001]'),
    ("Thu 17 Dec 09:00", ALEX, "", 'Overdue by 2 working days: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
    ("Thu 17 Dec 09:00", JO, "", "Re: CONFIDENTIAL: a tenant's health and a damp flat [MB-2026-00003]"),
    ("Thu 17 Dec 11:00", LEE, "", 'RE: Due today: request for confidentiality - reply by Wednesday 16 December 2026 [MB-2026-00003]'),
    ("Mon 21 Dec 08:00", CHIEF, "", 'Weekly digest, week of Monday 21 December 2026: 1 overdue, 1 due this week'),
    ("Mon 21 Dec 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 21 December 2026: 0 overdue, 1 due this week'),
    ("Mon 21 Dec 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 21 December 2026: 1 overdue, 0 due this week'),
    ("Mon 21 Dec 09:00", SAM, "", 'Due today: Pothole on Castle Road - reply by Monday 21 December 2026 [MB-2026-00001]'),
    ("Mon 21 Dec 09:00", ALEX, "", 'Overdue by 4 working days: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
    ("Tue 22 Dec 09:00", JO, "", 'Re: Pothole on Castle Road [MB-2026-00001]'),
    ("Tue 22 Dec 11:00", SAM, "", 'RE: Due today: Pothole on Castle Road - reply by Monday 21 December 2026 [MB-2026-00001]'),
    ("Wed 23 Dec 09:00", PAT, ALEX, 'Escalation: overdue by 6 working days - Missed bin collection / Biniau heb eu casglu (Alex Morgan) [MB-2026-00002]'),
    ("Tue 29 Dec 08:00", CHIEF, "", 'Weekly digest, week of Monday 28 December 2026: 1 overdue, 0 due this week'),
    ("Tue 29 Dec 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 28 December 2026: 0 overdue, 0 due this week'),
    ("Tue 29 Dec 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 28 December 2026: 1 overdue, 0 due this week'),
    ("Mon 04 Jan 08:00", CHIEF, "", 'Weekly digest, week of Monday 4 January 2027: 1 overdue, 1 due this week'),
    ("Mon 04 Jan 08:00", DANA, "", 'Weekly digest, Highways, week of Monday 4 January 2027: 0 overdue, 0 due this week'),
    ("Mon 04 Jan 08:00", PAT, "", 'Weekly digest, Waste, week of Monday 4 January 2027: 1 overdue, 0 due this week'),
    # A week after the escalation (overdue_every_after_escalation = 5).
    ("Mon 04 Jan 09:00", ALEX, "", 'Overdue by 11 working days: Missed bin collection / Biniau heb eu casglu [MB-2026-00002]'),
]
# fmt: on


Action = Callable[[Month, datetime], None]


def script() -> dict[datetime, list[Action]]:
    """Who writes what, and when (each delivered before the next hourly tick)."""
    events: dict[datetime, list[Action]] = {}

    def on(when: datetime, action: Action) -> None:
        events.setdefault(when, []).append(action)

    on(
        at(date(2026, 11, 30), 10),
        lambda m, t: m.server.deliver(m.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "Pothole on Castle Road",
            "There is a deep pothole outside no. 12 Castle Road. Please can it be repaired?",
            date=t - timedelta(minutes=20),
            cc=SAM,
        )),
    )
    on(
        at(date(2026, 12, 1), 14),
        lambda m, t: m.server.deliver(m.mail(
            f"Cllr Siân Evans <{SIAN}>",
            "Missed bin collection / Biniau heb eu casglu",
            "Bins on Station Road were not collected this week. Please can you send the crew back?",
            date=t - timedelta(minutes=30),
        )),
    )
    on(
        at(date(2026, 12, 2), 19),
        lambda m, t: m.server.deliver(m.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "CONFIDENTIAL: a tenant's health and a damp flat",
            "Please keep this confidential. The tenant at 4 Mill Lane has asthma made worse by "
            "damp; can someone inspect?",
            date=t - timedelta(minutes=30),
            cc=SAM,
        )),
    )
    # Sam's out-of-office answers the assignment a few minutes later.
    on(
        at(date(2026, 12, 2), 20),
        lambda m, t: m.server.deliver(m.mail(
            f"Sam Patel <{SAM}>",
            f"Automatic reply: {m.last_to(SAM, 'other').subject}",
            "I am out of the office until Monday 7 December. For urgent matters contact Lee Wong.",
            date=t - timedelta(minutes=50),
            in_reply_to=str(m.last_to(SAM, "other").message["Message-ID"]),
            extra="Auto-Submitted: auto-replied",
        )),
    )
    on(
        at(date(2026, 12, 7), 10),
        lambda m, t: m.server.deliver(m.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "Freedom of Information request: pothole repair costs",
            "Under the Freedom of Information Act please send me copies of the records of "
            "pothole repair costs for 2025.",
            date=t - timedelta(minutes=15),
        )),
    )
    # Sam answers the before-due reminder: more time, with a reason the member is told.
    on(
        at(date(2026, 12, 11), 11),
        lambda m, t: m.server.deliver(m.reply(
            m.last_to(SAM, "before", "MB-2026-00001").message,
            SAM,
            'EXTEND 5 "the contractor can only survey the road next week"',
            date=t - timedelta(minutes=30),
        )),
    )
    # Lee answers the confidential case the day after it was due.
    on(
        at(date(2026, 12, 17), 11),
        lambda m, t: m.server.deliver(m.reply(
            m.last_to(LEE, "due", "MB-2026-00003").message, LEE, "DONE",
            date=t - timedelta(minutes=30),
        )),
    )
    # Sam answers the pothole the day after its new due date.
    on(
        at(date(2026, 12, 22), 11),
        lambda m, t: m.server.deliver(m.reply(
            m.last_to(SAM, "due", "MB-2026-00001").message, SAM, "DONE",
            date=t - timedelta(minutes=30),
        )),
    )
    return events


def hours(start: datetime, end: datetime) -> Iterator[datetime]:
    now = start
    while now < end:
        yield now
        now += timedelta(hours=1)


@pytest.fixture(scope="module")
def month(
    tmp_path_factory: pytest.TempPathFactory, module_on_postgresql: None
) -> Iterator[Month]:
    made = Month(tmp_path_factory.mktemp("month"))
    events = script()
    for now in hours(START, END):
        for action in events.get(now, []):
            action(made, now)
        made.tick(now)
    print("\nThe month's mail (London time):")
    for s in made.sent:
        local = s.at.astimezone(LONDON)
        cc = f" cc {s.cc}" if s.cc else ""
        print(f"  {local:%a %d %b %H:%M}  {s.to}{cc}  |  {s.subject}")
    yield made
    made.close()


def test_reminders_go_on_the_right_working_days_only(month: Month) -> None:
    reminders = [
        (s.at, s.kind, s.to, s.subject.rpartition("[")[2].rstrip("]"))
        for s in month.sent
        if s.kind in ("before", "due", "overdue", "escalation")
    ]
    calendar = load_policy("wiltshire").council_calendar()
    for when, *_ in reminders:
        assert calendar.within_working_hours(when), when  # never weekends, holidays, nights
    assert [(w.date(), w.hour, kind, to, ref) for w, kind, to, ref in reminders] == [
        (date(2026, 12, 10), 9, "before", SAM, "MB-2026-00001"),
        (date(2026, 12, 11), 9, "before", ALEX, "MB-2026-00002"),
        (date(2026, 12, 14), 9, "before", LEE, "MB-2026-00003"),
        (date(2026, 12, 15), 9, "due", ALEX, "MB-2026-00002"),
        (date(2026, 12, 16), 9, "due", LEE, "MB-2026-00003"),
        (date(2026, 12, 17), 9, "before", SAM, "MB-2026-00001"),  # the extended date's
        (date(2026, 12, 17), 9, "overdue", ALEX, "MB-2026-00002"),
        (date(2026, 12, 21), 9, "due", SAM, "MB-2026-00001"),
        (date(2026, 12, 21), 9, "overdue", ALEX, "MB-2026-00002"),
        (date(2026, 12, 23), 9, "escalation", PAT, "MB-2026-00002"),
        # Then weekly (overdue_every_after_escalation = 5): 24 Dec is a working day, 25
        # and 28 Dec and 1 Jan are bank holidays.
        (date(2027, 1, 4), 9, "overdue", ALEX, "MB-2026-00002"),
    ]
    escalation = month.last_to(PAT, "escalation")
    assert escalation.cc == ALEX
    assert "Alex Morgan has had 2 overdue reminders" in escalation.text


def test_a_reminder_can_be_answered_with_extend_and_the_member_hears_why(month: Month) -> None:
    to_jo = [s for s in month.sent if s.to == JO and s.at.date() == date(2026, 12, 11)]
    [explanation] = to_jo
    assert "the contractor can only survey the road next week" in explanation.text
    assert "Monday 21 December 2026" in explanation.text
    before = month.last_to(SAM, "before", "MB-2026-00001")
    assert "EXTEND 5" in before.text and "the reason, what is being done" in before.text
    assert "due in 2 working days, by Monday 21 December 2026" in before.text


def test_confidential_reminders_carry_no_content(month: Month) -> None:
    for s in month.sent:
        if "MB-2026-00003" in s.subject and s.to != JO:
            whole = s.message.as_string()
            assert "asthma" not in whole and "Mill Lane" not in whole and "damp" not in whole


def test_welsh_member_gets_welsh_first(month: Month) -> None:
    ack, late = [s for s in month.sent if s.to == SIAN]
    assert ack.text.index("Annwyl Cllr Siân Evans") < ack.text.index("Dear Cllr Siân Evans")
    assert late.text.index("i fod erbyn dydd Mawrth 15 Rhagfyr 2026") < late.text.index(
        "was due by Tuesday 15 December 2026"
    )


def test_a_digest_each_week_at_eight_on_its_first_working_day_to_each_recipient_once(month: Month) -> None:
    digests = [(s.at, s.to) for s in month.sent if s.kind == "digest"]
    mondays = [date(2026, 11, 30) + timedelta(days=7 * i) for i in range(6)]
    # Monday 28 December is a bank holiday: that week's goes on the first working day.
    mondays = [day + timedelta(days=1) if day == date(2026, 12, 28) else day for day in mondays]
    assert sorted(digests) == sorted(
        (at(day, 8), to) for day in mondays for to in (CHIEF, DANA, PAT)
    )
    last = next(
        s
        for s in month.sent
        if s.kind == "digest" and s.to == CHIEF and s.at.date() == date(2027, 1, 4)
    )
    assert "Overdue (1), most overdue first" in last.text
    assert (
        "MB-2026-00002   11 wd overdue  due Tue 15 Dec 2026  Alex Morgan (Waste)  Enquiry: Missed bin"
        in last.text
    )
    assert "MB-2026-00004  due Fri 8 Jan  foi@wiltshire.example (FOI team)" in last.text
    dana = next(
        s
        for s in month.sent
        if s.kind == "digest" and s.to == DANA and s.at.date() == date(2026, 12, 21)
    )
    # Last week Lee answered MB-3, a day late; MB-1 (extended to today) is due this week.
    assert "Answered:             1\n  Answered on time:     0%" in dana.text
    assert "MB-2026-00001  due Mon 21 Dec  Sam Patel (Highways)" in dana.text
    assert "Alex Morgan" not in dana.text and "Missed bin" not in dana.text


def test_every_mail_of_the_month_and_nothing_else(month: Month) -> None:
    got = [(f"{s.at.astimezone(LONDON):%a %d %b %H:%M}", s.to, s.cc, s.subject) for s in month.sent]
    # Each at its hour; within one hour the order is the outbox's (an officer's reminders
    # are queued once every case is seen, to be sent alone or in a daily summary).
    assert sorted(got) == sorted(MONTH_MAIL)
    # Nothing to the out-of-office robot, nothing twice.
    assert len({s.message["Message-ID"] for s in month.sent}) == len(month.sent)



def test_the_month_ran_on_this_passs_database(month: Month) -> None:
    """Built once for the module, the month still runs on PostgreSQL in that pass."""
    on_postgresql = os.environ.get("MAILBOT_TEST_DATABASE", "sqlite") == "postgresql"
    assert month.app.store.engine.dialect.name == ("postgresql" if on_postgresql else "sqlite")
