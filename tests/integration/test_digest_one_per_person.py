"""A manager who is also named in `[digest] recipients` (Dana Reed, head of highways,
reading the whole council's digest as well) got two digests the same Monday morning: the
whole council's and her team's, with different overdue counts in their subjects, though
the digest promises one per person. She now gets the whole council's only, which lists
her team's cases among everyone's; the month is test_digest_read_as_a_manager's, built
through real mail, and what is read is what left the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_digest_read_as_a_manager import MONDAY, Week, _read


@pytest.mark.parametrize("policy", ["wiltshire", "cardiff"])
def test_a_manager_who_reads_the_whole_council_gets_one_digest(
    tmp_path: Path, policy: str,
) -> None:
    week = Week(tmp_path, policy, recipients=("chief.executive", "Dana.Reed"))
    with week.council:
        week.cases()
        sent = week.digests(MONDAY)
        to_dana = [m for m in sent if str(m["To"]).lower() == week.dana]
        assert len(to_dana) == 1, [str(m["Subject"]) for m in to_dana]
        [mine] = to_dana
        [chiefs] = [m for m in sent if str(m["To"]) == week.chief]
        # The whole council's (no team in its subject), with the same figures as the
        # chief executive's: her team's (Sam's pothole) among everyone's (the confidential case).
        assert str(mine["Subject"]) == str(chiefs["Subject"])
        assert "Highways," not in str(mine["Subject"])
        text, _ = _read(mine)
        assert "MB-2026-00001" in text and "MB-2026-00006" in text
        assert len(sent) == 2
        # A week on, still one.
        later = week.digests(MONDAY.replace(day=7, month=12))
        assert [str(m["To"]).lower() for m in later].count(week.dana) == 1
