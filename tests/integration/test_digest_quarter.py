"""A quarter of a council's cases through the real pipeline, read as its managers read the
Monday digest: every number checked against a count of the database rows made here, not
by the digest's own queries, and every overdue case saying whose move it is.

Wiltshire's pack (acknowledge in 2 working days, answer in 10; FOI 20 on the statutory
calendar). Dana Reed manages Highways (Sam Patel, Lee Wong, and herself, with cases of her
own) and Parks (Priya Shah); Pat Kerr manages Waste (Alex Morgan); Hana Ito manages
Housing (Olu Ade) but has no row in officers.csv herself. Lee leaves in November.
The mail crosses the clocks going back (25 Oct 2026), Christmas and New Year's bank
holidays, ISO week 53 of 2026 and the year's end.
"""

from __future__ import annotations

import email
import email.policy
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows, shared_rules_classifier, write_csv

from mailbot import jobs
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.digest import digest_slot
from mailbot.model import Kind
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.triage import relabel_case
from mailbot.workdays import LONDON

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
RHIAN = "rhian.evans@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
LEE = "lee.wong@wiltshire.gov.uk"
DANA = "dana.reed@wiltshire.gov.uk"
PRIYA = "priya.shah@wiltshire.gov.uk"
ALEX = "alex.morgan@wiltshire.gov.uk"
PAT = "pat.kerr@wiltshire.gov.uk"
OLU = "olu.ade@wiltshire.gov.uk"
HANA = "hana.ito@wiltshire.gov.uk"
CHIEF = "chief.executive@wiltshire.gov.uk"
FOI = "foi@wiltshire.example"
OFFICERS = [
    ("Sam Patel", SAM, "Highways", DANA, ""),
    ("Lee Wong", LEE, "Highways", DANA, ""),
    ("Dana Reed", DANA, "Highways", "", ""),
    ("Priya Shah", PRIYA, "Parks", DANA, ""),
    ("Alex Morgan", ALEX, "Waste", PAT, ""),
    ("Pat Kerr", PAT, "Waste", "", ""),
    ("Olu Ade", OLU, "Housing", HANA, ""),
]
NAMES = {o[1]: o[0] for o in OFFICERS}
SECRET = ("allegation", "tenant", "Bramble Court")  # the confidential case's words
# England and Wales bank holidays in the quarter; the FOI clock also skips the rest of the
# UK's: St Andrew's Day (Mon 30 Nov 2026) and Scotland's 2 January (Mon 4 Jan 2027).
HOLIDAYS = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
UK_HOLIDAYS = HOLIDAYS | {date(2026, 11, 30), date(2027, 1, 4)}


def london(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON).astimezone(UTC)


