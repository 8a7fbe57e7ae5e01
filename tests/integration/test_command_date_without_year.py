"""'RESUME 24/12 fee received' and 'EXTEND 24/12 "..."' were refused with the general
date hint ('RESUME takes the day the clock runs again from as 23/11/2026 ...'), so the
officer could not see what was wrong. Now the refusal says the year is missing and gives
the date with the year it most likely means: '24/12 has no year: write 24/12/2026'."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 12, 16, 10, 0, tzinfo=UTC)
WRITTEN = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("line", "hint"), [
    ("RESUME 24/12 fee received", '24/12 has no year: write 24/12/2026 (RESUME 24/12/2026'),
    ('EXTEND 8/1 "contractor after Christmas"',
     "8/1 has no year: write 8/1/2027 (EXTEND 8/1/2027"),
])
def test_a_date_without_its_year_is_refused_saying_so(
    tmp_path: Path, line: str, hint: str,
) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    ) as council:
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
            cc=SAM, date=RECEIVED), now=RECEIVED))
        before = council.case().response_due
        [reply] = council.deliver(
            council.reply(out[SAM], f"Sam Patel <{SAM}>", line, date=WRITTEN), now=WRITTEN)
        case = council.case()
    assert reply["To"] == SAM
    text = " ".join(body_text(reply, "plain").split())
    assert f"That was not applied: {hint}" in text
    assert (case.status, case.response_due) == ("open", before)
