"""`mailbot check-config --connect` when Graph or Microsoft Entra ID cannot be reached
said "cannot reach Graph during list folders: [Errno 111] Connection refused", or
"cannot reach Microsoft Entra ID to get a token: HTTPSConnectionPool(host=...): Max
retries exceeded with url: ... (Caused by NameResolutionError(...))": no key to check and,
for Graph, not even the host. Each now names the host and port, the network's reason in
words, and [mailbox.graph] base_url or authority_host, with the proxy variable. Against
the loopback Entra ID and fake Graph, with a port nothing listens on."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fakes.entra_server import FakeEntra
from fakes.graph_council import graph_config
from fakes.graph_server import FakeGraph
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = pytest.mark.timeout(90)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_connect(folder: Path, base_url: str, authority_host: str) -> tuple[int, str, Path]:
    path = graph_config(folder, base_url, authority_host)
    result = CliRunner().invoke(app, ["check-config", "--config", str(path), "--connect"])
    return result.exit_code, result.output, path


def test_graph_refusing_the_connection_names_host_and_base_url(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    _, entra = clouds
    port = closed_port()
    code, output, path = check_connect(tmp_path, f"https://127.0.0.1:{port}/v1.0", entra.url)
    assert code == 3, output
    assert (f"{path}: [mailbox.graph]: cannot reach Graph at 127.0.0.1:{port} "
            "(list folders): the connection was refused: check [mailbox.graph] base_url "
            "and the network path from this machine (a proxy in between: HTTPS_PROXY") in output
    assert "Errno" not in output


def test_entra_refusing_the_connection_names_host_and_authority_host(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, _ = clouds
    port = closed_port()
    code, output, path = check_connect(tmp_path, graph.base_url, f"https://127.0.0.1:{port}")
    assert code == 3, output
    assert (f"{path}: [mailbox.graph]: cannot reach Microsoft Entra ID at 127.0.0.1:{port} "
            "(to get a token): the connection was refused: check [mailbox.graph] "
            "authority_host") in output
    assert "HTTPSConnectionPool" not in output and "Max retries" not in output


def test_an_authority_host_dns_does_not_know_is_named(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, _ = clouds
    code, output, _ = check_connect(tmp_path, graph.base_url, "https://login.council.invalid")
    assert code == 3, output
    assert ("cannot reach Microsoft Entra ID at login.council.invalid:443 (to get a token): "
            "the host name is not known to DNS: check [mailbox.graph] authority_host") in output
