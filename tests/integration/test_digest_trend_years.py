"""The digest's trend labelled its weeks "28 Dec" and "4 Jan": across a new year a
reader could not tell which December. When any week shown is not in the digest's own
year, every week now carries its year ("28 Dec 2026", "4 Jan 2027"; bilingual
"28 Dec/Rhag 2026"), in the text table and the HTML table; a digest whose weeks are all
in its own year is labelled as before. The month is test_digest_read_as_a_manager's,
through real mail; the digest job then runs on Monday 11 January 2027 at 08:00."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_digest_read_as_a_manager import MONDAY, Week, _read

JANUARY = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)


def _trend(text: str) -> str:
    return text[text.index("Since mailbot began"):]


def test_weeks_across_the_new_year_carry_their_year(tmp_path: Path) -> None:
    week = Week(tmp_path, "wiltshire")
    with week.council:
        november = week.month()
        [january] = [m for m in week.digests(JANUARY) if str(m["To"]) == week.chief]
    text, words = _read(january)
    trend, html_trend = _trend(text), _trend(words)
    assert "Week beginning Monday 11 January 2027 (2027-W02)" in text
    assert "\n  Week         Opened  Answered  On time  Overdue at end  Reopened\n" in trend
    assert re.search(r"\n  2 Nov 2026 +4 +0 ", trend)
    assert re.search(r"\n  28 Dec 2026 +0 ", trend)
    assert re.search(r"\n  4 Jan 2027 +0 ", trend)
    rows = re.findall(r"\n  (\d+ [A-Z][a-z]{2}(?: \d{4})?) +\d+ +\d+ ", trend)
    assert len(rows) == 10 and all(re.search(r" 20\d\d$", row) for row in rows), rows
    assert "\n2 Nov 2026 4 0 " in html_trend
    assert "\n28 Dec 2026 0 " in html_trend and "\n4 Jan 2027 0 " in html_trend
    # November's digest, its weeks all in 2026: as before.
    text, words = _read(november[week.chief])
    assert "\n  Week      Opened  Answered" in text
    assert re.search(r"\n  2 Nov +4 +0 ", _trend(text))
    assert "\n2 Nov 4 0 " in _trend(words) and "2026 4" not in _trend(words)


@pytest.mark.parametrize("policy", ["cardiff"])
def test_a_bilingual_digest_gives_the_year_too(tmp_path: Path, policy: str) -> None:
    week = Week(tmp_path, policy)
    with week.council:
        week.cases()
        week.digests(MONDAY)
        [january] = [m for m in week.digests(JANUARY) if str(m["To"]) == week.chief]
    text, words = _read(january)
    trend = _trend(text)
    assert re.search(r"\n +28 Dec/Rhag 2026 +0 ", trend)
    assert re.search(r"\n +4 Jan/Ion 2027 +0 ", trend)
    assert "\n28 Dec/Rhag 2026 0 " in _trend(words)
    assert "\n4 Jan/Ion 2027 0 " in _trend(words)
