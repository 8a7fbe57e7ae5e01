"""[mailbox.graph] authority_host is where mailbot sends the app's client secret to sign
in, and docs/backends/graph.md says it must be https; but check-config said OK to an
http:// one, and the daemon started and sent the secret in the clear at its first poll
(or failed there in msal's words). Now check-config and every command that reads the
config, the daemon included, stop with one line naming the key and the file (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.settings.mailbox import GraphSettings

MEMBERS = "name,email\r\nCllr Jo Bloggs,jo.bloggs@councillors.example.gov.uk\r\n"


def _council(tmp_path: Path, authority_host: str) -> Path:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Example Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "graph"\naddress = "memberenquiries@council.example"\n'
        '[mailbox.graph]\ntenant_id = "example.onmicrosoft.com"\n'
        'client_id = "11111111-2222-3333-4444-555555555555"\nclient_secret = "s3cret"\n'
        f'authority_host = "{authority_host}"\n'
        '[directory]\nmembers = "members.csv"\n[classifier]\ntrain_if_missing = false\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.own_database
@pytest.mark.parametrize("command", [["check-config"], ["run"], ["poll", "--once"]],
                         ids=" ".join)
@pytest.mark.parametrize("written", ["http://login.microsoftonline.com",
                                     "login.microsoftonline.com",
                                     "ftp://login.microsoftonline.com", "https://"])
def test_an_authority_host_that_is_not_https_stops_every_command_naming_key_and_file(
    tmp_path: Path, command: list[str], written: str
) -> None:
    config = _council(tmp_path, written)
    result = CliRunner().invoke(app, [*command, "--config", str(config)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {config.resolve()}: "
                               f"mailbox.graph.authority_host: {written!r} ")
    assert "https://" in lines[0]  # what to write
    assert "Traceback" not in result.output


@pytest.mark.parametrize("written", ["https://login.microsoftonline.us",
                                     " https://login.microsoftonline.com/ ",
                                     "HTTPS://login.chinacloudapi.cn"])
def test_an_https_authority_host_is_taken(written: str) -> None:
    assert GraphSettings(authority_host=written).authority_host.lower().startswith("https://")


def test_check_config_says_ok_to_an_https_authority_host(tmp_path: Path) -> None:
    config = _council(tmp_path, "https://login.microsoftonline.us")
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
