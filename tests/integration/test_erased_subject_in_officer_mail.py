"""A case whose subject an erasure on request blanked (it named a resident erased with
`mailbot person erase --name ... --in-text`) is listed in the weekly digest as "(erased on
request)" (7a7efee). The officers' mail that lists a member's cases said "(no subject)"
for it, as if the councillor had sent none: the assignment's list of the member's other
open cases, and the question "Which case did this answer?" even said "(confidential)".
Both now say "(erased on request)" ("(dilëwyd ar gais)" in Welsh); a case sent without a
subject still says "(no subject)" ("(dim pwnc)")."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from erased_subject import RECEIVED, addresses, ann_lees_council, named_and_erased
from helpers import body_text

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
    member, sam, _ = addresses(policy)
    with ann_lees_council(tmp_path, policy, [("Sam Patel", sam, "Highways", "", "")]) as place:
        named, blank = named_and_erased(place, member, sam)
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
