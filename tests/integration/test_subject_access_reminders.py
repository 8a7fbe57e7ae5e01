"""The law's month for a subject access request is not left to pass in silence: the case
runs on the protocol's enquiry clock, whose reminders stop while it is paused and end once
they are done, so the officer holding an unfinished case marked subject access is reminded
of data protection law's date itself, once before it (access_request_reminder.LEAD_DAYS
working days) and once when it has passed (mailbot/access_request_reminder.py). Real app
on the memory mailbox; assertions on the mail that left and the outbox rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import CaseRow, OutboxRow

SENT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
# One calendar month: Sunday 27 December, Monday 28 a bank holiday, so Tuesday 29.
MONTH = "Tuesday 29 December 2026"
# Five working days before it (Christmas Day and Monday 28 are bank holidays).
BEFORE = date(2026, 12, 18)
PASSED = date(2026, 12, 30)  # the first working day after it
SAR = (
    "My constituent Mrs Jane Smith would like a copy of all the personal data the council "
    "holds about her, under the Data Protection Act. She has signed an authority for me to "
    "act for her. This is a subject access request."
)
WELSH_SAR = (
    "Hoffai fy etholwr, Mrs Jane Smith, wneud cais gwrthrych am wybodaeth am y data personol "
    "sydd gan y cyngor amdani. Mae hi wedi llofnodi caniatâd i mi weithredu ar ei rhan."
)
SUBJECT = "Mrs Smith's records"


def council(home: Path, pack: str = "wiltshire", config: str = "") -> Council:
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", name=f"{pack.title()} Council", policy=pack,
        members=[("Cllr Ann Lee", f"ann@{domain}", "Castle", "en"),
                 ("Cllr Rhian Evans", f"rhian@{domain}", "Tref", "cy")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", ""),
                  ("Dee Okafor", f"dpo@{domain}", "Information Governance", "", "")],
        threshold=0.0,
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n' + config,
    )


def working_days(first: date, last: date) -> list[date]:
    """Every weekday from first to last (the sweep itself skips bank holidays)."""
    days = []
    while first <= last:
        if first.weekday() < 5:
            days.append(first)
        first += timedelta(days=1)
    return days


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def sar_reminders(place: Council, first: date, last: date) -> dict[date, list[EmailMessage]]:
    """Each day's sweep and flush: the subject access reminders that left, by day."""
    found: dict[date, list[EmailMessage]] = {}
    for day in working_days(first, last):
        jobs.send_reminders(place.app, at_ten(day))
        out = [m for m in place.flush(at_ten(day))
               if str(m["Subject"]).startswith(("Subject access request",
                                                "Cais gwrthrych am wybodaeth"))]
        if out:
            found[day] = out
    return found


