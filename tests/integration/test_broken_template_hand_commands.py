"""A council template mailbot cannot use, and the commands a person runs by hand that make
mail: `quarantine retry`, `relay reread`, `relabel`, `reassign` and `digest` (with or
without --preview). Before, each went ahead: a retried enquiry was quarantined again at its
acknowledgement, a relabel or a hand-over stopped at the officer's mail with a traceback
line. Now each refuses at once, exit 2, with check-config's line, as `poll --once` does,
and changes nothing: no row, no mail queued or sent, no preview file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import JO, SAM, AppFactory, eml, rows, run
from sqlalchemy import select
from typer.testing import CliRunner

from mailbot import pipeline
from mailbot.app import App
from mailbot.cli import app as command_line
from mailbot.pipeline import Intake, Outcome
from mailbot.store.tables import Base, CaseRow, MessageRow

LEE = ("Lee Wong", "lee.wong@wiltshire.gov.uk", "Highways", "", "")
RELAY = "memberenquiries@wiltshire.gov.uk"
# The closing brace of `ref` lost on line 3.
BROKEN_ACK = "Subject: Your enquiry {{ ref }}\n\nThank you. Your reference is {{ ref }.\n"
QUARANTINED_MAIL = (
    f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
    "Subject: Fly-tipping in Mill Lane\r\nMessage-ID: <flytip@wiltshire.gov.uk>\r\n"
    "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nA sofa has been dumped again.\r\n"
).encode()


def _bug(it: Intake) -> Outcome | None:
    raise KeyError("a bug in this version")


def _database(app: App) -> list[tuple[str, list[str]]]:
    """Every row of every table, on SQLite or PostgreSQL."""
    with app.store.engine.connect() as connection:
        return [(table.name, sorted(repr(tuple(row)) for row in connection.execute(select(table))))
                for table in Base.metadata.sorted_tables]


@pytest.fixture
def broken_home(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> tuple[App, int, Path]:
    """An open case (MB-2026-00001), a quarantined enquiry, a relayed one dropped as list
    mail; then the council's ack.txt broken. The quarantined row and ack.txt's path."""
    app, server = app_factory(members=(JO,), officers=(SAM, LEE))
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    server.deliver(eml("relay_google_group_member_enquiry.eml"))
    run(app)
    server.deliver(QUARANTINED_MAIL)
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "STAGES", (_bug,))
        run(app)
    [case] = rows(app, CaseRow)
    assert case.ref == "MB-2026-00001" and case.status != "closed"
    [quarantined] = rows(app, MessageRow, MessageRow.status == "quarantined")
    ack = app.settings.base_dir / "templates" / "ack.txt"
    ack.parent.mkdir()
    ack.write_text(BROKEN_ACK)
    monkeypatch.setenv("MAILBOT_LOOPS__RELAY_LIST_IDS", f'["{RELAY}"]')
    return app, quarantined.id, ack


@pytest.mark.parametrize(
    "command",
    [
        ["quarantine", "retry", "{row}"],
        ["relay", "reread"],
        ["relabel", "MB-2026-00001", "complaint"],
        ["reassign", "MB-2026-00001", "--to", LEE[1]],
        ["digest"],
        ["digest", "--preview", "--out", "{preview}"],
    ],
    ids=lambda command: " ".join(part for part in command if not part.startswith("{")),
)
def test_a_command_that_makes_mail_refuses_a_broken_council_template(
    broken_home: tuple[App, int, Path], tmp_path: Path, command: list[str]
) -> None:
    app, row, ack = broken_home
    preview = tmp_path / "digest.eml"
    args = [part.format(row=row, preview=preview) for part in command]
    before = _database(app)
    result = CliRunner().invoke(
        command_line, [*args, "--config", str(app.settings.config_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"mailbot: error: {ack}:3: unexpected '}}'; every mail made from this template "
        "would fail: put it right, or delete it to use mailbot's own"]
    assert result.stdout == ""
    assert _database(app) == before  # nothing queued, no row changed
    assert not preview.exists()
