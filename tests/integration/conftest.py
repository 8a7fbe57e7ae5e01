"""Fixtures for integration tests: real apps (SQLite + memory mailbox), closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.entra_server import FakeEntra
from fakes.graph_council import graph_and_entra
from fakes.graph_server import FakeGraph
from helpers import AppFactory, make_app
from sqlalchemy import create_engine, text

from mailbot.app import App
from mailbot.backends.memory import MemoryServer


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[AppFactory]:
    """make_app(...) in a fresh folder under tmp_path each call; every app is closed after."""
    made: list[App] = []

    def factory(**kwargs: Any) -> tuple[App, MemoryServer]:
        app, server = make_app(tmp_path / f"app{len(made)}", **kwargs)
        made.append(app)
        return app, server

    yield factory
    for app in made:
        app.close()


@pytest.fixture
def clouds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeGraph, FakeEntra]]:
    """The loopback Graph and Entra ID of a council on the Graph backend (graph_council)."""
    with graph_and_entra(tmp_path, monkeypatch) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file, or a new database (named after
    the test module) on the shared PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mailbot.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = request.module.__name__.rpartition(".")[2]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield server_url.rsplit("/", 1)[0] + "/" + name
