"""Runs the contract suite once per backend: every harness_<name>.py here is picked up."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.harness import Harness

HARNESS_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("harness_*.py"))


@pytest.fixture(params=HARNESS_MODULES, ids=lambda stem: stem.removeprefix("harness_"))
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    module = importlib.import_module(f"contract.{request.param}")
    with module.make_harness(request) as made:
        yield made
