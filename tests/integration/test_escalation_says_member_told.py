"""The escalation to a manager said how late the case is and how many reminders its
officer had, but not that the member had already been told it is late (Wiltshire 6.5.8:
the late notice went on the day after the date), which the officer's own overdue
reminders say: the manager, asked to 'make sure Cllr Jo Bloggs gets a response, or an
explanation with a new date', could not tell whether the member had heard anything. Now
the escalation says it when the member was told (English and Welsh, text and HTML). Jo's
enquiry to Sam Patel arrives on Monday 2 November (due Monday 16 November); nobody
answers; the escalation to Dana Reed goes on Tuesday 24 November."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import body_text
from pothole_council import said as _said
from pothole_council import unanswered_pothole


def _escalation(tmp_path: Path, policy: str, language: str) -> EmailMessage:
    d, sent = unanswered_pothole(tmp_path, policy, until=date(2026, 11, 24), language=language)
    assert any(m["To"] == f"jo.bloggs@{d}" for m in sent)  # the late notice
    [escalation] = [m for m in sent if m["To"] == f"dana.reed@{d}"]
    assert escalation["Cc"] == f"sam.patel@{d}"
    return escalation


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
