"""An officer's out-of-office that names who covers for them by name alone ("please
contact Lee Wong"), as most do: the case goes to that colleague when they are in
officers.csv, as it does when the note gives their address (docs/officers.md, "Out-of-office
replies and bounces": a known officer named in the out-of-office text comes first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
CHRIS = "chris.hall@council.gov.uk"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", ""),
                  ("Wong, Lee", LEE, "Highways", DANA, ""),
                  ("Chris Hall", CHRIS, "Highways", DANA, "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def _out_of_office(council: Council, note: str) -> list[EmailMessage]:
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", cc=SAM, date=NOW), now=NOW)
    assignment = next(m for m in out if m["To"] == SAM)
    auto = council.mail(
        f"Sam Patel <{SAM}>", f"Automatic reply: {assignment['Subject']}", note,
        in_reply_to=str(assignment["Message-ID"]), date=NOW,
        extra="Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All",
    )
    return council.deliver(auto, now=NOW)


def test_the_colleague_the_note_names_takes_the_case(council: Council) -> None:
    out = _out_of_office(council, (
        "Hi,\n\nI am on leave until Monday 7 December. For anything urgent please contact "
        "Lee Wong on 01632 960123.\n\nSam Patel\nHighways Officer"
    ))
    assert council.case().officer_email == LEE
    assert sorted(str(m["To"]) for m in out) == [JO, LEE]  # never the absent officer
    letter = next(m for m in out if m["To"] == JO)
    assert "please contact Wong, Lee (lee.wong@council.gov.uk)" in body_text(letter, "plain")


def test_a_note_naming_two_colleagues_goes_to_the_manager(council: Council) -> None:
    _out_of_office(council, (
        "I am out of the office. Please contact Lee Wong or Chris Hall in my absence."
    ))
    assert council.case().officer_email == DANA  # mailbot does not guess between them


def test_a_name_only_in_our_own_mail_quoted_under_the_note_is_not_taken(
    council: Council,
) -> None:
    _out_of_office(council, (
        "I am out of the office until Monday.\n\n"
        "From: Member Enquiries <memberenquiries@council.gov.uk>\n"
        "Sent: 25 November 2026 12:00\nTo: Sam Patel\nSubject: Enquiry\n\n"
        "Lee Wong has passed this case to you."
    ))
    assert council.case().officer_email == DANA
