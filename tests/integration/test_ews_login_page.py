"""An EWS `service_endpoint` copied from the browser (the Outlook on the web sign-in page,
or a reverse proxy's login form) answers 200 with a web page, not SOAP. `mailbot
check-config --connect` and `mailbot poll --once` said "Exchange refused to connect:
MalformedResponseError: No Body element in SOAP response", naming neither the key nor the
file; they now say a web page answered and to set [mailbox.ews] service_endpoint to the EWS
URL. Against a loopback web server that answers every request with a sign-in page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakes.ews_council import ews_config
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = pytest.mark.timeout(60)

# What IIS gives for /owa/: a page that is not even well-formed XML; and a tidy one.
OWA_PAGE = (b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Outlook</title>'
            b'<link rel="stylesheet" href="/owa/auth/logon.css"></head><body>'
            b'<form action="/owa/auth.owa" method="POST"><input name="username"><br>'
            b'<input type="password" name="password"></form></body></html>')
TIDY_PAGE = b"<html><head><title>Sign in</title></head><body><p>Sign in</p></body></html>"


def serve(page: bytes) -> Iterator[str]:
    class LoginPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self._page()

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._page()

        def _page(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), LoginPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/owa/auth/logon.aspx"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=[OWA_PAGE, TIDY_PAGE], ids=["owa", "tidy"])
def login_page(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from serve(request.param)


def test_check_config_connect_names_the_key_when_a_web_page_answers(
    tmp_path: Path, login_page: str
) -> None:
    path = ews_config(tmp_path, login_page)
    result = CliRunner().invoke(app, ["check-config", "--config", str(path), "--connect"])
    assert result.exit_code == 3, result.output
    assert f"{path}: [mailbox.ews]: " in result.output
    assert f"{login_page} answered with a web page, not Exchange Web Services" in result.output
    assert "set [mailbox.ews] service_endpoint to the EWS URL" in result.output
    assert "/EWS/Exchange.asmx" in result.output
    assert "MalformedResponseError" not in result.output


def test_poll_once_says_the_same(tmp_path: Path, login_page: str) -> None:
    path = ews_config(tmp_path, login_page)
    result = CliRunner().invoke(app, ["poll", "--config", str(path), "--once"])
    assert result.exit_code == 3, result.output
    assert "answered with a web page, not Exchange Web Services" in result.output
    assert "[mailbox.ews] service_endpoint" in result.output
    assert "MalformedResponseError" not in result.output
