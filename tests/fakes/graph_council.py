"""A council on the Graph backend for tests: the loopback Graph and Entra ID running
together, and a mailbot.toml that signs in at the one and reads the other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fakes.council_toml import write_council_config
from fakes.entra_server import CLIENT, SECRET, TENANT, FakeEntra, loopback_certificate
from fakes.graph_server import FakeGraph

ADDRESS = "memberenquiries@council.example"


@contextmanager
def graph_and_entra(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeGraph, FakeEntra]]:
    """The fake Graph for ADDRESS and an Entra ID that hands out its token, both https as
    the config requires; msal trusts Entra's certificate through REQUESTS_CA_BUNDLE, and
    mailbot's Graph client the Graph's through SSL_CERT_FILE, while they run."""
    certificate, key = loopback_certificate(folder, "graph")
    graph = FakeGraph(ADDRESS, tls=(certificate, key)).start()
    entra = FakeEntra(graph.token, folder)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_file)
    monkeypatch.setenv("SSL_CERT_FILE", certificate)
    try:
        yield graph, entra
    finally:
        entra.close()
        graph.close()


def graph_config(folder: Path, base_url: str, authority_host: str,
                 secret: str = SECRET) -> Path:
    """folder/mailbot.toml for the demo's directory on the Graph backend."""
    return write_council_config(
        folder / "mailbot.toml", "graph", ADDRESS,
        {"tenant_id": TENANT, "client_id": CLIENT, "client_secret": secret,
         "base_url": base_url, "authority_host": authority_host},
    )  # fmt: skip
