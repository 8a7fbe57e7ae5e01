"""'cannot reach SMTP server' (check-config --connect, `mailbot status`, the daemon's log)
said what failed and nothing of what to check. Now it names the [mailbox.smtp] keys and
the likely causes: nothing listening on that host and port (a wrong port, the server
down, a firewall), a host name that does not resolve, and a server that does not answer
(a firewall dropping the connection).
Read as check-config's lines and exit code, and as the error a send gives."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fixtures.dovecot import free_port
from typer.testing import CliRunner

from mailbot.backends.base import TransientError, Unreachable
from mailbot.backends.smtp import SmtpSettings, check_submission
from mailbot.cli import app

pytestmark = pytest.mark.timeout(60)

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def _council(tmp_path: Path, host: str, port: int) -> Path:
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    for folder in ("new", "cur", "tmp"):
        (tmp_path / "mailbox" / folder).mkdir(parents=True)
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ntelephone = "01225 713000"\n'
        'data_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@council.gov.uk"\n'
        '[mailbox.maildir]\npath = "mailbox"\n'
        f'[mailbox.smtp]\nhost = "{host}"\nport = {port}\nsecurity = "starttls"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def _smtp_errors(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert "Traceback" not in result.output, result.output
    where = f"mailbot: error: {config.resolve()}: [mailbox.smtp]: "
    return result.exit_code, [line.removeprefix(where) for line in result.output.splitlines()
                              if line.startswith(where)]


def test_nothing_listening_names_host_port_server_and_firewall(tmp_path: Path) -> None:
    port = free_port()
    code, errors = _smtp_errors(_council(tmp_path, "127.0.0.1", port))
    assert code == 3
    assert errors == [
        f"cannot reach SMTP server 127.0.0.1:{port}: [Errno 111] Connection refused; nothing "
        "takes connections there: check [mailbox.smtp] host and port (587 for STARTTLS, or "
        '465 with security = "tls"), that the mail server is running, and that no firewall '
        "blocks this machine from it"]


def test_a_host_name_that_does_not_resolve_names_host_and_dns(tmp_path: Path) -> None:
    code, errors = _smtp_errors(_council(tmp_path, "smtp.council.invalid", 587))
    assert code == 3
    (line,) = errors
    assert line.startswith("cannot reach SMTP server smtp.council.invalid:587: "), line
    assert line.endswith("; the host name 'smtp.council.invalid' does not resolve: check "
                         "[mailbox.smtp] host, or this machine's DNS"), line


def test_a_server_that_does_not_answer_names_host_port_and_firewall() -> None:
    """A port that takes the connection and never answers the TLS hello."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = SmtpSettings("127.0.0.1", port, security="tls", timeout=1)
        with pytest.raises(TransientError) as caught:
            check_submission(settings, "memberenquiries@council.gov.uk")
    said = str(caught.value)
    assert said.startswith(f"cannot reach SMTP server 127.0.0.1:{port}: "), said
    assert said.endswith("; no answer in time: check [mailbox.smtp] host and port, and that no "
                         "firewall drops the connection"), said


@pytest.mark.parametrize("security", ["starttls", "none"])
def test_a_server_that_takes_the_connection_and_sends_no_greeting_names_the_wait(
    security: str,
) -> None:
    """A port that accepts the connection and never sends its '220' greeting (port 465,
    which waits for a TLS hello, with security = "starttls"; a proxy holding the
    connection) said 'went away: Connection unexpectedly closed: timed out': no wait
    named, nothing to check."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = SmtpSettings("127.0.0.1", port, security=security, timeout=1)  # type: ignore[arg-type]
        with pytest.raises(Unreachable) as caught:
            check_submission(settings, "memberenquiries@council.gov.uk")
    assert str(caught.value) == (
        f"SMTP server 127.0.0.1:{port} took the connection but sent no greeting within 1 s; "
        'if it expects TLS from the start (port 465 does), set [mailbox.smtp] security = "tls" '
        f"(now {security!r}); else check [mailbox.smtp] host and port (587 for STARTTLS), that "
        "the mail server there is running, and that no firewall or proxy holds the connection")
