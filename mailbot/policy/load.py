"""Finding a pack (by name among the shipped ones, or by path), reading it, merging the
council config's [policy] overrides into it and validating the result, cached while the
file is unchanged."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mailbot.policy.errors import PolicyError, describe_one, errors_to_report
from mailbot.policy.pack import Policy
from mailbot.settings.toml_text import read_toml

PACKS_ENV = "MAILBOT_POLICIES_DIR"


def default_packs_dir() -> Path:
    """Where the shipped packs are: $MAILBOT_POLICIES_DIR, else the installed package
    data (mailbot/_packs), else config/policies/ of the source checkout."""
    env = os.environ.get(PACKS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[1]  # mailbot/, not mailbot/policy/
    for candidate in (here / "_packs", here.parent / "config" / "policies"):
        if candidate.is_dir():
            return candidate
    return here.parent / "config" / "policies"


def available_packs(packs_dir: Path | None = None) -> list[str]:
    folder = packs_dir or default_packs_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def resolve_pack(
    ref: str | Path, packs_dir: Path | None = None, base_dir: Path | None = None
) -> Path:
    """A pack name ("colchester") or a path to a .toml file → the file's path. A relative
    path is taken from `base_dir` (the council config's folder) when given, so the daemon
    finds the same pack whatever directory it was started in."""
    text = str(ref)
    looks_like_path = isinstance(ref, Path) or text.endswith(".toml") or os.sep in text
    if looks_like_path:
        path = Path(ref).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise PolicyError(f"{path}: policy file not found{_hint(path, packs_dir)}")
        return path
    folder = packs_dir or default_packs_dir()
    path = folder / f"{text}.toml"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text) or not path.is_file():
        packs = available_packs(folder)
        meant = _pack_meant(text, packs)
        raise PolicyError(f"unknown policy {text!r}: not a pack in {folder} "
                          f"({', '.join(packs) or 'none found'})"
                          + (f'; did you mean policy = "{meant}"?' if meant else ""))
    return path


def _pack_meant(written: str, packs: list[str]) -> str | None:
    """The pack a name is probably meant for: in other capitals, misspelt, or with the
    council's name around it ("Wiltshire Council")."""
    words = written.lower().replace("-", " ").replace("_", " ").split()
    for candidate in [" ".join(words), *words]:
        close = difflib.get_close_matches(candidate, packs, n=1, cutoff=0.8)
        if close:
            return close[0]
    return None


def _hint(missing: Path, packs_dir: Path | None) -> str:
    """What the administrator probably meant by a pack path that is not there: the file
    spelt otherwise (no ".toml", other capitals), a pack of that name, else what the
    folder holds."""
    folder = missing.parent
    if folder.is_dir():
        wanted = {missing.name.lower(), f"{missing.name}.toml".lower()}
        for near in sorted(folder.glob("*.toml")):
            if near.name.lower() in wanted:
                return f" (did you mean {near}?)"
    packs = packs_dir or default_packs_dir()
    if missing.stem in available_packs(packs):
        return f' (the pack in {packs} is named without ".toml": policy = "{missing.stem}")'
    if not folder.is_dir():
        return f" (there is no folder {folder})"
    found = ", ".join(p.name for p in sorted(folder.glob("*.toml")))
    return f" ({folder} holds {found})" if found else f" ({folder} holds no .toml file)"


def load_policy(
    ref: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    packs_dir: Path | None = None,
    base_dir: Path | None = None,
) -> Policy:
    """Read a pack, deep-merge the council config's [policy] overrides, validate."""
    path = resolve_pack(ref, packs_dir, base_dir)
    return _load(path, _freeze(overrides or {}), path.stat().st_mtime_ns)


def parse_policy(
    data: Mapping[str, Any], origin: str, overrides: Mapping[str, Any] | None = None
) -> Policy:
    """Validate an already-read pack; `origin` names it in error messages. A mistake in
    the council config's `overrides` is named by its key there ("policy.KEY"), since the
    administrator would look for it in the pack in vain."""
    try:
        return Policy.model_validate(dict(data))
    except ValidationError as exc:
        errors = exc.errors()
        problems = [
            f"{origin}: "
            + describe_one(err, errors, Policy, "policy." if _overridden(overrides, err) else "")
            for err in errors_to_report(exc)
        ]
        # One line per key: a value a union refuses gives an error for each of its forms.
        problems = list(dict.fromkeys(problems))
        raise PolicyError(problems[0], problems) from None


def _overridden(overrides: Mapping[str, Any] | None, err: Any) -> bool:
    return bool(overrides) and _set_by(overrides or {}, err["loc"], err["type"])


def _set_by(overrides: Mapping[str, Any], loc: tuple[Any, ...], error: str) -> bool:
    """Whether the key at `loc` was written in `overrides` (for a missing key: its table)."""
    parts = [part for part in loc if part != "[key]"]
    if error == "missing":
        parts = parts[:-1]
    node: Any = overrides
    for part in parts:
        if isinstance(node, Mapping) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return bool(parts)


@lru_cache(maxsize=64)
def _load(path: Path, frozen_overrides: Any, _mtime: int) -> Policy:
    try:
        data = read_toml(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None
    data.setdefault("name", path.stem)
    overrides = _thaw(frozen_overrides)
    merged = _deep_merge(data, overrides)
    origin = str(path) if not frozen_overrides else f"{path} (with the council's overrides)"
    return parse_policy(merged, origin, overrides)


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _freeze(value: Any) -> Any:
    """A hashable copy of nested overrides, so loaded policies can be cached."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value
