"""The subject line of a reminder, an overdue reminder and an escalation about a case
whose subject an erasure on request blanked (`mailbot person erase --name ... --in-text
--include-open`) named the kind alone ('Overdue by 1 working day: Enquiry
[MB-2026-00001]'), as for a case sent without a subject, while the assignment's subject
says '(erased on request)' since ce4e5ae. They now say it too ('(erased on request /
dilëwyd ar gais)' at a bilingual council, Welsh first where the mail is), and so does the
case's Subject line in the body; a case sent without a subject still names its kind. The
officer's daily summary, which lists each case by its kind and subject, said 'What:
Enquiry' for it; it now says 'What: Enquiry: (erased on request)'."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from erased_subject import RECEIVED, addresses, ann_lees_council, named_and_erased, run_cli
from helpers import body_text

from mailbot import jobs

# The cases are received on Wed 11 Nov (erased_subject.RECEIVED): 10 working days, due
# Wed 25 Nov.


def _reminders(home: Path, policy: str, language: str) -> tuple[
    str, str, list[EmailMessage]
]:
    """An enquiry naming Pat Quinn, erased, and one sent without a subject, swept each
    morning from Mon 23 Nov to Fri 18 Dec 2026: the references and every reminder,
    overdue reminder and escalation about them."""
    member, sam, dana = addresses(policy)
    sent: list[EmailMessage] = []
    with ann_lees_council(
        home, policy, [("Sam Patel", sam, "Highways", dana, ""),
                       ("Dana Reed", dana, "Highways", "", "")],
        language=language, config="[digest]\nenabled = false\n",
    ) as place:
        named, blank = named_and_erased(place, member, sam)
        place.left()
        day = date(2026, 11, 23)
        while day <= date(2026, 12, 18):
            now = datetime(day.year, day.month, day.day, 9, 5, tzinfo=UTC)
            jobs.send_reminders(place.app, now)
            sent += [m for m in place.flush(now) if m["To"] in (sam, dana)]
            day += timedelta(days=1)
    return named, blank, sent


def _words(mail: EmailMessage, part: str) -> str:
    """The part's words, an HTML table's cells ('<th>Subject</th><td>...') as the text
    part's 'Subject: ...'."""
    text = body_text(mail, part)
    if part == "html":
        text = markup.unescape(re.sub(r"</th>\s*<td>", ": ", text))
    return " ".join(text.split())


@pytest.mark.parametrize(("policy", "language", "erased", "kind", "subject_line"), [
    ("wiltshire", "en", "(erased on request)", "enquiry", "Subject: (erased on request)"),
    ("cardiff", "en", "(erased on request / dilëwyd ar gais)", "enquiry / ymholiad",
     "Pwnc: (dilëwyd ar gais)"),
    ("cardiff", "cy", "(dilëwyd ar gais / erased on request)", "ymholiad / enquiry",
     "Subject: (erased on request)"),
])
def test_reminder_subjects_say_the_subject_was_erased(
    tmp_path: Path, policy: str, language: str, erased: str, kind: str, subject_line: str
) -> None:
    named, blank, sent = _reminders(tmp_path, policy, language)
    about_named = [m for m in sent if f"[{named}]" in str(m["Subject"])]
    about_blank = [m for m in sent if f"[{blank}]" in str(m["Subject"])]
    subjects = [str(m["Subject"]) for m in about_named]
    # A reminder before the date, one on it, overdue reminders and the escalation.
    assert any("Reminder" in s for s in subjects), subjects
    assert any("Overdue by" in s for s in subjects), subjects
    assert any("Escalation" in s for s in subjects), subjects
    for message in about_named:
        subject = str(message["Subject"])
        assert f": {erased}" in subject or f"- {erased}" in subject, subject
        assert f": {kind} " not in subject and f"- {kind} " not in subject, subject
        for part in ("plain", "html"):
            assert subject_line in _words(message, part), part
    assert about_blank
    for message in about_blank:
        subject = str(message["Subject"])
        assert "erased" not in subject and "dilëwyd" not in subject, subject
        assert f": {kind} " in subject or f"- {kind} " in subject, subject


@pytest.mark.parametrize(("policy", "what"), [
    ("wiltshire", ["What: Enquiry: (erased on request)"]),
    ("cardiff", ["What: Enquiry: (erased on request)", "Beth: Ymholiad: (dilëwyd ar gais)"]),
])
def test_the_daily_summary_says_the_subject_was_erased(
    tmp_path: Path, policy: str, what: list[str]
) -> None:
    # Four cases due the same day go to Sam as one summary, which lists each by its kind
    # and subject: the erased one was 'What: Enquiry', as if sent without a subject.
    member, sam, _ = addresses(policy)
    with ann_lees_council(tmp_path, policy, [("Sam Patel", sam, "Highways", "", "")],
                          config="[digest]\nenabled = false\n") as place:
        for subject in ("Noise from Pat Quinn's house", "Bins", "Street light", "Drain"):
            place.deliver(place.mail(member, subject, "Please help.", cc=sam, date=RECEIVED),
                          RECEIVED)
        run_cli(place, "person", "erase", "--name", "Pat Quinn", "--in-text", "--include-open",
                "--yes")
        place.left()
        due_day = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
        jobs.send_reminders(place.app, due_day)
        [summary] = [m for m in place.flush(due_day) if m["To"] == sam]
    assert "Your cases to answer" in str(summary["Subject"])
    for part in ("plain", "html"):
        text = _words(summary, part)
        for line in what:  # the HTML part is a table: its cell without the label
            shown = line.split(": ", 1)[1] if part == "html" else line
            assert shown in text, (part, text)
