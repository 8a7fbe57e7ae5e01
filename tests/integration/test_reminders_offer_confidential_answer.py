"""A confidentiality request whose question (can it be kept private?) is still unanswered
when its reminders go: the officer's reminder and the manager's escalation listed DONE,
EXTEND, REASSIGN and PAUSE but not how to answer the question the member is waiting on.
They now offer CONFIDENTIAL OK / NO while it is unanswered, and stop once it is.

Wiltshire (and Cardiff, bilingual: the same dates): a request sent on Monday 23 November
2026 is due Monday 7 December; the reminder two working days before goes on Thursday 3
December, the escalation (the third overdue reminder, every two working days) on Tuesday
15 December."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

from mailbot import reminders

DOMAIN = "wiltshire.gov.uk"
JO, SAM, DANA = f"jo@{DOMAIN}", f"sam@{DOMAIN}", f"dana@{DOMAIN}"
SENT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
THURSDAY_3 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TUESDAY_15 = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)


def council(home: Path, pack: str = "wiltshire") -> Council:
    return Council(
        home, mailbox=f"memberenquiries@{DOMAIN}", policy=pack, threshold=0.0,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def both_parts(message: EmailMessage) -> tuple[str, str]:
    return (" ".join(body_text(message, "plain").split()),
            " ".join(body_text(message, "html").split()))


def ask(it: Council) -> EmailMessage:
    out = by_recipient(it.deliver(it.mail(
        f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: a resident's circumstances",
        "Please keep this confidential. Can advice about a resident be given in confidence?",
        cc=SAM, date=SENT), SENT))
    assert it.case().kind == "confidentiality" and it.case().officer_email == SAM
    return out[SAM]


def swept(it: Council, now: datetime) -> dict[str, EmailMessage]:
    reminders.sweep(it.app, now)
    return by_recipient(it.flush(now))


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])  # English; bilingual
def test_reminder_and_escalation_offer_the_answer_while_it_is_owed(
    tmp_path: Path, pack: str
) -> None:
    with council(tmp_path, pack) as it:
        ask(it)
        reminder = swept(it, THURSDAY_3)[SAM]
        escalation = swept(it, TUESDAY_15)[DANA]
    for message in (reminder, escalation):
        for part in both_parts(message):
            assert "CONFIDENTIAL OK" in part and 'CONFIDENTIAL NO "reason"' in part, part
            assert "not answered yet" in part, part
            if pack == "cardiff":
                assert 'CONFIDENTIAL NO "rheswm"' in part and "heb ei ateb eto" in part, part


def test_not_offered_once_answered(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        assignment = ask(it)
        answered = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK",
                            date=answered), answered)
        reminder = swept(it, THURSDAY_3)[SAM]
    for part in both_parts(reminder):
        assert "CONFIDENTIAL OK" not in part, part
