"""An officer who answers the assignment itself, meaning it for the member ("Dear Cllr
Bloggs, ..."), gets the list of commands. They believe they have answered: the help must
also say that the case is still open and by when the member is owed the response, since
nothing was passed on and the clock is still running."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text, council_with_sam

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LETTER = "Dear Cllr Bloggs,\n\nThe crew will fill the pothole on Tuesday.\n\nSam"


def test_the_help_says_the_case_is_still_open_and_when_it_is_due(tmp_path: Path) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
        mail_headers=PLAIN_UTF8,
    ) as council:
        out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                           "A deep pothole.", cc=SAM, date=NOW), now=NOW)
        assignment = next(m for m in out if m["To"] == SAM)
        [help_mail] = council.deliver(
            council.reply(assignment, f"Sam Patel <{SAM}>", LETTER, date=NOW), now=NOW
        )
        assert council.case().status == "open"
    still = ("MB-2026-00001 is still open: the response to Cllr Jo Bloggs is due by "
             "Wednesday 9 December 2026.")
    assert still in body_text(help_mail, "plain")
    html = re.sub(r"<[^>]+>", "", body_text(help_mail, "html"))
    assert still in " ".join(html.split())


def test_the_welsh_help_says_so_too(tmp_path: Path) -> None:
    with council_with_sam(tmp_path / "council", "cardiff") as council:
        out = council.deliver(council.mail(
            "Cllr Rhian Evans <rhian@cardiff.gov.uk>", "Twll yn y ffordd", "Twll dwfn.",
            cc="sam@cardiff.gov.uk", date=NOW,
        ), now=NOW)
        assignment = next(m for m in out if m["To"] == "sam@cardiff.gov.uk")
        [help_mail] = council.deliver(council.reply(
            assignment, "Sam Patel <sam@cardiff.gov.uk>", LETTER, date=NOW), now=NOW)
    text = body_text(help_mail, "plain")
    assert "Mae MB-2026-00001 yn dal ar agor" in text
    assert "MB-2026-00001 is still open" in text
