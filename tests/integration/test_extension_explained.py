"""mailbot case REF after an officer's EXTEND: the explanation must let the officer check
the new date against what they asked for (the old due date plus N working days), not
count it from the day of the command as "the agreed date"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, by_recipient

from mailbot.console import describe_case

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"


def test_extend_by_working_days_is_explained_from_the_old_due_date(tmp_path: Path) -> None:
    with Council(
        tmp_path / "council", name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    ) as council:
        received = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
        out = by_recipient(council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
            cc=SAM, date=received,
        ), now=received))
        assert str(council.case().response_due) == "2026-12-18"
        # Fri 18 Dec + 3 working days: Mon 21, Tue 22, Wed 23 Dec.
        friday = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)
        council.deliver(council.reply(
            out[SAM], f"Sam Patel <{SAM}>", 'EXTEND 3 "waiting for the contractor survey"',
            date=friday,
        ), now=friday)
        assert str(council.case().response_due) == "2026-12-23"
        text = describe_case(council.app, council.case().ref) or ""
    assert "agreed date" not in text
    assert "after Fri 18 Dec 2026)" not in text  # not counted from the day of the command
    assert (
        "  Due before the extension: Fri 18 Dec 2026 (working day 10 after Fri 4 Dec 2026).\n"
        f"  Extended on Fri 18 Dec 2026 by {SAM} (waiting for the contractor survey): "
        "Fri 18 Dec 2026 extended by 3 working days, giving Wed 23 Dec 2026.\n"
    ) in text
    assert "  Due: Wed 23 Dec 2026 (Fri 18 Dec 2026 extended by 3 working days).\n" in text