class Quarter(Council):
    def __init__(self, home: Path) -> None:
        rules = "".join(
            f'[[routing.rules]]\nname = "{name}"\nofficer = "{officer}"\n'
            f"keywords = {keywords}\n"
            for name, officer, keywords in (
                ("waste", ALEX, '["bin", "bins"]'),
                ("housing", OLU, '["housing", "damp"]'),
                ("parks", PRIYA, '["tree", "park"]'),
                ("bridges", DANA, '["bridge"]'),
                ("lights", LEE, '["streetlight"]'),
            )
        )
        super().__init__(
            home, mailbox=MAILBOX,
            members=[("Cllr Jo Bloggs", JO, "Castle", "en"),
                     ("Cllr Rhian Evans", RHIAN, "Tref", "cy")],
            officers=OFFICERS,
            admins=["it.admin@wiltshire.gov.uk"],
            config=f'[routing]\ndefault_officer = "{SAM}"\n{rules}'
            f'[digest]\nrecipients = ["{CHIEF}"]\n',
            message_ids="quarter", mail_headers=PLAIN_UTF8,
        )
        self.letters: dict[tuple[str, str], EmailMessage] = {}  # (ref, to): latest mail
        self.rows_at: dict[date, list[CaseRow]] = {}
        # Answers a member's follow-up reopened, as the case's row had them just before:
        # (officer, answered at, due then). The row keeps only the latest answer.
        self.earlier_answers: list[tuple[str | None, datetime, date | None]] = []

    def step(self, at: datetime) -> None:
        for message in self.deliver_nothing(at):
            subject = str(message["Subject"])
            found = re.search(r"\[(MB-\d{4}-\d{5})\]", subject)
            if found:
                self.letters[(found.group(1), str(message["To"]))] = message

    def deliver_nothing(self, at: datetime) -> list[EmailMessage]:
        jobs.poll(self.app, at)
        return self.flush(at)

    def member(self, at: datetime, sender: str, subject: str, body: str) -> None:
        self.server.deliver(self.mail(sender, subject, body, date=at))
        self.step(at + timedelta(minutes=1))

    def command(self, at: datetime, ref: str, officer: str, line: str) -> None:
        self.server.deliver(self.reply(self.letters[(ref, officer)], officer, line, date=at))
        self.step(at + timedelta(minutes=1))

    def member_replies(self, at: datetime, ref: str, sender: str, line: str) -> None:
        before = self.case(ref)
        assert before.responded_at is not None
        self.earlier_answers.append(
            (before.officer_email, before.responded_at, before.response_due))
        self.server.deliver(self.reply(self.letters[(ref, sender)], sender, line, date=at))
        self.step(at + timedelta(minutes=1))

    def leaves(self, address: str) -> None:
        """officers.csv without them, and the daemon restarted on it."""
        write_csv(self.home / "officers.csv",
                  ("name", "email", "service", "manager_email", "deputy_email"),
                  [o for o in OFFICERS if o[1] != address])
        self.app.close()
        self.app = build_app(load_settings(self.home / "mailbot.toml"),
                             backend=MemoryMailbox(self.server),
                             classifier=shared_rules_classifier())

    def monday(self, day: date) -> None:
        """The digests at 08:00 London time, and the rows as they stood then. On a bank
        holiday Monday (28 December) they go at 08:00 on the week's first working day."""
        at = digest_slot(self.app, london(day.year, day.month, day.day, 8))
        assert jobs.send_digests(self.app, at - timedelta(minutes=1)).queued == []
        self.rows_at[at.astimezone(LONDON).date()] = rows(self.app, CaseRow)
        jobs.send_digests(self.app, at)
        self.flush(at)


BEGAN = date(2026, 10, 5)  # the quarter's first look at the digest: mailbot's first day


