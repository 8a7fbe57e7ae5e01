"""Paused cases are not forgotten: a case paused for an officer's out-of-office that nobody
redirects is chased once to whoever was asked to redirect it, and an officer's PAUSE that
nobody resumes is reminded once to its holder (mailbot/pause_chase.py). Real app (config
file, CSV directory, SQLite with migrations) on the memory mailbox; every assertion is on
the mail that left or the outbox rows. The digest's list: test_digest_paused.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, gmail_dsn, rows
from paused_council import DANA, JO, LEE, SAM, paused_council

from mailbot import jobs
from mailbot.store.tables import CaseRow, OutboxRow

# Wednesday 25 November 2026, 12:00 London (GMT).
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
THURSDAY, FRIDAY = NOW + timedelta(days=1), NOW + timedelta(days=2)
SECRET = "Mrs Smith at 4 Elm Road"

OFFICERS = [
    ("Sam Patel", SAM, "Highways", DANA, LEE),
    ("Lee Wong", LEE, "Highways", DANA, ""),
    ("Dana Reed", DANA, "Highways", "", ""),
]


def _council(home: Path, policy: str, config: str = "") -> Council:
    """Jo's council under `policy`: Sam's cases, Lee his deputy, Dana their manager."""
    return paused_council(home, OFFICERS, policy=policy, default_officer=SAM,
                          plain_utf8=False, reply_quotes=5, config=config)


@pytest.fixture
def colchester(tmp_path: Path) -> Iterator[Council]:
    """Colchester's pack pauses the clock while the officer is away (16(3))."""
    with _council(tmp_path / "colchester", "colchester") as made:
        yield made


@pytest.fixture
def wiltshire(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "wiltshire", "wiltshire") as made:
        yield made


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain")


def _open_case(
    council: Council, subject: str = "Pothole on Castle Road", at: datetime = NOW
) -> EmailMessage:
    """Jo's enquiry, copying Sam, an hour before `at`: the assignment Sam gets."""
    out = by_recipient(council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", subject, "A deep pothole by no. 12.", cc=SAM,
                     date=at - timedelta(hours=1)),
        at,
    ))
    return out[SAM]


def _away(council: Council, assignment: EmailMessage, at: datetime = NOW) -> EmailMessage:
    """Sam's out-of-office answers the assignment at `at`: the case pauses and Lee (Sam's
    deputy) is asked to redirect it. Lee's request."""
    out = council.deliver(council.mail(
        SAM, f"Automatic reply: {assignment['Subject']}", "On leave until 7 December.",
        in_reply_to=assignment["Message-ID"], extra="Auto-Submitted: auto-replied",
        date=at,
    ), at)
    [request] = out
    assert request["To"] == LEE and "response clock is paused" in _text(request)
    [paused] = rows(council.app, CaseRow, CaseRow.status == "paused")
    assert paused.officer_email == SAM
    return request


def _sweep(council: Council, now: datetime) -> list[EmailMessage]:
    """The daemon's reminder job, then the outbox flush: the mail that left."""
    jobs.send_reminders(council.app, now)
    return council.flush(now)


def _chases(council: Council) -> list[OutboxRow]:
    return rows(council.app, OutboxRow, OutboxRow.purpose == "pause_chase")


# -- the chase of an out-of-office pause ----------------------------------------------


def test_an_absence_nobody_redirects_is_chased_once_to_whoever_was_asked(
    colchester: Council,
) -> None:
    request = _away(colchester, _open_case(colchester))
    ref = colchester.case().ref
    # One working day on: not yet.
    assert _sweep(colchester, THURSDAY.replace(hour=10)) == []
    # Two working days on (Friday): Lee, who was asked, is chased.
    [chase] = _sweep(colchester, FRIDAY.replace(hour=10))
    assert chase["To"] == LEE
    assert chase["Subject"] == (
        f"Paused case still waiting to be redirected: enquiry from Cllr Jo Bloggs [{ref}]"
    )
    text = _text(chase)
    assert "paused since Wednesday 25 November 2026 (2 working days)" in text
    assert "because Sam Patel is out of the office" in text
    assert "You were asked on Wednesday 25 November 2026 to redirect it" in text
    assert f"Member:    Cllr Jo Bloggs ({JO})" in text
    assert "Subject:   Pothole on Castle Road" in text
    assert f"REASSIGN {LEE}" in text and "REASSIGN name@council.gov.uk" in text
    assert f"REASSIGN {LEE}" in body_text(chase, "html")
    # Never twice: the sweep again that day, the next working day, a week later.
    for later in (FRIDAY.replace(hour=11), FRIDAY.replace(hour=15),
                  NOW + timedelta(days=5, hours=-2), NOW + timedelta(days=7)):
        assert _sweep(colchester, later) == []
    assert [(r.status, r.recipients) for r in _chases(colchester)] == [("sent", LEE)]
    assert colchester.case().status == "paused"
    assert request["Message-ID"] != chase["Message-ID"]
    # Lee answers the chase as it says: the case is theirs and the clock runs again.
    out = colchester.deliver(
        colchester.reply(chase, LEE, f"REASSIGN {LEE}"), NOW + timedelta(days=7, hours=1)
    )
    case = colchester.case()
    assert case.status == "open" and case.officer_email == LEE
    assert any(m["To"] == LEE for m in out)


