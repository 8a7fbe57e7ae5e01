"""A councillor's mail with no subject (a link pasted from a phone) is one of their open
cases: the next assignment lists it as "(no subject)", as its own subject line says it,
not as an empty pair of quotes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import body_text, council_with_sam

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"


def test_a_case_with_no_subject_is_listed_as_no_subject(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, "", "https://www.facebook.com/groups/castleward/posts/123456",
                           date=MONDAY), MONDAY)
        first = it.case().ref
        left = it.deliver(it.mail(JO, "Hedge on Elm Road", "Could the hedge be cut back?",
                                  date=MONDAY), MONDAY)
        assignment = next(m for m in left if m["To"] == "sam@wiltshire.gov.uk")
        for part in ("plain", "html"):
            [line] = [ln for ln in body_text(assignment, part).splitlines() if first in ln]
            assert "(no subject)" in line
            assert '""' not in line and "&ldquo;&rdquo;" not in line
