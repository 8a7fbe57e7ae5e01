"""The protocol's reminders of a subject access request name data protection law's date:
the officer's reminder before the protocol's date, the overdue reminders and the manager's
escalation gave only 'Reply by' (the protocol's date) and nothing said the case is one,
though the daily summary and the weekly digest say so. Each now has a line 'Law's date:'
(Welsh 'Dyddiad y gyfraith:'), in the summary's long dates; a plain enquiry beside it has
none. Real app on the memory mailbox; assertions on the mail that left."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from test_subject_access_reminders import MONTH, SENT, at_ten, open_sar, working_days

from mailbot import jobs

STEPS = ("Reminder", "Due today", "Overdue", "Escalation",
         "Nodyn atgoffa", "Ateb heddiw", "Yn hwyr", "Uwchgyfeirio")


def council(home: Path, pack: str) -> Council:
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", name=f"{pack.title()} Council", policy=pack,
        members=[("Cllr Ann Lee", f"ann@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", f"pat@{domain}", ""),
                  ("Pat Moss", f"pat@{domain}", "Highways", "", "")],
        threshold=0.0,
        # One mail per reminder, not the daily summary (tested on its own).
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n'
               "[policy.reminders]\nsummary_above = 5\n",
    )


def sar_and_plain(place: Council, pack: str) -> tuple[str, str]:
    """A subject access request passed to Sam, and a plain enquiry of his."""
    sar, assignment = open_sar(place, sender=f"Cllr Ann Lee <ann@{pack}.gov.uk>")
    later = SENT + timedelta(minutes=5)
    place.deliver(place.reply(assignment, str(assignment["To"]),
                              f"REASSIGN sam@{pack}.gov.uk", date=later), later)
    place.deliver(place.mail(f"Cllr Ann Lee <ann@{pack}.gov.uk>", "Mill Lane light",
                             "The streetlight on Mill Lane is out. Can it be fixed?",
                             date=later), later)
    plain = place.case()
    assert not plain.subject_access
    assert place.case(sar.ref).officer_email == f"sam@{pack}.gov.uk"
    return sar.ref, plain.ref


def reminders(place: Council, *refs: str) -> list[dict[str, EmailMessage]]:
    """The protocol's reminders about each of `refs` that left, by the first word of the
    Subject."""
    found: list[dict[str, EmailMessage]] = [{} for _ in refs]
    for day in working_days(date(2026, 11, 30), date(2026, 12, 24)):
        jobs.send_reminders(place.app, at_ten(day))
        for mail in place.flush(at_ten(day)):
            subject = str(mail["Subject"])
            for ref, of_ref in zip(refs, found, strict=True):
                if subject.endswith(f"[{ref}]") and subject.startswith(STEPS):
                    of_ref.setdefault(subject.split(":")[0].split(" ")[0], mail)
    return found


def words(mail: EmailMessage, subtype: str) -> str:
    return " ".join(body_text(mail, subtype).split())


def test_reminders_overdue_and_escalation_name_the_law_s_date(tmp_path: Path) -> None:
    with council(tmp_path, "wiltshire") as place:
        sar, plain = sar_and_plain(place, "wiltshire")
        found, others = reminders(place, sar, plain)
    assert {"Reminder", "Due", "Overdue", "Escalation"} <= set(found)
    assert found["Escalation"]["To"] == "pat@wiltshire.gov.uk"
    for mail in found.values():
        text = body_text(mail, "plain")
        assert (f"  Law's date: {MONTH} (a subject access request: data protection law's "
                "one calendar month from receipt)") in text
        html = words(mail, "html")
        assert f"Law's date</th><td><strong>{MONTH}</strong>" in html
        assert "subject access request" in html
    assert others
    for mail in others.values():
        assert "Law's date" not in body_text(mail, "plain")
        assert "Law's date" not in body_text(mail, "html")


def test_the_welsh_reminders_name_it_too(tmp_path: Path) -> None:
    with council(tmp_path, "cardiff") as place:
        sar, _ = sar_and_plain(place, "cardiff")
        [found] = reminders(place, sar)
    assert found
    for mail in found.values():
        text = words(mail, "plain")
        assert (f"Law's date: {MONTH} (a subject access request: data protection law's "
                "one calendar month from receipt)") in text
        assert ("Dyddiad y gyfraith: dydd Mawrth 29 Rhagfyr 2026 (cais gwrthrych am "
                "wybodaeth: un mis calendr cyfraith diogelu data o'r diwrnod y daeth i law)"
                ) in text
        html = words(mail, "html")
        assert "dydd Mawrth 29 Rhagfyr 2026" in html and MONTH in html
