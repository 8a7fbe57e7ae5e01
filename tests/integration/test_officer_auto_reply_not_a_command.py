"""An officer's out-of-office that a mail server sends without any automatic-mail header
(an Outlook rule, an old server), in the assignment's thread with "RE:", whose first
words happen to be a command word: it is never taken as the officer's DONE and never
answered; the case goes to the alternative contact as for any out-of-office."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"


@pytest.mark.parametrize("prefix", ["RE: ", "Automatic reply: "])
def test_an_out_of_office_starting_with_done_is_not_a_done(tmp_path: Path, prefix: str) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole by no. 12.", cc=SAM, date=NOW), now=NOW)
        assignment = next(m for m in out if m["To"] == SAM)
        out = council.deliver(council.mail(
            f"Sam Patel <{SAM}>", f"{prefix}{assignment['Subject']}",
            "Done for today - I am out of the office until Monday 30 November and will "
            "reply on my return.",
            in_reply_to=str(assignment["Message-ID"]), date=NOW,
        ), now=NOW)
        case = council.case()
        assert case.status == "open" and case.officer_email == DANA
        assert council.events("command") == []
    assert sorted(str(m["To"]) for m in out) == [DANA, JO]  # nothing to Sam
