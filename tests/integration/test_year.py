"""A year in the life of a council's shared mailbox, judged by what left it and what the
database holds at the end.

2027 under two policy packs (Wiltshire: no cutoff, acknowledge in 2 working days;
Colchester: a 17:00 cutoff, acknowledge in 1, important enquiries in 5, out-of-office
pauses, and a Christmas shutdown added in its config). The clock crosses both clock
changes (28 March, 31 October), Easter (26 and 29 March), the May and August bank
holidays and Christmas. Traffic is generated from a seed (printed with every failure;
set MAILBOT_YEAR_SEED to replay another year):

- members write enquiries, FOI requests, complaints and confidentiality requests, at
  any hour, some marked important, some copying an officer, some twice (the same
  Message-ID delivered again), and write again in the thread; a stranger writes too;
- officers answer the member (copying the mailbox), or reply DONE, EXTEND n "reason",
  PAUSE "reason" then RESUME, REASSIGN a colleague, CONFIDENTIAL OK, or say nothing
  until their manager is told; their out-of-office answers while they are away;
- robots write: a weekly newsletter, a payroll notice, bounces of mail to a member
  whose mailbox is full, a member's own out-of-office;
- a bank holiday is proclaimed in July for Monday 20 September (config edited, daemon
  restarted): open cases' dates move, answered ones keep theirs;
- the mailbox is down for a whole working day (a Monday); in October it is restored
  from a backup, so a month of mail already read is in the Inbox again under new UIDs;
  an officer leaves on 1 July
  (officers.csv edited, the daemon restarted with the routing rule moved to their
  successor), after which their address bounces and the default officer hands the
  cases on; the nightly purge runs at 03:30 with short retention periods.

The clock does not tick every hour: the daemon's jobs run at 03:30 every night, at
08:00, 09:00 and 17:00 on weekdays, at 10:00 at weekends, and two minutes after every
mail anyone sends (which is at any hour), so the run stays short.

The invariants (each a list of violations, all reported together):
no mail to a robot or a stranger, nor in reply to a robot's mail; no mail sent twice;
every message fetched recorded exactly once; one acknowledgement per member's case;
no reminder queued outside working hours or sent before its day; every due date as
tests/deadline_oracle.py reckons it; one digest per recipient per ISO week; after the
purge no raw mail past its retention, and every case's figures kept.
"""

from __future__ import annotations

import heapq
import logging
import os
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from deadline_oracle import (
    LONDON,
    PACKS,
    Calendar,
    council_calendar,
    due,
    foi_calendar,
    nth_working_day,
    receipt_day,
    reminder_schedule,
    working_days_after,
)
from helpers import Council, body_text, parse_sent, rows, write_csv
from sqlalchemy import select

from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.backends.retry import Backoff
from mailbot.chart import trend_png
from mailbot.health import MailboxHealth
from mailbot.model import FINISHED
from mailbot.scheduler import daemon_jobs
from mailbot.settings import load_settings
from mailbot.store.tables import CaseRow, ClockEventRow, MessageRow, OutboxRow

SEED = int(os.environ.get("MAILBOT_YEAR_SEED", "2027"))
START = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # Monday
END = datetime(2028, 1, 8, 0, 0, tzinfo=UTC)
LEAVING_DAY = date(2027, 7, 1)
RESTORE_DAY = date(2027, 10, 6)  # a Wednesday
PROCLAIMED = date(2027, 9, 20)  # a Monday made a bank holiday, announced on LEAVING_DAY
CLOSURES = {"colchester": [date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31)]}
RETENTION = {
    "dropped_mail_days": 30,
    "quarantined_mail_days": 90,
    "closed_case_mail_days": 60,
    "sent_mail_days": 90,
    "anonymise_cases_days": 200,
}
NO_SLEEP = Backoff(attempts=2, base=0.0, sleep=lambda _seconds: None)
ACK_BY_OFFICER = {"hackney": {"complaint"}}
REMINDER_PURPOSES = {"reminder", "overdue", "escalation"}

STREETS = ["Castle Road", "Mill Lane", "Station Road", "High Street", "Church Walk",
           "Marsh Lane", "Bridge Street", "Queen's Avenue", "Orchard Close", "The Green"]
TOPICS = ["pothole repair costs", "grass cutting contracts", "parking fines issued",
          "street light repairs", "agency staff spending", "bin collection complaints"]
ENQUIRIES = [
    ("Pothole on {street}", "There is a deep pothole outside no. {n} {street}. Please can "
     "it be repaired?", "sam"),
    ("Street light out on {street}", "The street light outside no. {n} {street} has been "
     "out for a week. Could someone fix it?", "sam"),
    ("Missed bins on {street}", "Bins on {street} were not collected this week. Please can "
     "you send the crew back?", "waste"),
    ("Fly-tipping on {street}", "Residents report fly-tipping behind {street}. Please can "
     "it be cleared?", "waste"),
]


