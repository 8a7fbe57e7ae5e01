"""An officer who gives the same CONFIDENTIAL answer twice (the member wrote again and the
update reached them, or they could not remember answering) does not send the member the
same letter twice; a changed answer is still sent.

Found by tests/integration/test_year.py: after a follow-up reopened a confidential case,
the officer's second CONFIDENTIAL OK sent Cllr Evans the identical letter again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import body_text, council_with_sam

NOW = datetime(2027, 2, 22, 11, 0, tzinfo=UTC)
JO = "jo@wiltshire.gov.uk"
SAM = "sam@wiltshire.gov.uk"


def test_the_same_confidentiality_answer_reaches_the_member_once(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: a resident's circumstances",
            "Please keep this confidential. Can advice about a resident be given in "
            "confidence?", cc=SAM, date=NOW - timedelta(minutes=5),
        ), NOW)
        assignment = next(m for m in out if m["To"] == SAM)
        first = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK", date=NOW + timedelta(hours=1),
        ), NOW + timedelta(hours=1))
        assert sorted(str(m["To"]) for m in first) == [JO, SAM]

        again = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK", date=NOW + timedelta(days=2),
        ), NOW + timedelta(days=2))
        [confirmation] = again
        assert confirmation["To"] == SAM
        text = " ".join(body_text(confirmation, "plain").split())
        assert "already told on Monday 22 February 2027" in text
        assert "not written to again" in text

        changed = council.deliver(council.reply(
            assignment, f"Sam Patel <{SAM}>", 'CONFIDENTIAL NO "the tenant must be named"',
            date=NOW + timedelta(days=3),
        ), NOW + timedelta(days=3))
        assert sorted(str(m["To"]) for m in changed) == [JO, SAM]
        letter = next(m for m in changed if m["To"] == JO)
        assert "the tenant must be named" in body_text(letter, "plain")
