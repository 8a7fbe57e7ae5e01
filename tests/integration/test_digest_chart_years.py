"""The trend table gave each week its year when the weeks shown cross into a new year
("28 Dec 2026", "4 Jan 2027"), but the chart above it still said "28 Dec" and "4 Jan":
a reader looking at the picture could not tell which December. The chart's weeks now
follow the table's rule (context.py's trend_years): every week has its year on a line of
its own below the day and month when any is not in the digest's own year, and none has it
otherwise. What is read is the PNG as it left, inline in the digest's HTML part: the
words it carries (its Description, the chart's title and its weeks as the axis names them)
and its size. The month is test_digest_read_as_a_manager's, through real mail; the job
runs on Monday 30 November 2026 and on Monday 11 January 2027."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from test_digest_read_as_a_manager import Week

JANUARY = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)


def _chart(mail: EmailMessage) -> tuple[str, tuple[int, int]]:
    """The inline chart's Description and its size in pixels."""
    [png] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert png["Content-ID"] and "inline" in str(png["Content-Disposition"])
    image = Image.open(BytesIO(bytes(png.get_content())))
    return image.text["Description"], image.size  # type: ignore[attr-defined]


def _digests(home: Path, policy: str) -> tuple[EmailMessage, EmailMessage]:
    """The chief executive's digests of 30 November 2026 and 11 January 2027."""
    week = Week(home, policy)
    with week.council:
        november = week.month()[week.chief]
        [january] = [m for m in week.digests(JANUARY) if str(m["To"]) == week.chief]
    return november, january


@pytest.mark.parametrize(
    ("policy", "december", "january", "november"),
    [
        ("wiltshire", "28 Dec 2026", "4 Jan 2027", "2 Nov"),
        ("cardiff", "28 Dec/Rhag 2026", "4 Jan/Ion 2027", "2 Nov/Tach"),
    ],
)
def test_the_charts_weeks_carry_their_year_across_the_new_year(
    tmp_path: Path, policy: str, december: str, january: str, november: str
) -> None:
    before, after = _digests(tmp_path, policy)
    said, size = _chart(after)
    weeks = said[said.index("Weeks: ") + len("Weeks: "):].rstrip(".").split(", ")
    assert len(weeks) == 10, weeks  # since mailbot began on Monday 2 November 2026
    assert weeks[0] == f"{november} 2026" and december in weeks and weeks[-1] == january
    assert all(week[-5:] in (" 2026", " 2027") for week in weeks), weeks
    assert size == (720, 280)
    # November's digest, its weeks all in 2026: day and month, as the table.
    said, size = _chart(before)
    weeks = said[said.index("Weeks: ") + len("Weeks: "):].rstrip(".").split(", ")
    assert weeks[0] == november and not any("2026" in week for week in weeks), weeks
    assert size == (720, 280)
