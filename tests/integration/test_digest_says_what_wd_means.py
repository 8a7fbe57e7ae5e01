"""The digest's text said "10 wd overdue", "(7 wd)" and "Ack target 2 wd" and never said
that wd is working days; its HTML gave the KPI targets as "2 wd" too. The overdue list's
heading, which every digest has above the first "wd", now says it once ("wd: working
days", Welsh beside it in a bilingual digest), and the HTML spells the targets out. The
month is test_digest_read_as_a_manager's, read as it left the outbox."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from test_digest_read_as_a_manager import Week, _read


def sent(home: Path, policy: str) -> dict[str, EmailMessage]:
    """The chief executive's and Dana's digests of the month under `policy`."""
    week = Week(home, policy)
    with week.council:
        digests = week.month()
    return {"chief": digests[week.chief], "dana": digests[week.dana]}


def test_the_english_digest_says_once_what_wd_means(tmp_path: Path) -> None:
    text, words = _read(sent(tmp_path, "wiltshire")["chief"])
    heading = "Overdue (2), most overdue first (wd: working days)\n"
    assert heading in text
    assert text.count("wd: working days") == 1
    assert text.index(heading) < text.index(" wd")  # said before it is first used
    assert "  MB-2026-00001   10 wd overdue  due Mon 16 Nov" in text
    # The HTML had column headings in words, but gave the targets as "2 wd".
    assert " wd" not in words
    assert "\nEnquiry 5 2 working days 100% 10 working days 33% 9.5\n" in words


def test_a_bilingual_digest_says_it_in_both_languages(tmp_path: Path) -> None:
    text, words = _read(sent(tmp_path, "cardiff")["dana"])
    assert ("Overdue / Yn hwyr (1), most overdue first / yr hwyraf yn gyntaf "
            "(wd: working days / wd: diwrnodau gwaith)\n") in text
    assert text.count("wd: working days") == 1
    assert " wd" not in words
