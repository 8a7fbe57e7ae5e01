"""[mailbox.graph] base_url is where mailbot sends its access token with every request
(and reads the member's mail from): an http:// one would send both in the clear. Like
authority_host (test_graph_authority_host_https), check-config and every command that
reads the config, the daemon included, stop with one line naming the key and the file
(exit 2), saying what to write."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_https_key import COMMANDS, check_config_says_ok, stops_naming_key

from mailbot.settings.mailbox import GraphSettings


@pytest.mark.own_database
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("written", ["http://graph.microsoft.com/v1.0",
                                     "graph.microsoft.com/v1.0",
                                     "ftp://graph.microsoft.com/v1.0", "https://"])
def test_a_base_url_that_is_not_https_stops_every_command_naming_key_and_file(
    tmp_path: Path, command: list[str], written: str
) -> None:
    line = stops_naming_key(tmp_path, command, "base_url", written)
    assert 'base_url = "https://graph.microsoft.com/v1.0"' in line  # what to write
    assert "access token" in line  # why


@pytest.mark.parametrize("written", ["https://graph.microsoft.us/v1.0",
                                     " https://graph.microsoft.com/v1.0 ",
                                     "HTTPS://microsoftgraph.chinacloudapi.cn/v1.0"])
def test_an_https_base_url_is_taken(written: str) -> None:
    taken = GraphSettings(base_url=written).base_url
    assert taken == written.strip()


def test_check_config_says_ok_to_an_https_base_url(tmp_path: Path) -> None:
    check_config_says_ok(tmp_path, "base_url", "https://graph.microsoft.us/v1.0")
