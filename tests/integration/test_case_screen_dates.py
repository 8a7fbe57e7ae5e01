"""`mailbot case REF`, read by a manager: its dates were 'received: Monday 02 November 2026
09:55', 'acknowledgement due: 2026-11-04' and 'response due: 2026-11-16', three forms on
three lines (every mail says 'Monday 16 November 2026'), and nothing said the response was
nine working days late, which `mailbot cases` beside it says ('2026-11-16 (9 wd overdue)').
Now the dates read as the mail gives them, and an open case past its date says by how
many working days, counted as the list, the reminders and the digest count them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.console import describe_case

D = "wiltshire.gov.uk"
SAM = f"sam.patel@{D}"
RECEIVED = datetime(2026, 11, 2, 9, 55, tzinfo=UTC)  # Monday; due Monday 16 November
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_the_case_screen_gives_its_dates_as_the_mail_does_and_how_late_it_is(
    tmp_path: Path,
) -> None:
    with Council(
        tmp_path, mailbox=f"memberenquiries@{D}",
        members=[("Cllr Jo Bloggs", f"jo.bloggs@{D}", "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n', mail_headers=PLAIN_UTF8,
    ) as place:
        place.deliver(place.mail(f"Cllr Jo Bloggs <jo.bloggs@{D}>", "Pothole on Castle Road",
                                 "A deep pothole outside no. 12.", cc=SAM, date=RECEIVED),
                      RECEIVED)
        ref = place.case().ref
        shown = (describe_case(place.app, ref, FRIDAY) or "").splitlines()
        assert "received: Monday 2 November 2026 09:55" in shown, shown
        assert ("acknowledgement due: Wednesday 4 November 2026, acknowledged Monday 2 November "
                "2026") in shown, shown
        assert "response due: Monday 16 November 2026, 9 working days overdue" in shown, shown
        # Before the date, nothing is said of lateness.
        assert "response due: Monday 16 November 2026" in (
            describe_case(place.app, ref, RECEIVED) or "").splitlines()
        printed = CliRunner().invoke(cli, ["case", ref, "--config",
                                           str(tmp_path / "mailbot.toml")])
        assert printed.exit_code == 0, printed.output
        assert any(line.startswith("response due: Monday 16 November 2026")
                   for line in printed.output.splitlines()), printed.output