def live_quarter(q: Quarter) -> None:
    ref = "MB-2026-{:05d}".format
    q.monday(BEGAN)
    q.member(london(2026, 10, 5), JO, "Pothole on Castle Street", "Please look at the pothole.")
    q.member(london(2026, 10, 6, 11), JO, "Missed bin collection in Mill Lane",
             "The bins in Mill Lane were not collected on Monday.")
    q.member(london(2026, 10, 7, 9), RHIAN, "Freedom of Information request: grass contracts",
             "Under the Freedom of Information Act please send copies of the grass cutting "
             "contracts held by the council.")
    q.member(london(2026, 10, 8, 15), JO, "CONFIDENTIAL: allegation about a tenant",
             "Please treat this as confidential. A tenant at Bramble Court told me about it.")
    q.monday(date(2026, 10, 12))
    q.member(london(2026, 10, 14), JO, "Streetlight out on Mill Road", "The streetlight is out.")
    # Sun 18 Oct 23:30 UTC is Mon 19 Oct 00:30 BST: a case of the week of 19 Oct.
    q.member(datetime(2026, 10, 18, 23, 30, tzinfo=UTC), JO, "Tree overhanging the park path",
             "A tree overhangs it.")
    q.monday(date(2026, 10, 19))
    # Sam answers 30 minutes after midnight BST on the day after the due date (19 Oct):
    # still 19 Oct in UTC, late in London.
    q.command(london(2026, 10, 20, 0, 30), ref(1), SAM, "DONE")
    q.command(london(2026, 10, 20), ref(6), PRIYA, 'PAUSE "waiting for a photo"')
    q.member(london(2026, 10, 21), JO, "Graffiti on the underpass", "Graffiti by the station.")
    q.member(london(2026, 10, 22, 16), JO, "Bridge railing loose", "Town Bridge railing.")
    # The confidential case is answered at 23:59 BST on its due date (22 Oct): on time.
    q.command(london(2026, 10, 22, 23, 59), ref(4), "monitoring.officer@wiltshire.example",
              "DONE")
    # Sat 24 Oct 23:30 UTC is Sun 25 Oct 00:30 BST, the night the clocks go back.
    q.member(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), JO, "Dog fouling on the green",
             "Dog fouling by the school.")
    q.monday(date(2026, 10, 26))
    q.member(london(2026, 10, 26), JO, "Road sign knocked down", "A sign on the A350.")
    relabel_case(q.app, ref(9), Kind.FOI, who="it.admin@wiltshire.gov.uk",
                 now=london(2026, 10, 28, 12))  # mid-week
    q.step(london(2026, 10, 28, 12, 1))
    q.command(london(2026, 10, 29), ref(8), DANA, "DONE")  # the manager's own case
    q.leaves(LEE)
    q.monday(date(2026, 11, 2))
    q.command(london(2026, 11, 3), ref(6), PRIYA, "RESUME")
    q.member(london(2026, 11, 4), JO, "Drain blocked on Church Lane", "Blocked again.")
    q.command(london(2026, 11, 5), ref(11), SAM, f"REASSIGN {ALEX}")  # to another service
    q.command(london(2026, 11, 6), ref(7), SAM, "DONE")
    q.monday(date(2026, 11, 9))
    q.command(datetime(2026, 11, 9, 23, 59, tzinfo=UTC), ref(10), SAM, "DONE")  # on the day
    q.command(london(2026, 11, 10), ref(6), PRIYA, "DONE")
    q.member(london(2026, 11, 11), JO, "Parking on the verge", "Cars stop on the verge.")
    q.monday(date(2026, 11, 16))
    q.member(london(2026, 11, 17), RHIAN, "Bins not collected in Heol y Bont", "Not again.")
    q.monday(date(2026, 11, 23))
    q.command(london(2026, 11, 23), ref(12), SAM, 'EXTEND 5 "waiting for the contractor"')
    q.command(london(2026, 11, 24), ref(13), ALEX, "DONE")
    q.member_replies(london(2026, 11, 26), ref(13), RHIAN, "Still not collected, please.")
    for monday in (date(2026, 11, 30), date(2026, 12, 7)):
        q.monday(monday)
    q.command(london(2026, 12, 8), ref(13), ALEX, "DONE")
    q.member(london(2026, 12, 9), JO, "Housing repair: damp flat", "Damp in Elm Court.")
    q.monday(date(2026, 12, 14))
    q.monday(date(2026, 12, 21))
    q.member(london(2026, 12, 21), JO, "Christmas lights not working", "In the square.")
    q.member(london(2026, 12, 24, 12), JO, "Freedom of Information request: gritting",
             "Under the Freedom of Information Act please send the gritting records held.")
    q.monday(date(2026, 12, 28))  # ISO week 53
    q.command(london(2026, 12, 30), ref(12), SAM, "DONE")
    q.member(london(2026, 12, 31), JO, "Flooding on the ford road", "The ford is flooded.")
    q.member(london(2026, 12, 31, 11), JO, "Complaint about how my casework was handled",
             "I am unhappy with how the council handled my casework and want it "
             "investigated. This is a formal complaint.")
    q.member(london(2027, 1, 2), JO, "Fallen tree in the park", "It blocks the path.")
    q.monday(date(2027, 1, 4))
    q.command(london(2027, 1, 5), ref(15), SAM, "DONE")
    q.monday(date(2027, 1, 11))


# A 1x1 PNG for the trend chart: drawing 64 real charts takes ~17 s, and what the chart
# shows is tested on the PNG itself in tests/unit/test_chart.py. It is drawn from the
# weekly counts alone, so it holds no subject to leak.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Quarter]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("mailbot.digest.send.trend_png", lambda *_: TINY_PNG)
        q = Quarter(tmp_path_factory.mktemp("quarter"))
        try:
            live_quarter(q)
            yield q
        finally:
            q.close()


@dataclass(frozen=True)
class Digest:
    to: str
    week: str
    message: EmailMessage
    day: date  # the day it was written, in London

    @property
    def text(self) -> str:
        return body_text(self.message, "plain").replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return body_text(self.message, "html")


