"""[retention] periods that keep, outside the case, what anonymising the case erases.
Anonymising an answered case (anonymise_cases_days) blanks its member, subject, mail and
audit text, but the officers' reminder summaries and managers' digests (which list
members' names, addresses and case subjects, and belong to no one case) go only with
sent_mail_days, and the classifier corrections lines (a member's message text) only
with corrections_days. Set to 0 (for ever) or longer than anonymise_cases_days, they
still named the member years after the case was anonymised, and check-config said OK.
Now each is a warning naming the key, what it keeps and what to set. Judged by
check-config's output and exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

MEMBERS = "name,email,ward\r\nCllr Jo Bloggs,jo@anglesey.gov.uk,Castle\r\n"


def check(tmp_path: Path, retention: str) -> tuple[int, list[str]]:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Isle of Anglesey County Council"\npolicy = "cardiff"\n'
        'telephone = "01632 960001"\ndata_dir = "var"\n[mailbox]\nbackend = "maildir"\n'
        'address = "ymholiadau@anglesey.gov.uk"\n[directory]\nmembers = "members.csv"\n'
        f"[retention]\n{retention}"
    )
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    return result.exit_code, [line for line in result.output.splitlines() if "retention." in line]


@pytest.mark.parametrize(("retention", "key", "kept"), [
    ("sent_mail_days = 0\n", "retention.sent_mail_days = 0", "for ever"),
    ("sent_mail_days = 3000\n", "retention.sent_mail_days = 3000", "3000 days"),
    ("corrections_days = 0\n", "retention.corrections_days = 0", "for ever"),
    ("corrections_days = 1000\nanonymise_cases_days = 730\n",
     "retention.corrections_days = 1000", "1000 days"),
])
def test_kept_longer_than_the_case_is_a_warning(
    tmp_path: Path, retention: str, key: str, kept: str
) -> None:
    code, lines = check(tmp_path, retention)
    assert code == 0, lines
    [line] = lines
    assert f": {key} keeps " in line and f" {kept}, " in line, line
    assert "after retention.anonymise_cases_days has anonymised" in line, line


@pytest.mark.parametrize("retention", [
    "",  # the defaults: 365 and 730 within 2190
    "sent_mail_days = 2190\ncorrections_days = 2190\n",
    "sent_mail_days = 0\ncorrections_days = 0\nanonymise_cases_days = 0\n",  # all kept
])
def test_within_the_cases_own_period_is_not(tmp_path: Path, retention: str) -> None:
    code, lines = check(tmp_path, retention)
    assert code == 0 and lines == []
