"""An officer's command answered on a case past its response date: the answer's case line
said "response due Monday 7 December 2026" as if the date were still to come. It now says
by how many working days the case is overdue, counted as `mailbot case`, the reminders
and the digest count it; in Welsh too in a bilingual council."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # ten working days on: Monday 7 December
THURSDAY_10 = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)  # 8, 9, 10 December: 3 days over
FRIDAY_4 = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # before the date


def text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def council(home: Path, pack: str) -> Council:
    domain = f"{pack}.gov.uk"
    return Council(
        home, mailbox=f"memberenquiries@{domain}", policy=pack, name=f"{pack.title()} Council",
        members=[("Cllr Jo Bloggs", f"jo@{domain}", "Castle", "en")],
        officers=[("Sam Patel", f"sam@{domain}", "Highways", "", ""),
                  ("Lee Wong", f"lee@{domain}", "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "sam@{domain}"\n',
    )


def answer_to_reassign(home: Path, pack: str, when: datetime) -> EmailMessage:
    domain = f"{pack}.gov.uk"
    with council(home, pack) as it:
        out = by_recipient(it.deliver(it.mail(
            f"Cllr Jo Bloggs <jo@{domain}>", "Streetlight out on Mill Lane",
            "Could someone fix the street light on Mill Lane please?", date=MONDAY), MONDAY))
        left = it.deliver(it.reply(out[f"sam@{domain}"], f"Sam Patel <sam@{domain}>",
                                   f"REASSIGN lee@{domain}", date=when), when)
    [answer] = [m for m in left if str(m["To"]) == f"sam@{domain}"]
    return answer


@pytest.mark.parametrize("pack", ["wiltshire", "cardiff"])
def test_the_answer_says_how_late_the_case_is(tmp_path: Path, pack: str) -> None:
    said = text(answer_to_reassign(tmp_path, pack, THURSDAY_10))
    assert "response due Monday 7 December 2026 (3 working days overdue)" in said, said
    if pack == "cardiff":
        assert "(3 diwrnod gwaith yn hwyr)" in said, said


def test_not_before_the_date(tmp_path: Path) -> None:
    said = text(answer_to_reassign(tmp_path, "wiltshire", FRIDAY_4))
    assert "response due Monday 7 December 2026, with" in said, said
    assert "overdue" not in said.split("response due", 1)[1].split(".")[0]
