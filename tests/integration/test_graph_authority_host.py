"""A council whose tenant is in a national cloud (US Government: login.microsoftonline.us
and graph.microsoft.us; China: login.chinacloudapi.cn), or whose servers reach Microsoft
Entra ID only through its own relay, could set [mailbox.graph] base_url but not where
mailbot signs in: it always asked login.microsoftonline.com, so check-config --connect
failed with a DNS error and nothing told the administrator a key existed. `authority_host`
now says where to sign in. Against a loopback Entra ID (https, as msal insists, with its
own certificate authority in REQUESTS_CA_BUNDLE) and the loopback fake Graph."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fakes.graph_server import FakeGraph
from typer.testing import CliRunner

from mailbot.backends.graph_tokens import graph_scope
from mailbot.cli import app

pytestmark = pytest.mark.timeout(90)

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@council.example"
TENANT = "council.onmicrosoft.us"
CLIENT = "5d2c1a4e-0000-4000-8000-1234567890ab"
SECRET = "right~secret"


class FakeEntra:
    """The two requests msal makes for an app-only token: tenant discovery, then the
    client-credentials grant. Hands out the fake Graph's token for the right secret."""

    def __init__(self, graph_token: str, folder: Path) -> None:
        self.graph_token = graph_token
        self.scopes: list[str] = []
        cert, key = _certificate(folder)
        self.ca_file = cert
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        entra = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet."""

            def _json(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                base = f"{entra.url}/{TENANT}"
                if self.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
                    self._json(200, {
                        "issuer": f"{base}/v2.0",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{base}/oauth2/v2.0/token",
                    })
                else:
                    self._json(400, {"error": "invalid_tenant"})

            def do_POST(self) -> None:  # noqa: N802
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                form = dict(urllib.parse.parse_qsl(data.decode()))
                entra.scopes.append(form.get("scope", ""))
                if form.get("client_id") != CLIENT or form.get("client_secret") != SECRET:
                    self._json(401, {"error": "invalid_client",
                                     "error_description": "AADSTS7000215: Invalid client "
                                                          "secret provided."})
                    return
                self._json(200, {"token_type": "Bearer", "expires_in": 3599,
                                 "access_token": entra.graph_token})

        return Handler


def _certificate(folder: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "login.example")])
    start = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(start).not_valid_after(start + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "entra.pem", folder / "entra.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


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


def config(folder: Path, graph: FakeGraph, entra: FakeEntra, secret: str = SECRET) -> Path:
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
client_secret = "{secret}"
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
