"""`mailbot poll --once` said "sent 0" while mail waited in the outbox for its next try
(the SMTP server down): the administrator read it as nothing pending. Now its summary says
how many mail(s) are not sent yet and when the next try is, with what the server said.
Read as the command's output, beside the outbox's rows (two acknowledgements)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fixtures.dovecot import free_port
from helpers import deliver_to_maildir
from sqlalchemy import select
from typer.testing import CliRunner

from mailbot.cases import LONDON
from mailbot.cli import app as command_line
from mailbot.settings import load_settings
from mailbot.store import Store
from mailbot.store.tables import OutboxRow

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
JO = "Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>"
ADDRESS = "memberenquiries@council.gov.uk"


def _council(tmp_path: Path, smtp_port: int) -> Path:
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
        f'[mailbox.smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def _poll_once(config: Path) -> str:
    result = CliRunner().invoke(command_line, ["poll", "--once", "--config", str(config)])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_poll_once_says_how_much_mail_waits_and_when_it_is_tried_again(
    tmp_path: Path,
) -> None:
    config = _council(tmp_path, free_port())  # nothing listens there: the server is down
    for number in (1, 2):
        deliver_to_maildir(tmp_path, number, sender=JO, to=ADDRESS, tag="waiting")

    first = _poll_once(config)  # the first acknowledgement is tried, the second waits behind
    second = _poll_once(config)  # the second is tried; the first one's next try is later
    third = _poll_once(config)  # nothing due: both wait for their next try

    store = Store(load_settings(config).database_url, migrate=False)
    try:
        with store.transaction() as session:
            rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    finally:
        store.close()
    assert [(row.status, row.attempts) for row in rows] == [("pending", 1)] * 2
    error = rows[0].last_error
    assert error.startswith("cannot reach SMTP server 127.0.0.1:")
    next_try = min(_utc(row.not_before) for row in rows).astimezone(LONDON)

    assert first.startswith("fetched: 2 processed; sent 0, 1 deferred"), first
    assert first.endswith("; 2 mail(s) not sent yet, the next try at the next flush"), first
    assert second.startswith("fetched: no new mail; sent 0, 1 deferred"), second
    waits = f"; 2 mail(s) not sent yet, the next try {next_try:%Y-%m-%d %H:%M}"
    assert second.endswith(waits), second
    assert third == f"fetched: no new mail; sent 0{waits}: {error}", third


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite's
