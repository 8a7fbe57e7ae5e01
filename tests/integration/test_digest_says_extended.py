"""The digest never said that a case's date had been moved: the FOI team's request,
extended by ten working days for the public interest test, was listed by its new date
like any other, and a manager could not tell that the member had been told of a later
date. Where a case is listed its kind now says so: "FOI/EIR request (extended for the
public interest test)", "Enquiry (extended)", Welsh beside it ("estynnwyd"), text and
HTML. The month is test_digest_read_as_a_manager's (its FOI request extended through a
real EXTEND mail); the job runs on Monday 14 December 2026, the week the new date falls."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from test_digest_read_as_a_manager import Week, _read

DECEMBER = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)


def _chiefs(home: Path, policy: str) -> EmailMessage:
    week = Week(home, policy)
    with week.council:
        week.cases()
        [mail] = [m for m in week.digests(DECEMBER) if str(m["To"]) == week.chief]
    return mail


def test_the_extended_foi_request_says_it_was_extended(tmp_path: Path) -> None:
    text, words = _read(_chiefs(tmp_path, "wiltshire"))
    assert ("  MB-2026-00004  due Tue 15 Dec  FOI Team (Information governance)  FOI/EIR "
            "request (extended for the public interest test): Freedom of Information "
            "request: road repair spend\n") in text
    assert ("\nMB-2026-00004 Tue 15 Dec FOI Team Information governance FOI/EIR request "
            "(extended for the public interest test) Freedom of") in words
    # Cases whose dates were never moved say nothing of it.
    assert text.count("extended") == 1 and words.count("extended") == 1


def test_a_bilingual_digest_says_it_in_welsh_too(tmp_path: Path) -> None:
    text, words = _read(_chiefs(tmp_path, "cardiff"))
    for part in (text, words):
        assert "(extended for the public interest test) / " in part
        assert "(estynnwyd ar gyfer prawf budd y cyhoedd)" in part
        assert part.count("estynnwyd") == 1