@dataclass(frozen=True)
class People:
    """Everyone in one council, by role."""

    domain: str
    pack: str

    def at(self, local: str) -> str:
        return f"{local}@{self.domain}"

    @property
    def mailbox(self) -> str:
        return self.at("memberenquiries")

    @property
    def members(self) -> list[tuple[str, str, str, str]]:
        return [
            ("Cllr Jo Bloggs", self.at("jo.bloggs"), "Castle", "en"),
            ("Cllr Siân Evans", self.at("sian.evans"), "Trowbridge", "cy"),
            ("Cllr Ravi Shah", self.at("ravi.shah"), "Harbour", "en"),
            ("Cllr Mary Oduya", self.at("mary.oduya"), "Abbey", "en"),
            ("Cllr Tom Hughes", self.at("tom.hughes"), "Priory", "en"),
            ("Cllr Ann Lee", self.at("ann.lee"), "Park", "en"),
        ]

    def officers(self, leaver_gone: bool) -> list[tuple[str, str, str, str, str]]:
        everyone = [
            ("Sam Patel", self.at("sam.patel"), "Highways", self.at("dana.reed"),
             self.at("lee.wong")),
            ("Lee Wong", self.at("lee.wong"), "Highways", self.at("dana.reed"), ""),
            ("Dana Reed", self.at("dana.reed"), "Highways", "", ""),
            ("Alex Morgan", self.at("alex.morgan"), "Waste", self.at("pat.kerr"),
             self.at("chris.hall")),
            ("Chris Hall", self.at("chris.hall"), "Waste", self.at("pat.kerr"), ""),
            ("Pat Kerr", self.at("pat.kerr"), "Waste", "", ""),
        ]
        return [o for o in everyone if not (leaver_gone and o[1] == self.leaver)]

    @property
    def leaver(self) -> str:
        return self.at("alex.morgan")

    @property
    def default_officer(self) -> str:
        return self.at("lee.wong")

    @property
    def admin(self) -> str:
        return self.at("it.admin")

    @property
    def chief(self) -> str:
        return self.at("chief.executive")

    @property
    def teams(self) -> dict[str, str]:
        return {
            "foi": f"foi@{self.pack}.example",
            "complaint": f"complaints@{self.pack}.example",
            "monitoring": f"monitoring.officer@{self.pack}.example",
        }

    @property
    def robots(self) -> set[str]:
        return {
            "news@localgov-bulletin.example",
            "noreply@payroll.example",
            f"mailer-daemon@{self.domain}",
            "postmaster@mx.example",
        }

    @property
    def stranger(self) -> str:
        return "a.resident@example.net"

    def config(self, leaver_gone: bool) -> str:
        waste = self.at("chris.hall") if leaver_gone else self.leaver
        closures = ", ".join(
            f'{{ start = {d.isoformat()}, end = {d.isoformat()}, name = "Christmas shutdown" }}'
            for d in CLOSURES.get(self.pack, [])
        )
        # Proclaimed in the summer, as royal occasions are: added at the July restart.
        holidays = f'{{ date = {PROCLAIMED.isoformat()}, name = "State occasion" }}' if (
            leaver_gone) else ""
        retention = "".join(f"{k} = {v}\n" for k, v in RETENTION.items())
        return (
            f'[routing]\ndefault_officer = "{self.default_officer}"\n'
            f'[[routing.rules]]\nname = "waste"\nofficer = "{waste}"\n'
            'keywords = ["bin", "bins", "fly-tipping", "recycling"]\n'
            f'[[routing.rules]]\nname = "highways"\nofficer = "{self.at("sam.patel")}"\n'
            'keywords = ["pothole", "street light"]\n'
            f'[digest]\nrecipients = ["{self.chief}"]\n'
            f"[retention]\n{retention}"
            + f"[policy.calendar]\nclosures = [{closures}]\nextra_holidays = [{holidays}]\n"
        )


@dataclass(frozen=True)
class Sent:
    at: datetime
    recipients: tuple[str, ...]
    message: EmailMessage
    purpose: str
    case_id: int | None
    dedup_key: str

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def ref(self) -> str:
        found = self.subject.rpartition("[")[2].rstrip("]")
        return found if found.startswith("MB-") else ""


@dataclass
class Plan:
    """What the officer holding a case will do with it."""

    how: str
    officer: str


@dataclass
class World:
    """What people did: the mail they sent, and what the test expects of it."""

    delivered: Counter[str] = field(default_factory=Counter)  # Message-ID -> deliveries
    robot_ids: set[str] = field(default_factory=set)  # Message-IDs of robots' mail
    member_cases: dict[str, datetime] = field(default_factory=dict)  # original id -> sent
    extends: dict[tuple[str, date], int] = field(default_factory=dict)  # (ref, day) -> n
    plans: dict[tuple[str, str], Plan] = field(default_factory=dict)  # (ref, officer)
    # ref -> (the member's Message-ID, address, subject)
    originals: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)
    followed_up: set[str] = field(default_factory=set)
    away: dict[str, list[tuple[date, date]]] = field(default_factory=dict)
    bouncing: dict[str, tuple[date, date]] = field(default_factory=dict)
    member_away: dict[str, tuple[date, date]] = field(default_factory=dict)
    outage: date = date(2027, 1, 1)
    left: bool = False
    count: int = 0


Action = Callable[[], None]


