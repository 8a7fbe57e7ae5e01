"""The officer's daily summary ('Your cases to answer') names a subject access request as
one, with data protection law's date, as the weekly digest does (22cabc9): it listed
'Enquiry: Mrs Smith's records', due on the protocol's date, and nothing said the law's
month (which no clock of the case keeps) ends Tuesday 29 December. Real app on the memory
mailbox; assertions on the summary that left."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text
from test_subject_access_reminders import SENT, at_ten, council, open_sar, working_days

from mailbot import jobs

SAM = "sam@{}.gov.uk"
ONE_SUMMARY = "[policy.reminders]\nsummary_above = 1\n"


def first_summary(place: Council, holder: str) -> EmailMessage:
    """The first daily summary to `holder` (two cases: more than summary_above)."""
    for day in working_days(date(2026, 11, 30), date(2026, 12, 18)):
        jobs.send_reminders(place.app, at_ten(day))
        for mail in place.flush(at_ten(day)):
            if str(mail["To"]) == holder and str(mail["Subject"]).startswith(
                    ("Your cases to answer", "Eich achosion")):
                return mail
    raise AssertionError("no summary")


def two_cases(place: Council, pack: str) -> tuple[str, str]:
    """A subject access request the FOI team passes to Sam, and a plain enquiry of his."""
    sar, assignment = open_sar(place, sender=f"Cllr Ann Lee <ann@{pack}.gov.uk>")
    later = SENT + timedelta(minutes=5)
    place.deliver(place.reply(assignment, str(assignment["To"]),
                              f"REASSIGN {SAM.format(pack)}", date=later), later)
    place.deliver(place.mail(f"Cllr Ann Lee <ann@{pack}.gov.uk>", "Mill Lane light",
                             "The streetlight on Mill Lane is out. Can it be fixed?",
                             date=later), later)
    plain = place.case()
    assert not plain.subject_access and plain.officer_email == SAM.format(pack)
    assert place.case(sar.ref).officer_email == SAM.format(pack)
    return sar.ref, plain.ref


def test_the_summary_names_a_subject_access_request_and_the_law_s_date(tmp_path: Path) -> None:
    with council(tmp_path, config=ONE_SUMMARY) as place:
        sar, plain = two_cases(place, "wiltshire")
        summary = first_summary(place, SAM.format("wiltshire"))
    text = body_text(summary, "plain")
    listed = text[text.index(f"[{sar}]"):]
    listed = listed[: listed.index("Member:")]
    assert ("What:      Enquiry (subject access request, law's date Tuesday 29 December "
            "2026): Mrs Smith's records") in listed
    other = text[text.index(f"[{plain}]"):]
    assert "What:      Enquiry: Mill Lane light" in other[: other.index("Member:")]
    html = " ".join(body_text(summary, "html").split())
    assert ("Enquiry (subject access request, law's date Tuesday 29 December 2026): "
            "Mrs Smith&#39;s records") in html


def test_the_welsh_summary_names_it_too(tmp_path: Path) -> None:
    with council(tmp_path, pack="cardiff", config=ONE_SUMMARY) as place:
        sar, _ = two_cases(place, "cardiff")
        summary = first_summary(place, SAM.format("cardiff"))
    text = " ".join(body_text(summary, "plain").split())
    assert ("Ymholiad (cais gwrthrych am wybodaeth, dyddiad y gyfraith dydd Mawrth 29 Rhagfyr "
            "2026): Mrs Smith's records") in text
    assert "Enquiry (subject access request, law's date Tuesday 29 December 2026)" in text
    html = " ".join(body_text(summary, "html").split())
    assert "cais gwrthrych am wybodaeth, dyddiad y gyfraith dydd Mawrth 29 Rhagfyr 2026" in html
