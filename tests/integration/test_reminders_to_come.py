"""`mailbot case` lists the reminders still to come (who, on which day), so that a person
can see what will happen without waiting for it. What it says must be what then leaves:
each working day is swept in turn and the mail that left is compared with the list.

A Wiltshire enquiry sent on Monday 14 December 2026 is due ten working days on, across
Christmas (Friday 25 and Monday 28 December are bank holidays): Wednesday 30 December.
The pack reminds two working days before and on the day, then every two working days,
the third of them an escalation to the manager, and tells the member when the date passes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from helpers import Council, by_recipient, rows

from mailbot import reminders
from mailbot.console import describe_case
from mailbot.render import long_date
from mailbot.store.tables import OutboxRow

DOMAIN = "wiltshire.gov.uk"
JO, SAM, DANA = f"jo@{DOMAIN}", f"sam@{DOMAIN}", f"dana@{DOMAIN}"
SENT = datetime(2026, 12, 14, 9, 30, tzinfo=UTC)
NAMES = {"Sam Patel": SAM, "Dana Reed": DANA, "Cllr Jo Bloggs": JO}
_LINE = re.compile(r"^  \w+day (\d+ \w+ \d{4}) +([^:,(]+?)(?:,| \(|:)")


def council(home: Path) -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}", policy="wiltshire",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def to_come(shown: str) -> set[tuple[date, str]]:
    """(day, recipient's address) for each dated line under "Reminders to come"."""
    part = shown.split("Reminders to come", 1)[1].split("\n\n", 1)[0]
    found = set()
    for line in part.splitlines():
        match = _LINE.match(line)
        if match:
            day = datetime.strptime(match[1], "%d %B %Y").date()
            found.add((day, NAMES[match[2].strip()]))
    return found


def test_the_reminders_listed_are_the_ones_that_then_leave(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
                           "Could someone fix the street light on Mill Lane please?",
                           date=SENT), SENT)
        ref = it.case().ref
        assert it.case().response_due == date(2026, 12, 30)
        shown = describe_case(it.app, ref, SENT + timedelta(hours=1)) or ""
        listed = to_come(shown)
        left: set[tuple[date, str]] = set()
        day = SENT + timedelta(days=1, hours=1)
        while day.date() <= date(2027, 1, 12):
            reminders.sweep(it.app, day)
            left.update((day.date(), address) for address in by_recipient(it.flush(day)))
            day += timedelta(days=1)
    assert listed == {
        (date(2026, 12, 24), SAM),  # two working days before
        (date(2026, 12, 30), SAM),  # the due day
        (date(2026, 12, 31), JO),  # told the date has passed
        (date(2027, 1, 4), SAM),  # overdue 1: Thu 31 Dec, (Fri 1 Jan a holiday), Mon 4 Jan
        (date(2027, 1, 6), SAM),  # overdue 2
        (date(2027, 1, 8), DANA),  # the escalation, Sam copied
    }, shown
    # After the escalation the officer is reminded weekly (overdue_every_after_escalation;
    # the list says so in words: "then Sam Patel every 5 working days while it is
    # overdue"), so nothing more by the 12th.
    assert left == listed
    assert "then Sam Patel every 5 working days while it is overdue" in shown


def test_nothing_to_come_once_the_case_is_paused_or_answered(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        out = by_recipient(it.deliver(it.mail(
            f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
            "Could someone fix the street light on Mill Lane please?", date=SENT), SENT))
        ref = it.case().ref
        later = SENT + timedelta(days=1)
        it.deliver(it.reply(out[SAM], f"Sam Patel <{SAM}>", 'PAUSE "waiting for the contractor"',
                            date=later), later)
        paused = describe_case(it.app, ref, later) or ""
    assert "no response reminders while the response clock is paused" in paused, paused


def test_sent_reminders_are_not_listed_again(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
                           "Could someone fix the street light on Mill Lane please?",
                           date=SENT), SENT)
        ref = it.case().ref
        christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
        reminders.sweep(it.app, christmas_eve)
        it.flush(christmas_eve)
        listed = to_come(describe_case(it.app, ref, christmas_eve) or "")
    assert (date(2026, 12, 24), SAM) not in listed
    assert min(listed) == (date(2026, 12, 30), SAM)


def test_an_acknowledgement_the_officer_owes_is_listed_and_then_sent(tmp_path: Path) -> None:
    """Hackney 11.3: the Director acknowledges a complaint (within three working days); the
    view lists their reminder on the day it is due, and that is the day it goes."""
    domain = "hackney.gov.uk"
    jo, sam, dana = f"jo@{domain}", f"sam@{domain}", f"dana@{domain}"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", policy="hackney", threshold=0.0,
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Reed", dana, "Highways", "", "")],
    ) as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{jo}>", "Complaint about my pothole reports",
                           "I wish to make a formal complaint: three reports were ignored "
                           "and nobody replied. I want this investigated.", cc=sam,
                           date=SENT), SENT)
        case = it.case()
        assert case.kind == "complaint" and case.ack_due is not None
        holder = str(case.officer_email)
        name = it.app.directory.officer_or_address(holder).name
        shown = describe_case(it.app, case.ref, SENT + timedelta(hours=1)) or ""
        line = f"{long_date(case.ack_due)} {name}: acknowledge the member"
        assert line in " ".join(shown.split("Reminders to come", 1)[1].split()), shown
        before = case.ack_due - timedelta(days=1)
        reminders.sweep(it.app, datetime.combine(before, time(11), UTC))
        assert "ack_reminder" not in [r.purpose for r in rows(it.app, OutboxRow)]
        reminders.sweep(it.app, datetime.combine(case.ack_due, time(11), UTC))
        sent = [r for r in rows(it.app, OutboxRow) if r.purpose == "ack_reminder"]
        assert [r.recipients for r in sent] == [holder]