def text_of(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def open_sar(place: Council, sender: str = "Cllr Ann Lee <ann@wiltshire.gov.uk>",
             subject: str = SUBJECT, body: str = SAR) -> tuple[CaseRow, EmailMessage]:
    out = place.deliver(place.mail(sender, subject, body, date=SENT), SENT)
    case = place.case()
    assert case.subject_access
    holder = case.officer_email or ""
    return case, next(m for m in out if str(m["To"]).endswith(holder))


def test_a_paused_case_is_reminded_before_and_after_the_month_once_each(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        holder = "foi@wiltshire.example"
        assert case.officer_email == holder
        # The officer pauses the enquiry clock for the requester's proof of identity: the
        # protocol's reminders stop, the law's date does not move.
        place.deliver(place.reply(assignment, holder, 'PAUSE "waiting for proof of ID"',
                                  date=SENT + timedelta(hours=1)), SENT + timedelta(hours=1))
        assert place.case().status == "paused"

        found = sar_reminders(place, date(2026, 11, 30), date(2027, 1, 15))
        assert sorted(found) == [BEFORE, PASSED]
        [before], [passed] = found[BEFORE], found[PASSED]
        for message in (before, passed):
            assert message["To"] == holder
            assert message["Subject"].endswith(f"[{case.ref}]")
        assert before["Subject"] == (
            f"Subject access request due by {MONTH}: Cllr Ann Lee [{case.ref}]")
        assert passed["Subject"] == (
            f"Subject access request past its legal date ({MONTH}): Cllr Ann Lee [{case.ref}]")

        text = text_of(before)
        assert f"{case.ref} from Cllr Ann Lee is a subject access request" in text
        assert f"one calendar month from receipt ends on {MONTH}" in text
        assert "5 working days left" in text
        assert f"Subject: {SUBJECT}" in text
        assert "Cllr Ann Lee (ann@wiltshire.gov.uk)" in text
        assert "Received: Friday 27 November 2026" in text
        assert "The case is paused" in text
        assert "RESUME" in text and "DONE" in text and "REASSIGN name@wiltshire.gov.uk" in text
        # The month may be extended by two further months only by telling the requester
        # within it.
        assert "two further months" in text
        html = " ".join(body_text(before, "html").split())
        assert case.ref in html and MONTH in html and "RESUME" in html

        text = text_of(passed)
        assert f"data protection law's one calendar month for it ended on {MONTH}" in text
        assert "1 working day ago" in text

        outbox = rows(place.app, OutboxRow,
                      OutboxRow.purpose == "access_request_reminder")
        assert [(r.status, r.dedup_key) for r in outbox] == [
            ("sent", f"access_request_reminder:{case.ref}:2026-12-29:before"),
            ("sent", f"access_request_reminder:{case.ref}:2026-12-29:passed"),
        ]
        timeline = [e.detail for e in place.events("access_request_reminder queued")]
        assert timeline == [f"before to {holder}", f"passed to {holder}"]
        # The officer answers the reminder as it says.
        place.deliver(place.reply(passed, holder, "DONE", date=at_ten(PASSED)),
                      at_ten(PASSED) + timedelta(hours=1))
        assert place.case().status == "responded"


def test_an_answered_case_and_an_enquiry_get_none(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Pothole",
                                 "There is a pothole on Castle Road by number 12.", date=SENT),
                      SENT)
        assert not place.case().subject_access
        place.deliver(place.reply(assignment, "foi@wiltshire.example", "DONE",
                                  date=SENT + timedelta(days=3)), SENT + timedelta(days=3))
        assert place.case(case.ref).status == "responded"
        assert sar_reminders(place, date(2026, 12, 1), date(2027, 1, 8)) == {}


def test_one_queued_then_answered_is_withdrawn(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        jobs.send_reminders(place.app, at_ten(BEFORE))
        [queued] = rows(place.app, OutboxRow, OutboxRow.purpose == "access_request_reminder")
        assert queued.status == "pending"
        place.server.deliver(place.reply(assignment, "foi@wiltshire.example", "DONE",
                                         date=at_ten(BEFORE)))
        jobs.poll(place.app, at_ten(BEFORE) + timedelta(minutes=5))
        out = place.flush(at_ten(BEFORE) + timedelta(minutes=5))
        assert all(not str(m["Subject"]).startswith("Subject access") for m in out)
        [withdrawn] = rows(place.app, OutboxRow,
                           OutboxRow.purpose == "access_request_reminder")
        assert withdrawn.status == "withdrawn"
        assert "answered" in (withdrawn.last_error or "")


def test_the_passed_reminder_copies_the_data_protection_officer(tmp_path: Path) -> None:
    dpo = '[policy.routing]\nsubject_access = "dpo@wiltshire.gov.uk"\n'
    with council(tmp_path, config=dpo) as place:
        case, assignment = open_sar(place)
        assert case.officer_email == "dpo@wiltshire.gov.uk"
        # Dee passes it to Sam, who holds it when the month ends.
        place.deliver(place.reply(assignment, "dpo@wiltshire.gov.uk",
                                  "REASSIGN sam@wiltshire.gov.uk",
                                  date=SENT + timedelta(hours=2)), SENT + timedelta(hours=2))
        found = sar_reminders(place, BEFORE, PASSED)
        [before], [passed] = found[BEFORE], found[PASSED]
        assert before["To"] == "sam@wiltshire.gov.uk" and before["Cc"] is None
        assert passed["To"] == "sam@wiltshire.gov.uk"
        assert passed["Cc"] == "dpo@wiltshire.gov.uk"


def test_a_confidential_case_names_no_subject(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, _ = open_sar(place)
        with place.app.store.transaction() as session:
            row = session.get(CaseRow, case.id)
            assert row is not None
            row.confidential = True
        [before] = sar_reminders(place, BEFORE, BEFORE)[BEFORE]
        assert SUBJECT not in before.as_string() and "Smith" not in text_of(before)
        assert "not repeated here" in text_of(before)


def test_welsh_and_english_at_a_bilingual_council(tmp_path: Path) -> None:
    with council(tmp_path, pack="cardiff") as place:
        case, _ = open_sar(place, "Cllr Rhian Evans <rhian@cardiff.gov.uk>",
                           "Cais gwrthrych am wybodaeth", WELSH_SAR)
        found = sar_reminders(place, BEFORE, PASSED)
        [before], [passed] = found[BEFORE], found[PASSED]
        assert before["Subject"] == (
            "Cais gwrthrych am wybodaeth erbyn dydd Mawrth 29 Rhagfyr 2026 / Subject access "
            f"request due by {MONTH}: Cllr Rhian Evans [{case.ref}]")
        text = text_of(before)
        assert "yn gais gwrthrych am wybodaeth" in text
        assert "i ben ar ddydd Mawrth 29 Rhagfyr 2026" in text
        assert f"one calendar month from receipt ends on {MONTH}" in text
        assert "yn gais gwrthrych am wybodaeth" in body_text(before, "html")
        assert "wedi mynd heibio" in text_of(passed)



@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])
def test_the_data_protection_officer_holding_it_is_not_told_to_tell_or_pass_it_to_themself(
    tmp_path: Path, pack: str,
) -> None:
    """Held by the data protection officer (the pack's subject_access address), the law's
    reminders said 'Please send the response now, and tell the data protection officer
    (dpo@...) why it is late' and 'REASSIGN ... to give it to a colleague, such as the data
    protection officer (dpo@...)' to that officer (Welsh too)."""
    dpo = f"dpo@{pack}.gov.uk"
    config = f'[policy.routing]\nsubject_access = "{dpo}"\n'
    with council(tmp_path, pack=pack, config=config) as place:
        sender = ("Cllr Ann Lee <ann@wiltshire.gov.uk>" if pack == "wiltshire"
                  else "Cllr Rhian Evans <rhian@cardiff.gov.uk>")
        case, _ = open_sar(place, sender)
        assert case.officer_email == dpo
        found = sar_reminders(place, BEFORE, PASSED)
        [before], [passed] = found[BEFORE], found[PASSED]
    for message in (before, passed):
        assert message["To"] == dpo and message["Cc"] is None
        for subtype in ("plain", "html"):
            said = " ".join(body_text(message, subtype).split())
            assert "such as the data protection officer" not in said
            assert "tell the data protection officer" not in said
            assert "fel y swyddog diogelu data" not in said
            assert "dywedwch wrth y swyddog diogelu data" not in said
    assert "Please send the response now: the requester may complain" in text_of(passed)


def test_an_officer_holding_it_is_still_told_to_tell_the_data_protection_officer(
    tmp_path: Path,
) -> None:
    config = '[policy.routing]\nsubject_access = "dpo@wiltshire.gov.uk"\n'
    with council(tmp_path, config=config) as place:
        _, assignment = open_sar(place)
        place.deliver(place.reply(assignment, "dpo@wiltshire.gov.uk",
                                  "REASSIGN sam@wiltshire.gov.uk",
                                  date=SENT + timedelta(hours=2)), SENT + timedelta(hours=2))
        [passed] = sar_reminders(place, PASSED, PASSED)[PASSED]
    assert ("tell the data protection officer (dpo@wiltshire.gov.uk) why it is late"
            in text_of(passed))
    assert "such as the data protection officer (dpo@wiltshire.gov.uk)" in text_of(passed)
