"""The FOI team's daily summary ("Your cases to answer") gave every FOI request
"Commands: DONE or REASSIGN (an FOI date is set by law: no EXTEND)", though before its
date an EIR request may be extended under reg 7 and an FOIA request for the public
interest test (s.10(3)), as the same request's own reminder says: an officer answering
the summary was told they could not. Before the date it now names the two forms; once
the date has passed (when neither may be given) it says no EXTEND, as before. Its list
of commands gave PAUSE "reason", refused on an FOI request: it gives the Act's two."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import PLAIN_UTF8, Council, body_text

from mailbot import jobs

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
FOI_TEAM = "foi@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # due Tue 1 Dec 2026
SUMMARY = "Your cases to answer"


def test_the_foi_teams_summary_names_the_extensions_the_law_gives(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("FOI Team", FOI_TEAM, "Information governance", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[policy.routing]\nfoi_team = "{FOI_TEAM}"\n[digest]\nenabled = false\n',
    ) as place:
        for n in range(1, 5):
            place.deliver(place.mail(
                f"Cllr Jo Bloggs <{JO}>", f"Freedom of Information request: road budgets ({n})",
                "Under the Freedom of Information Act 2000 please send me the road budgets "
                f"for ward {n}.", date=RECEIVED), RECEIVED)
        place.left()
        summaries = []
        day = date(2026, 11, 24)
        while day <= date(2026, 12, 4):
            now = datetime(day.year, day.month, day.day, 9, 5, tzinfo=UTC)
            jobs.send_reminders(place.app, now)
            summaries += [(day, m) for m in place.flush(now)
                          if m["To"] == FOI_TEAM and str(m["Subject"]).startswith(SUMMARY)]
            day += timedelta(days=1)
    before = [m for day, m in summaries if day <= date(2026, 12, 1)]
    after = [m for day, m in summaries if day > date(2026, 12, 1)]
    assert before and after
    for message in before:
        for part in ("plain", "html"):
            text = body_text(message, part)
            assert text.count('EXTEND 20 "EIR reg 7: complex and voluminous"') >= 4, text
            assert text.count('EXTEND 10 "public interest test: why"') >= 4, text
            assert "no EXTEND" not in text
            # PAUSE "reason" is refused on an FOI request: the two forms the Act allows.
            assert 'PAUSE "reason"' not in text
            assert 'PAUSE "clarification: what is asked"' in text
            assert 'PAUSE "fees notice sent"' in text
    for message in after:
        text = body_text(message, "plain")
        assert "public interest test" not in text
        assert text.count("(an FOI date is set by law: no EXTEND)") == 4
