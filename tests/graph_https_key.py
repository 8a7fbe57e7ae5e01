"""The council the [mailbox.graph] https-key tests build, and the one check they share.

authority_host and base_url are both addresses mailbot sends a secret to (the app's
client secret, the access token), so both must be https: graph_council writes a Graph
council with one such key set to what the test wrote, and stops_naming_key runs a command
on it and checks it stops with exit 2 and one line naming the file, the key and the value,
returning that line for the test's own checks of what it says to write.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mailbot.cli import app

MEMBERS = "name,email\r\nCllr Jo Bloggs,jo.bloggs@councillors.example.gov.uk\r\n"

# each command that reads the config, the daemon included
COMMANDS = [["check-config"], ["run"], ["poll", "--once"]]


def graph_council(tmp_path: Path, key: str, value: str) -> Path:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Example Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "graph"\naddress = "memberenquiries@council.example"\n'
        '[mailbox.graph]\ntenant_id = "example.onmicrosoft.com"\n'
        'client_id = "11111111-2222-3333-4444-555555555555"\nclient_secret = "s3cret"\n'
        f'{key} = "{value}"\n'
        '[directory]\nmembers = "members.csv"\n[classifier]\ntrain_if_missing = false\n',
        encoding="utf-8",
    )
    return config


def stops_naming_key(tmp_path: Path, command: list[str], key: str, written: str) -> str:
    config = graph_council(tmp_path, key, written)
    result = CliRunner().invoke(app, [*command, "--config", str(config)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {config.resolve()}: "
                               f"mailbox.graph.{key}: {written!r} ")
    assert "Traceback" not in result.output
    return lines[0]


def check_config_says_ok(tmp_path: Path, key: str, value: str) -> None:
    config = graph_council(tmp_path, key, value)
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 0, result.output