def digests(q: Quarter) -> list[Digest]:
    """The digests as they left: the outbox rows' MIME."""
    found = []
    for row in rows(q.app, OutboxRow, OutboxRow.purpose == "digest"):
        message = email.message_from_bytes(row.mime, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(Digest(row.recipients, row.dedup_key.rsplit(":", 1)[1], message,
                            row.created_at.astimezone(LONDON).date()))
    return found


# -- an independent count of the rows ----------------------------------------------------


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def working_days_after(start: date, end: date, holidays: set[date]) -> int:
    """Working days in (start, end]."""
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in holidays)


def next_working_day(day: date, holidays: set[date]) -> date:
    """`day` if it is a working day, else the first one after it."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def holidays_of(case: CaseRow) -> set[date]:
    return UK_HOLIDAYS if case.kind == "foi" else HOLIDAYS


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def team(to: str, today: date) -> set[str] | None:
    """Whose cases a recipient's digest covers, by officers.csv as it stood."""
    here = {o[1] for o in OFFICERS if today < date(2026, 11, 2) or o[1] != LEE}
    if to == CHIEF:
        return None
    return {o[1] for o in OFFICERS if o[3] == to and o[1] in here} | {to}


Answer = tuple[str | None, datetime, date | None]  # officer, answered at, due then


def expected(
    cases: list[CaseRow], today: date, earlier: list[Answer]
) -> dict[str, Any]:
    this_week = today - timedelta(days=today.weekday())
    last_week = this_week - timedelta(days=7)
    window = this_week - timedelta(days=7 * 12)
    open_cases = [c for c in cases if c.status in ("open", "needs_triage", "paused")]
    answers: list[Answer] = [(c.officer_email, c.responded_at, c.response_due)
                             for c in cases if c.responded_at]
    answers += [a for a in earlier if local_day(a[1]) < today]
    answered = [a for a in answers if last_week <= local_day(a[1]) < this_week]

    def on_time(c: CaseRow) -> bool:
        assert c.responded_at is not None and c.response_due is not None
        return local_day(c.responded_at) <= c.response_due

    def in_time(answer: Answer) -> bool:
        return answer[2] is not None and local_day(answer[1]) <= answer[2]

    due = [c for c in open_cases if c.response_due
           and today <= c.response_due <= this_week + timedelta(days=6)]
    overdue = [c for c in open_cases if c.response_due and c.response_due < today]
    officers: dict[str, list[int]] = {}
    for c in open_cases:
        tally = officers.setdefault(c.officer_email or "", [0, 0, 0, 0, 0])
        tally[0] += 1
        tally[1] += c in due
        tally[2] += c in overdue
    for officer, _, _ in answered:
        tally = officers.setdefault(officer or "", [0, 0, 0, 0, 0])
        tally[3] += 1
    for officer, *_ in filter(in_time, answered):
        officers[officer or ""][4] += 1
    trend = []
    # Every week is labelled with its year when any week shown is not in the digest's own
    # (the digests of January 2027: "28 Dec 2026", "4 Jan 2027").
    starts = [window + timedelta(days=7 * i) for i in range(12)]
    years = any(s.year != this_week.year for s in starts if s + timedelta(days=7) > BEGAN)
    for i in range(12):
        start = window + timedelta(days=7 * i)
        end = start + timedelta(days=7)
        if end <= BEGAN:  # a week before mailbot began is not shown
            continue
        done = [a for a in answers if start <= local_day(a[1]) < end]
        late_at_end = [
            c for c in cases
            if c.response_due and c.response_due < end and local_day(c.received_at) < end
            and (c.responded_at is None or local_day(c.responded_at) >= end)
        ]
        trend.append((
            f"{start.day} {start:%b}" + (f" {start.year}" if years else ""),
            sum(start <= local_day(c.received_at) < end for c in cases),
            len(done), percent(sum(map(in_time, done)), len(done)), len(late_at_end),
        ))
    kpis = {}
    for kind in ("enquiry", "foi", "complaint", "confidentiality"):
        received = [c for c in cases
                    if c.kind == kind and window <= local_day(c.received_at) < this_week]
        if not received:
            continue
        acked = [c for c in received if c.acknowledged_at and c.ack_due
                 and local_day(c.acknowledged_at) <= c.ack_due]
        replied = [c for c in received if c.responded_at]
        decided = replied + [c for c in received if not c.responded_at
                             and c.response_due and c.response_due < today]
        # An answer on a weekend or bank holiday counts on the next working day.
        spans = [working_days_after(local_day(c.received_at),
                                    next_working_day(local_day(c.responded_at), holidays_of(c)),
                                    holidays_of(c))
                 for c in replied if c.responded_at]
        kpis[kind] = (
            str(len(received)),
            percent(len(acked), sum(1 for c in received if c.ack_due)),
            percent(sum(map(on_time, replied)), len(decided)),
            f"{statistics.median(spans):g}" if spans else "-",
        )
    return {
        "summary": {
            "Opened": str(sum(last_week <= local_day(c.received_at) < this_week for c in cases)),
            "Answered": str(len(answered)),
            "Answered on time": percent(sum(map(in_time, answered)), len(answered)),
            "Open": str(len(open_cases)),
            "Due this week": str(len(due)),
            "Overdue": str(len(overdue)),
        },
        "overdue": {c.ref: working_days_after(c.response_due, today, holidays_of(c))
                    for c in overdue if c.response_due},
        "officers": officers,
        "trend": trend,
        "kpis": kpis,
    }


