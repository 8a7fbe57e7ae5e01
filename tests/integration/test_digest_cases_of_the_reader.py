"""A manager's digest told them, of a case they hold themselves, to 'ask its officer to
answer the member now ...': Dana Reed holds the complaint about Sam Patel (Wiltshire
16.2: it goes up his management line), and her digest's overdue list, under the one
'What to do' it says for every case, sent her to ask herself. Now a case the reader holds
says so on its own line: 'What to do: it is yours: answer the member now, ...' (Welsh
too, at a bilingual council); the others keep the list's word. Sam's enquiry and the
complaint both arrive on Monday 30 November (due Monday 14 December); the digest goes on
Monday 21 December."""

from __future__ import annotations

import html as markup
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

RECEIVED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
DIGEST_TIME = datetime(2026, 12, 21, 8, 0, tzinfo=UTC)


def _digest_to_dana(tmp_path: Path, policy: str) -> tuple[str, str]:
    d = f"{policy}.gov.uk"
    sam, dana = f"sam.patel@{d}", f"dana.reed@{d}"
    with Council(
        tmp_path, mailbox=f"memberenquiries@{d}", policy=policy,
        name="Cardiff Council" if policy == "cardiff" else "Wiltshire Council",
        members=[("Cllr Rob Hall", f"rob.hall@{d}", "Abbey", "en")],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Reed", dana, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{sam}"\n', mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Rob Hall <rob.hall@{d}>", "Blocked drain in Abbey Lane",
                                 "The drain in Abbey Lane is blocked again.", cc=sam,
                                 date=RECEIVED), RECEIVED)
        place.deliver(place.mail(f"Cllr Rob Hall <rob.hall@{d}>", "Complaint about Sam Patel",
                                 "I wish to make a formal complaint about Sam Patel, who has "
                                 "ignored three emails from me about the drain.",
                                 date=RECEIVED), RECEIVED)
        assert {c.ref: c.officer_email for c in [place.case("MB-2026-00001"),
                                                 place.case("MB-2026-00002")]} == {
            "MB-2026-00001": sam, "MB-2026-00002": dana}
        place.left()
        jobs.send_digests(place.app, DIGEST_TIME)
        digest = next(m for m in place.flush(DIGEST_TIME) if m["To"] == dana)
    return (" ".join(body_text(digest, "plain").split()),
            " ".join(markup.unescape(body_text(digest, "html")).split()))


YOURS = ("What to do: it is yours: answer the member now, or agree more time with them "
         "(EXTEND) or pass it on (REASSIGN).")


def test_a_case_the_reader_holds_says_it_is_theirs(tmp_path: Path) -> None:
    text, html = _digest_to_dana(tmp_path, "wiltshire")
    # Sam's enquiry keeps the list's word; Dana's own complaint says it is hers.
    assert ("What to do, unless a case's own line says otherwise: ask its officer to answer "
            "the member now") in text
    complaint = text.index("Complaint about Sam Patel")
    assert text.index(YOURS, complaint) < text.index("To act on a case yourself")
    assert "it is yours: answer the member now" in html


@pytest.mark.parametrize("policy", ["cardiff"])
def test_a_bilingual_digest_says_it_in_both_languages(tmp_path: Path, policy: str) -> None:
    text, html = _digest_to_dana(tmp_path, policy)
    for said in (text, html):
        assert "it is yours: answer the member now" in said
        assert "eich achos chi yw hwn: atebwch yr aelod nawr" in said
