"""A subject access request whose protocol date a PAUSE moved past data protection law's
date: the protocol's reminders said 'The response to case MB-... is due in 2 working days,
by Thursday 31 December 2026' (and on that day 'is due today'), though the law's month
ended on Tuesday 29 December: the officer who read the headline and not the 'Law's date'
line below it planned to the wrong day, and on the due day read 'due today' beside the
law's own notice that its date had passed. The RESUME's confirmation says answer by the
law's date (d4df7a4); now the reminders say so under their headline too: that the law's
date comes first, or that it has passed and the response should go now (Welsh too). A
request whose protocol date comes first is unchanged.

Dates: received Friday 27 November 2026 (the law's date Tuesday 29 December, Monday 28 the
Boxing Day holiday); protocol date Friday 11 December; paused Monday 30 November and
resumed Tuesday 15 December, 12 working days disregarded: Thursday 31 December."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text
from test_reminders_subject_access import council
from test_subject_access_reminders import SENT, at_ten, open_sar, working_days

from mailbot import jobs

PAUSED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
RESUMED = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)


def _words(mail: EmailMessage, subtype: str = "plain") -> str:
    """The mail's words, the HTML's without its tags."""
    return " ".join(re.sub(r"<[^>]+>", "", body_text(mail, subtype)).split())


def _protocol_reminders(place: Council, ref: str, first: date,
                        last: date) -> dict[date, EmailMessage]:
    """The protocol's reminders about `ref` that left, by day (not the law's own)."""
    found = {}
    for day in working_days(first, last):
        jobs.send_reminders(place.app, at_ten(day))
        for mail in place.flush(at_ten(day)):
            subject = str(mail["Subject"])
            if f"[{ref}]" in subject and "ubject access request" not in subject \
                    and "Cais gwrthrych" not in subject.split(":")[0]:
                found[day] = mail
    return found


def _sar_held_by_sam(place: Council, pack: str, pause: bool,
                     member: str = "Cllr Ann Lee <ann@{pack}.gov.uk>") -> str:
    case, assignment = open_sar(place, sender=member.format(pack=pack))
    later = SENT + timedelta(minutes=5)
    sam = f"sam@{pack}.gov.uk"
    out = place.deliver(place.reply(assignment, str(assignment["To"]), f"REASSIGN {sam}",
                                    date=later), later)
    mine = next(m for m in out if m["To"] == sam)
    if pause:
        place.deliver(place.reply(mine, sam, 'PAUSE "waiting for proof of ID"',
                                  date=PAUSED), PAUSED)
        place.deliver(place.reply(mine, sam, "RESUME", date=RESUMED), RESUMED)
    return case.ref


def test_the_reminders_say_the_law_s_date_comes_first_then_that_it_has_passed(
    tmp_path: Path,
) -> None:
    with council(tmp_path, "wiltshire") as place:
        ref = _sar_held_by_sam(place, "wiltshire", pause=True)
        assert place.case(ref).response_due == date(2026, 12, 31)
        found = _protocol_reminders(place, ref, date(2026, 12, 16), date(2026, 12, 31))
    before, due = found[date(2026, 12, 29)], found[date(2026, 12, 31)]
    assert "due in 2 working days, by Thursday 31 December 2026" in _words(before)
    for subtype in ("plain", "html"):
        assert ("That is the protocol's date: data protection law's date for this subject "
                "access request, Tuesday 29 December 2026, comes first, so answer by then."
                ) in _words(before, subtype)
        assert ("That is the protocol's date: data protection law's date for this subject "
                "access request, Tuesday 29 December 2026, has passed, so send the response "
                "now.") in _words(due, subtype)


def test_a_request_whose_protocol_date_comes_first_is_unchanged(tmp_path: Path) -> None:
    with council(tmp_path, "wiltshire") as place:
        ref = _sar_held_by_sam(place, "wiltshire", pause=False)
        assert place.case(ref).response_due == date(2026, 12, 11)
        found = _protocol_reminders(place, ref, date(2026, 12, 1), date(2026, 12, 11))
    assert found
    for mail in found.values():
        assert "That is the protocol's date" not in _words(mail)
        assert "Law's date: Tuesday 29 December 2026" in _words(mail)


@pytest.mark.parametrize("pack", ["cardiff"])
def test_the_welsh_reminders_say_it_too(tmp_path: Path, pack: str) -> None:
    with council(tmp_path, pack) as place:
        ref = _sar_held_by_sam(place, pack, pause=True)
        found = _protocol_reminders(place, ref, date(2026, 12, 16), date(2026, 12, 31))
    before, due = found[date(2026, 12, 29)], found[date(2026, 12, 31)]
    for subtype in ("plain", "html"):
        assert ("Dyddiad y protocol yw hwnnw: mae dyddiad cyfraith diogelu data ar gyfer y "
                "cais gwrthrych am wybodaeth hwn, dydd Mawrth 29 Rhagfyr 2026, yn dod yn "
                "gyntaf, felly atebwch erbyn hynny.") in _words(before, subtype)
        assert ("Dyddiad y protocol yw hwnnw: mae dyddiad cyfraith diogelu data ar gyfer y "
                "cais gwrthrych am wybodaeth hwn, dydd Mawrth 29 Rhagfyr 2026, wedi mynd "
                "heibio, felly anfonwch yr ymateb nawr.") in _words(due, subtype)
        assert "comes first, so answer by then." in _words(before, subtype)


@pytest.mark.parametrize(("pack", "member", "before_subject", "due_subject"), [
    ("wiltshire", "Cllr Ann Lee <ann@{pack}.gov.uk>",
     "Reminder: Mrs Smith's records - reply by Tuesday 29 December 2026 [{ref}]",
     "Past its legal date (Tuesday 29 December 2026): Mrs Smith's records [{ref}]"),
    ("cardiff", "Cllr Ann Lee <ann@{pack}.gov.uk>",
     "Reminder / Nodyn atgoffa: Mrs Smith's records - by Tuesday 29 December 2026 / erbyn "
     "dydd Mawrth 29 Rhagfyr 2026 [{ref}]",
     "Past its legal date (Tuesday 29 December 2026) / Wedi mynd heibio i'w ddyddiad "
     "cyfreithiol (dydd Mawrth 29 Rhagfyr 2026): Mrs Smith's records [{ref}]"),
])
def test_the_subject_line_names_the_date_to_answer_by(
    tmp_path: Path, pack: str, member: str, before_subject: str, due_subject: str,
) -> None:
    """The Subject line, which is all an inbox shows, named the protocol's date alone
    ('reply by Thursday 31 December 2026') while the mail said the law's came first: it
    names the earlier date, and once that has passed says so, as the law's own reminder
    does."""
    with council(tmp_path, pack) as place:
        ref = _sar_held_by_sam(place, pack, pause=True, member=member)
        found = _protocol_reminders(place, ref, date(2026, 12, 16), date(2026, 12, 31))
    before, due = found[date(2026, 12, 29)], found[date(2026, 12, 31)]
    assert " ".join(str(before["Subject"]).split()) == before_subject.format(ref=ref)
    assert " ".join(str(due["Subject"]).split()) == due_subject.format(ref=ref)


def test_the_subject_line_of_a_request_whose_protocol_date_comes_first(
    tmp_path: Path,
) -> None:
    with council(tmp_path, "wiltshire") as place:
        ref = _sar_held_by_sam(place, "wiltshire", pause=False)
        found = _protocol_reminders(place, ref, date(2026, 12, 1), date(2026, 12, 11))
    assert [" ".join(str(m["Subject"]).split()) for m in found.values()] == [
        f"Reminder: Mrs Smith's records - reply by Friday 11 December 2026 [{ref}]",
        f"Due today: Mrs Smith's records - reply by Friday 11 December 2026 [{ref}]",
    ]