KIND_LABELS = {"enquiry": "Enquiry", "foi": "FOI/EIR request", "complaint": "Complaint",
               "confidentiality": "Confidentiality request"}


def read_digest(text: str) -> dict[str, Any]:
    """The same figures, as the digest's text part says them."""
    summary = dict(re.findall(r"^  ([A-Z][a-z ]+):\s+(\S+)", text, re.M))
    officers = {}
    for name, *numbers in re.findall(
        r"^  (\S.{0,29}?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)$", text, re.M
    ):
        if name != "Total":
            officers[name] = [int(n) for n in numbers[:4]] + [numbers[4]]
    kpis = {}
    for label, *figures in re.findall(
        r"^  ([A-Z][A-Za-z/ ]+?)\s+(\d+)\s+(?:\d+ wd|none)\s+(\S+)\s+\d+ wd\s+(\S+)\s+(\S+)$",
        text, re.M,
    ):
        kpis[label] = tuple(figures)
    return {
        "summary": {k: v for k, v in summary.items() if k in (
            "Opened", "Answered", "Answered on time", "Open", "Due this week", "Overdue")},
        "overdue": {ref: int(days) for ref, days in
                    re.findall(r"^  (MB-\d{4}-\d{5})\s+(\d+) wd overdue", text, re.M)},
        "officers": officers,
        "trend": [(label, int(o), int(a), on, int(late)) for label, o, a, on, late, _ in
                  re.findall(r"^  (\d+ \w{3}(?: \d{4})?)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)$",
                             text, re.M)],
        "kpis": kpis,
    }


def test_every_monday_every_figure_agrees_with_a_count_of_the_rows(quarter: Quarter) -> None:
    sent = digests(quarter)
    assert len(sent) == 15 * 4  # 5 Oct to 11 Jan; the council, Dana, Pat and Hana
    for digest in sent:
        today = digest.day
        assert digest.week == f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"
        scope = team(digest.to, today)
        cases = [c for c in quarter.rows_at[today]
                 if scope is None or c.officer_email in scope]
        earlier = [a for a in quarter.earlier_answers if scope is None or a[0] in scope]
        want, got = expected(cases, today, earlier), read_digest(digest.text)
        where = f"{digest.to} {digest.week}"
        assert got["summary"] == want["summary"], where
        assert got["overdue"] == want["overdue"], where
        assert got["trend"] == want["trend"], where
        assert got["kpis"] == {KIND_LABELS[k]: v for k, v in want["kpis"].items()}, where
        shown = {NAMES.get(e, e) if e != LEE or today < date(2026, 11, 2) else e: t
                 for e, t in want["officers"].items()}
        for name, tally in shown.items():
            # Cut to the text table's 30 characters, a cut marked with "…" (the departed
            # monitoring.officer@wiltshire.example's 36 are 29 and the mark).
            cut = name if len(name) <= 30 else name[:29] + "…"
            assert got["officers"][cut] == tally[:4] + [percent(tally[4], tally[3])], (
                where, name)