def test_no_chase_at_night_or_at_the_weekend(colchester: Council) -> None:
    _away(colchester, _open_case(colchester))
    saturday = NOW + timedelta(days=3)
    assert _sweep(colchester, FRIDAY.replace(hour=19)) == []  # after hours
    assert _sweep(colchester, saturday) == []
    assert _chases(colchester) == []
    [chase] = _sweep(colchester, saturday + timedelta(days=2, hours=-3))  # Monday 09:00
    assert chase["To"] == LEE


def test_the_working_days_skip_christmas(colchester: Council) -> None:
    """Paused on Wednesday 23 December 2026: two working days on is Tuesday 29 December
    (Friday 25 and Monday 28, the substitute Boxing Day, are bank holidays)."""
    wednesday = datetime(2026, 12, 23, 12, tzinfo=UTC)
    _away(colchester, _open_case(colchester, at=wednesday), wednesday)
    for day in (24, 25, 28):
        assert _sweep(colchester, datetime(2026, 12, day, 10, tzinfo=UTC)) == []
    [chase] = _sweep(colchester, datetime(2026, 12, 29, 9, 30, tzinfo=UTC))
    assert chase["To"] == LEE
    assert "paused since Wednesday 23 December 2026 (2 working days)" in _text(chase)


def test_a_bilingual_council_reminds_in_welsh_and_english(tmp_path: Path) -> None:
    with _council(tmp_path, "cardiff") as cardiff:
        assignment = _open_case(cardiff)
        cardiff.deliver(cardiff.reply(assignment, SAM, 'PAUSE "aros am yr aelod"'), NOW)
        [reminder] = _sweep(cardiff, datetime(2026, 12, 9, 10, tzinfo=UTC))
        assert reminder["Subject"] == (
            f"Case still paused / Achos yn dal wedi'i oedi [{cardiff.case().ref}]"
        )
        text = _text(reminder)
        assert "Paused by Sam Patel, and not resumed since." in text
        assert "Fe'i hoediwyd gan Sam Patel, ac nid yw wedi ailgychwyn ers hynny." in text
        assert "wedi'i oedi ers dydd Mercher 25 Tachwedd 2026 (10 diwrnod gwaith)" in text
        assert "Fe'i hoediwyd gan Sam Patel" in body_text(reminder, "html")


def test_a_chase_queued_but_not_sent_before_the_case_is_taken_is_withdrawn(
    colchester: Council,
) -> None:
    request = _away(colchester, _open_case(colchester))
    jobs.send_reminders(colchester.app, FRIDAY.replace(hour=10))
    [queued] = _chases(colchester)
    assert queued.status == "pending"
    # Lee takes the case from the first request before the outbox flushes the chase.
    taken = FRIDAY.replace(hour=10, minute=5)
    colchester.server.deliver(colchester.reply(request, LEE, f"REASSIGN {LEE}"))
    jobs.poll(colchester.app, taken)
    out = colchester.flush(taken)
    assert all("still waiting" not in str(m["Subject"]) for m in out)
    [withdrawn] = _chases(colchester)
    assert withdrawn.status == "withdrawn"
    assert "no longer paused" in withdrawn.last_error
    assert colchester.case().status == "open"


def test_a_redirect_within_the_days_is_never_chased(colchester: Council) -> None:
    request = _away(colchester, _open_case(colchester))
    colchester.deliver(colchester.reply(request, LEE, f"REASSIGN {LEE}"), THURSDAY)
    for day in range(2, 8):
        _sweep(colchester, NOW + timedelta(days=day, hours=-2))
    assert _chases(colchester) == []


