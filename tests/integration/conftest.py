"""Fixtures for integration tests: real apps (SQLite + memory mailbox), closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import AppFactory, make_app

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