def test_the_edges_of_the_quarter(quarter: Quarter) -> None:
    by = {(d.to, d.week): d for d in digests(quarter)}
    # 00:30 BST on 20 Oct is late for a 19 Oct date; 23:59 BST on the due date is on time.
    assert "Answered:             2\n  Answered on time:     50%" in by[(CHIEF, "2026-W44")].text
    # Received at 00:30 BST on Monday 19 Oct (23:30 UTC on the Sunday): last week for the
    # digest of 26 Oct, not for that of 19 Oct.
    assert "  Opened:               1\n" in by[(CHIEF, "2026-W43")].text
    assert "  Opened:               4\n" in by[(CHIEF, "2026-W44")].text
    # ISO week 53 and the year's end: one digest each, keyed by ISO week.
    assert (CHIEF, "2026-W53") in by and (CHIEF, "2027-W01") in by
    w53 = by[(CHIEF, "2026-W53")]
    assert "Week beginning Monday 28 December 2026 (2026-W53)" in w53.text
    # Monday 28 December is a bank holiday: week 53's digest goes on Tuesday 29. Bank
    # holidays are not working days overdue: 20 Oct to 29 Dec is 48 (25 and 28 Dec).
    assert w53.day == date(2026, 12, 29)
    assert "MB-2026-00002   48 wd overdue  due Tue 20 Oct  Alex Morgan (Waste)" in w53.text
    # Dana manages two services and has cases of her own.
    dana = by[(DANA, "2026-W45")]
    assert dana.message["Subject"].startswith("Weekly digest, Highways, Parks, week of")
    assert "  Dana Reed " in dana.text
    # Alex answered the bins on 24 Nov and Rhian's follow-up reopened them on the 26th:
    # last week was one answer (on time) and one reopened case, not a reopen of nothing.
    pat = by[(PAT, "2026-W49")].text
    assert "  Answered:             1\n  Answered on time:     100%\n  Reopened:             1" \
        in pat
    # The drain Sam passed to Alex is in Pat's digest now, not Dana's.
    assert "MB-2026-00011" in by[(PAT, "2026-W48")].text
    assert "MB-2026-00011" not in by[(DANA, "2026-W48")].text


def test_a_confidential_case_is_never_described(quarter: Quarter) -> None:
    for digest in digests(quarter):
        for part in digest.message.walk():
            if part.get_content_maintype() == "text":
                words = str(part.get_content()) + str(digest.message["Subject"])
                assert not any(w.lower() in words.lower() for w in SECRET), digest.week


def test_each_overdue_case_says_who_should_do_what(quarter: Quarter) -> None:
    by = {(d.to, d.week): d for d in digests(quarter)}
    text = by[(CHIEF, "2026-W49")].text
    # What most of them need, once under the heading; beside a case only what differs.
    assert (
        "Overdue (5), most overdue first (wd: working days)\n  What to do, unless a case's own "
        "line says otherwise: ask its officer to answer the member now, or to agree more time "
        "with them (EXTEND) or pass it on (REASSIGN).\n"
    ) in text
    assert text.count("answer the member now") == 1
    assert (
        "  MB-2026-00002   29 wd overdue  due Tue 20 Oct  Alex Morgan (Waste)  Enquiry: Missed "
        "bin collection in Mill Lane\n  MB-"
    ) in text
    assert (
        "lee.wong@wiltshire.gov.uk (Not in officers.csv (left?))  Enquiry: Streetlight out on "
        "Mill Road\n"
        "      What to do: its officer is not in officers.csv (left?), so its reminders may "
        "reach no one: pass it to someone who can answer (REASSIGN name@wiltshire.gov.uk).\n"
    ) in text
    assert "What to do: ask its officer to answer it now: the date the FOI Act" in text
    # The chief executive is in neither officers.csv nor [directory] admins: commands from
    # them are not acted on, so the digest does not offer them.
    assert "To act on a case yourself" not in text
    assert ("You are sent this digest to read: commands from your address are not acted on."
            in text)
    html = by[(CHIEF, "2026-W49")].html
    assert f'href="mailto:{MAILBOX}?subject=%5BMB-2026-00002%5D">MB-2026-00002</a>' in html
    assert ("<em>What to do, unless a case's own line says otherwise:</em> ask its officer "
            "to answer the member now") in html
    assert html.count("answer the member now") == 1
    assert "What to do" not in by[(CHIEF, "2026-W41")].text  # nothing overdue yet


