"""One person, one mail, whichever form of an internationalised domain their address is
written in (caerdydd-ŵ.cymru, in ASCII xn--caerdydd--j9b.cymru, or with capitals):
a manager named in both forms in officers.csv gets one weekly digest; an officer whose
cases were stored under both forms (before cases were stored as officers.csv writes
the address) gets one daily summary listing all of them; an officer back from leave who
acts from the other form of their address is back; the council's list relay writing
its From in either form is still the relay. Judged by the mail that left and the
outbox rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import NOW, PLAIN_UTF8, Council, body_text, eml, rows, write_csv
from sqlalchemy import update
from test_stale_reminders import SendingRefused, put_right

from mailbot import jobs, reminders, retention
from mailbot.jobs import poll
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

UNICODE = "caerdydd-\u0175.cymru"
ASCII = "xn--caerdydd--j9b.cymru"
JONES, SAM, LEE, DANA = (f"{who}@{UNICODE}" for who in (
    "cllr.jones", "sam.patel", "lee.wong", "dana.reed"))
MAILBOX = f"ymholiadau@{UNICODE}"


def ascii_form(address: str) -> str:
    return address.replace(UNICODE, ASCII)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)  # GMT: UTC is London


def enquiry(it: Council, subject: str, when: datetime, cc: str = "") -> list[EmailMessage]:
    """Cllr Jones writes (her client writes the domain in its ASCII form)."""
    return it.deliver(it.mail(f"Cllr Eleri Jones <{ascii_form(JONES)}>", subject,
                              f"{subject}: please could someone look at it?", cc=cc,
                              date=when), when)


def recipient_domains(left: list[tuple[tuple[str, ...], EmailMessage]], local: str) -> list[str]:
    return [r for recipients, _ in left for r in recipients if r.startswith(f"{local}@")]


# -- the weekly digest ----------------------------------------------------------------

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def digest_council(tmp_path: Path) -> Iterator[Council]:
    """Dana manages Sam and Lee; Sam's row names her in Unicode, Lee's in ASCII. Sam has
    two cases, one stored under the ASCII form of his address."""
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cyngor Caerdydd",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Lee Wong", LEE, "Parks", ascii_form(DANA), ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=(f'[routing]\ndefault_officer = "{SAM}"\n'
                '[digest]\nday = "monday"\ntime = "08:00"\n'),
        mail_headers=PLAIN_UTF8,
    ) as it:
        yield it


def test_a_manager_named_in_both_forms_gets_one_digest_for_the_whole_team(
    digest_council: Council,
) -> None:
    it = digest_council
    received = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    enquiry(it, "Pothole on Heol y Castell", received)
    enquiry(it, "Broken swing in Parc y Rhath", received + timedelta(minutes=5), cc=LEE)
    enquiry(it, "Fly-tipping on Heol y Bont", received + timedelta(minutes=10))
    it.left()
    # One of Sam's cases stored under the ASCII form, as before cases took officers.csv's.
    with it.app.store.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.subject.startswith("Pothole"))
                        .values(officer_email=ascii_form(SAM)))
    jobs.send_digests(it.app, MONDAY)
    jobs.flush_outbox(it.app, MONDAY)
    left = it.left()
    digests = [(recipients, m) for recipients, m in left
               if str(m["Subject"]).startswith("Weekly digest")]
    # One digest, to Dana as officers.csv first names her (Sam's row), for both services.
    assert len(digests) == 1, [r for r, _ in digests]
    [(recipients, digest)] = digests
    assert recipients == (DANA,)
    text = body_text(digest, "plain")
    # All three cases, Sam's two on one line whichever form each is stored under.
    assert "  Open:                 3\r\n" in text
    assert text.count("Sam Patel") == 1
    assert "  Sam Patel                         2    0" in text
    assert "  Lee Wong                          1    0" in text
    [row] = rows(it.app, OutboxRow, OutboxRow.purpose == "digest")
    assert row.dedup_key == f"digest:{DANA}:team:2026-W49" and row.status == "sent"


def dana_named_first_in_ascii(it: Council) -> None:
    """officers.csv edited so that Lee's row, first, names Dana in the ASCII form."""
    write_csv(it.home / "officers.csv",
              ("name", "email", "service", "manager_email", "deputy_email"),
              [("Lee Wong", LEE, "Parks", ascii_form(DANA), ""),
               ("Sam Patel", SAM, "Highways", DANA, ""),
               ("Dana Reed", DANA, "Highways", "", "")])
    os.utime(it.home / "officers.csv", ns=(1, 1))  # a stamp of its own, however fast
    assert it.app.directory.refresh()


