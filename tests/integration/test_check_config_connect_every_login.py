"""`mailbot check-config --connect` tries every login whatever the others did: an SMTP
server that cannot be reached no longer hid a PostgreSQL login that fails too, found only
once the first was put right. Each is one line naming the file and the key; exit 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dovecot import free_port
from typer.testing import CliRunner

from mailbot.cli import app

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


@pytest.mark.own_database
def test_a_failed_smtp_login_and_a_failed_database_login_are_both_named(
    tmp_path: Path,
) -> None:
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    for folder in ("new", "cur", "tmp"):
        (tmp_path / "mailbox" / folder).mkdir(parents=True)
    smtp_port, database_port = free_port(), free_port()
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ntelephone = "01225 713000"\n'
        f'[database]\nurl = "postgresql+psycopg://mailbot@127.0.0.1:{database_port}/mailbot"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@council.gov.uk"\n'
        '[mailbox.maildir]\npath = "mailbox"\n'
        f'[mailbox.smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("mailbot: error")]
    where = f"mailbot: error: {config.resolve()}: "
    assert len(errors) == 2, errors
    assert errors[0].startswith(f"{where}[mailbox.smtp]: cannot reach SMTP server 127.0.0.1:")
    assert errors[1].startswith(f"{where}database.url: database postgresql+psycopg://mailbot@"
                                f"127.0.0.1:{database_port}/mailbot: ")