def test_a_manager_without_a_row_of_their_own_is_not_listed_as_an_other_address(
    quarter: Quarter,
) -> None:
    hana = {d.week: d for d in digests(quarter) if d.to == HANA}["2027-W01"]
    assert "Other addresses" not in hana.text and HANA not in hana.text
    assert "  Olu Ade                           1    0        1         0        -" in hana.text


def test_the_manager_can_do_what_the_digest_says(tmp_path: Path) -> None:
    """Dana writes to the mailbox as the digest tells her, and the case moves."""
    with Quarter(tmp_path) as q:
        q.member(london(2026, 11, 2), JO, "Graffiti on the underpass", "By the station.")
        q.monday(date(2026, 11, 23))
        [mine] = [d for d in digests(q) if d.to == DANA]
        assert "What to do: ask its officer to answer the member now" in mine.text
        assert "MB-2026-00001  " in mine.text and "  Sam Patel (Highways)  " in mine.text
        q.server.deliver(q.mail(DANA, "[MB-2026-00001]", f"REASSIGN {PRIYA}",
                                date=london(2026, 11, 23, 9)))
        q.step(london(2026, 11, 23, 9, 1))
        assert q.case("MB-2026-00001").officer_email == PRIYA


def test_a_bilingual_digest_says_what_to_do_in_welsh_too(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cardiff Council", policy="cardiff",
        members=[("Cllr Rhian Evans", RHIAN, "Tref", "cy")],
        officers=[("Sam Patel", SAM, "Priffyrdd", DANA, ""), ("Dana Reed", DANA, "", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as cardiff:
        sent = london(2026, 11, 2)
        cardiff.deliver(cardiff.mail(RHIAN, "Twll yn y ffordd", "Mae twll.", date=sent), sent)
        jobs.send_digests(cardiff.app, london(2026, 11, 23, 8))
        [row] = rows(cardiff.app, OutboxRow, OutboxRow.purpose == "digest")
        message = email.message_from_bytes(row.mime, policy=email.policy.default)
        assert isinstance(message, EmailMessage) and row.recipients == DANA
        text, html = body_text(message, "plain"), body_text(message, "html")
        for body in (text, html):
            assert body.count("ask its officer to answer the member now") == 1
            assert body.count("gofynnwch i&#39;w swyddog ateb yr aelod nawr"
                              if body is html else "gofynnwch i'w swyddog ateb yr aelod nawr") == 1
            assert f"I weithredu ar achos eich hun, ysgrifennwch at {MAILBOX}" in body


def test_a_council_with_no_cases_gets_a_digest_of_noughts(tmp_path: Path) -> None:
    """Week 53 too: a council that has just started, or a quiet one."""
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, "")],
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n',
    ) as town:
        # Monday 28 December is a bank holiday: the week's digest is due on Tuesday 29.
        assert jobs.send_digests(town.app, london(2026, 12, 28, 8)).queued == []
        tuesday = london(2026, 12, 29, 8)
        assert sorted(jobs.send_digests(town.app, tuesday).queued) == [CHIEF, DANA]
        for row in rows(town.app, OutboxRow, OutboxRow.purpose == "digest"):
            assert row.dedup_key.endswith(":2026-W53")
            message = email.message_from_bytes(row.mime, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            subject = str(message["Subject"])
            assert subject.endswith("week of Monday 28 December 2026: 0 overdue, 0 due this week")
            text = body_text(message, "plain")
            assert "  Open:                 0" in text
            assert "No cases received in these weeks." in text
            assert "What to do" not in text
