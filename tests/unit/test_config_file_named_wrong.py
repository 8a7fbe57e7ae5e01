"""--config or $MAILBOT_CONFIG naming the config file wrongly (a folder, a typo, a folder
that is not there) says what was probably meant."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mailbot.cli import app


def status(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    result = CliRunner(env=env).invoke(app, ["status", *args])
    return result.exit_code, result.output.splitlines()


def test_a_folder_given_as_the_config_names_the_file_in_it(tmp_path: Path) -> None:
    (tmp_path / "mailbot.toml").write_text('[council]\nname = "Thornfield"\n')
    code, lines = status("--config", str(tmp_path))
    assert code == 2
    assert lines == [f"mailbot: error: {tmp_path}: is a folder, not a config file; did you "
                     f"mean {tmp_path / 'mailbot.toml'}?"]


def test_a_misspelt_config_file_names_the_one_there(tmp_path: Path) -> None:
    (tmp_path / "mailbot.toml").write_text('[council]\nname = "Thornfield"\n')
    code, lines = status("--config", str(tmp_path / "mailbot.tml"))
    assert code == 2
    assert lines == [f"mailbot: error: {tmp_path / 'mailbot.tml'}: file not found; did you "
                     f"mean {tmp_path / 'mailbot.toml'}?"]


def test_a_config_in_a_folder_that_is_not_there_says_so_and_where_it_came_from(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "etc" / "mailbot" / "mailbot.toml"
    code, lines = status(env={"MAILBOT_CONFIG": str(missing)})
    assert code == 2
    assert lines == [f"mailbot: error: {missing}: file not found (there is no folder "
                     f"{missing.parent}) (named by $MAILBOT_CONFIG)"]
