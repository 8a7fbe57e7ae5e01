"""Shared pytest fixtures. Server fixtures live in tests/fixtures/ and are imported here.

`MAILBOT_TEST_DATABASE=postgresql` runs every test on a new database of its own on the
test PostgreSQL server (through MAILBOT_DATABASE__URL, so CLI subprocesses get it too):
the same behaviour is then checked on both databases. Left alone: tests marked
`own_database`: about the SQLite file itself, or needing a fresh database per app, and
(marked here) those that choose their databases by asking for one of DATABASE_FIXTURES.
"""

import os
from collections.abc import Iterator

import pytest
from fixtures.dovecot import dovecot, dovecot_bare, dovecot_courier  # noqa: F401 - pytest fixtures
from fixtures.postgres import (  # noqa: F401 - pytest fixtures
    fresh_database,
    migrated_template,
    postgres_url,
)
from fixtures.smtpd import smtp_server, smtpd, smtpd_auth  # noqa: F401 - pytest fixtures

ON_POSTGRESQL = os.environ.get("MAILBOT_TEST_DATABASE", "sqlite") == "postgresql"
DATABASE_FIXTURES = {"postgres_url", "database_url", "empty_database_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for a database fixture has chosen its databases: own_database."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.own_database)


@pytest.fixture(autouse=ON_POSTGRESQL)
def each_test_on_postgresql(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.get_closest_marker("own_database"):
        yield
        return
    server_url: str = request.getfixturevalue("postgres_url")
    template: str = request.getfixturevalue("migrated_template")
    with fresh_database(server_url, request.node.name, template) as url:
        monkeypatch.setenv("MAILBOT_DATABASE__URL", url)
        yield


@pytest.fixture(scope="module")
def module_on_postgresql(request: pytest.FixtureRequest) -> Iterator[None]:
    """For an app a module builds once (scope="module"): on the PostgreSQL pass, a
    database of the module's own. Module fixtures are built before each_test_on_postgresql
    sets the per-test one, so without this such an app would quietly use SQLite."""
    if not ON_POSTGRESQL:
        yield
        return
    server_url: str = request.getfixturevalue("postgres_url")
    template: str = request.getfixturevalue("migrated_template")
    with (
        fresh_database(server_url, request.module.__name__, template) as url,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("MAILBOT_DATABASE__URL", url)
        yield
