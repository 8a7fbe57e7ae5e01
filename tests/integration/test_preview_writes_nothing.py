"""`mailbot digest --preview` ("send nothing") worked the open cases' due dates out again
when the pack or its calendar had changed since they were stored (a closure added to the
config), so the preview wrote to the database: the dates moved, 'due dates moved' was
recorded, and an extension letter to the member was queued for the daemon to send. Now
the preview lists the dates as the next real run will work them out, says so, and
writes none of it. `purge --dry-run`, `status` and `cases` write nothing either.
Read as the database's rows before and after each command, and the command's output."""

from __future__ import annotations

from pathlib import Path

from helpers import deliver_to_maildir
from sqlalchemy import select
from typer.testing import CliRunner

from mailbot.cli import app as command_line
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.tables import CaseRow, EventRow, OutboxRow, StateRow

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
JO = "Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>"
ADDRESS = "memberenquiries@council.gov.uk"
CLOSURE = ('[policy.calendar]\n'
           'closures = [{ start = 2026-12-01, end = 2026-12-04, name = "Flood" }]\n')


def _council(tmp_path: Path) -> Path:
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    for folder in ("new", "cur", "tmp"):
        (tmp_path / "mailbox" / folder).mkdir(parents=True)
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ntelephone = "01225 713000"\n'
        'data_dir = "var"\n'
        f'[mailbox]\nbackend = "maildir"\naddress = "{ADDRESS}"\n'
        '[mailbox.maildir]\npath = "mailbox"\noutbox = "outbox"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command_line, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def _rows(config: Path) -> tuple[object, ...]:
    store = Store(load_settings(config).database_url, migrate=False)
    try:
        with store.reading() as session:
            return (
                [(e.id, e.action) for e in session.scalars(select(EventRow))],
                [(o.id, o.purpose, o.status) for o in session.scalars(select(OutboxRow))],
                [(c.ref, c.ack_due, c.response_due) for c in session.scalars(select(CaseRow))],
                sorted((s.key, s.value) for s in session.scalars(select(StateRow))),
            )
    finally:
        store.close()


def test_a_preview_or_a_dry_run_after_a_calendar_change_writes_nothing(tmp_path: Path) -> None:
    config = _council(tmp_path)
    deliver_to_maildir(tmp_path, 1, sender=JO, to=ADDRESS, tag="preview")
    assert _run("poll", "--once", "--config", str(config))[0] == 0
    assert _run("digest", "--config", str(config))[0] == 0  # the calendar's print stored
    config.write_text(config.read_text() + CLOSURE)  # the council closes for a week
    before = _rows(config)

    code, out, err = _run("digest", "--preview", "--out", str(tmp_path / "preview.eml"),
                          "--config", str(config))
    assert code == 0, err
    assert out.strip() == str(tmp_path / "preview.eml")
    assert _rows(config) == before
    assert ("mailbot: the policy or its calendar changed since the due dates were stored: "
            "this preview lists them as the next real run (`mailbot digest`, or the daemon's "
            "next sweep) works them out again (1 of 1 open case(s) move); nothing is written "
            "until then") in err.splitlines(), err

    for command in (["purge", "--dry-run"], ["status"], ["cases"]):
        _run(*command, "--config", str(config))
        assert _rows(config) == before, command

    # The real run still works them out, once.
    assert _run("digest", "--config", str(config))[0] == 0
    events, outbox, cases, _ = _rows(config)
    assert [action for _, action in events].count("due dates moved") == 1
    assert [purpose for _, purpose, _ in outbox].count("extension_notice") == 1
    code, out, err = _run("digest", "--preview", "--out", str(tmp_path / "preview.eml"),
                          "--config", str(config))
    assert "policy or its calendar changed" not in err
