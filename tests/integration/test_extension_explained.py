"""mailbot case REF after an officer's EXTEND: the explanation must let the officer check
the new date against what they asked for (the old due date plus N working days), not
count it from the day of the command as "the agreed date"."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, by_recipient

from mailbot.console import describe_case

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"


def _council(home: Path) -> Council:
    return Council(
        home, name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
    )


def _pothole_due_fri_18_dec(council: Council) -> dict[str, EmailMessage]:
    received = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    out = by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
        cc=SAM, date=received,
    ), now=received))
    assert str(council.case().response_due) == "2026-12-18"
    return out


def test_extend_by_working_days_is_explained_from_the_old_due_date(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        out = _pothole_due_fri_18_dec(council)
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


def test_extend_on_an_overdue_case_counts_from_the_day_it_is_given(tmp_path: Path) -> None:
    # Due Fri 18 Dec; EXTEND 3 on Wed 30 Dec. Counted from the old due date it gave Wed 23
    # Dec, and the member was told a week late that the answer would come "by" that date.
    with _council(tmp_path / "council") as council:
        out = _pothole_due_fri_18_dec(council)
        # A date already past is refused, not sent to the member as a promise.
        tuesday = datetime(2026, 12, 29, 11, 0, tzinfo=UTC)
        [answer] = council.deliver(council.reply(
            out[SAM], f"Sam Patel <{SAM}>", 'EXTEND 2026-12-23 "survey"', date=tuesday,
        ), now=tuesday)
        assert answer["To"] == SAM
        assert "Wednesday 23 December 2026 has passed" in body_text(answer, "plain")
        assert str(council.case().response_due) == "2026-12-18"
        wednesday = datetime(2026, 12, 30, 11, 0, tzinfo=UTC)
        left = by_recipient(council.deliver(council.reply(
            out[SAM], f"Sam Patel <{SAM}>", 'EXTEND 3 "waiting for the contractor survey"',
            date=wednesday,
        ), now=wednesday))
        # Thu 31 Dec, (Fri 1 Jan: New Year's Day), Mon 4, Tue 5 Jan.
        assert str(council.case().response_due) == "2027-01-05"
        assert "will send you a full response by Tuesday 5 January 2027" in body_text(
            left[JO], "plain"
        )
        text = describe_case(council.app, council.case().ref) or ""
    assert (
        "  Due: Tue 5 Jan 2027 (3 working days after Wed 30 Dec 2026, when it was "
        "extended; Fri 18 Dec 2026 had passed).\n"
    ) in text
