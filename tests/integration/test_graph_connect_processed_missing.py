"""`mailbot check-config --connect` on Graph before the first poll: the Processed folder
is not there yet, so the check that the app may change the mailbox (saving that folder's
name unchanged) cannot be made. It listed 'Inbox, Sent Items, Drafts, Deleted Items' and
exited 0, for an app given only Mail.Read as for one with Mail.ReadWrite, and the first
poll then left every handled message in the Inbox. It now says, as the ews backend does,
that Processed is missing and made on the first poll, and that the right to change the
mailbox is tried then, with where to look. Against the loopback Entra ID and fake Graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.entra_server import CLIENT, SECRET, TENANT, FakeEntra
from fakes.graph_server import FakeGraph
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = pytest.mark.timeout(90)

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@council.example"


@pytest.fixture
def clouds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeGraph, FakeEntra]]:
    graph = FakeGraph(ADDRESS).start()
    entra = FakeEntra(graph.token, tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_file)
    try:
        yield graph, entra
    finally:
        entra.close()
        graph.close()


def check_connect(folder: Path, graph: FakeGraph, entra: FakeEntra) -> tuple[int, str]:
    path = folder / "mailbot.toml"
    path.write_text(
        f"""
[council]
name = "Example Council"
policy = "wiltshire"
data_dir = "var"

[mailbox]
backend = "graph"
address = "{ADDRESS}"

[mailbox.graph]
tenant_id = "{TENANT}"
client_id = "{CLIENT}"
client_secret = "{SECRET}"
base_url = "{graph.base_url}"
authority_host = "{entra.url}"

[directory]
members = "{DEMO / "members.csv"}"
officers = "{DEMO / "officers.csv"}"

[classifier]
train_if_missing = false
""",
        encoding="utf-8",
    )
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
