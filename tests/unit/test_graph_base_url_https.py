"""[mailbox.graph] base_url is where mailbot sends its access token with every request
(and reads the member's mail from): an http:// one would send both in the clear. Like
authority_host (test_graph_authority_host_https), check-config and every command that
reads the config, the daemon included, stop with one line naming the key and the file
(exit 2), saying what to write."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.settings.mailbox import GraphSettings

MEMBERS = "name,email\r\nCllr Jo Bloggs,jo.bloggs@councillors.example.gov.uk\r\n"


def _council(tmp_path: Path, base_url: str) -> Path:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Example Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "graph"\naddress = "memberenquiries@council.example"\n'
        '[mailbox.graph]\ntenant_id = "example.onmicrosoft.com"\n'
        'client_id = "11111111-2222-3333-4444-555555555555"\nclient_secret = "s3cret"\n'
        f'base_url = "{base_url}"\n'
        '[directory]\nmembers = "members.csv"\n[classifier]\ntrain_if_missing = false\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.own_database
@pytest.mark.parametrize("command", [["check-config"], ["run"], ["poll", "--once"]],
                         ids=" ".join)
@pytest.mark.parametrize("written", ["http://graph.microsoft.com/v1.0",
                                     "graph.microsoft.com/v1.0",
                                     "ftp://graph.microsoft.com/v1.0", "https://"])
def test_a_base_url_that_is_not_https_stops_every_command_naming_key_and_file(
    tmp_path: Path, command: list[str], written: str
) -> None:
    config = _council(tmp_path, written)
    result = CliRunner().invoke(app, [*command, "--config", str(config)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {config.resolve()}: "
                               f"mailbox.graph.base_url: {written!r} ")
    assert 'base_url = "https://graph.microsoft.com/v1.0"' in lines[0]  # what to write
    assert "access token" in lines[0]  # why
    assert "Traceback" not in result.output


@pytest.mark.parametrize("written", ["https://graph.microsoft.us/v1.0",
                                     " https://graph.microsoft.com/v1.0 ",
                                     "HTTPS://microsoftgraph.chinacloudapi.cn/v1.0"])
def test_an_https_base_url_is_taken(written: str) -> None:
    taken = GraphSettings(base_url=written).base_url
    assert taken == written.strip()


def test_check_config_says_ok_to_an_https_base_url(tmp_path: Path) -> None:
    config = _council(tmp_path, "https://graph.microsoft.us/v1.0")
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
