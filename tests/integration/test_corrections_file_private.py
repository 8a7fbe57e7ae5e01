"""The classifier corrections file holds the subject, text and headers of each message a
person relabelled: members' mail, residents' details, a confidentiality request's words.
It was written with the process's umask (0644 under systemd's default 0022), readable by
every account on the server, beside a database kept readable by mailbot's user alone
(0600). Now it is made 0600, and a file an earlier version left readable by others is
made so at the next correction. Judged by the file's mode and lines after `mailbot
relabel`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from helpers import PLAIN_UTF8, Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow

D = "wiltshire.gov.uk"
JO, SAM = f"jo@{D}", f"sam.patel@{D}"


def relabel(place: Council, ref: str, kind: str) -> None:
    result = CliRunner().invoke(cli, ["relabel", ref, kind, "--config",
                                      str(place.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output


def test_the_corrections_file_is_readable_by_mailbots_user_alone(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        with Council(tmp_path, mailbox=f"memberenquiries@{D}",
                     members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
                     officers=[("Sam Patel", SAM, "Highways", "", "")],
                     config=f'[routing]\ndefault_officer = "{SAM}"\n',
                     mail_headers=PLAIN_UTF8) as place:
            for subject in ("A family in my ward", "Damp at 3 Elm Road"):
                place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", subject,
                                         "Please could someone look at this for me."))
            first, second = rows(place.app, CaseRow)
            corrections = place.app.settings.corrections_path

            relabel(place, first.ref, "foi")
            assert stat.S_IMODE(corrections.stat().st_mode) == 0o600

            corrections.chmod(0o644)  # as an earlier version left it
            relabel(place, second.ref, "complaint")
            assert stat.S_IMODE(corrections.stat().st_mode) == 0o600
            lines = [json.loads(line) for line in corrections.read_text("utf-8").splitlines()]
            assert [line["subject"] for line in lines] == ["A family in my ward",
                                                           "Damp at 3 Elm Road"]
    finally:
        os.umask(before)
