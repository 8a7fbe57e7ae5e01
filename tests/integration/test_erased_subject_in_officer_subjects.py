"""The subject line of an officer's mail about a case whose subject an erasure on request
blanked (`mailbot person erase --name ... --in-text --include-open`) said "(no subject)",
as if the councillor had sent none, while the body's lists say "(erased on request)"
(1711189) and the digest too: here the assignment a hand-over (`mailbot reassign`) sends.
It now says "(erased on request)" (with "(dilëwyd ar gais)" at a bilingual council); a
case sent without a subject still says "(no subject)"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from erased_subject import addresses, ann_lees_council, named_and_erased, run_cli


@pytest.mark.parametrize(("policy", "erased"), [
    ("wiltshire", "(erased on request)"),
    ("cardiff", "(erased on request / dilëwyd ar gais)"),
])
def test_a_hand_overs_subject_says_the_subject_was_erased(
    tmp_path: Path, policy: str, erased: str
) -> None:
    member, sam, dana = addresses(policy)
    with ann_lees_council(tmp_path, policy, [("Sam Patel", sam, "Highways", "", ""),
                                             ("Dana Reed", dana, "Highways", "", "")]) as place:
        named, blank = named_and_erased(place, member, sam)
        run_cli(place, "reassign", named, blank, "--to", dana, "--by", "admin@council.gov.uk")
        out = place.flush(datetime.now(UTC))
        subjects = {ref: str(m["Subject"]) for m in out if m["To"] == dana
                    for ref in (named, blank) if f"[{ref}]" in str(m["Subject"])}
    assert subjects[named].endswith(f"from Cllr Ann Lee: {erased} [{named}]"), subjects
    assert "(no subject)" not in subjects[named]
    assert subjects[blank].endswith(f"from Cllr Ann Lee: (no subject) [{blank}]"), subjects
