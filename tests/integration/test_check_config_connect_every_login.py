"""`mailbot check-config --connect` tries every login whatever the others did: an SMTP
server that cannot be reached no longer hid a PostgreSQL login that fails too, found only
once the first was put right. Each is one line naming the file and the key; exit 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, free_port, mailbot_config
from fixtures.smtpd import SmtpServer
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


@pytest.mark.dovecot
@pytest.mark.timeout(120)
@pytest.mark.parametrize("smtp_up", [True, False], ids=["smtp-works", "smtp-closed"])
def test_a_refused_imap_login_does_not_hide_the_smtp_check(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path, smtp_up: bool,
) -> None:
    """A wrong IMAP password stopped --connect before the SMTP server was tried: nothing
    said whether sending worked, and a second mistake there was found only after the first
    was put right. Now the SMTP line is said either way; exit 3."""
    user = dovecot.new_user()
    smtp_port = smtp_server.port if smtp_up else free_port()
    config = mailbot_config(tmp_path / "mailbot.toml", dovecot, user,
                            (smtp_server.host, smtp_port),
                            address="memberenquiries@example.gov.uk", directory=DEMO)
    config.write_text(config.read_text().replace(
        f'password = "{user.password}"', 'password = "Winter2026"'))
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    errors = [line for line in lines if line.startswith("mailbot: error")]
    where = f"mailbot: error: {config.resolve()}: "
    assert errors[0].startswith(f"{where}[mailbox.imap]: IMAP server "), errors
    assert "wrong username or password" in errors[0]
    if smtp_up:
        assert len(errors) == 1, errors
        assert (f"smtp: SMTP server {smtp_server.host}:{smtp_port}: no login; takes mail "
                "from memberenquiries@example.gov.uk") in lines
    else:
        assert len(errors) == 2, errors
        assert errors[1].startswith(f"{where}[mailbox.smtp]: cannot reach SMTP server "
                                    f"127.0.0.1:{smtp_port}")
    assert "Winter2026" not in result.output
