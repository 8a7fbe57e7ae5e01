"""The escalation to a manager said how late the case is and how many reminders its
officer had, but not that the member had already been told it is late (Wiltshire 6.5.8:
the late notice went on the day after the date), which the officer's own overdue
reminders say: the manager, asked to 'make sure Cllr Jo Bloggs gets a response, or an
explanation with a new date', could not tell whether the member had heard anything. Now
the escalation says it when the member was told (English and Welsh, text and HTML). Jo's
enquiry to Sam Patel arrives on Monday 2 November (due Monday 16 November); nobody
answers; the escalation to Dana Reed goes on Tuesday 24 November."""

from __future__ import annotations

import html as markup
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _escalation(tmp_path: Path, policy: str, language: str) -> EmailMessage:
    d = f"{policy}.gov.uk"
    sam, dana = f"sam.patel@{d}", f"dana.reed@{d}"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{d}", policy=policy,
        name="Cardiff Council" if policy == "cardiff" else "Wiltshire Council",
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{d}", "Castle", language)],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Reed", dana, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{sam}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <jo.bloggs@{d}>", "Pothole on Castle Road",
                                 "A deep pothole outside no. 12.", cc=sam, date=RECEIVED),
                      RECEIVED)
        sent: list[EmailMessage] = []
        day = date(2026, 11, 3)
        while day <= date(2026, 11, 24):
            nine = datetime.combine(day, time(9), tzinfo=UTC)
            jobs.send_reminders(place.app, nine)
            sent += place.flush(nine)
            day += timedelta(days=1)
    assert any(m["To"] == f"jo.bloggs@{d}" for m in sent)  # the late notice
    [escalation] = [m for m in sent if m["To"] == dana]
    assert escalation["Cc"] == sam
    return escalation


def _said(message: EmailMessage, part: str) -> str:
    return " ".join(markup.unescape(body_text(message, part)).split())


def test_the_escalation_says_the_member_was_told_it_is_late(tmp_path: Path) -> None:
    escalation = _escalation(tmp_path, "wiltshire", "en")
    told = ("Cllr Jo Bloggs has been told that the response is late, and that Sam Patel "
            "will tell them the reason and when they will have it.")
    for part in ("plain", "html"):
        said = _said(escalation, part)
        assert told in said, said
        assert said.index(told) < said.index("Please make sure Cllr Jo Bloggs")
    # In the text, a line of its own between the officer's reminders and the request.
    lines = body_text(escalation, "plain").replace("\r\n", "\n").split("\n")
    at = lines.index(told)
    assert lines[at - 1].endswith("has had 2 overdue reminders and is copied in.")
    assert lines[at + 1].startswith("Please make sure Cllr Jo Bloggs")


@pytest.mark.parametrize("language", ["cy"])
def test_in_welsh_too(tmp_path: Path, language: str) -> None:
    escalation = _escalation(tmp_path, "cardiff", language)
    for part in ("plain", "html"):
        said = _said(escalation, part)
        assert ("Dywedwyd wrth Cllr Jo Bloggs fod yr ymateb yn hwyr, ac y bydd Sam Patel yn "
                "dweud wrthynt y rheswm a phryd y cânt ef.") in said, said
        assert "Cllr Jo Bloggs has been told that the response is late" in said
    lines = body_text(escalation, "plain").replace("\r\n", "\n").split("\n")
    assert ("Dywedwyd wrth Cllr Jo Bloggs fod yr ymateb yn hwyr, ac y bydd Sam Patel yn "
            "dweud wrthynt y rheswm a phryd y cânt ef.") in lines