class Year(Council):
    """One council, its daemon's jobs run at a fake time, and the people who use it."""

    def __init__(self, home: Path, pack: str, seed: int) -> None:
        self.people = People(f"{pack}.gov.uk", pack)
        self.rng = random.Random(f"{seed}:{pack}")
        self.pack = pack
        super().__init__(
            home,
            mailbox=self.people.mailbox,
            name=f"{pack.title()} Council",
            policy=pack,
            members=self.people.members,
            officers=self.people.officers(leaver_gone=False),
            admins=[self.people.admin],
            config=self.people.config(leaver_gone=False),
            message_ids=f"{pack}-",
        )
        self.now = START
        self.world = World()
        self.sent: list[Sent] = []
        self.events: list[tuple[datetime, int, Action]] = []
        self.ticks: list[tuple[datetime, bool]] = []  # (when, with the sweep)
        self.seq = 0
        self.tick_count = 0
        self.figures: dict[str, tuple[object, ...]] = {}
        self.open_at_proclamation: set[str] = set()
        self._start_daemon()

    # -- the daemon --------------------------------------------------------------------

    def _start_daemon(self) -> None:
        self.app.backend.backoff = NO_SLEEP  # type: ignore[attr-defined]
        self.jobs = daemon_jobs(self.app, MailboxHealth(self.app), clock=lambda: self.now)

    def restart(self) -> None:
        """The administrator edits officers.csv and the routing rule, and restarts."""
        self.app.close()
        write_csv(self.home / "officers.csv",
                  ("name", "email", "service", "manager_email", "deputy_email"),
                  self.people.officers(leaver_gone=True))
        config = self.home / "mailbot.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace(self.people.config(False), self.people.config(True)),
                          encoding="utf-8")
        self.app = build_app(load_settings(config), backend=MemoryMailbox(self.server, NO_SLEEP),
                             classifier=self.app.classifier)
        self._start_daemon()

    def tick(self, sweep: bool) -> None:
        """The jobs at `now`: the purge alone at 03:30; else the poll and the flush, with
        the reminder sweep and the digest at the fixed ticks and out of office hours
        (where they must do nothing), not at every mail in the day, which only costs
        time."""
        local = self.now.astimezone(LONDON)
        self.tick_count += 1
        if (local.hour, local.minute) == (3, 30):
            self.jobs["purge"]()
            return
        self.jobs["poll"]()
        if sweep:
            self.jobs["reminders"]()
            self.jobs["digest"]()
        self.jobs["flush"]()
        fresh = self.left()
        if not fresh:
            return
        ids = [str(m["Message-ID"]) for _, m in fresh]
        with self.app.store.transaction() as session:
            found = {
                r.message_id: (r.purpose, r.case_id, r.dedup_key)
                for r in session.scalars(select(OutboxRow).where(OutboxRow.message_id.in_(ids)))
            }
        for recipients, message in fresh:
            purpose, case_id, key = found.get(str(message["Message-ID"]), ("?", None, ""))
            item = Sent(self.now, recipients, message, purpose, case_id, key)
            self.sent.append(item)
            self.react(item)

    # -- scheduling ----------------------------------------------------------------------

    def on(self, when: datetime, action: Action) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, action))
        tick = when + timedelta(minutes=2)
        local = tick.astimezone(LONDON)
        heapq.heappush(self.ticks, (tick, local.weekday() >= 5 or not 8 <= local.hour < 18))

    def run(self, until: datetime = END) -> None:
        for tick in fixed_ticks(START, END):
            heapq.heappush(self.ticks, (tick, True))
        last = None
        while self.ticks:
            now, sweep = heapq.heappop(self.ticks)
            if now > until:
                break
            if now == last:
                continue  # two reasons to tick at the same minute: once is what a daemon does
            while self.events and self.events[0][0] <= now:
                when, _, action = heapq.heappop(self.events)
                self.now = when
                action()
            self.now = last = now
            self.tick(sweep or any(t == now and full for t, full in self.ticks[:1]))

    # -- mail ------------------------------------------------------------------------------

    def write(
        self, sender: str, subject: str, body: str, *, to: str = "", cc: str = "",
        in_reply_to: str = "", headers: tuple[str, ...] = (), robot: bool = False,
        again: bytes | None = None,
    ) -> str:
        """Deliver mail written now; its Message-ID."""
        if again is not None:
            raw = again
            message_id = parse_sent(raw)["Message-ID"]
        else:
            self.world.count += 1
            serial = f"{self.world.count}.{self.rng.randrange(10**6)}"
            message_id = f"<{self.pack}-{serial}@mail.example>"
            lines = [
                f"From: {sender}",
                f"To: {to or self.people.mailbox}",
                *([f"Cc: {cc}"] if cc else []),
                f"Subject: {subject}",
                f"Message-ID: {message_id}",
                # As mail clients write it: UK local time, +0100 in summer.
                f"Date: {format_datetime(self.now.astimezone(LONDON))}",
                *([f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
                  if in_reply_to else []),
                *headers,
            ]
            if not any(h.lower().startswith("content-type") for h in headers):
                lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"',
                          "Content-Transfer-Encoding: 8bit"]
            raw = ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()
        self.server.deliver(raw)
        message_id = str(message_id)
        self.world.delivered[message_id] += 1
        if robot:
            self.world.robot_ids.add(message_id)
        return message_id

    def later(self, delay: timedelta, action: Action) -> None:
        self.on(self.now + delay, action)

    def working_later(self, low_hours: float, high_hours: float) -> timedelta:
        """A delay that ends in office hours on a weekday (people answer at work)."""
        target = self.now + timedelta(hours=self.rng.uniform(low_hours, high_hours))
        local = target.astimezone(LONDON)
        while local.weekday() >= 5 or not 8 <= local.hour < 18:
            local = (local + timedelta(days=1)).replace(hour=self.rng.randint(8, 17),
                                                        minute=self.rng.randint(0, 59))
            while local.weekday() >= 5:
                local += timedelta(days=1)
        return local.astimezone(UTC) - self.now

    # -- what people do with mail that reaches them ------------------------------------------

    def react(self, sent: Sent) -> None:
        if sent.purpose == "ack" and sent.ref:
            topic = sent.subject.removeprefix("Re: ").removesuffix(f" [{sent.ref}]")
            self.world.originals[sent.ref] = (
                str(sent.message["In-Reply-To"]), sent.recipients[0], topic)
        if sent.purpose == "reopened" and sent.ref in self.world.answered:
            # The member wrote again: the case is the officer's to answer once more.
            self.world.answered.discard(sent.ref)
            for key in [k for k in self.world.plans if k[0] == sent.ref]:
                del self.world.plans[key]
        for recipient in sent.recipients:
            self.react_as(recipient, sent)

    def react_as(self, person: str, sent: Sent) -> None:
        world, today = self.world, self.now.astimezone(LONDON).date()
        if person == self.people.leaver and world.left:
            self.later(timedelta(minutes=3), lambda: self.bounce(sent, person))
            return
        if any(a <= today <= b for a, b in world.away.get(person, [])):
            if sent.purpose != "digest":
                self.later(timedelta(minutes=4), lambda: self.out_of_office(sent, person))
            return
        members = {m[1] for m in self.people.members}
        if person in members:
            self.member_reacts(person, sent, today)
            return
        if not sent.ref:
            return
        if sent.purpose in ("assignment", "ooo_redirect", "reopened") or (
            sent.purpose in REMINDER_PURPOSES | {"confidentiality_chase"}
        ):
            self.officer_reacts(person, sent)

    def member_reacts(self, member: str, sent: Sent, today: date) -> None:
        world = self.world
        bouncing = world.bouncing.get(member)
        if bouncing and bouncing[0] <= today <= bouncing[1]:
            self.later(timedelta(minutes=5), lambda: self.bounce(sent, member))
            return
        away = world.member_away.get(member)
        if away and away[0] <= today <= away[1] and sent.purpose == "ack":
            self.later(timedelta(minutes=1), lambda: self.out_of_office(sent, member))
            return
        if sent.purpose == "ack" and sent.ref and sent.ref not in world.followed_up:
            world.followed_up.add(sent.ref)
            roll = self.rng.random()
            if roll < 0.15:  # more detail, in the thread
                self.later(self.working_later(2, 60), lambda: self.write(
                    self.name_of(member), f"RE: {sent.subject}",
                    "One more thing: residents say it has got worse since I wrote. Thanks.",
                    in_reply_to=str(sent.message["Message-ID"])))
            elif roll < 0.20:  # the member's client sends the same reply twice
                def twice() -> None:
                    mid = self.write(self.name_of(member), f"RE: {sent.subject}",
                                     "Can you tell me when this will be looked at?",
                                     in_reply_to=str(sent.message["Message-ID"]))
                    raw = self.server.inbox[max(self.server.inbox)]
                    assert mid in raw.decode("utf-8", "replace")
                    self.later(timedelta(minutes=30), lambda: self.write(
                        "", "", "", again=raw))
                self.later(self.working_later(1, 30), twice)

    def name_of(self, address: str) -> str:
        for name, email, *_ in [*self.people.members, *self.people.officers(False)]:
            if email == address:
                return f"{name} <{email}>"
        return address

    def officer_reacts(self, officer: str, sent: Sent) -> None:
        world, rng, ref = self.world, self.rng, sent.ref
        if ref in world.answered:
            return
        plan = world.plans.get((ref, officer))
        if sent.purpose == "escalation":
            # The manager acts on it: nobody leaves a case overdue for the rest of the year.
            self.later(self.working_later(1, 20), lambda: self.command(sent, officer, "DONE"))
            return
        if plan is None:
            plan = self.make_plan(officer, sent)
            world.plans[(ref, officer)] = plan
            self.start(plan, sent)
        elif plan.how == "extend" and sent.purpose == "reminder" and (
                "Due today" not in sent.subject):
            n = rng.randint(2, 7)
            day = self.working_later(0.5, 6)
            world.plans[(ref, officer)] = Plan("answer-late", officer)

            def extend() -> None:
                world.extends[(ref, self.now.astimezone(LONDON).date())] = n
                self.command(sent, officer, f'EXTEND {n} "waiting for the contractor\'s survey"')
            self.later(day, extend)
            self.later(day + timedelta(days=rng.randint(3, 9)), lambda: self.answer(ref, officer))
        elif plan.how == "silent-then-done" and sent.purpose == "overdue":
            world.plans[(ref, officer)] = Plan("done", officer)
            self.later(self.working_later(1, 8), lambda: self.command(sent, officer, "DONE"))

    def make_plan(self, officer: str, sent: Sent) -> Plan:
        roll = self.rng.random()
        if officer in self.people.teams.values():
            return Plan("answer", officer)
        if "reassigned" in sent.dedup_key or officer == self.people.default_officer and (
            sent.purpose == "ooo_redirect"
        ):
            return Plan("answer", officer)
        for limit, how in ((0.35, "answer"), (0.5, "done"), (0.6, "extend"), (0.7, "pause"),
                           (0.78, "reassign"), (0.9, "silent-then-done")):
            if roll < limit:
                return Plan(how, officer)
        return Plan("silent", officer)

    def start(self, plan: Plan, sent: Sent) -> None:
        rng, ref, officer = self.rng, sent.ref, plan.officer
        if sent.purpose == "ooo_redirect" or (
            plan.officer == self.people.default_officer and "pass" in sent.subject.lower()
        ):
            colleague = self.people.at("chris.hall") if self.world.left else self.people.at(
                "lee.wong")
            self.later(self.working_later(1, 10),
                       lambda: self.command(sent, officer, f"REASSIGN {colleague}"))
            return
        if "Confidentiality request" in sent.subject and rng.random() < 0.7:
            self.later(self.working_later(0.5, 8),
                       lambda: self.command(sent, officer, "CONFIDENTIAL OK"))
        if plan.how == "answer":
            self.later(self.working_later(2, 24 * 9), lambda: self.answer(ref, officer))
        elif plan.how == "done":
            self.later(self.working_later(2, 24 * 12), lambda: self.command(sent, officer, "DONE"))
        elif plan.how == "pause":
            pause_in = self.working_later(4, 48)
            resume_in = pause_in + timedelta(days=rng.randint(2, 8))
            self.later(pause_in, lambda: self.command(
                sent, officer, 'PAUSE "waiting for the member to send photos"'))
            self.later(resume_in, lambda: self.command(sent, officer, "RESUME"))
            self.later(resume_in + timedelta(days=rng.randint(1, 6)),
                       lambda: self.command(sent, officer, "DONE"))
        elif plan.how == "reassign":
            colleague = {
                self.people.at("sam.patel"): self.people.at("lee.wong"),
                self.people.at("lee.wong"): self.people.at("sam.patel"),
            }.get(officer, self.people.at("chris.hall"))
            if colleague == officer or (colleague == self.people.leaver and self.world.left):
                colleague = self.people.at("lee.wong")
            self.later(self.working_later(1, 30),
                       lambda: self.command(sent, officer, f"REASSIGN {colleague}"))

    def command(self, sent: Sent, officer: str, line: str) -> None:
        if sent.ref in self.world.answered and line != "RESUME":
            return
        if line == "DONE":
            self.world.answered.add(sent.ref)
        self.write(self.name_of(officer), f"RE: {sent.subject}", f"{line}\n\nThanks",
                   in_reply_to=str(sent.message["Message-ID"]))

    def answer(self, ref: str, officer: str) -> None:
        """The officer replies to the member, copying in the mailbox."""
        if ref in self.world.answered or ref not in self.world.originals:
            return
        original, member, subject = self.world.originals[ref]
        self.world.answered.add(ref)
        self.write(self.name_of(officer), f"RE: {subject} [{ref}]",
                   "Dear Councillor,\n\nThe work has been booked for next week.\n\nRegards",
                   to=self.name_of(member), cc=self.people.mailbox, in_reply_to=original)

    def out_of_office(self, sent: Sent, person: str) -> None:
        self.write(self.name_of(person), f"Automatic reply: {sent.subject}",
                   "I am out of the office and will reply on my return. For urgent matters "
                   f"contact {self.people.at('dana.reed')}.",
                   in_reply_to=str(sent.message["Message-ID"]),
                   headers=("Auto-Submitted: auto-replied",), robot=True)

    def bounce(self, sent: Sent, address: str) -> None:
        boundary = f"b{self.world.count}"
        original = sent.message.as_bytes().decode("utf-8", "replace").split("\n\n", 1)[0]
        body = (
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
            f"Delivery to {address} failed: mailbox full or unknown.\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.{self.people.domain}\r\n\r\n"
            f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"{original.replace(chr(10), chr(13) + chr(10))}\r\n"
            f"--{boundary}--"
        )
        self.write(
            f"Mail Delivery System <mailer-daemon@{self.people.domain}>",
            "Undeliverable: " + sent.subject, body,
            in_reply_to=str(sent.message["Message-ID"]),
            headers=("MIME-Version: 1.0",
                     f'Content-Type: multipart/report; report-type=delivery-status; '
                     f'boundary="{boundary}"', "Auto-Submitted: auto-replied"),
            robot=True,
        )

    # -- the year's traffic ------------------------------------------------------------------

    def plan_year(self) -> None:
        rng, people, world = self.rng, self.people, self.world
        world.away = {
            people.at("sam.patel"): [(date(2027, 8, 9), date(2027, 8, 20))],
            people.at("chris.hall"): [(date(2027, 4, 12), date(2027, 4, 16))],
            people.at("lee.wong"): [(date(2027, 10, 25), date(2027, 10, 29))],
        }
        world.bouncing = {people.at("tom.hughes"): (date(2027, 5, 10), date(2027, 5, 21))}
        world.member_away = {people.at("ann.lee"): (date(2027, 9, 1), date(2027, 9, 14))}
        weekdays = [START.date() + timedelta(days=d) for d in range(30, 330)]
        # A Monday: the digest and the day's reminders wait for the mailbox too.
        world.outage = rng.choice([d for d in weekdays if d.weekday() == 0 and d.month not in (
            5, 8)])
        day = START.date()
        while datetime.combine(day, time(), UTC) < END - timedelta(days=7):
            for _ in range(rng.choice([1, 2, 3, 3, 4, 5])):
                self.on(self.member_time(day), self.member_writes)
            self.on(at_local(day + timedelta(days=1), 6, 15), self.newsletter)
            if day.day <= 7:
                self.on(at_local(day + timedelta(days=2), 23, 50), self.payroll_notice)
            if rng.random() < 0.3:
                self.on(self.member_time(day), self.stranger_writes)
            day += timedelta(days=7)
        # Around both clock changes, mail at the hour that happens twice or not at all.
        for sunday in (date(2027, 3, 28), date(2027, 10, 31)):
            for minute in (30, 75, 95):
                self.on(datetime.combine(sunday, time(0), UTC) + timedelta(minutes=minute),
                        self.member_writes)
        outage_start = at_local(world.outage, 0, 5)
        self.on(outage_start, lambda: self.server.fail_next(10**9))
        self.on(outage_start + timedelta(hours=23, minutes=40), lambda: self.server.fail_next(0))
        self.on(at_local(LEAVING_DAY, 7, 0), self.officer_leaves)
        self.on(at_local(LEAVING_DAY, 6, 0), self.take_figures)
        self.on(at_local(RESTORE_DAY, 2, 0), self.mailbox_restored)

    def mailbox_restored(self) -> None:
        """The mail server is restored from a backup: the last month's mail, already read,
        is in the Inbox again, under new UIDs (every cursor is stale)."""
        since = self.now - timedelta(days=30)
        self.server.expire_cursors()
        for raw in list(self.server.processed.values()):
            when = parse_sent(raw)["Date"].datetime
            if when >= since:
                self.write("", "", "", again=raw)

    def take_figures(self) -> None:
        """Each case's figures mid-year, to compare with what the purge leaves."""
        self.figures = {c.ref: figures(c) for c in rows(self.app, CaseRow)}
        self.open_at_proclamation = {
            c.ref for c in rows(self.app, CaseRow) if c.status not in FINISHED}

    def member_time(self, week: date) -> datetime:
        rng = self.rng
        day = week + timedelta(days=rng.choice([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6]))
        roll = rng.random()
        if roll < 0.15:  # right at a cutoff
            hour, minute = rng.choice([(16, 58), (16, 59), (17, 0), (17, 1)])
        elif roll < 0.35:
            hour, minute = rng.choice([6, 7, 18, 19, 21, 23]), rng.randrange(60)
        else:
            hour, minute = rng.randint(8, 16), rng.randrange(60)
        return at_local(day, hour, minute)

    def member_writes(self) -> None:
        rng, people = self.rng, self.people
        name, address, *_ = rng.choice(people.members)
        street, n = rng.choice(STREETS), rng.randint(1, 120)
        roll = rng.random()
        cc, headers = "", []
        if roll < 0.55:
            subject, body, route = rng.choice(ENQUIRIES)
            subject, body = subject.format(street=street), body.format(street=street, n=n)
            if rng.random() < 0.3:
                cc = people.at("sam.patel") if route == "sam" else (
                    people.at("chris.hall") if self.world.left else people.leaver)
            if rng.random() < 0.2:
                headers.append("Importance: high")
        elif roll < 0.72:
            topic = rng.choice(TOPICS)
            subject = f"Freedom of Information request: {topic}"
            body = ("Under the Freedom of Information Act please send me copies of the "
                    f"records of {topic} for 2026.")
        elif roll < 0.87:
            subject = "Complaint about how my enquiry was handled"
            body = ("I wish to make a formal complaint. The officer never replied to my "
                    f"enquiry about {street} and the service has been unacceptable. Please "
                    "investigate.")
        else:
            subject = "CONFIDENTIAL: a resident's circumstances"
            body = ("Please keep this confidential. Can advice about a resident at "
                    f"{n} {street} be given in confidence?")
            if rng.random() < 0.5:
                cc = people.at("sam.patel")
        subject = f"{subject} ({n})"  # members do not repeat a subject word for word
        message_id = self.write(f"{name} <{address}>", subject, body, cc=cc,
                                headers=tuple(headers))
        self.world.member_cases[message_id] = self.now
        if rng.random() < 0.06:  # delivered twice: a resync, a rule that copies it back
            raw = self.server.inbox[max(self.server.inbox)]
            self.later(timedelta(minutes=rng.choice([1, 90, 60 * 30])),
                       lambda: self.write("", "", "", again=raw))

    def stranger_writes(self) -> None:
        self.write(f"A Resident <{self.people.stranger}>", "Pothole near my house",
                   "There is a pothole outside my house on Mill Lane. Please fix it.")

    def newsletter(self) -> None:
        self.write("Local Gov Bulletin <news@localgov-bulletin.example>",
                   "This week in local government",
                   "Read this week's stories on our website.",
                   headers=("List-Id: <bulletin.localgov-bulletin.example>",
                            "List-Unsubscribe: <mailto:unsubscribe@localgov-bulletin.example>",
                            "Precedence: bulk"), robot=True)

    def payroll_notice(self) -> None:
        self.write("Payroll <noreply@payroll.example>", "Your payslip is ready",
                   "Your payslip is available in the portal.",
                   headers=("Auto-Submitted: auto-generated",), robot=True)

    def officer_leaves(self) -> None:
        self.world.left = True
        self.restart()


