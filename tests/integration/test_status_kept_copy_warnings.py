"""`mailbot status` lists the directory's warnings (a row skipped, a column not used).
When the daemon had started on its kept copy of the directory (directory_keep.py: the
administrator's officers.csv no longer validates), those warnings named the copy's path in
mailbot's data folder ('/var/lib/mailbot/directory/officers.csv:3: Lee Wong has no email;
skipped'), a file that is not the administrator's to edit, and did not say they were read
from that copy. They now name the administrator's file, and the heading says that the
daemon is using the last copy that could be read, kept on what date."""

from __future__ import annotations

from pathlib import Path

from helpers import Council
from typer.testing import CliRunner

from mailbot.app import build_app
from mailbot.cli import app as cli
from mailbot.settings import load_settings

SAM = "sam.patel@council.gov.uk"
OFFICERS = [("Sam Patel", SAM, "highways", "", ""),
            ("Lee Wong", "", "highways", "", "")]  # no email: skipped, with a warning


def _status(home: Path) -> str:
    result = CliRunner().invoke(cli, ["status", "--config", str(home / "mailbot.toml")])
    return result.output


def test_status_names_the_administrators_file_for_warnings_read_from_the_kept_copy(
    tmp_path: Path,
) -> None:
    home = tmp_path / "council"
    with Council(home, mailbox="memberenquiries@council.gov.uk", officers=OFFICERS,
                 members=[("Cllr Jo Bloggs", "jo.bloggs@council.gov.uk", "Castle", "en")]):
        pass
    # As `mailbot run` starts: the files validate, so it keeps a copy of them.
    build_app(load_settings(home / "mailbot.toml"), directory_copy="keep").close()
    kept = home / "var" / "directory" / "officers.csv"
    assert kept.is_file()
    warning = "officers.csv:3: Lee Wong has no email; skipped"
    # The files as they are: the warning names the administrator's file.
    output = _status(home)
    assert f"  {home / warning}" in output, output
    # Sam's row pasted again and changed: the file no longer validates.
    with (home / "officers.csv").open("a", encoding="utf-8") as officers:
        officers.write(f"Sam Patel,{SAM.upper()},waste,,\n")
    output = _status(home)
    assert "directory: NOT READ:" in output, output
    assert str(kept) not in output, output
    assert f"  {home / warning}" in output, output
    assert ("directory: 1 warning(s) in the copy of these files kept on 20" in output), output
    assert ("the last that could be read, which the daemon is using until they are put "
            f"right:\n  {home / warning}") in output, output
