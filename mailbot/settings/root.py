"""Settings, the whole config: every [section] together, the environment beating the
file, and the paths and database URL resolved against the config file's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from mailbot.config_explain import ENV_PREFIX
from mailbot.settings.database import DatabaseSettings
from mailbot.settings.digest import DigestSettings
from mailbot.settings.loops import LoopSettings
from mailbot.settings.mailbox import MailboxSettings
from mailbot.settings.people import DirectorySettings, RoutingSettings
from mailbot.settings.retention import RetentionSettings
from mailbot.settings.sections import (
    ClassifierSettings,
    CouncilSettings,
    LoggingSettings,
    SchedulerSettings,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    council: CouncilSettings = CouncilSettings()
    database: DatabaseSettings = DatabaseSettings()
    mailbox: MailboxSettings = MailboxSettings()
    directory: DirectorySettings = DirectorySettings()
    routing: RoutingSettings = RoutingSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    loops: LoopSettings = LoopSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    logging: LoggingSettings = LoggingSettings()
    digest: DigestSettings = DigestSettings()
    retention: RetentionSettings = RetentionSettings()
    policy: dict[str, Any] = {}  # overrides of the chosen policy pack, validated by the pack
    config_path: Path | None = Field(default=None, exclude=True)
    read_environment: ClassVar[bool] = True

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment beats the file: secrets and container overrides live there.
        return (env_settings, init_settings) if cls.read_environment else (init_settings,)

    @model_validator(mode="after")
    def _data_dir_is_a_folder(self) -> Settings:
        # The folder is made on start; a file in the way would stop every command with a
        # bare FileExistsError or NotADirectoryError.
        in_the_way = next((p for p in (self.data_dir, *self.data_dir.parents) if p.exists()), None)
        if in_the_way is not None and not in_the_way.is_dir():
            raise ValueError(f"council.data_dir: {in_the_way} is a file, not a folder")
        return self

    @property
    def base_dir(self) -> Path:
        return self.config_path.parent if self.config_path else Path.cwd()

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        path = path.expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.council.data_dir)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return _resolve_sqlite_url(self.database.url, self.base_dir)
        return f"sqlite:///{self.data_dir / 'mailbot.db'}"

    @property
    def model_dir(self) -> Path:
        configured = self.classifier.model_dir
        return self.resolve(configured) if configured else self.data_dir / "model"

    @property
    def corrections_path(self) -> Path:
        configured = self.classifier.corrections
        return self.resolve(configured) if configured else self.data_dir / "corrections.jsonl"


def _resolve_sqlite_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(base / url[len(prefix) :])
    return url