def test_officers_csv_naming_the_manager_first_in_the_other_form_brings_no_second_digest(
    digest_council: Council,
) -> None:
    """Monday's digest has gone to Dana; officers.csv is then edited so that the first
    row naming her writes her address in ASCII. The digest job runs all week: she gets
    no second digest, and one waiting (sending refused) still goes once."""
    it = digest_council
    enquiry(it, "Pothole on Heol y Castell", datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    it.left()
    jobs.send_digests(it.app, MONDAY)
    jobs.flush_outbox(it.app, MONDAY)
    dana_named_first_in_ascii(it)
    for hours in (2, 26):
        jobs.send_digests(it.app, MONDAY + timedelta(hours=hours))
        jobs.flush_outbox(it.app, MONDAY + timedelta(hours=hours))
    digests = [(r, m) for r, m in it.left() if str(m["Subject"]).startswith("Weekly digest")]
    assert [r for r, _ in digests] == [(DANA,)]
    assert [(r.dedup_key, r.status) for r in rows(
        it.app, OutboxRow, OutboxRow.purpose == "digest")] == [
        (f"digest:{DANA}:team:2026-W49", "sent")]


def test_a_digest_waiting_when_the_manager_is_named_first_in_the_other_form_goes_once(
    digest_council: Council,
) -> None:
    it = digest_council
    enquiry(it, "Pothole on Heol y Castell", datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    it.left()
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    jobs.send_digests(it.app, MONDAY)
    jobs.flush_outbox(it.app, MONDAY)
    dana_named_first_in_ascii(it)
    put_right(it, backend, MONDAY + timedelta(minutes=120))
    for minutes in (120, 135):
        jobs.send_digests(it.app, MONDAY + timedelta(minutes=minutes))
        jobs.flush_outbox(it.app, MONDAY + timedelta(minutes=minutes))
    digests = [(r, m) for r, m in it.left() if str(m["Subject"]).startswith("Weekly digest")]
    assert len(digests) == 1 and digests[0][0][0].startswith("dana.reed@")


# -- the daily summary ----------------------------------------------------------------

OPENED = at(date(2026, 11, 30), 10)  # Wiltshire: due in 10 working days, 14 December
THURSDAY = at(date(2026, 12, 10))  # two working days before: each case's reminder


@pytest.fixture
def summary_council(tmp_path: Path) -> Iterator[Council]:
    """Five enquiries for Sam (more than summary_above = 3 on one day): two stored under
    the ASCII form of his address and one in capitals, as cases were stored before they
    took the form officers.csv writes."""
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cyngor Caerdydd",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as it:
        for n in range(1, 6):
            enquiry(it, f"Blocked drain on Heol y Felin ({n})", OPENED)
        it.left()
        refs = sorted(c.ref for c in rows(it.app, CaseRow))
        assert len(refs) == 5
        stored = {refs[0]: ascii_form(SAM), refs[1]: ascii_form(SAM),
                  refs[2]: SAM.upper()}
        with it.app.store.transaction() as session:
            for ref, officer in stored.items():
                session.execute(update(CaseRow).where(CaseRow.ref == ref)
                                .values(officer_email=officer))
        yield it


def summaries(left: list[tuple[tuple[str, ...], EmailMessage]]) -> list[EmailMessage]:
    return [m for _, m in left if str(m["Subject"]).startswith("Your cases to answer")]


def test_an_officer_whose_cases_hold_both_forms_gets_one_summary_of_them_all(
    summary_council: Council,
) -> None:
    it = summary_council
    jobs.send_reminders(it.app, THURSDAY)
    jobs.flush_outbox(it.app, THURSDAY)
    left = it.left()
    [summary] = summaries(left)
    assert str(summary["Subject"]) == (
        "Your cases to answer: 0 overdue, 0 due today, 5 due soon - Thursday 10 December 2026"
    )
    text = body_text(summary, "plain")
    for case in rows(it.app, CaseRow):
        assert f"[{case.ref}]" in text
    # Nothing else went to Sam: no reminder alone for the cases in the other form.
    assert recipient_domains(left, "sam.patel") == [SAM]
    [row] = rows(it.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY)
    assert row.dedup_key == f"reminder_summary:{ascii_form(SAM)}:2026-12-10"
    assert row.recipients == SAM and row.status == "sent"
    listed = rows(it.app, OutboxRow, OutboxRow.purpose == "reminder")
    assert [(r.status, r.last_error) for r in listed] == [
        ("withdrawn", reminders.listed_reason(row.dedup_key))] * 5


def test_a_summary_waiting_from_before_takes_in_the_next_days_in_the_other_form(
    summary_council: Council,
) -> None:
    """Thursday's summary waited (sending refused) under the key an earlier mailbot
    wrote, the address in Unicode; Monday's is under the address_key. Only Monday's
    goes, listing Thursday's cases too."""
    it = summary_council
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    jobs.send_reminders(it.app, THURSDAY)
    jobs.flush_outbox(it.app, THURSDAY)
    old_key = f"reminder_summary:{SAM}:2026-12-10"
    with it.app.store.transaction() as session:
        [thursday] = session.query(OutboxRow).filter(
            OutboxRow.purpose == reminders.SUMMARY).all()
        new_key = thursday.dedup_key
        thursday.dedup_key = old_key
        session.execute(update(OutboxRow).where(
            OutboxRow.last_error == reminders.listed_reason(new_key)
        ).values(last_error=reminders.listed_reason(old_key)))
    monday = at(date(2026, 12, 14))
    put_right(it, backend, monday)
    jobs.send_reminders(it.app, monday)
    jobs.flush_outbox(it.app, monday)
    [summary] = summaries(it.left())
    assert str(summary["Subject"]).startswith("Your cases to answer: 0 overdue, 5 due today")
    by_key = {r.dedup_key: (r.status, r.last_error) for r in rows(
        it.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY)}
    monday_key = f"reminder_summary:{ascii_form(SAM)}:2026-12-14"
    assert by_key[monday_key][0] == "sent"
    assert by_key[old_key][0] == "withdrawn"
    assert monday_key in by_key[old_key][1]


# -- absence --------------------------------------------------------------------------

RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning


@pytest.fixture
def colchester(tmp_path: Path) -> Iterator[Council]:
    """Colchester pauses the clock while the officer is away, until someone redirects;
    Morgan is Sam's manager."""
    morgan = f"morgan.lee@{UNICODE}"
    with Council(
        tmp_path, mailbox=MAILBOX, name="Colchester City Council", policy="colchester",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", morgan, ""),
                  ("Morgan Lee", morgan, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=PLAIN_UTF8,
    ) as it:
        yield it


def away_while_sending_is_held(it: Council) -> SendingRefused:
    """Sam's assignment goes; his auto-reply, from the ASCII form of his address, is read
    while the mail server refuses to send."""
    [assignment] = [m for m in enquiry(it, "Pothole on Heol y Castell", RECEIVED)
                    if "Pothole" in str(m["Subject"]) and "sam.patel" in str(m["To"])]
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    later = RECEIVED + timedelta(minutes=10)
    it.deliver(it.mail(f"Sam Patel <{ascii_form(SAM)}>",
                       f"Automatic reply: {assignment['Subject']}",
                       "I am on leave until 7 December.",
                       in_reply_to=str(assignment["Message-ID"]),
                       extra="Auto-Submitted: auto-replied", date=later), later)
    assert it.case().status == "paused"
    return backend


def redirects(it: Council) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == "ooo_redirect")


def test_an_officer_back_acting_from_the_other_form_is_back(colchester: Council) -> None:
    it = colchester
    backend = away_while_sending_is_held(it)
    [asked] = redirects(it)
    assert asked.recipients == f"morgan.lee@{UNICODE}"
    back = RECEIVED + timedelta(days=1)
    ref = it.case().ref
    it.deliver(it.mail(f"Sam Patel <{ascii_form(SAM)}>", f"RE: Pothole [{ref}]", "RESUME",
                       date=back), back)
    assert it.case().status == "open"
    put_right(it, backend, back + timedelta(hours=1))
    jobs.flush_outbox(it.app, back + timedelta(hours=1))
    left = it.left()
    assert recipient_domains(left, "morgan.lee") == []
    [asked] = redirects(it)
    assert asked.status == "withdrawn"
    assert asked.last_error == f"{SAM} is back: they have acted on the case since"


def test_a_second_auto_reply_from_the_other_form_asks_no_second_time(
    colchester: Council,
) -> None:
    it = colchester
    backend = away_while_sending_is_held(it)
    [assignment] = rows(it.app, OutboxRow, OutboxRow.purpose == "assignment")
    again = RECEIVED + timedelta(hours=3)
    it.deliver(it.mail(f"Sam Patel <{SAM}>", "Automatic reply: Pothole",
                       "I am on leave until 7 December.",
                       in_reply_to=f"<{assignment.message_id.strip('<>')}>",
                       extra="Auto-Submitted: auto-replied", date=again), again)
    put_right(it, backend, again + timedelta(hours=1))
    jobs.flush_outbox(it.app, again + timedelta(hours=1))
    assert recipient_domains(it.left(), "morgan.lee") == [f"morgan.lee@{UNICODE}"]
    assert [r.status for r in redirects(it)] == ["sent"]


# -- the council's own list relay -----------------------------------------------------


def test_a_relay_writing_its_from_in_unicode_is_known_by_its_ascii_list_id(
    tmp_path: Path,
) -> None:
    """A Google Group on caerdydd-ŵ.cymru: its List-Id is ASCII (RFC 2919), as
    relay_list_ids must be, but its From may name the group's address in Unicode (an
    RFC 6532 header). The mail is the member's, as X-Original-Sender says."""
    relay_id = f"memberenquiries.{ASCII}"
    raw = eml("relay_google_group_member_enquiry.eml").decode()
    raw = raw.replace("jo.bloggs@wiltshire.gov.uk", ascii_form(JONES))
    raw = raw.replace('<memberenquiries@wiltshire.gov.uk>\nTo:',
                      f'<memberenquiries@{UNICODE}>\nTo:')
    raw = raw.replace("wiltshire.gov.uk", ASCII)
    assert f"From: \"'Cllr Jo Bloggs' via Member Enquiries\" <memberenquiries@{UNICODE}>" in raw
    with Council(
        tmp_path, mailbox=f"memberenquiries@{UNICODE}", name="Cyngor Caerdydd",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=(f'[routing]\ndefault_officer = "{SAM}"\n'
                f'[loops]\nrelay_list_ids = ["{relay_id}"]\n'),
    ) as it:
        it.server.deliver(raw.encode())
        poll(it.app, NOW)
        jobs.flush_outbox(it.app, NOW)
        [message] = rows(it.app, MessageRow)
        [case] = rows(it.app, CaseRow)
        left = it.left()
    assert message.status == "processed", message.reason
    assert case.known_member and case.member_name == "Cllr Eleri Jones"
    assert recipient_domains(left, "cllr.jones") == [ascii_form(JONES)]
    assert recipient_domains(left, "memberenquiries") == []  # nothing to the group


# -- an officer back from leave, and a member's name in the audit trail ---------------


@pytest.fixture
def with_deputy(tmp_path: Path) -> Iterator[Council]:
    """Wiltshire: a case whose officer is away goes to their deputy (Lee for Sam)."""
    with Council(
        tmp_path, mailbox=MAILBOX, name="Cyngor Caerdydd",
        members=[("Cllr Eleri Jones", JONES, "Castell", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", LEE),
                  ("Lee Wong", LEE, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
        mail_headers=PLAIN_UTF8,
    ) as it:
        yield it


def test_an_officer_writing_again_from_the_other_form_gets_new_cases_again(
    with_deputy: Council,
) -> None:
    """Sam's out-of-office (from his address as officers.csv has it) sends his case to
    Lee; the next day Sam writes from the ASCII form: he is back, and the member's next
    enquiry is his, not his deputy's."""
    it = with_deputy
    [assignment] = [m for m in enquiry(it, "Pothole on Heol y Castell", RECEIVED)
                    if "sam.patel" in str(m["To"])]
    away = RECEIVED + timedelta(minutes=10)
    it.deliver(it.mail(f"Sam Patel <{SAM}>", f"Automatic reply: {assignment['Subject']}",
                       "I am on leave until tomorrow.", extra="Auto-Submitted: auto-replied",
                       in_reply_to=str(assignment["Message-ID"]), date=away), away)
    assert it.case().officer_email == LEE
    back = RECEIVED + timedelta(days=1)
    it.deliver(it.mail(f"Sam Patel <{ascii_form(SAM)}>", f"RE: Pothole [{it.case().ref}]",
                       "REASSIGN " + ascii_form(SAM), date=back), back)
    later = back + timedelta(hours=2)
    enquiry(it, "Street light out on Heol y Bont", later)
    new = it.case()
    assert new.subject == "Street light out on Heol y Bont" and new.officer_email == SAM
    assert it.events("assigned")[-1].detail.startswith(f"to {SAM}")


def test_anonymising_a_case_takes_the_members_address_in_either_form_from_the_trail(
    with_deputy: Council,
) -> None:
    """Cllr Jones writes from one form of her address and again, in the case's thread,
    from the other: the trail names her by both until the case is anonymised."""
    it = with_deputy
    enquiry(it, "Pothole on Heol y Castell", RECEIVED)
    case = it.case()
    other = JONES if case.member_email != JONES else ascii_form(JONES)
    again = RECEIVED + timedelta(hours=1)
    it.deliver(it.mail(f"Cllr Eleri Jones <{other}>", f"RE: Pothole [{case.ref}]",
                       "It is getting deeper.", date=again), again)
    actors = {e.actor for e in rows(it.app, EventRow, EventRow.case_id == case.id)}
    assert other in actors, actors
    with it.app.store.transaction() as session:
        retention.anonymise_cases(session, [case.id], RECEIVED + timedelta(days=400))
    actors = {e.actor for e in rows(it.app, EventRow, EventRow.case_id == case.id)}
    whos = {c.who for c in rows(it.app, ClockEventRow, ClockEventRow.case_id == case.id)}
    assert not any("cllr.jones" in a for a in actors | whos), actors | whos
