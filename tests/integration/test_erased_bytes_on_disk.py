"""What `mailbot person erase` and the retention purge erase must not stay readable in the
SQLite database's files. The daemon keeps its connections open, so the database runs in
WAL mode with a write-ahead log (mailbot.db-wal) that SQLite checkpoints but does not
shrink: the pages written when a resident's email arrived stayed in it, readable with
`strings`, after the erasure had blanked the rows, for as long as the daemon ran. Now an
erasure and a purge each end by emptying the log into the database (a TRUNCATE
checkpoint), and SQLite overwrites what is deleted (secure_delete), whatever its build.
Judged by the bytes of the files in the data folder, with the daemon's app still open."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import NOW, PLAIN_UTF8, Council, rows
from typer.testing import CliRunner

from mailbot import retention
from mailbot.cli import app as cli
from mailbot.store.tables import CaseRow

pytestmark = pytest.mark.own_database  # reads the SQLite files themselves

D = "wiltshire.gov.uk"
JO, SAM = f"jo@{D}", f"sam.patel@{D}"
RESIDENT = "Zebedee Quargleston"
PHONE = "07700 900123"


def council(home: Path) -> Council:
    place = Council(home, mailbox=f"memberenquiries@{D}",
                    members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
                    officers=[("Sam Patel", SAM, "Highways", "", "")],
                    config=f'[routing]\ndefault_officer = "{SAM}"\n',
                    mail_headers=PLAIN_UTF8)
    place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Noise at night",
                             f"My resident {RESIDENT} ({PHONE}) is kept awake by music."))
    return place


def left_on_disk(home: Path, text: str) -> dict[str, int]:
    found = {path.name: path.read_bytes().count(text.encode())
             for path in (home / "var").iterdir() if path.is_file()}
    return {name: count for name, count in found.items() if count}


def test_an_erasure_leaves_nothing_in_the_database_files(tmp_path: Path) -> None:
    with council(tmp_path) as place:  # open, as the daemon's app is
        assert left_on_disk(tmp_path, PHONE)
        erased = CliRunner().invoke(cli, [
            "person", "erase", "--name", RESIDENT, "--in-text", "--include-open", "--yes",
            "--config", str(place.home / "mailbot.toml")])
        assert erased.exit_code == 0, erased.output
        assert left_on_disk(tmp_path, PHONE) == {}
        assert left_on_disk(tmp_path, RESIDENT) == {}
        # and mailbot carries on in the same files
        place.deliver(place.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole", "A pothole."))
        assert len(rows(place.app, CaseRow)) == 2


def test_the_purge_leaves_nothing_in_the_database_files(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        place.deliver(place.mail(SAM, f"RE: [{place.case().ref}]", "DONE"),
                      NOW + timedelta(hours=1))
        assert place.case().status == "responded"
        report = retention.purge(place.app, NOW + timedelta(days=2191))
        assert report.cases_anonymised == 1
        assert left_on_disk(tmp_path, PHONE) == {}
