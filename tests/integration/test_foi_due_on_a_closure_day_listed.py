"""An FOI request's statutory date can fall on a council closure day; its 'due today'
reminder then goes on the council's last working day before it, titled 'Last working
day' (docs/reminders.md). `mailbot case` listed that day as 'FOI Team: due today', as if
the date were that day (Test Valley's trial: 'Thursday 24 December 2026  Freya Lane: due
today' for a request due Wednesday 30 December, a closure day). It now says what goes.

Borsetshire's pack closes the council on Tuesday 29 December 2026; a request received on
Thursday 26 November is due that day (20 working days on the statutory calendar, St
Andrew's Day, Monday 30 November, a Scottish bank holiday, not counted)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from helpers import Council, by_recipient

from mailbot import reminders
from mailbot.console import describe_case

PACK = Path(__file__).resolve().parents[1] / "data" / "pack_borsetshire_christmas_closure.toml"
DOMAIN = "borsetshire.gov.uk"
JO, SAM, FOI = f"jo.archer@{DOMAIN}", f"sam.patel@{DOMAIN}", f"foi@{DOMAIN}"
RECEIVED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)


def test_the_last_working_day_before_a_closure_date_is_listed_as_such(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Borsetshire District Council", policy=str(PACK),
        mailbox=f"memberenquiries@{DOMAIN}",
        members=[("Cllr Jo Archer", JO, "Ambridge", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""),
                  ("FOI Team", FOI, "Information Governance", SAM, "")],
        config=(f'[policy.routing]\nfoi_team = "{FOI}"\n'
                f'[routing]\ndefault_officer = "{SAM}"\n'),
    ) as it:
        it.deliver(it.mail(
            f"Cllr Jo Archer <{JO}>", "Freedom of Information request - parking income",
            "Under the Freedom of Information Act 2000 please provide the income from "
            "parking penalty charge notices for each of the last three financial years.",
            date=RECEIVED), RECEIVED)
        case = it.case()
        assert (case.kind, case.response_due) == ("foi", date(2026, 12, 29))
        shown = describe_case(it.app, case.ref, RECEIVED) or ""
        reminders.sweep(it.app, CHRISTMAS_EVE)
        left = by_recipient(it.flush(CHRISTMAS_EVE))
    lines = [line.split("2026", 1)[1].strip() for line in shown.splitlines()
             if line.startswith("  Thursday 24 December 2026")]
    assert lines == ["FOI Team: last working day before the due date, Tuesday 29 December "
                     "2026, a day the council is closed"], shown
    assert str(left[FOI]["Subject"]).startswith("Last working day:")