def figures(case: CaseRow) -> tuple[object, ...]:
    """What the statistics and the digest are made of."""
    return (case.kind, case.priority, case.status, case.received_at, case.ack_due,
            case.response_due, case.responded_at, case.officer_email, case.parent_id)


def at_local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


def fixed_ticks(start: datetime, end: datetime) -> Iterator[datetime]:
    """When the daemon's jobs run whether or not mail came (see the module docstring)."""
    day = start.date()
    while True:
        times = [(3, 30)] + [(8, 0)] * (day.weekday() == 0) + [(9, 0)] * (day.weekday() < 5)
        for hour, minute in times:
            moment = at_local(day, hour, minute)
            if moment > end:
                return
            if moment >= start:
                yield moment
        day += timedelta(days=1)


# -- the checks ------------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """ERROR lines the daemon wrote: each is a job that failed, or a message it lost."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logger = logging.getLogger("mailbot")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def check_what_left(year: Year) -> list[str]:
    people, world = year.people, year.world
    found = []
    never = people.robots | {people.stranger}
    for s in year.sent:
        to_robot = never & set(s.recipients)
        if to_robot:
            found.append(f"{s.at:%Y-%m-%d %H:%M} {s.purpose} to {to_robot}: {s.subject}")
        replied = str(s.message["In-Reply-To"] or "")
        if replied and replied in world.robot_ids:
            found.append(f"{s.at:%Y-%m-%d %H:%M} {s.purpose} to {s.recipients} answers a "
                         f"robot's mail {replied}: {s.subject}")
    seen: dict[tuple[tuple[str, ...], str, str], Sent] = {}
    for s in year.sent:
        key = (s.recipients, s.subject, body_text(s.message, "plain"))
        if key in seen:
            first = seen[key]
            found.append(f"sent twice, {first.at:%Y-%m-%d %H:%M} and {s.at:%Y-%m-%d %H:%M}: "
                         f"{s.purpose} to {s.recipients}: {s.subject}")
        seen[key] = s
    keys = Counter(s.dedup_key for s in year.sent)
    found += [f"dedup key {k} sent {n} times" for k, n in keys.items() if n > 1]
    ids = Counter(str(s.message["Message-ID"]) for s in year.sent)
    found += [f"Message-ID {k} sent {n} times" for k, n in ids.items() if n > 1]
    return found


