"""'cannot reach IMAP server HOST:PORT: connection refused' (check-config --connect, `mailbot
poll --once`, `mailbot status`, the daemon's log) said what failed and nothing of what to
check: the causes were only in docs/backends/imap.md. Now the line says them, as the SMTP
one does (9b95f7e): the [mailbox.imap] host and port, the server, a firewall."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.dovecot import free_port
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = pytest.mark.timeout(60)

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def _council(tmp_path: Path, imap_port: int, smtp_port: int) -> Path:
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ntelephone = "01225 713000"\n'
        'data_dir = "var"\n'
        '[mailbox]\nbackend = "imap"\naddress = "memberenquiries@council.gov.uk"\n'
        f'[mailbox.imap]\nhost = "127.0.0.1"\nport = {imap_port}\nsecurity = "tls"\n'
        'username = "memberenquiries"\npassword = "secret"\n'
        f'[mailbox.smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "starttls"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def test_a_refused_imap_connection_names_host_port_server_and_firewall(tmp_path: Path) -> None:
    imap_port, smtp_port = free_port(), free_port()
    config = _council(tmp_path, imap_port, smtp_port)
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 3, result.output
    where = f"mailbot: error: {config.resolve()}: [mailbox.imap]: "
    assert [line.removeprefix(where) for line in result.output.splitlines()
            if line.startswith(where)] == [
        f"cannot reach IMAP server 127.0.0.1:{imap_port}: connection refused; nothing takes "
        'connections there: check [mailbox.imap] host and port (993 with security = "tls", or '
        "143 for STARTTLS), that the mail server is running, and that no firewall blocks this "
        "machine from it"]
