"""Config: one TOML file, every problem named with its key and file, env overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "mailbot.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailbot.toml"
    path.write_text(text)
    return path


def test_every_problem_is_reported_with_key_and_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[council]\npolcy = "x"\n[mailbox.imap]\nport = "abc"\n[loops]\nmax_per_recipient = 0\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    lines = caught.value.lines()
    assert any(line.startswith(f"{path.resolve()}: council.polcy: unknown key") for line in lines)
    assert any("mailbox.imap.port" in line for line in lines)
    assert any("loops.max_per_recipient" in line for line in lines)
    assert len(lines) == 3


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[mailbox]\nbackend = "imap"\n[mailbox.imap]\nusername = "mb"\n')
    monkeypatch.setenv("MAILBOT_MAILBOX__IMAP__PASSWORD", "s3cret")
    monkeypatch.setenv("MAILBOT_COUNCIL__NAME", "Cardiff Council")
    settings = load_settings(path)
    assert settings.mailbox.imap.password == "s3cret"
    assert settings.council.name == "Cardiff Council"


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\ndata_dir = "state"\n[directory]\nmembers = "m.csv"\n')
    settings = load_settings(path)
    assert settings.data_dir == tmp_path.resolve() / "state"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'state' / 'mailbot.db'}"
    assert settings.resolve(settings.directory.members) == tmp_path.resolve() / "m.csv"


def test_backend_needs_its_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mailbox\.imap\.username: required"):
        load_settings(write(tmp_path, '[mailbox]\nbackend = "imap"\n'))


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_settings(write(tmp_path, '[council]\nname = "unterminated\n'))


def test_example_config_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_text("name,email\n")
    copy = tmp_path / "mailbot.toml"
    copy.write_text(EXAMPLE.read_text())
    result = CliRunner().invoke(app, ["check-config", "--config", str(copy)])
    assert result.exit_code == 0, result.output
    assert "OK (policy colchester, backend imap)" in result.output


def test_check_config_exits_non_zero_with_one_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\npolicy = "nowhere"\n[mailbox]\nbacknd = "imap"\n')
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "mailbox.backnd: unknown key" in result.output
    assert "Traceback" not in result.output


def test_check_config_reports_unknown_pack_and_missing_directory(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\npolicy = "nowhere"\n[directory]\nmembers = "gone.csv"\n')
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "council.policy" in result.output and "nowhere" in result.output
    assert "directory.members: file" in result.output and "gone.csv" in result.output
