"""A council whose tenant is in a national cloud (US Government: login.microsoftonline.us
and graph.microsoft.us; China: login.chinacloudapi.cn), or whose servers reach Microsoft
Entra ID only through its own relay, could set [mailbox.graph] base_url but not where
mailbot signs in: it always asked login.microsoftonline.com, so check-config --connect
failed with a DNS error and nothing told the administrator a key existed. `authority_host`
now says where to sign in. Against a loopback Entra ID (https, as msal insists, with its
own certificate authority in REQUESTS_CA_BUNDLE) and the loopback fake Graph."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fakes.entra_server import SECRET, FakeEntra
from fakes.graph_council import ADDRESS, graph_config
from fakes.graph_server import FakeGraph
from typer.testing import CliRunner

from mailbot.backends.graph_tokens import graph_scope
from mailbot.cli import app

pytestmark = pytest.mark.timeout(90)


def config(folder: Path, graph: FakeGraph, entra: FakeEntra, secret: str = SECRET) -> Path:
    path = graph_config(folder, graph.base_url, entra.url, secret)
    return path


def member_mail() -> bytes:
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: {ADDRESS}\r\n"
        "Subject: Pothole on Castle Street\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@councillors.example.gov.uk>\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "\r\n"
        "A resident reports a deep pothole outside number 12. Can highways repair it?\r\n"
    ).encode()


def test_check_config_connect_signs_in_where_authority_host_says(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    result = CliRunner().invoke(
        app, ["check-config", "--config", str(config(tmp_path, graph, entra)), "--connect"])
    assert result.exit_code == 0, result.output
    assert "mailbox: connected; folders: " in result.output
    assert "login.microsoftonline.com" not in result.output
    assert entra.scopes == ["https://graph.microsoft.com/.default"]


def test_poll_once_acknowledges_the_member_through_that_sign_in(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    graph.deliver(member_mail())
    result = CliRunner().invoke(
        app, ["poll", "--config", str(config(tmp_path, graph, entra)), "--once"])
    assert result.exit_code == 0, result.output
    assert "fetched: 1 processed" in result.output
    to_member = [raw for recipients, raw in graph.outgoing
                 if "jo.bloggs@councillors.example.gov.uk" in recipients]
    assert len(to_member) == 1
    assert b"Pothole on Castle Street" in to_member[0]
    assert len(graph.messages_in("Processed")) == 1


def test_a_wrong_secret_is_named_there_too(
    tmp_path: Path, clouds: tuple[FakeGraph, FakeEntra]
) -> None:
    graph, entra = clouds
    path = config(tmp_path, graph, entra, secret="wrong~secret")
    result = CliRunner().invoke(app, ["check-config", "--config", str(path), "--connect"])
    assert result.exit_code == 3, result.output
    assert f"{path}: [mailbox.graph]: " in result.output
    assert "client_secret" in result.output and "AADSTS7000215" in result.output


@pytest.mark.parametrize(("base_url", "scope"), [
    ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"),
    ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
    ("https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default"),
    ("https://microsoftgraph.chinacloudapi.cn/v1.0",
     "https://microsoftgraph.chinacloudapi.cn/.default"),
    ("https://graph-relay.council.gov.uk/v1.0", "https://graph.microsoft.com/.default"),
])
def test_the_token_is_asked_for_the_cloud_base_url_names(base_url: str, scope: str) -> None:
    assert graph_scope(base_url) == scope
