"""`mailbot cases` as a table: the reference and the due date are never cut short."""

from __future__ import annotations

import pytest

from mailbot.console import CaseLine, print_cases


def _case(ref: str, subject: str) -> CaseLine:
    return CaseLine(
        ref=ref, kind="enquiry", priority="important", status="open",
        member="cllr.llyr.hughes@ynysmon.llyw.cymru", officer="gwen.parry@ynysmon.llyw.cymru",
        received="2026-11-25T10:00:00+00:00", ack_due="2026-11-27", response_due="2026-12-09",
        days_overdue=3, subject=subject, confidential=False,
    )


def test_piped_table_has_one_line_per_case_with_the_whole_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Piped (not a terminal), rich used 80 columns and printed "MB-202…" and "2026-1…".
    print_cases(
        [_case("MB-2026-00042", "Twll yn y ffordd ger Gwalchmai / pothole on the A5 again"),
         _case("MB-2026-00043", "Bins")],
        as_json=False,
    )
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if "MB-2026-" in line]
    assert len(rows) == 2
    assert "MB-2026-00042" in rows[0] and "2026-12-09 (3 wd overdue)" in rows[0]
    assert "cllr.llyr.hughes@ynysmon.llyw.cymru" in rows[0]
    assert "pothole on the A5 again" in rows[0]