def test_an_administrator_asked_is_told_to_pass_it_on_not_to_take_it(tmp_path: Path) -> None:
    """Alex has no deputy and no manager: the redirect request went to the default officer,
    an address outside officers.csv that cannot hold cases; so does the chase."""
    alex, triage = "alex.morgan@council.gov.uk", "triage@council.gov.uk"
    town = paused_council(
        tmp_path, [*OFFICERS, ("Alex Morgan", alex, "Waste", "", "")], policy="colchester",
        default_officer=triage, plain_utf8=False, reply_quotes=5,
    )
    with town:
        assignment = by_recipient(town.deliver(
            town.mail(f"Cllr Jo Bloggs <{JO}>", "Missed bin", "Not collected.", cc=alex,
                      date=NOW - timedelta(hours=1)), NOW))[alex]
        [request] = town.deliver(town.mail(
            alex, f"Automatic reply: {assignment['Subject']}", "Away.",
            in_reply_to=assignment["Message-ID"], extra="Auto-Submitted: auto-replied",
            date=NOW), NOW)
        assert request["To"] == triage
        [chase] = _sweep(town, FRIDAY.replace(hour=10))
        assert chase["To"] == triage
        text = _text(chase)
        assert "because Alex Morgan is out of the office" in text
        assert f"REASSIGN {triage}" not in text and "REASSIGN name@council.gov.uk" in text


def test_a_bounce_while_the_officer_is_away_goes_to_whoever_was_asked(
    colchester: Council,
) -> None:
    """Sam is away and the case paused: the notice that Jo's acknowledgement bounced goes
    to Lee, who was asked to take or pass the case on, saying why it came to him."""
    out = by_recipient(colchester.deliver(
        colchester.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                        "A deep pothole by no. 12.", cc=SAM, date=NOW - timedelta(hours=1)),
        NOW,
    ))
    _away(colchester, out[SAM])
    later = NOW + timedelta(hours=1)
    [told] = colchester.deliver(gmail_dsn(colchester, out[JO], JO), later)
    assert told["To"] == LEE
    assert str(told["Subject"]).startswith("Not delivered to the member: ")
    text = " ".join(_text(told).split())
    assert f"could not be delivered to {JO}" in text
    assert ("Sam Patel is out of the office and you were asked to take or pass on the case"
            in text)
    [row] = rows(colchester.app, OutboxRow, OutboxRow.purpose == "member_bounce")
    assert (row.recipients, row.status) == (LEE, "sent")
    # Once Lee has the case, what is told afterwards goes to Lee as its officer.
    colchester.deliver(colchester.reply(told, LEE, f"REASSIGN {LEE}"), later)
    assert colchester.case().officer_email == LEE


# -- the reminder of an officer's PAUSE -----------------------------------------------


def test_a_pause_nobody_resumes_is_reminded_once_to_its_holder(wiltshire: Council) -> None:
    assignment = _open_case(wiltshire)
    wiltshire.deliver(
        wiltshire.reply(assignment, SAM, 'PAUSE "waiting for the member\'s photos"'), NOW
    )
    assert wiltshire.case().status == "paused"
    # Ten working days from Wednesday 25 November: Wednesday 9 December.
    assert _sweep(wiltshire, datetime(2026, 12, 8, 15, tzinfo=UTC)) == []
    [reminder] = _sweep(wiltshire, datetime(2026, 12, 9, 10, tzinfo=UTC))
    assert reminder["To"] == SAM
    assert reminder["Subject"] == (
        f"Case still paused: enquiry from Cllr Jo Bloggs [{wiltshire.case().ref}]"
    )
    text = _text(reminder)
    assert ("paused since Wednesday 25 November 2026 (10 working days): "
            "\"waiting for the member's photos\"") in text
    assert "RESUME" in text and "DONE" in text
    assert _sweep(wiltshire, datetime(2026, 12, 10, 10, tzinfo=UTC)) == []
    assert [r.recipients for r in _chases(wiltshire)] == [SAM]


def test_the_pause_reminder_can_be_turned_off(tmp_path: Path) -> None:
    town = _council(tmp_path, "wiltshire", "[policy.reminders]\npause_reminder_after = 0\n")
    with town:
        assignment = _open_case(town)
        town.deliver(town.reply(assignment, SAM, 'PAUSE "waiting for the member"'), NOW)
        _sweep(town, datetime(2026, 12, 21, 10, tzinfo=UTC))
        assert _chases(town) == []
