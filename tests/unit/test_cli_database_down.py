"""A command whose database cannot be reached says, after the driver's reason, which key
in which file (or which environment variable) names it: a refused PostgreSQL login is
put right there. Exit 1, as the server may be back by the next restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app


def _config(tmp_path: Path, database: str) -> Path:
    (tmp_path / "members.csv").write_text("name,email\r\nCllr A,a@council.gov.uk\r\n")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Test Council"\ntelephone = "01225 713000"\n'
        f"{database}"
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@council.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\n'
    )
    return config


@pytest.mark.own_database
def test_a_database_that_is_down_names_the_key_and_the_file(tmp_path: Path) -> None:
    config = _config(tmp_path, '[database]\nurl = "postgresql+psycopg://mb:pw-1@127.0.0.1:1/mb"\n')
    result = CliRunner().invoke(app, ["cases", "--config", str(config)])
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert line.startswith("mailbot: error: database postgresql+psycopg://mb:***@127.0.0.1:1/mb: ")
    assert line.endswith(f"({config.resolve()}: database.url)")
    assert "pw-1" not in line


@pytest.mark.own_database
def test_set_by_the_environment_it_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_DATABASE__URL", "postgresql+psycopg://mb:pw-2@127.0.0.1:1/mb")
    config = _config(tmp_path, "")
    result = CliRunner().invoke(app, ["status", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1].endswith(
        f"({config.resolve()}: database.url (set by the environment variable "
        "MAILBOT_DATABASE__URL, not the file))"
    )