def check_ledger(year: Year) -> list[str]:
    found = []
    messages = rows(year.app, MessageRow)
    by_id = Counter(m.message_id for m in messages)
    delivered = year.world.delivered
    # The ledger keeps Message-IDs without their angle brackets, or with: compare both.
    def bare(mid: str) -> str:
        return mid.strip().strip("<>")

    recorded = {bare(m.message_id): m for m in messages}
    for mid, n in delivered.items():
        row = recorded.get(bare(mid))
        if row is None:
            found.append(f"fetched but never recorded: {mid}")
        elif row.duplicates != n - 1:
            found.append(f"{mid} delivered {n} times, recorded with {row.duplicates} duplicates")
    found += [f"recorded {n} times: {mid}" for mid, n in by_id.items() if n > 1]
    ours = {bare(m) for m in delivered}
    found += [f"recorded, never delivered: {m.message_id}" for m in messages
              if bare(m.message_id) not in ours and m.folder == "inbox"]
    if year.server.inbox:
        found.append(f"{len(year.server.inbox)} message(s) still in the Inbox at the end")
    return found


def check_acknowledgements(year: Year) -> list[str]:
    found = []
    members = {m[1] for m in year.people.members}
    acks = Counter(s.case_id for s in year.sent if s.purpose == "ack")
    for case in rows(year.app, CaseRow):
        if case.kind in ACK_BY_OFFICER.get(year.pack, ()):
            continue  # the officer acknowledges these (Hackney 11.3), not mailbot
        if case.known_member or case.member_email in members:
            if acks[case.id] != 1:
                found.append(f"{case.ref} ({case.kind}, from a member) acknowledged "
                             f"{acks[case.id]} times")
        elif acks[case.id]:
            found.append(f"{case.ref} from {case.member_email} (not a member) acknowledged")
    return found


