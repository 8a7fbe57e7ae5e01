"""`mailbot check-config --connect` logs in to PostgreSQL too, against a real server, so a
wrong database name or password is found before the service starts, in one line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from typer.testing import CliRunner

from mailbot.cli import app


def _config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "members.csv").write_text("name,email\nCllr Siân Jones,sian@ynysmon.example\n")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Isle of Anglesey County Council"\npolicy = "cardiff"\n'
        f'[database]\nurl = "{url}"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "ymholiadau@ynysmon.example"\n'
        '[directory]\nmembers = "members.csv"\n'
    )
    return config


def test_connect_logs_in_to_the_database(tmp_path: Path, postgres_url: str) -> None:
    result = CliRunner().invoke(
        app, ["check-config", "--connect", "--config", str(_config(tmp_path, postgres_url))]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2].startswith("database: connected to postgresql")


def test_connect_names_a_database_that_is_not_there(tmp_path: Path, postgres_url: str) -> None:
    wrong = postgres_url.rsplit("/", 1)[0] + "/mailbot_typo"
    result = CliRunner().invoke(
        app, ["check-config", "--connect", "--config", str(_config(tmp_path, wrong))]
    )
    assert result.exit_code == 3
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert len(errors) == 1
    config = (tmp_path / "mailbot.toml").resolve()
    assert errors[0].startswith(
        f"mailbot: error: {config}: database.url: database {wrong.split('@')[0]}")
    assert 'database "mailbot_typo" does not exist' in errors[0]


def test_connect_warns_of_a_database_whose_lower_folds_only_ascii(
    tmp_path: Path, postgres_url: str
) -> None:
    """A database made in the C locale (createdb's default on a server initialised so):
    lower('Ö') stays 'Ö', and an officer's address with such a capital is missed."""
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE IF EXISTS mailbot_c_locale")
            connection.exec_driver_sql("CREATE DATABASE mailbot_c_locale TEMPLATE template0 "
                                       "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
    finally:
        engine.dispose()
    in_c = postgres_url.rsplit("/", 1)[0] + "/mailbot_c_locale"
    result = CliRunner().invoke(
        app, ["check-config", "--connect", "--config", str(_config(tmp_path, in_c))]
    )
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.output.splitlines() if "folds only A-Z" in line]
    assert warning.startswith("mailbot: warning: database postgresql")
    assert "UTF-8 locale" in warning

    ours = CliRunner().invoke(  # the test cluster's own databases are C.UTF-8
        app, ["check-config", "--connect", "--config", str(_config(tmp_path, postgres_url))]
    )
    assert "folds only" not in ours.output


def _database_not_owned(postgres_url: str) -> str:
    """A database made by the superuser for a login `clerk` that may not create tables in
    it: PostgreSQL 15's default for a database the login does not own (REVOKEd here, so
    an older server behaves the same)."""
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE IF EXISTS mailbot_not_owned")
            connection.exec_driver_sql("CREATE DATABASE mailbot_not_owned")
            if not connection.exec_driver_sql(
                    "SELECT 1 FROM pg_roles WHERE rolname = 'clerk'").scalar():
                connection.exec_driver_sql("CREATE ROLE clerk LOGIN")
    finally:
        engine.dispose()
    server, _, _ = postgres_url.rpartition("/")
    inside = create_engine(f"{server}/mailbot_not_owned", isolation_level="AUTOCOMMIT")
    try:
        with inside.connect() as connection:
            connection.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    finally:
        inside.dispose()
    scheme, _, rest = server.partition("://")
    return f"{scheme}://clerk@{rest.partition('@')[2]}/mailbot_not_owned"


def test_connect_names_a_database_its_login_may_not_create_tables_in(
    tmp_path: Path, postgres_url: str
) -> None:
    """`createdb mailbot` run as postgres leaves mailbot's login unable to make its tables:
    check-config --connect must not say "connected" and OK for it, since every start then
    fails with 'permission denied for schema public'."""
    url = _database_not_owned(postgres_url)
    config = _config(tmp_path, url)
    result = CliRunner().invoke(app, ["check-config", "--connect", "--config", str(config)])
    assert result.exit_code == 3, result.output
    [error] = [line for line in result.output.splitlines() if "error" in line]
    assert error.startswith(f"mailbot: error: {config.resolve()}: database.url: ")
    assert "user 'clerk' may not create tables in schema public" in error
    assert "ALTER DATABASE mailbot_not_owned OWNER TO clerk" in error
    assert "database: connected" not in result.output

    upgrade = CliRunner().invoke(app, ["db", "upgrade", "--config", str(config)])
    assert upgrade.exit_code == 1
    assert "ALTER DATABASE mailbot_not_owned OWNER TO clerk" in upgrade.output
