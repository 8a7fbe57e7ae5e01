"""The mailbot.toml the backend tests write: a council on the wiltshire pack with its data
in var/, the demo's members and officers, and one [mailbox] backend whose own section
holds the keys the test gives (in that order)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def write_council_config(
    path: Path,
    backend: str,
    address: str,
    keys: Mapping[str, str],
    *,
    name: str | None = "Example Council",
    train_classifier: bool | None = False,
) -> Path:
    """`path` as a mailbot.toml for `backend` on `address`; `name` None leaves the
    council's name to its default, `train_classifier` None leaves [classifier] out."""
    council = f'name = "{name}"\n' if name is not None else ""
    section = "".join(f'{key} = "{value}"\n' for key, value in keys.items())
    classifier = (
        "" if train_classifier is None
        else f"\n[classifier]\ntrain_if_missing = {str(train_classifier).lower()}\n"
    )
    path.write_text(
        f"""
[council]
{council}policy = "wiltshire"
data_dir = "var"

[mailbox]
backend = "{backend}"
address = "{address}"

[mailbox.{backend}]
{section}
[directory]
members = "{DEMO / "members.csv"}"
officers = "{DEMO / "officers.csv"}"
{classifier}""",
        encoding="utf-8",
    )
    return path