def check_reminders(year: Year) -> list[str]:
    found = []
    rules = PACKS[year.pack]
    cal = council_calendar(rules.nation, [*CLOSURES.get(year.pack, []), PROCLAIMED])
    with year.app.store.transaction() as session:
        queued = {r.message_id: r.created_at for r in session.scalars(
            select(OutboxRow).where(OutboxRow.purpose.in_(REMINDER_PURPOSES)))}
    for s in year.sent:
        if s.purpose not in REMINDER_PURPOSES:
            continue
        created = queued[str(s.message["Message-ID"])]
        local = london(created)
        if not (cal.working(local.date()) and time(9) <= local.time() < time(17)):
            found.append(f"{s.dedup_key} queued {local:%a %Y-%m-%d %H:%M}, outside working hours")
        went = london(s.at)
        if not (cal.working(went.date()) and time(9) <= went.time() < time(17)):
            found.append(f"{s.dedup_key} queued {local:%a %Y-%m-%d %H:%M}, sent "
                         f"{went:%a %Y-%m-%d %H:%M}, outside working hours")
        _, ref, due_text, kind, number = s.dedup_key.split(":")
        due_day = date.fromisoformat(due_text)
        plan = reminder_schedule(cal, due_day, count=max(5, int(number or 0)))
        earliest = {
            "before": plan.before,
            "due": plan.due_day,
            "overdue": plan.overdue[int(number) - 1] if number else None,
            "escalation": plan.escalation,
        }[kind]
        if earliest is not None and local.date() < earliest:
            found.append(f"{s.dedup_key} queued {local:%a %Y-%m-%d}, before its day {earliest}")
    return found


