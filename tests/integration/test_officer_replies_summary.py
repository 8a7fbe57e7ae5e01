"""Officers answering the daily "Your cases to answer" summary by naming a case in the
text, and commands naming a case other than the one replied to. Sam has five cases due
on Monday 14 December; the summary goes on Thursday 10 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text, rows

from mailbot import jobs
from mailbot.store.tables import CaseRow

D = "wiltshire.gov.uk"
SAM, LEE, DANA = f"sam.patel@{D}", f"lee.wong@{D}", f"dana.reed@{D}"
MAILBOX = f"memberenquiries@{D}"
SUMMARY_DAY = datetime.combine(date(2026, 12, 10), time(9), tzinfo=UTC)
LATER = datetime.combine(date(2026, 12, 10), time(11), tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=MAILBOX, members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""), ("Lee Wong", LEE, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        opened = datetime(2026, 11, 30, 10, tzinfo=UTC)
        for n in range(1, 6):
            place.deliver(place.mail(
                f"Cllr Jo Bloggs <jo@{D}>", f"Blocked drain on Mill Lane ({n})",
                f"The drain outside {n} Mill Lane is blocked again.", cc=SAM, date=opened),
                opened)
        place.left()
        yield place


def _summary(council: Council) -> EmailMessage:
    jobs.send_reminders(council.app, SUMMARY_DAY)
    return next(m for m in council.flush(SUMMARY_DAY)
                if str(m["Subject"]).startswith("Your cases to answer"))


def _answer(council: Council, name: str, summary: EmailMessage) -> list[EmailMessage]:
    raw = ((DATA / name).read_bytes().replace(b"<SUMMARY>", str(summary["Message-ID"]).encode())
           .replace(b"council.gov.uk", D.encode()))
    return council.deliver(raw, LATER)


def _statuses(council: Council) -> dict[str, str]:
    return {case.ref: case.status for case in rows(council.app, CaseRow)}


def test_done_naming_one_case_in_answer_to_the_summary_closes_that_case(
    council: Council,
) -> None:
    # Bug: "DONE MB-2026-00002" was answered "your mail names no case" and nothing changed.
    out = _answer(council, "officer_summary_reply_naming_one_case.eml", _summary(council))
    assert _statuses(council) == {
        "MB-2026-00001": "open", "MB-2026-00002": "responded", "MB-2026-00003": "open",
        "MB-2026-00004": "open", "MB-2026-00005": "open",
    }
    [told] = out
    assert told["To"] == SAM
    assert body_text(told, "plain").startswith("Done.\r\n\r\nMB-2026-00002 is marked as answered")
    assert "[MB-2026-00002]" in str(told["Subject"])


def test_done_naming_two_cases_closes_neither_and_says_why(council: Council) -> None:
    # Bug: "MB-2026-00002 and MB-2026-00003 - done" was filed in silence as a reply to the
    # summary: the officer believed both closed.
    out = _answer(council, "officer_summary_reply_naming_two_cases.eml", _summary(council))
    assert set(_statuses(council).values()) == {"open"}
    [told] = out
    assert told["To"] == SAM
    assert ("your mail names 2 cases (MB-2026-00002, MB-2026-00003), and one command "
            "changes one case") in " ".join(body_text(told, "plain").split())
    # One "Re:", not "Re: RE: Your cases to answer ...".
    assert str(told["Subject"]).startswith("RE: Your cases to answer: ")


def test_done_in_one_cases_thread_naming_another_changes_neither(council: Council) -> None:
    first = rows(council.app, CaseRow)[0]
    out = council.deliver(council.mail(SAM, f"RE: [{first.ref}]", "DONE MB-2026-00004"), LATER)
    assert set(_statuses(council).values()) == {"open"}
    [told] = out
    text = " ".join(body_text(told, "plain").split())
    assert text.startswith("Not done.")
    assert "it names MB-2026-00004, but your mail is about MB-2026-00001" in text


def test_a_reference_to_no_case_is_said_to_be_unknown(council: Council) -> None:
    out = council.deliver(council.mail(SAM, "Drains", "DONE MB-2026-09999"), LATER)
    assert set(_statuses(council).values()) == {"open"}
    assert "there is no case MB-2026-09999" in " ".join(body_text(out[0], "plain").split())


def test_a_command_a_line_in_answer_to_the_summary_says_only_the_first_was_applied(
    council: Council,
) -> None:
    # Bug: the second line (MB-2026-00004's EXTEND) was dropped in silence, and the
    # confirmation, about MB-2026-00002 only, read as if the mail had been dealt with.
    out = _answer(council, "officer_summary_reply_one_line_per_case.eml", _summary(council))
    statuses = _statuses(council)
    assert statuses["MB-2026-00002"] == "responded" and statuses["MB-2026-00004"] == "open"
    assert rows(council.app, CaseRow, CaseRow.ref == "MB-2026-00004")[0].response_due == date(
        2026, 12, 14)
    [told] = out
    text = " ".join(body_text(told, "plain").split())
    assert text.startswith("Done. MB-2026-00002 is marked as answered")
    assert ('Only the first line of a mail is read, so this was not applied: "MB-2026-00004 - '
            'EXTEND 5 "waiting for the jetting lorry"". Send one mail per case.') in text


@pytest.mark.parametrize("typed", ["DONE MB-2026-4", "done mb-2026-004", "DONE [MB-2026-0004]"])
def test_a_reference_typed_without_its_zeros_names_its_case(
    council: Council, typed: str
) -> None:
    # Bug: "DONE MB-2026-4", the reference typed by hand, was no reference at all: the
    # officer was told the mail named no case and MB-2026-00004 stayed open.
    out = council.deliver(council.mail(SAM, "Drains", typed), LATER)
    statuses = _statuses(council)
    assert statuses.pop("MB-2026-00004") == "responded"
    assert set(statuses.values()) == {"open"}
    [told] = out
    assert body_text(told, "plain").startswith("Done.\r\n\r\nMB-2026-00004 is marked as answered")


@pytest.mark.parametrize("typed", ["DONE MB-2026-4a", "DONE MB-2026-00004-2", "DONE MB-26-4"])
def test_a_number_run_on_past_a_reference_names_no_case(council: Council, typed: str) -> None:
    council.deliver(council.mail(SAM, "Drains", typed), LATER)
    assert set(_statuses(council).values()) == {"open"}
