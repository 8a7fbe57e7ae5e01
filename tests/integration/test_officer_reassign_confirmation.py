"""The officer who passes a case on with REASSIGN is told what happened to it, as EXTEND's
confirmation does: who has it now and whether the member was written to about the
change, so they neither write to the member a second time nor leave them uninformed."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"


def _council(home: Path) -> Council:
    return Council(
        home, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def _reassign(council: Council, sender: str) -> dict[str, EmailMessage]:
    out = council.deliver(council.mail(sender, "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", date=NOW), now=NOW)
    assignment = next(m for m in out if m["To"] == SAM)
    out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                        "REASSIGN lee.wong@council.gov.uk", date=NOW), now=NOW)
    return {str(m["To"]): m for m in out}


def test_the_confirmation_says_the_member_was_told_who_has_the_case(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        out = _reassign(council, f"Cllr Jo Bloggs <{JO}>")
    assert sorted(out) == [JO, LEE, SAM]
    text = body_text(out[SAM], "plain")
    assert f"MB-2026-00001 is now with Lee Wong ({LEE})." in text
    assert "The member has been told that Lee Wong is now dealing with it." in text


def test_the_confirmation_says_when_the_member_was_not_told(tmp_path: Path) -> None:
    # Mail from an address not in members.csv gets no automatic mail, so no letter either.
    with _council(tmp_path / "council") as council:
        out = _reassign(council, "A Resident <resident@example.org>")
    assert sorted(out) == [LEE, SAM]
    text = body_text(out[SAM], "plain")
    assert "The member has not been told of the change." in text
    assert "has been told that" not in text