def check_late_notices_and_leavers(year: Year) -> list[str]:
    """A member is told their date has passed only once it has (on a working day after
    it), and only about a case of theirs; nobody is given a new case once they have left."""
    found = []
    rules = PACKS[year.pack]
    cal = council_calendar(rules.nation, [*CLOSURES.get(year.pack, []), PROCLAIMED])
    cases = {c.id: c for c in rows(year.app, CaseRow)}
    for s in year.sent:
        if s.purpose == "late_notice":
            due_day = date.fromisoformat(s.dedup_key.rsplit(":", 1)[1])
            sent_day = london(s.at).date()
            if sent_day <= due_day or not cal.working(sent_day):
                found.append(f"late notice {s.dedup_key} sent {sent_day:%a %Y-%m-%d}")
            case = cases.get(s.case_id or 0)
            if case is None or case.anonymised_at is None and (
                    s.recipients != (case.member_email,)):
                found.append(f"late notice {s.dedup_key} to {s.recipients}")
        if (s.purpose == "assignment" and year.people.leaver in s.recipients
                and london(s.at).date() >= LEAVING_DAY):
            found.append(f"{s.ref} assigned to {year.people.leaver} on {s.at:%Y-%m-%d}, "
                         "after they left")
    return found


def check_reminders_only_while_running(year: Year) -> list[str]:
    """No reminder or late notice about a case whose response clock was stopped (answered)
    or paused when it was queued."""
    found = []
    events: dict[int, list[ClockEventRow]] = defaultdict(list)
    for e in rows(year.app, ClockEventRow):
        if e.clock == "response":
            events[e.case_id].append(e)
    kinds = {c.id: c.kind for c in rows(year.app, CaseRow)}
    with year.app.store.transaction() as session:
        queued = {r.message_id: r.created_at for r in session.scalars(
            select(OutboxRow).where(OutboxRow.purpose.in_([*REMINDER_PURPOSES, "late_notice"])))}
    for s in year.sent:
        if s.purpose not in [*REMINDER_PURPOSES, "late_notice"] or s.case_id is None:
            continue
        created = queued[str(s.message["Message-ID"])]
        state = "running"
        for e in sorted(events[s.case_id], key=lambda e: e.at):
            if e.at > created:
                break
            if e.action == "stop":
                state = "stopped"
            elif e.action == "restart" or (e.action == "resume" and state != "running"):
                state = "running"  # a resume after a stop: that was a holding reply
            elif e.action == "pause" and state == "running" and not (
                    kinds[s.case_id] == "foi" and e.why.startswith("officer out of office")):
                state = "paused"
        if state != "running":
            found.append(f"{s.purpose} {s.dedup_key} queued {london(created):%Y-%m-%d %H:%M} "
                         f"while the clock was {state}")
    return found


def check_due_dates(year: Year) -> list[str]:
    """Each case's stored dates against the oracle, with its recorded pauses, extensions
    and restarts replayed on the oracle's own calendar."""
    found = []
    rules = PACKS[year.pack]
    events: dict[int, list[ClockEventRow]] = defaultdict(list)
    for e in rows(year.app, ClockEventRow):
        events[e.case_id].append(e)
    proclaimed_at = at_local(LEAVING_DAY, 7, 0)
    for case in rows(year.app, CaseRow):
        # The proclaimed holiday counts for every case open when it was proclaimed or
        # touched since (its dates are worked out again); a case answered before keeps
        # the date it was answered against.
        touched = case.received_at >= proclaimed_at or case.ref in year.open_at_proclamation or (
            any(e.at >= proclaimed_at for e in events[case.id]))
        closures = [*CLOSURES.get(year.pack, []), *([PROCLAIMED] if touched else [])]
        sent_at = year.world.member_cases.get(f"<{case.root_message_id.strip('<>')}>")
        if sent_at is not None and case.parent_id is None and case.received_at != sent_at:
            found.append(f"{case.ref}: received_at {case.received_at}, sent {sent_at}")
        ack = due(rules, case.kind, case.priority, case.received_at, "ack", closures)
        if case.ack_due != ack:
            found.append(f"{case.ref} {case.kind}: ack_due {case.ack_due}, oracle {ack}")
        expected = replay(year, case, sorted(events[case.id], key=lambda e: e.at), closures,
                          found)
        if expected != "skip" and case.response_due != expected:
            trail = "; ".join(f"{e.action} {london(e.at):%Y-%m-%d} {e.new_due or ''}"
                              for e in events[case.id] if e.clock == "response")
            found.append(f"{case.ref} {case.kind}/{case.priority} received "
                         f"{london(case.received_at):%a %Y-%m-%d %H:%M}: response_due "
                         f"{case.response_due}, oracle {expected} [{trail}]")
    return found


def replay(year: Year, case: CaseRow, events: list[ClockEventRow], closures: list[date],
           found: list[str]) -> date | None | str:
    """The response date from the receipt time and the clock events, counted by the
    oracle: a pause disregards the working days from its first to its last day (one that
    begins after the date has passed moves nothing), an extension of n days counts from
    the due date or, once that has passed, from the day it was asked for, a restart is a
    fresh clock from its own receipt day."""
    rules = PACKS[year.pack]
    statutory = case.kind == "foi"
    if statutory:  # a bank holiday anywhere in the UK stops the statutory clock too
        foi = foi_calendar(rules.nation)
        cal = Calendar(foi.name, foi.off | {d for d in closures if d == PROCLAIMED})
    else:
        cal = council_calendar(rules.nation, closures)
    if statutory:
        n = 20
    elif case.priority == "important":
        n = rules.important.get(case.kind, rules.response[case.kind])
    else:
        n = rules.response[case.kind]
    anchor = receipt_day(case.received_at, None if statutory else rules.cutoff)
    days, spans = n, []
    paused: date | None = None
    stopped = False

    def current() -> date:
        return nth_working_day(cal, anchor, days, spans)

    def end_pause(day: date) -> None:
        nonlocal paused
        if paused is not None and paused <= current():
            spans.append((paused, day))
        paused = None

    for e in events:
        if e.clock != "response":
            continue
        day = london(e.at).date()
        if stopped and e.action not in ("restart", "resume"):
            continue
        if e.action == "pause":
            if statutory and e.why.startswith("officer out of office"):
                continue
            if statutory:
                return "skip"  # a fees notice: not sent by this test
            if paused is None:
                paused = day
        elif e.action == "resume":
            # After a stop: what was taken for the answer was not; the date runs on.
            stopped = False
            end_pause(day)
        elif e.action == "stop":
            end_pause(day)
            stopped = True
        elif e.action == "restart":
            anchor = receipt_day(e.at, None if statutory else rules.cutoff)
            days, spans, paused, stopped = n, [], None, False
        elif e.action == "extend" and not statutory:
            asked = year.world.extends.get((case.ref, day))
            if asked is None:
                return "skip"  # an extension by date, or one the test did not send
            end_pause(day)
            due_now = current()
            target = nth_working_day(cal, day if due_now < day else due_now, asked)
            if e.new_due is not None and e.new_due != target:
                found.append(f"{case.ref}: EXTEND {asked} on {day} gave {e.new_due}, "
                             f"oracle {target}")
            anchor, days, spans = day, working_days_after(cal, day, target), []
    if paused is not None:
        return None
    return current()


