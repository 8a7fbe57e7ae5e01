"""References roll from MB-2026-... to MB-2027-... at New Year (London time, by the day the
mail was sent), and a 2026 reference works in 2027 as it did: the member's chaser naming
it, the officer's DONE, `mailbot case` and `mailbot cases`. Read as the mail that left,
the rows and the CLI's output."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers import Council, council_with_sam, rows
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.store.tables import CaseRow

JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
SAM = "Sam Patel <sam@wiltshire.gov.uk>"
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
JUST_AFTER_MIDNIGHT = datetime(2027, 1, 1, 0, 10, tzinfo=UTC)
MONDAY_4 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
TUESDAY_5 = datetime(2027, 1, 5, 11, 0, tzinfo=UTC)


def _cli(council: Council, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--config", str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    return result.output


def test_references_of_both_years_work_after_new_year(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, "Pothole on Castle Road", "A deep pothole by no. 12.",
                           date=NEW_YEARS_EVE), NEW_YEARS_EVE)
        it.deliver(it.mail(JO, "Bins not collected", "The bins on Mill Lane were missed.",
                           date=JUST_AFTER_MIDNIGHT), JUST_AFTER_MIDNIGHT)
        # Sent at 23:50 on New Year's Eve, read after midnight: a 2026 case.
        it.deliver(it.mail(JO, "Graffiti on the bridge", "Graffiti again on the bridge.",
                           date=datetime(2026, 12, 31, 23, 50, tzinfo=UTC)),
                   datetime(2027, 1, 1, 0, 20, tzinfo=UTC))
        assert [c.ref for c in rows(it.app, CaseRow)] == [
            "MB-2026-00001", "MB-2027-00001", "MB-2026-00002"]
        it.left()

        chased = it.deliver(it.mail(JO, "Any news?", "Hi, any update on MB-2026-00001 please?",
                                    date=MONDAY_4), MONDAY_4)
        assert [str(m["To"]) for m in chased] == ["sam@wiltshire.gov.uk"]
        assert "MB-2026-00001" in str(chased[0]["Subject"])
        assert len(rows(it.app, CaseRow)) == 3

        done = it.deliver(it.mail(SAM, "RE: [MB-2026-00001]", "DONE", date=TUESDAY_5), TUESDAY_5)
        assert [str(m["To"]) for m in done] == ["sam@wiltshire.gov.uk"]
        assert it.case("MB-2026-00001").status == "responded"

        shown = _cli(it, "case", "MB-2026-00001")
        assert "MB-2026-00001" in shown and "responded" in shown
        listed = [json.loads(line)["ref"] for line in _cli(it, "cases", "--json").splitlines()]
        assert sorted(listed) == ["MB-2026-00001", "MB-2026-00002", "MB-2027-00001"]
