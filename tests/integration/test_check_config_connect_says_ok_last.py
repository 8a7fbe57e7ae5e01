"""`check-config --connect` printed "<file>: OK (...)" first and the refused login after it,
so an administrator reading the first line took the config for ready. With --connect it
says OK only once every login has worked, as its last line; a failed login gets no OK."""

from __future__ import annotations

from pathlib import Path

from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from typer.testing import CliRunner

from mailbot.cli import app

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    return result.exit_code, result.output.splitlines()


def test_ok_comes_last_once_every_login_worked(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = mailbot_config(tmp_path / "mailbot.toml", dovecot, user,
                            (smtp_server.host, smtp_server.port),
                            address="memberenquiries@example.gov.uk", directory=DEMO)
    code, lines = check(config)
    assert code == 0, lines
    where = config.resolve()
    lines = [line for line in lines if not line.startswith("mailbot: warning")]
    assert lines[0] == f"{where}: the settings are valid (policy wiltshire, backend imap); " \
        "now logging in"
    assert lines[-1] == f"{where}: OK: the settings are valid and every login worked"


def test_a_refused_login_gets_no_ok(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = mailbot_config(tmp_path / "mailbot.toml", dovecot, user,
                            (smtp_server.host, smtp_server.port),
                            address="memberenquiries@example.gov.uk", directory=DEMO)
    config.write_text(config.read_text().replace(
        f'password = "{user.password}"', 'password = "Winter2026"'))
    code, lines = check(config)
    assert code == 3, lines
    assert not any("OK" in line for line in lines), lines
    assert any("wrong username or password" in line for line in lines), lines
