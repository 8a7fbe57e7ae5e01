"""The base of every [section] of the config, and the sections that are plain settings
with no checks beyond their types and bounds (and, for [council], that its telephone
numbers are numbers): [council], [classifier], [scheduler], [logging]."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.fields import FieldInfo


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _choices_in_any_case(cls, data: object) -> object:
        """A value from a fixed list written as people write it ("Monday", "IMAP", " TLS ",
        "FOI", "debug") is that value: the list is in the error message anyway."""
        if not isinstance(data, dict):
            return data
        return {key: _as_choice(value, _choices(cls.model_fields.get(key)))
                for key, value in data.items()}


class CouncilSettings(Section):
    name: str = "Demo Borough Council"
    policy: str = "wiltshire"
    data_dir: Path = Path("var")
    instance: str = Field(
        default="mailbot", description="Names this installation in our loop header"
    )
    # The numbers the acknowledgement gives a member whose matter cannot wait for email (a
    # danger to people or property): the council's, and the one that answers outside
    # office hours. Empty: the letter sends them to the council's usual number, unstated.
    telephone: str = ""
    out_of_hours_telephone: str = ""

    @field_validator("telephone", "out_of_hours_telephone")
    @classmethod
    def _telephone_number(cls, value: str) -> str:
        return telephone_number(value)


# What a telephone number is written with: "01206 282222", "+44 (0)1206 282222", "0300-123-4567".
_TELEPHONE = re.compile(r"\+?[0-9()][0-9 ()-]*")


def telephone_number(value: str) -> str:
    """A number as the council writes it, spaces tidied; "" for none. Anything else (a name,
    an address, a note) would be printed after "telephone the council on" in every letter."""
    number = " ".join(value.split())
    digits = sum(c.isdigit() for c in number)
    if number and not (_TELEPHONE.fullmatch(number) and 3 <= digits <= 15):
        raise ValueError(
            f"{number!r} is not a telephone number (digits, spaces, +, brackets and dashes, "
            "e.g. \"01206 282222\"); leave it empty for none"
        )
    return number


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


def _choices(field: FieldInfo | None) -> tuple[str, ...]:
    """The strings a Literal field (or a list of one) allows; empty for any other field."""
    annotation = field.annotation if field is not None else None
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is not Literal:
        return ()
    return tuple(str(choice) for choice in get_args(annotation))


def _as_choice(value: object, choices: tuple[str, ...]) -> object:
    if not choices:
        return value
    if isinstance(value, list):
        return [_as_choice(item, choices) for item in value]
    if not isinstance(value, str):
        return value
    by_case = {choice.lower(): choice for choice in choices}
    return by_case.get(value.strip().lower(), value)
