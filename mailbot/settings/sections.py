"""The base of every [section] of the config, and the sections that are plain settings
with no checks beyond their types and bounds: [council], [classifier], [scheduler],
[logging]."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class CouncilSettings(Section):
    name: str = "Demo Borough Council"
    policy: str = "wiltshire"
    data_dir: Path = Path("var")
    instance: str = Field(
        default="mailbot", description="Names this installation in our loop header"
    )


class ClassifierSettings(Section):
    model_dir: Path | None = None  # default: <data_dir>/model
    threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    corrections: Path | None = None  # default: <data_dir>/corrections.jsonl
    train_if_missing: bool = True


class SchedulerSettings(Section):
    poll_seconds: int = Field(default=60, ge=5)
    flush_seconds: int = Field(default=30, ge=5)
    # Between polls, wait on IMAP IDLE where the server offers it, so new mail is handled
    # (and acknowledged) within seconds instead of at the next poll.
    idle: bool = True


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = Field(default=False, alias="json")
