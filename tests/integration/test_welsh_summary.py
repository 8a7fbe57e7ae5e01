"""A bilingual council's busy officer gets one daily summary, in Welsh and English, as
Wiltshire's officers get one in English (test_reminder_summary.py); judged by the MIME
that left and the outbox rows.

Cardiff's pack (policy language "cy-en"): answer in 10 working days; reminders 2 working
days before, on the day, then every 2 working days overdue; the manager at the third
overdue step; more than 3 reminders to one officer on one day go as one summary (the
default `summary_above = 3`). Cases opened on Monday 30 November 2026 are due on Monday
14 December.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs, reminders
from mailbot.store.tables import CaseRow, OutboxRow

D = "cardiff.gov.uk"
MAILBOX = f"ymholiadau@{D}"
SIAN, JO = f"sian.evans@{D}", f"jo.bloggs@{D}"
SAM, DANA = f"sam.patel@{D}", f"dana.reed@{D}"
MEMBERS = [("Cllr Siân Evans", SIAN, "Llandaf", "cy"), ("Cllr Jo Bloggs", JO, "Castle", "en")]
OFFICERS = [("Sam Patel", SAM, "Priffyrdd", DANA, ""), ("Dana Reed", DANA, "Priffyrdd", "", "")]
OPENED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # GMT: UTC is London


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def cardiff(home: Path, writers: Sequence[str], config: str = "") -> Council:
    """Cardiff with one case for Sam per entry of `writers` (a member's address), all
    opened on Monday 30 November."""
    place = Council(
        home, name="Cyngor Caerdydd", policy="cardiff", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n' + config,
    )
    names = {SIAN: "Cllr Siân Evans", JO: "Cllr Jo Bloggs"}
    for n, writer in enumerate(writers, start=1):
        place.deliver(place.mail(
            f"{names[writer]} <{writer}>", f"Draen wedi blocio ar Heol y Felin ({n})",
            f"The drain outside {n} Mill Road is blocked again; please send someone.",
            cc=SAM, date=OPENED), OPENED)
    place.left()
    return place


def to_sam(place: Council, day: date) -> list[EmailMessage]:
    """The sweep and the flush on `day` at 9: the reminder mail that left for Sam."""
    jobs.send_reminders(place.app, at(day))
    return [m for m in place.flush(at(day)) if str(m["To"]) == SAM]


def parts(message: EmailMessage, subtype: str) -> tuple[str, str]:
    """(first language, second language) of a bilingual mail's text or HTML part."""
    text = body_text(message, subtype).replace("\r\n", "\n")
    if subtype == "plain":
        first, _, second = text.partition("-" * 60)
    else:
        first, _, second = text.partition("<hr ")
    return first, second


def test_a_busy_officer_of_a_bilingual_council_gets_one_summary_in_both_languages(
    tmp_path: Path,
) -> None:
    """Four of Jo's cases and one of Siân's: English first (not every member chose
    Welsh), every case in both parts with its Welsh and English dates."""
    with cardiff(tmp_path, [JO, JO, JO, JO, SIAN]) as place:
        [summary] = to_sam(place, date(2026, 12, 10))
        assert str(summary["Subject"]) == (
            "Your cases to answer: 0 overdue, 0 due today, 5 due soon - Thursday 10 December "
            "2026 / Eich achosion i'w hateb: 0 yn hwyr, 0 heddiw, 5 cyn bo hir - dydd Iau 10 "
            "Rhagfyr 2026"
        )
        english, welsh = parts(summary, "plain")
        assert english.startswith("(Cymraeg isod)\n\nDear Sam Patel,")
        assert "5 of your cases need a response." in english
        assert welsh.lstrip().startswith("Annwyl Sam Patel,")
        assert "Mae angen ymateb i 5 o'ch achosion." in welsh
        refs = [c.ref for c in rows(place.app, CaseRow, CaseRow.officer_email == SAM)]
        assert len(refs) == 5
        for ref in refs:
            assert f"[{ref}] due in 2 working days" in english
            assert f"[{ref}] ateb ymhen 2 ddiwrnod gwaith" in welsh
        assert english.count("Reply by:  Monday 14 December 2026") == 5
        assert welsh.count("Ateb erbyn:  dydd Llun 14 Rhagfyr 2026") == 5
        assert welsh.count("Derbyniwyd:  dydd Llun 30 Tachwedd 2026") == 5
        assert welsh.count("Gorchmynion: DONE, EXTEND neu REASSIGN") == 5
        assert "Cllr Siân Evans <sian.evans@cardiff.gov.uk>, ward Llandaf" in welsh
        assert "December" not in welsh and "Rhagfyr" not in english
        html_en, html_cy = parts(summary, "html")
        assert "<title>Your cases to answer / Eich achosion i'w hateb</title>" in html_en
        assert "Dear Sam Patel" in html_en and "Annwyl Sam Patel" in html_cy
        for ref in refs:
            assert f"mailto:{MAILBOX}?subject=%5B{ref}%5D" in html_cy
        assert html_cy.count("dydd Llun 14 Rhagfyr 2026") == 5
        # Each case's reminder kept back in the ledger, as in an English council.
        key = f"reminder_summary:{SAM}:2026-12-10"
        listed = rows(place.app, OutboxRow, OutboxRow.purpose == "reminder")
        assert [(r.status, r.last_error) for r in listed] == [
            ("withdrawn", f"listed in the daily summary {key}")] * 5
        [row] = rows(place.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY)
        assert (row.status, row.dedup_key) == ("sent", key)
        # The sweep runs every few minutes: nothing more that day.
        jobs.send_reminders(place.app, at(date(2026, 12, 10), 14))
        assert [m for m in place.flush(at(date(2026, 12, 10), 14))
                if str(m["To"]) == SAM] == []


def test_a_summary_of_welsh_members_cases_is_welsh_first_and_says_what_is_overdue(
    tmp_path: Path,
) -> None:
    """Every case Siân's: Welsh first, as each reminder alone would be. Two working days
    after the date it says how late, that Siân has been told, and when Dana is asked."""
    with cardiff(tmp_path, [SIAN] * 4) as place:
        [soon] = to_sam(place, date(2026, 12, 10))
        assert str(soon["Subject"]).startswith(
            "Eich achosion i'w hateb: 0 yn hwyr, 0 heddiw, 4 cyn bo hir - dydd Iau 10 "
            "Rhagfyr 2026 / Your cases to answer:")
        welsh, english = parts(soon, "plain")
        assert welsh.startswith("(English below)\n\nAnnwyl Sam Patel,")
        assert "4 of your cases need a response." in english
        assert '<html lang="cy">' in body_text(soon, "html")

        [due] = to_sam(place, date(2026, 12, 14))
        assert str(due["Subject"]).startswith(
            "Eich achosion i'w hateb: 0 yn hwyr, 4 heddiw, 0 cyn bo hir - dydd Llun 14")
        assert parts(due, "plain")[0].count("] ATEB HEDDIW") == 4

        day = date(2026, 12, 16)
        jobs.send_reminders(place.app, at(day))
        left = place.flush(at(day))
        [overdue] = [m for m in left if str(m["To"]) == SAM]
        assert str(overdue["Subject"]).startswith("Eich achosion i'w hateb: 4 yn hwyr, ")
        welsh, english = parts(overdue, "plain")
        assert welsh.count("] 2 ddiwrnod gwaith YN HWYR") == 4
        assert english.count("] OVERDUE by 2 working days") == 4
        assert welsh.count(
            "Os na fydd ymateb na dyddiad newydd erbyn dydd Mawrth 22 Rhagfyr 2026, bydd yr "
            "achos yn cael ei gyfeirio at Dana Reed.") == 4
        assert welsh.count("Dywedwyd wrth Cllr Siân Evans fod y dyddiad wedi mynd heibio") == 4
        assert "22 December" not in welsh
        # Siân herself was told, once per case, Welsh first (Cardiff: tell_member_when_late).
        assert [str(m["To"]) for m in left].count(SIAN) == 4


def test_an_officer_whose_out_of_office_is_heard_keeps_each_reminder_alone(
    tmp_path: Path,
) -> None:
    """The exclusion that stays: an out-of-office answering a summary could not say which
    case it is about, so this officer gets five bilingual reminders, one per case."""
    with cardiff(tmp_path, [JO] * 5, "[loops]\nofficer_auto_replies = true\n") as place:
        sent = to_sam(place, date(2026, 12, 10))
        assert [str(m["Subject"])[:26] for m in sent] == ["Reminder / Nodyn atgoffa: "] * 5
        assert rows(place.app, OutboxRow, OutboxRow.purpose == reminders.SUMMARY) == []


@pytest.mark.parametrize(("day", "english", "welsh"), [
    (date(2026, 12, 17), "was not ready by", "Mae'n ddrwg gennym nad oedd yr ymateb llawn"),
    (date(2026, 12, 3), "will not be ready by", "Mae'n ddrwg gennym na fydd yr ymateb llawn"),
])
def test_an_extension_letter_in_welsh_says_whether_the_date_has_passed(
    tmp_path: Path, day: date, english: str, welsh: str,
) -> None:
    """EXTEND given on 17 December for Siân's response due on 14 December: the Welsh
    says it was not ready ("nad oedd ... yn barod"), not that it will not be ("na fydd");
    given on 3 December, before the date, it says "na fydd"."""
    with cardiff(tmp_path, []) as place:
        [assignment] = [m for m in place.deliver(place.mail(
            f"Cllr Siân Evans <{SIAN}>", "Twll yn y ffordd", "Mae twll mawr ger yr ysgol.",
            cc=SAM, date=OPENED), OPENED) if str(m["To"]) == SAM]
        given = at(day, 10)
        [letter] = [m for m in place.deliver(place.reply(
            assignment, SAM, 'EXTEND 3 "aros am y contractwr"', date=given), given)
            if str(m["To"]) == SIAN]
    other = "na fydd" if english == "was not ready by" else "nad oedd"
    for subtype in ("plain", "html"):
        cy, en = (" ".join(part.split()) for part in parts(letter, subtype))
        assert (f"{welsh} i'ch ymholiad (MB-2026-00001) yn barod erbyn dydd Llun 14 Rhagfyr "
                "2026 fel y dywedon ni.") in cy
        assert f"gennym {other} " not in cy
        assert f"(MB-2026-00001) {english} Monday 14 December 2026 as we said" in en


def test_a_reply_to_the_bilingual_summary_naming_its_case_is_applied_as_it_says(
    tmp_path: Path,
) -> None:
    """Both languages tell the officer to answer the summary with one command and the
    case's reference on its first line; that reply moves that case and no other."""
    with cardiff(tmp_path, [SIAN] * 4) as place:
        [summary] = to_sam(place, date(2026, 12, 10))
        refs = sorted(c.ref for c in rows(place.app, CaseRow))
        welsh, english = parts(summary, "plain")
        assert (f"Neu atebwch y crynodeb hwn gydag un gorchymyn a chyfeirnod yr achos ar ei "
                f"linell gyntaf (DONE {refs[0]}, neu {refs[0]} EXTEND 5 \"rheswm\")") in welsh
        assert ("Or reply to this summary with one command and the reference of the case it "
                f"is for on its first line (DONE {refs[0]}, or {refs[0]} EXTEND 5") in english
        later = at(date(2026, 12, 10), 11)
        out = place.deliver(place.reply(
            summary, SAM, f'{refs[1]} EXTEND 3 "aros am y contractwr"', date=later), later)
        dues = {c.ref: c.response_due for c in rows(place.app, CaseRow)}
        assert dues == {**dict.fromkeys(refs, date(2026, 12, 14)), refs[1]: date(2026, 12, 17)}
        [letter] = [m for m in out if str(m["To"]) == SIAN]
        assert "erbyn dydd Iau 17 Rhagfyr 2026" in parts(letter, "plain")[0]
