"""Finding and reading the config file once: TOML and MAILBOT_* variables validated
together, every problem gathered into one ConfigError naming the key and the file."""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError
from pydantic_settings import SettingsError

from mailbot import config_explain as explain
from mailbot.config_explain import ENV_PREFIX
from mailbot.settings.root import Settings
from mailbot.settings.toml_text import read_toml

DEFAULT_CONFIG_NAME = "mailbot.toml"


class ConfigError(Exception):
    """Every problem found in a config file, each naming the key and the file."""

    def __init__(self, path: Path | None, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        where = str(path) if path else "<defaults>"
        super().__init__("; ".join(f"{where}: {p}" for p in problems))

    def lines(self) -> list[str]:
        where = str(self.path) if self.path else "<defaults>"
        return [f"{where}: {p}" for p in self.problems]


def find_config(explicit: Path | None) -> Path | None:
    """The config file to use: --config, else $MAILBOT_CONFIG, else ./mailbot.toml if present."""
    if explicit is not None:
        return explicit.expanduser()
    from_env = os.environ.get("MAILBOT_CONFIG")
    if from_env:
        # systemd's Environment= and a quoted shell value leave "~" unexpanded.
        return Path(from_env).expanduser()
    default = Path.cwd() / DEFAULT_CONFIG_NAME
    return default if default.exists() else None


class FileOnlySettings(Settings):
    """Settings from the file alone: MAILBOT_* variables are not read."""

    read_environment: ClassVar[bool] = False


def load_settings(path: Path | None, *, environment: bool = True) -> Settings:
    """Read and validate the config once. Raises ConfigError listing every problem.
    With `environment` False the MAILBOT_* variables are ignored: the demo, run on a
    council's server, must not reach the real database or mailbox they name."""
    data: dict[str, Any] = {}
    if path is not None:
        path = path.resolve()
        data = _read_toml(path)
    from_env = explain.config_variables(os.environ) if environment else {}
    problems = explain.unknown_variables(from_env, Settings)
    kind = Settings if environment else FileOnlySettings
    try:
        settings = kind(**data, config_path=path)
    except ValidationError as exc:
        problems += explain.describe_all(exc.errors(), from_env, Settings)
    except SettingsError:
        # pydantic-settings could not decode a list or table given in the environment.
        problems += explain.undecodable_variables(from_env, Settings) or [
            f"a {ENV_PREFIX}... environment variable could not be read (lists and tables "
            "are written as JSON)"
        ]
    if problems:
        raise ConfigError(path, problems)
    return settings


def settings_without_broken_sections(path: Path) -> tuple[Settings, frozenset[str]] | None:
    """The settings of the file with each top-level section that has a mistake left out
    (its defaults in its place), and the names of those sections, so `check-config` can
    still check the pack, the directory and the templates the rest of the file names, and
    knows which checks the defaults would answer wrongly. None when the file cannot be read
    or even the rest does not validate (a required section is the broken one)."""
    try:
        data = _read_toml(path.resolve())
    except ConfigError:
        return None
    left_out: set[str] = set()
    while True:
        try:
            return Settings(**data, config_path=path.resolve()), frozenset(left_out)
        except (ValidationError, SettingsError) as exc:
            errors = exc.errors() if isinstance(exc, ValidationError) else []
            broken = {str(err["loc"][0]) for err in errors if err["loc"]} & data.keys()
            if not broken:
                return None
            left_out |= broken
            data = {key: value for key, value in data.items() if key not in broken}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, [f"file not found{_meant(path)}{_named_by(path)}"]) from None
    except IsADirectoryError:
        inside = path / DEFAULT_CONFIG_NAME
        hint = (f"did you mean {inside}?" if inside.is_file()
                else "give the path of the config file")
        raise ConfigError(path, [f"is a folder, not a config file; {hint}{_named_by(path)}"]
                          ) from None
    except PermissionError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror} ({this_user()}); the "
                                 "service's user must be able to read it: give it to the "
                                 f"service's group, mode 0640 (chgrp mailbot {path}; "
                                 f"chmod 0640 {path})"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        # utf-8-sig: Notepad and some editors start the file with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            path, [f"line {line}: not UTF-8 text (save the file as UTF-8)"]
        ) from None
    try:
        return read_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None


def this_user() -> str:
    """'user mailbot', or 'uid 4242' for an id with no entry in the password file."""
    import pwd

    try:
        return f"user {pwd.getpwuid(os.geteuid()).pw_name}"
    except KeyError:
        return f"uid {os.geteuid()}"


def _meant(path: Path) -> str:
    """For a config file that is not there: the folder missing, or the file meant."""
    if not path.parent.is_dir():
        return f" (there is no folder {path.parent})"
    names = sorted(p.name for p in path.parent.glob("*.toml"))
    by_case = [name for name in names if name.lower() == path.name.lower()]
    meant = by_case or difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    return f"; did you mean {path.parent / meant[0]}?" if meant else ""


def _named_by(path: Path) -> str:
    """Where the name came from when it was $MAILBOT_CONFIG, which people forget is set
    (in a systemd unit, a shell profile)."""
    from_env = os.environ.get("MAILBOT_CONFIG")
    if from_env and Path(from_env).expanduser().resolve() == path:
        return " (named by $MAILBOT_CONFIG)"
    return ""
