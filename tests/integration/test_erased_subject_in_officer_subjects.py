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
from helpers import PLAIN_UTF8, Council
from typer.testing import CliRunner

from mailbot.cli import app as cli

RECEIVED = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)


def _cli(place: Council, *args: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("policy", "erased"), [
    ("wiltshire", "(erased on request)"),
    ("cardiff", "(erased on request / dilëwyd ar gais)"),
])
def test_a_hand_overs_subject_says_the_subject_was_erased(
    tmp_path: Path, policy: str, erased: str
) -> None:
    domain = f"{policy}.gov.uk"
    member, sam, dana = f"ann.lee@{domain}", f"sam.patel@{domain}", f"dana.reed@{domain}"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", policy=policy,
        members=[("Cllr Ann Lee", member, "Abbey", "en")],
        officers=[("Sam Patel", sam, "Highways", "", ""),
                  ("Dana Reed", dana, "Highways", "", "")],
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(member, "Noise from Pat Quinn's house",
                                 "The music goes on all night.", cc=sam, date=RECEIVED),
                      RECEIVED)
        named = place.case().ref
        place.deliver(place.mail(member, "", "https://maps.example/abbey-road-drain",
                                 cc=sam, date=RECEIVED), RECEIVED)
        blank = place.case().ref
        _cli(place, "person", "erase", "--name", "Pat Quinn", "--in-text", "--include-open",
             "--yes")
        assert place.case(named).subject == ""
        _cli(place, "reassign", named, blank, "--to", dana, "--by", "admin@council.gov.uk")
        out = place.flush(datetime.now(UTC))
        subjects = {ref: str(m["Subject"]) for m in out if m["To"] == dana
                    for ref in (named, blank) if f"[{ref}]" in str(m["Subject"])}
    assert subjects[named].endswith(f"from Cllr Ann Lee: {erased} [{named}]"), subjects
    assert "(no subject)" not in subjects[named]
    assert subjects[blank].endswith(f"from Cllr Ann Lee: (no subject) [{blank}]"), subjects
