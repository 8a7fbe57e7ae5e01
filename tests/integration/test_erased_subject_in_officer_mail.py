"""A case whose subject an erasure on request blanked (it named a resident erased with
`mailbot person erase --name ... --in-text`) is listed in the weekly digest as "(erased on
request)" (7a7efee). The officers' mail that lists a member's cases said "(no subject)"
for it, as if the councillor had sent none: the assignment's list of the member's other
open cases, and the question "Which case did this answer?" even said "(confidential)".
Both now say "(erased on request)" ("(dilëwyd ar gais)" in Welsh); a case sent without a
subject still says "(no subject)" ("(dim pwnc)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text
from typer.testing import CliRunner

from mailbot.cli import app as cli

RECEIVED = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
LATER = RECEIVED + timedelta(hours=2)


def _lines(mail: EmailMessage, ref: str) -> list[str]:
    return [line.strip() for line in body_text(mail, "plain").splitlines()
            if line.strip().startswith(ref)]


@pytest.mark.parametrize(("policy", "erased", "none"), [
    ("wiltshire", ["(erased on request)"], ["(no subject)"]),
    ("cardiff", ["(erased on request)", "(dilëwyd ar gais)"], ["(no subject)", "(dim pwnc)"]),
])
def test_officer_mail_listing_cases_says_a_subject_was_erased(
    tmp_path: Path, policy: str, erased: list[str], none: list[str]
) -> None:
    domain = f"{policy}.gov.uk"
    member, sam = f"ann.lee@{domain}", f"sam.patel@{domain}"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{domain}", policy=policy,
        members=[("Cllr Ann Lee", member, "Abbey", "en")],
        officers=[("Sam Patel", sam, "Highways", "", "")],
        mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(member, "Noise from Pat Quinn's house",
                                 "The music goes on all night.", cc=sam, date=RECEIVED),
                      RECEIVED)
        named = place.case().ref
        place.deliver(place.mail(member, "", "https://maps.example/abbey-road-drain",
                                 cc=sam, date=RECEIVED), RECEIVED)
        blank = place.case().ref
        erasure = CliRunner().invoke(cli, [
            "person", "erase", "--name", "Pat Quinn", "--in-text", "--include-open", "--yes",
            "--config", str(place.home / "mailbot.toml")])
        assert erasure.exit_code == 0, erasure.output
        assert place.case(named).subject == ""
        out = place.deliver(place.mail(member, "Drain on Abbey Road", "The drain is blocked.",
                                       cc=sam, date=LATER), LATER)
        [assignment] = [m for m in out if m["To"] == sam]
        # Sam writes to the member without a reference, holding three of her cases.
        out = place.deliver(place.mail(
            sam, "Your cases", "All three are in hand.", cc="", date=LATER,
            extra=f"Cc: {place.mailbox}",
        ).replace(f"To: {place.mailbox}".encode(), f"To: {member}".encode(), 1), LATER)
        [question] = [m for m in out if m["To"] == sam]
    assert "Which case" in question["Subject"]
    for mail in (assignment, question):
        # A bilingual council's mail lists each case twice, in Welsh and in English.
        named_line = " | ".join(_lines(mail, named))
        blank_line = " | ".join(_lines(mail, blank))
        assert named_line and blank_line
        for words in erased:
            assert words in named_line, named_line
            assert words not in blank_line, blank_line
        for words in none:
            assert words in blank_line, blank_line
            assert words not in named_line, named_line
        assert "(confidential)" not in named_line + blank_line
        assert "Pat Quinn" not in body_text(mail, "plain")
        html = body_text(mail, "html")
        assert "Pat Quinn" not in html
        assert erased[0] in html and none[0] in html
