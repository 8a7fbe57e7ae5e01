"""An officer's new mail (no [MB-] reference, no thread) to someone who has a case though
they are not in members.csv: a resident, or a councillor elected last week and not yet
added. As for a member's (test_officer_untagged_answer), it opens no case: with the
officer's one running case of that person's it is that case's answer; with several, or
none (the case answered already), the officer is asked which. Before, it opened a case in
the officer's own name, assigned them their own answer and, with
acknowledge_unknown_senders, acknowledged it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows

from mailbot.store.tables import CaseRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
PAT = "pat.resident@example.net"


@pytest.fixture
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Council]:
    """Strangers are acknowledged, and their cases go to Sam."""
    monkeypatch.setenv("MAILBOT_DIRECTORY__ACKNOWLEDGE_UNKNOWN_SENDERS", "true")
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def _pat_writes(council: Council, subject: str) -> str:
    out = council.deliver(council.mail(f"Pat Resident <{PAT}>", subject, f"About {subject}."))
    assert sorted(str(m["To"]) for m in out) == [PAT, SAM]  # acknowledged, assigned
    return council.case().ref


def _sam_writes_to_pat() -> bytes:
    """Sam's new mail from Outlook: To Pat, the shared mailbox in Cc, no reference."""
    headers = [
        f'From: "Patel, Sam" <{SAM}>', f"To: Pat Resident <{PAT}>",
        f"Cc: Member Enquiries <{MAILBOX}>", "Subject: Your report about Castle Road",
        "Date: Wed, 25 Nov 2026 11:30:00 +0000",
        "Message-ID: <LO4P265MB8888NEW1@LO4P265MB8888.GBRP265.PROD.OUTLOOK.COM>",
        "Thread-Topic: Your report about Castle Road", "Content-Language: en-GB", *PLAIN_UTF8,
    ]
    body = "Dear Pat,\r\n\r\nThe crew fills the pothole on Friday.\r\n\r\nSam Patel"
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def _statuses(council: Council) -> dict[str, str]:
    return {case.ref: case.status for case in rows(council.app, CaseRow)}


def test_the_officers_one_running_case_of_theirs_is_answered(council: Council) -> None:
    ref = _pat_writes(council, "Pothole on Castle Road")
    assert council.deliver(_sam_writes_to_pat()) == []  # no acknowledgement, no assignment
    assert _statuses(council) == {ref: "responded"}  # and no case opened
    assert council.case(ref).responded_at == datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    [event] = council.events("responded")
    assert event.actor == SAM and "no reference" in event.detail


def test_with_two_running_cases_of_theirs_the_officer_is_asked_which(council: Council) -> None:
    first = _pat_writes(council, "Pothole on Castle Road")
    second = _pat_writes(council, "Street light out on Mill Lane")
    out = council.deliver(_sam_writes_to_pat())
    assert _statuses(council) == {first: "needs_triage", second: "needs_triage"}
    [question] = out
    assert question["To"] == SAM
    assert str(question["Subject"]).startswith("Which case did this answer?")
    text = body_text(question, "plain")
    assert first in text and second in text and "Pat Resident" in text


def test_after_their_case_is_answered_a_new_mail_to_them_opens_no_case(council: Council) -> None:
    ref = _pat_writes(council, "Pothole on Castle Road")
    council.deliver(council.mail(f"Sam Patel <{SAM}>", "RE: Pothole on Castle Road",
                                 "Dear Pat, it is on the list.", cc=f"Pat Resident <{PAT}>",
                                 in_reply_to="<t1@test.example>"))
    assert _statuses(council) == {ref: "responded"}
    [question] = council.deliver(_sam_writes_to_pat())  # "one more thing", as a new mail
    assert _statuses(council) == {ref: "responded"}
    assert question["To"] == SAM
    assert "no open case" in " ".join(body_text(question, "plain").split())
