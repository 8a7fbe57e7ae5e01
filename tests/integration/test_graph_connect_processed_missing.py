"""`mailbot check-config --connect` on Graph before the first poll: the Processed folder
is not there yet, so the check that the app may change the mailbox (saving that folder's
name unchanged) cannot be made. It listed 'Inbox, Sent Items, Drafts, Deleted Items' and
exited 0, for an app given only Mail.Read as for one with Mail.ReadWrite, and the first
poll then left every handled message in the Inbox. It now says, as the ews backend does,
that Processed is missing and made on the first poll, and that the right to change the
mailbox is tried then, with where to look. Against the loopback Entra ID and fake Graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.entra_server import FakeEntra
from fakes.graph_council import graph_config
from fakes.graph_server import FakeGraph
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = pytest.mark.timeout(90)


def check_connect(folder: Path, graph: FakeGraph, entra: FakeEntra) -> tuple[int, str]:
    path = graph_config(folder, graph.base_url, entra.url)
    result = CliRunner().invoke(app, ["check-config", "--config", str(path), "--connect"])
    return result.exit_code, result.output


def test_a_missing_processed_folder_is_named_with_what_is_not_yet_checked(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    graph.denied = {"write"}  # Mail.Read only: cannot be told before the folder exists
    code, output = check_connect(tmp_path, graph, entra)
    assert code == 0, output
    assert ("Inbox/Processed (missing: created on first poll, which is when the app's "
            "right to change the mailbox (Mail.ReadWrite) is first tried") in output
    assert "mailbot status" in output
    assert graph.messages_in("Processed") == []  # check-config made nothing


def test_an_existing_processed_folder_is_listed_plainly(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    graph.add_folder("Processed")
    code, output = check_connect(tmp_path, graph, entra)
    assert code == 0, output
    assert "Inbox/Processed" in output and "missing" not in output


def test_an_existing_processed_folder_catches_a_read_only_app(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    graph.add_folder("Processed")
    graph.denied = {"write"}
    code, output = check_connect(tmp_path, graph, entra)
    assert code == 3, output
    assert "lets the app read" in output and "Mail.ReadWrite" in output
