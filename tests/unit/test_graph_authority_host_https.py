"""[mailbox.graph] authority_host is where mailbot sends the app's client secret to sign
in, and docs/backends/graph.md says it must be https; but check-config said OK to an
http:// one, and the daemon started and sent the secret in the clear at its first poll
(or failed there in msal's words). Now check-config and every command that reads the
config, the daemon included, stop with one line naming the key and the file (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_https_key import COMMANDS, check_config_says_ok, stops_naming_key

from mailbot.settings.mailbox import GraphSettings


@pytest.mark.own_database
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("written", ["http://login.microsoftonline.com",
                                     "login.microsoftonline.com",
                                     "ftp://login.microsoftonline.com", "https://"])
def test_an_authority_host_that_is_not_https_stops_every_command_naming_key_and_file(
    tmp_path: Path, command: list[str], written: str
) -> None:
    line = stops_naming_key(tmp_path, command, "authority_host", written)
    assert "https://" in line  # what to write


@pytest.mark.parametrize("written", ["https://login.microsoftonline.us",
                                     " https://login.microsoftonline.com/ ",
                                     "HTTPS://login.chinacloudapi.cn"])
def test_an_https_authority_host_is_taken(written: str) -> None:
    assert GraphSettings(authority_host=written).authority_host.lower().startswith("https://")


def test_check_config_says_ok_to_an_https_authority_host(tmp_path: Path) -> None:
    check_config_says_ok(tmp_path, "authority_host", "https://login.microsoftonline.us")
