"""A loopback Microsoft Entra ID for app-only sign-in (msal's client-credentials grant):
https on 127.0.0.1 with a certificate of its own (put `ca_file` in REQUESTS_CA_BUNDLE),
tenant discovery and the token endpoint. It hands out the fake Graph's token to the
right client id and secret, and records the scopes asked for."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TENANT = "council.onmicrosoft.us"
CLIENT = "5d2c1a4e-0000-4000-8000-1234567890ab"
SECRET = "right~secret"


class FakeEntra:
    """The two requests msal makes for an app-only token: tenant discovery, then the
    client-credentials grant. Hands out the fake Graph's token for the right secret."""

    def __init__(self, graph_token: str, folder: Path) -> None:
        self.graph_token = graph_token
        self.scopes: list[str] = []
        cert, key = loopback_certificate(folder, "entra")
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


def loopback_certificate(folder: Path, stem: str) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, and its key: folder/<stem>.pem (a client
    trusts it as its own CA) and folder/<stem>.key."""
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
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)
