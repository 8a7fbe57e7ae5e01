"""`mailbot check-config --connect` against a real Dovecot and SMTP server: each thing an
administrator gets wrong is one line naming the config file and the section to correct,
with the server's own reason, and exit 3 (a config mistake is exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, free_port, mailbot_config
from fixtures.smtpd import SmtpServer
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def connect(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    return result.exit_code, [line for line in result.output.splitlines()
                              if line.startswith("mailbot: error:")]


@pytest.mark.parametrize(
    ("wrong", "section", "reason"),
    [
        ("password", "[mailbox.imap]", "wrong username or password"),
        ("imap port", "[mailbox.imap]", "connection refused"),
        ("tls on a plain port", "[mailbox.imap]", "TLS failed"),
        ("smtp port", "[mailbox.smtp]", "cannot reach SMTP server"),
    ],
)
def test_each_failed_connection_is_one_line_naming_the_file_and_section(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path,
    wrong: str, section: str, reason: str,
) -> None:
    user = dovecot.new_user()
    config = mailbot_config(tmp_path / "mailbot.toml", dovecot, user,
                            (smtp_server.host, smtp_server.port),
                            address="memberenquiries@example.gov.uk", directory=DEMO)
    good = config.read_text()
    assert connect(config) == (0, [])
    closed = free_port()
    config.write_text({
        "password": good.replace(f'password = "{user.password}"', 'password = "Winter2026"'),
        "imap port": good.replace(f"port = {dovecot.port}", f"port = {closed}"),
        "tls on a plain port": good.replace('security = "none"', 'security = "tls"', 1),
        "smtp port": good.replace(f"port = {smtp_server.port}", f"port = {closed}"),
    }[wrong])
    code, errors = connect(config)
    assert code == 3
    (line,) = errors
    assert line.startswith(f"mailbot: error: {config.resolve()}: {section}: "), line
    assert reason in line
    assert "Winter2026" not in line


def test_a_good_connection_says_the_smtp_server_was_tried_too(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path,
) -> None:
    """--connect tries the SMTP server as well, but said only 'mailbox: connected': an
    administrator could not tell whether sending had been checked at all."""
    user = dovecot.new_user()
    config = mailbot_config(tmp_path / "mailbot.toml", dovecot, user,
                            (smtp_server.host, smtp_server.port),
                            address="memberenquiries@example.gov.uk", directory=DEMO)
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert result.exit_code == 0, result.output
    assert (f"smtp: SMTP server {smtp_server.host}:{smtp_server.port}: no login; takes mail "
            "from memberenquiries@example.gov.uk") in result.output.splitlines()
    help_text = CliRunner().invoke(app, ["check-config", "--help"]).output
    assert "SMTP server" in help_text
