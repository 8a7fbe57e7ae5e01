"""An officer reminded of a case whose clock started afresh sees, beside "Received" and a
"Reply by" weeks later, the day it was counted from again and why: the member wrote
again after the answer (a complaint's stage 2), or an FOI request's clarification came.
A case never restarted has no such line."""

from __future__ import annotations

import html as markup
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from foi_council import RECEIVED, foi_council, foi_request
from helpers import Council, body_text
from paused_council import FOI_TEAM, JO, opened
from test_reopened_stage_two import ALI, SCOTTISH, not_satisfied, strathmore

from mailbot import reminders

SUBJECT = "Freedom of Information request: potholes filled"
REQUEST = ("Under the Freedom of Information Act 2000 please tell me how many potholes the "
           "council filled.")


def said(message: EmailMessage, part: str) -> str:
    return " ".join(markup.unescape(body_text(message, part)).split())


def reminded(council: Council, at: datetime) -> EmailMessage:
    reminders.sweep(council.app, at)
    [reminder] = council.flush(at)
    return reminder


def test_a_reopened_complaints_reminder_says_when_it_was_reopened(tmp_path: Path) -> None:
    with strathmore(tmp_path, SCOTTISH) as council:
        not_satisfied(council)  # received Mon 23 Nov, reopened Thu 26 Nov, due Tue 5 Jan
        reminder = reminded(council, datetime(2026, 12, 23, 10, 0, tzinfo=UTC))
    assert str(reminder["To"]) == ALI
    text, page = said(reminder, "plain"), said(reminder, "html")
    assert ("Received: Monday 23 November 2026 Reopened: Thursday 26 November 2026 (the "
            "member wrote again after the answer; Reply by is counted from that day) "
            "Reply by: Tuesday 5 January 2027") in text
    assert ("Reopened</th><td>Thursday 26 November 2026 (the member wrote again after the "
            "answer; Reply by is counted from that day)</td>") in page


def test_an_foi_reminder_after_the_clarification_says_when_it_came(tmp_path: Path) -> None:
    with foi_council(tmp_path) as council:
        ack, assignment = opened(council, member=JO, sender=f"Cllr Jo Bloggs <{JO}>",
                                 subject=SUBJECT, body=REQUEST,
                                 received=RECEIVED, officer=FOI_TEAM)
        paused = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
        council.deliver(council.reply(assignment, FOI_TEAM, 'PAUSE "clarification: which year"',
                                      date=paused), now=paused)
        came = datetime(2026, 11, 9, 11, 0, tzinfo=UTC)
        council.deliver(council.reply(ack, f"Cllr Jo Bloggs <{JO}>", "The year 2025, please.",
                                      date=came), now=came)
        due = council.case().response_due
        assert due is not None and due > datetime(2026, 12, 1).date()
        reminder = reminded(council, datetime(due.year, due.month, due.day, 9, tzinfo=UTC))
    text = said(reminder, "plain")
    assert ("Received: Monday 2 November 2026 Restarted: Monday 9 November 2026 (the "
            "member's clarification came; Reply by is a fresh count from that day)") in text


def test_a_case_never_restarted_has_no_such_line(tmp_path: Path) -> None:
    with foi_council(tmp_path) as council:
        foi_request(council, SUBJECT, REQUEST)
        reminder = reminded(council, datetime(2026, 12, 1, 9, tzinfo=UTC))
    text = said(reminder, "plain")
    assert "Received: Monday 2 November 2026 Reply by: Tuesday 1 December 2026" in text
    assert "Restarted" not in text and "Reopened" not in text
