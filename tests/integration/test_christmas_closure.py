"""Christmas at an English council (Wiltshire's pack): the council declares its Christmas
closure, Thursday 24 December 2026 to Friday 1 January 2027, in December while cases are
open, and restarts the daemon. What the members and officers get, read as the mail that
left: the member who was told a date the closure moves is told the new one and why,
once; nothing else is sent; reminders and the late notice keep off the closure and the
bank holidays (Christmas Day, the substitute Boxing Day on Monday 28 December, New
Year's Day) and follow the new date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows, shared_rules_classifier

from mailbot import jobs
from mailbot.app import build_app
from mailbot.backends.memory import MemoryMailbox
from mailbot.settings import load_settings
from mailbot.store.tables import OutboxRow

MAILBOX = "memberenquiries@wiltshire.gov.uk"
JO = "jo.bloggs@wiltshire.gov.uk"
SAM = "sam.patel@wiltshire.gov.uk"
DANA = "dana.reed@wiltshire.gov.uk"
# Monday 14 December 2026: ten working days on is Wednesday 30 December (Christmas Day
# and Monday 28 December, the substitute Boxing Day, skipped).
MONDAY_14 = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
# Wednesday 16 December, after work: the closure is added to the config, the daemon
# restarted; its first sweep works the open cases' dates out again.
DECLARED = datetime(2026, 12, 16, 18, 0, tzinfo=UTC)
CLOSURE = (
    "[policy.calendar]\n"
    'closures = [{ start = 2026-12-24, end = 2027-01-01, name = "Christmas closure" }]\n'
)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "wiltshire", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def _text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def _open_two_cases(council: Council) -> tuple[str, str]:
    """Two enquiries of Monday 14 December, each acknowledged with Wednesday 30 December;
    Sam answers the second with DONE on the Tuesday. (ref open, ref answered)"""
    refs = []
    for subject in ("Pothole on Castle Road", "Bins not collected on Mill Lane"):
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", subject,
                                           "Could someone look at this please?", cc=SAM,
                                           date=MONDAY_14), MONDAY_14)
        ack = next(m for m in out if str(m["To"]) == JO)
        assert "will respond by Wednesday 30 December 2026." in _text(ack)
        refs.append(council.case().ref)
    tuesday = MONDAY_14 + timedelta(days=1)
    council.deliver(council.mail(f"Sam Patel <{SAM}>", f"[{refs[1]}] bins", "DONE",
                                 date=tuesday), tuesday)
    council.left()
    return refs[0], refs[1]


def _declare_the_closure(council: Council) -> None:
    """The administrator adds the closure to mailbot.toml and restarts the daemon."""
    council.app.close()
    config = council.home / "mailbot.toml"
    config.write_text(config.read_text(encoding="utf-8") + CLOSURE, encoding="utf-8")
    council.app = build_app(load_settings(config), backend=MemoryMailbox(council.server),
                            classifier=shared_rules_classifier())


def _sweep(council: Council, now: datetime) -> list[EmailMessage]:
    jobs.send_reminders(council.app, now)
    return council.flush(now)


def test_the_member_told_a_date_the_closure_moves_is_told_the_new_date_once(
    council: Council,
) -> None:
    open_ref, answered_ref = _open_two_cases(council)
    before = len(rows(council.app, OutboxRow))
    _declare_the_closure(council)

    out = _sweep(council, DECLARED)
    again = _sweep(council, DECLARED + timedelta(minutes=15))

    # 24 Dec is closed, 25 Dec and 28 Dec bank holidays, 29-31 Dec closed, 1 Jan a bank
    # holiday: of the ten working days, seven fall before the closure (15-23 Dec) and the
    # rest on Mon 4, Tue 5 and Wed 6 January.
    assert council.case(open_ref).response_due == date(2027, 1, 6)
    [letter] = out  # to the member of the open case only: not Sam, not the answered case
    assert (str(letter["To"]), letter["Cc"]) == (JO, None)
    assert str(letter["Subject"]) == f"Re: Pothole on Castle Road [{open_ref}]"
    assert str(letter["In-Reply-To"]) == "<t1@test.example>"
    text = _text(letter)
    assert (f"the full response to your enquiry ({open_ref}) will not be ready by Wednesday "
            "30 December 2026 as we said.") in text
    assert ("The reason, and what is being done: the council's offices are closed (Christmas "
            "closure) from Thursday 24 December 2026 to Friday 1 January 2027, and those days "
            "do not count towards the time to answer.") in text
    assert "Sam Patel (Highways) will send you a full response by Wednesday 6 January 2027." \
        in text
    assert "Christmas closure" in body_text(letter, "html")
    assert again == []
    # One letter in the outbox for the open case; none for the answered one.
    [queued] = rows(council.app, OutboxRow)[before:]
    assert (queued.purpose, queued.case_id) == ("extension_notice", council.case(open_ref).id)
    assert council.case(answered_ref).response_due == date(2026, 12, 30)  # answered: kept


def test_reminders_and_the_late_notice_keep_off_the_closure_and_bank_holidays(
    council: Council,
) -> None:
    open_ref, _ = _open_two_cases(council)
    _declare_the_closure(council)
    _sweep(council, DECLARED)
    council.left()

    got: dict[date, list[tuple[str, str]]] = {}
    day = date(2026, 12, 17)
    while day <= date(2027, 1, 8):
        for hour in (0, 9, 12, 16):  # midnight, the first sweep in hours, noon, late
            moment = datetime(day.year, day.month, day.day, hour, 5, tzinfo=UTC)
            for mail in _sweep(council, moment):
                got.setdefault(day, []).append((str(mail["To"]), str(mail["Subject"])))
        day += timedelta(days=1)

    assert sorted(got) == [date(2027, 1, 4), date(2027, 1, 6), date(2027, 1, 7),
                           date(2027, 1, 8)], got
    assert [to for to, _ in got[date(2027, 1, 4)]] == [SAM]  # two working days before
    assert [to for to, _ in got[date(2027, 1, 6)]] == [SAM]  # due today
    assert [to for to, _ in got[date(2027, 1, 7)]] == [JO]  # told it is late, the day after
    assert [to for to, _ in got[date(2027, 1, 8)]] == [SAM]  # overdue 1
    assert open_ref in got[date(2027, 1, 7)][0][1]


def test_a_member_with_many_cases_moved_is_told_of_each(tmp_path: Path) -> None:
    # The per-recipient cap is for automatic replies to mail (a loop's brake): these
    # letters answer no mail and go once per case and date, as reminders do, so a busy
    # member's are not held back as a loop would be (here the cap is one an hour).
    with Council(
        tmp_path / "wiltshire", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n[loops]\nmax_per_recipient = 1\n'
               "window_hours = 1\n",
    ) as council:
        refs = []
        for number, hours in enumerate((10, 12, 14)):  # one acknowledgement an hour or more apart
            at = MONDAY_14.replace(hour=hours)
            council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", f"Streetlight {number}",
                                         "The street light is out.", date=at), at)
            refs.append(council.case().ref)
        council.left()
        _declare_the_closure(council)

        out = _sweep(council, DECLARED)

        assert sorted(str(m["Subject"]) for m in out) == sorted(
            f"Re: Streetlight {n} [{ref}]" for n, ref in enumerate(refs))
        assert [r.status for r in rows(council.app, OutboxRow,
                                       OutboxRow.purpose == "extension_notice")] == ["sent"] * 3