def check_digests(year: Year) -> list[str]:
    found = []
    weeks: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for s in year.sent:
        if s.purpose == "digest":
            for r in s.recipients:
                weeks[r][london(s.at).isocalendar()[:2]] += 1
    expected = {year.people.chief, year.people.at("dana.reed"), year.people.at("pat.kerr")}
    missing = expected - set(weeks)
    if missing:
        found.append(f"no digest ever to {missing}")
    all_weeks = {london(t).isocalendar()[:2] for t in fixed_ticks(START, END - timedelta(days=4))}
    for r, count in weeks.items():
        found += [f"digest to {r} sent {n} times in week {w}" for w, n in count.items() if n > 1]
        if r in expected:
            found += [f"no digest to {r} in week {w}" for w in sorted(all_weeks - set(count))]
    return found


def check_retention(year: Year) -> list[str]:
    found = []
    last_purge = max(t for t in fixed_ticks(START, END) if london(t).hour == 3)
    cases = {c.id: c for c in rows(year.app, CaseRow)}
    for m in rows(year.app, MessageRow):
        if not m.raw:
            continue
        case = cases.get(m.case_id) if m.case_id else None
        if case is None:
            days = RETENTION["dropped_mail_days"] if m.status != "quarantined" else (
                RETENTION["quarantined_mail_days"])
            if m.received_at < last_purge - timedelta(days=days):
                found.append(f"{m.message_id} ({m.status}) received {m.received_at:%Y-%m-%d}"
                             " still has its raw mail")
        elif case.status in FINISHED and case.updated_at < last_purge - timedelta(
                days=RETENTION["closed_case_mail_days"]):
            found.append(f"{m.message_id} of {case.ref} ({case.status} since "
                         f"{case.updated_at:%Y-%m-%d}) still has its raw mail")
    for c in cases.values():
        if not (c.ref and c.kind and c.received_at and c.status) or (
                c.response_due is None and c.status != "paused"):
            found.append(f"{c.ref or c.id}: figures lost: {c.kind} {c.received_at} "
                         f"{c.response_due} {c.status}")
        if c.status in FINISHED and c.responded_at is None:
            found.append(f"{c.ref}: {c.status} with no responded_at")
    with year.app.store.transaction() as session:
        for row in session.scalars(select(OutboxRow).where(OutboxRow.mime != b"")):
            case = cases.get(row.case_id) if row.case_id else None
            went = row.sent_at or row.created_at
            if row.status in ("sent", "suppressed", "failed") and (
                    case is None or case.status in FINISHED) and went < last_purge - timedelta(
                    days=RETENTION["sent_mail_days"]):
                found.append(f"our {row.purpose} of {went:%Y-%m-%d} still has its MIME")
    for c in cases.values():
        if c.anonymised_at and figures(c) != year.figures.get(c.ref):
            found.append(f"{c.ref} anonymised with changed figures: {year.figures.get(c.ref)} "
                         f"became {figures(c)}")
    anonymised = [c for c in cases.values() if c.anonymised_at]
    if not anonymised:
        found.append("no case was anonymised in the year: the purge was not exercised")
    return found


@pytest.fixture
def quick_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest's trend chart takes matplotlib 0.4 s to draw, 160 times a year: each
    digest gets the first one drawn (the chart has tests of its own)."""
    drawn: list[bytes] = []

    def first_chart(*args: object, **kwargs: object) -> bytes:
        if not drawn:
            drawn.append(trend_png(*args, **kwargs))  # type: ignore[arg-type]
        return drawn[0]

    monkeypatch.setattr("mailbot.digest.send.trend_png", first_chart)


# Another council's year: MAILBOT_YEAR_PACKS=mwda,hackney,cardiff
PACKS_LIVED = os.environ.get("MAILBOT_YEAR_PACKS", "wiltshire,colchester").split(",")


@pytest.mark.parametrize("pack", PACKS_LIVED)
@pytest.mark.usefixtures("quick_charts")
def test_a_year(pack: str, tmp_path: Path, error_log: ErrorLog) -> None:
    year = Year(tmp_path / pack, pack, SEED)
    try:
        try:
            year.plan_year()
            year.run()
        except Exception as error:
            error.add_note(f"seed {SEED} ({pack}; MAILBOT_YEAR_SEED={SEED} replays it), at "
                           f"{year.now.astimezone(LONDON):%a %Y-%m-%d %H:%M} (London)")
            raise
        report = {
            "what left": check_what_left(year),
            "ledger": check_ledger(year),
            "acknowledgements": check_acknowledgements(year),
            "reminders": check_reminders(year),
            "reminders while answered or paused": check_reminders_only_while_running(year),
            "late notices and leavers": check_late_notices_and_leavers(year),
            "due dates": check_due_dates(year),
            "digests": check_digests(year),
            "retention": check_retention(year),
            "errors logged": [line for line in error_log.lines
                              if "the mailbox is unavailable" not in line],
        }
        purposes = Counter(s.purpose for s in year.sent)
        print(f"\n{pack} on {year.app.store.engine.dialect.name}, seed {SEED}: "
              f"{len(rows(year.app, CaseRow))} cases, {len(year.sent)} "
              f"mails sent {dict(purposes)}; outage on {year.world.outage}; "
              f"{year.tick_count} ticks")
    finally:
        year.close()
    failures = {k: v for k, v in report.items() if v}
    assert not failures, f"seed {SEED} ({pack}; MAILBOT_YEAR_SEED={SEED} replays it):\n" + (
        "\n".join(f"{k} ({len(v)}):\n  " + "\n  ".join(v[:15]) for k, v in failures.items()))
