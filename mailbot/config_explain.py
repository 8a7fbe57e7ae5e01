"""What an administrator reads when mailbot.toml or a MAILBOT_ variable is wrong: each
mistake as one line naming the key (and the environment variable that set it, if one
did) with what to write instead, never echoing the value, which may be a password.

`root` is the settings model (mailbot.settings.Settings), passed in so this module needs
nothing from the one that uses it.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

ENV_PREFIX = "MAILBOT_"
# Environment variables of ours that are not config keys.
NOT_CONFIG_KEYS = frozenset(
    {"MAILBOT_CONFIG", "MAILBOT_DEBUG", "MAILBOT_POLICIES_DIR", "MAILBOT_CLASSIFIERS"}
)
Root = type[BaseModel]


def key_path(loc: Sequence[str | int]) -> str:
    """A key as an administrator finds it in the file, with list items counted from 1 as
    a person counts the [[routing.rules]] tables: "routing.rules (number 2).officer", not
    pydantic's "routing.rules.1.officer"."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" (number {part + 1})"
        else:
            text += f".{part}" if text else part
    return text


def config_variables(environ: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """MAILBOT_<SECTION>__<KEY> variables, by the key path they set (lower case)."""
    found: dict[tuple[str, ...], str] = {}
    for name in environ:
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and upper not in NOT_CONFIG_KEYS:
            found[tuple(upper[len(ENV_PREFIX) :].lower().split("__"))] = name
    return found


def unknown_variables(from_env: dict[tuple[str, ...], str], root: Root) -> list[str]:
    """Variables that look meant for the config but name no section.

    pydantic-settings reads only variables whose section exists, so a mistyped section
    (MAILBOT_MAILBOXX__...) or single underscores (MAILBOT_MAILBOX_IMAP_PASSWORD) would
    otherwise be ignored without a word, and the password silently stay empty.
    """
    sections = [name for name in root.model_fields if name != "config_path"]
    problems = []
    for parts, name in sorted(from_env.items(), key=lambda item: item[1]):
        section = parts[0]
        if section in sections:
            continue
        if len(parts) > 1:
            guess = difflib.get_close_matches(section, sections, n=1)
            hint = f" (did you mean [{guess[0]}]?)" if guess else ""
            problems.append(
                f"environment variable {name}: there is no [{section}] section{hint}"
            )
        elif any(section.startswith(s + "_") for s in sections):
            problems.append(
                f"environment variable {name}: sections and keys are separated by two "
                f"underscores, e.g. MAILBOT_MAILBOX__IMAP__PASSWORD"
            )
    return problems


def undecodable_variables(from_env: dict[tuple[str, ...], str], root: Root) -> list[str]:
    """The variables for a list or table whose value is not JSON, which is how
    pydantic-settings reads them (MAILBOT_DIRECTORY__ADMINS='["it@council.gov.uk"]')."""
    problems = []
    for parts, name in sorted(from_env.items(), key=lambda item: item[1]):
        example = '["first", "second"]' if _is_list(parts, root) else '{"key": "value"}'
        if _keys_at(parts, root) or _is_list(parts, root):
            try:
                json.loads(os.environ.get(name, ""))
            except ValueError:
                kind = "list" if _is_list(parts, root) else "table"
                problems.append(
                    f"environment variable {name}: {'.'.join(parts)} is a {kind}, so write it "
                    f"as JSON, e.g. {name}='{example}'"
                )
    return problems


def _is_list(loc: tuple[str, ...], root: Root) -> bool:
    field = _fields(_model_at(loc[:-1], root)).get(loc[-1]) if loc else None
    return field is not None and getattr(field.annotation, "__origin__", None) is list


# A model validator's message that starts with the key it is about ("imap.username: ...").
_KEY = r"[a-z_][a-z0-9_.]*(?: \(number \d+\)[a-z0-9_.]*)*"
_KEYED_MESSAGE = re.compile(rf"^{_KEY}(?: and {_KEY})?: ")


def describe(err: Any, from_env: dict[tuple[str, ...], str], root: Root) -> str:
    """One pydantic error as the line an administrator reads."""
    loc = tuple(str(part) for part in err["loc"])
    key = key_path(err["loc"])
    source = _set_by(loc, from_env)
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key{source}{_suggestion(tuple(err['loc']), source, root)}"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error" and _KEYED_MESSAGE.match(message):
        return (f"{key}.{message}" if key else message) + source
    template = _TYPE_HINTS.get(err["type"])
    hint = template.format(key=key) if template else _bound(err) or _plain(message)
    if source:
        hint = hint.replace(" (without quotes)", "")  # the environment has no quotes
    return f"{key}: {hint}{source}"


# What to write, for the type mistakes TOML makes easy (never echoing the value given,
# which may be a password).
_TYPE_HINTS = {
    "list_type": 'must be a list in square brackets, e.g. ["first", "second"]',
    "model_type": "must be a table: a [{key}] section with its keys on the lines below it",
    "model_attributes_type": "must be a table: a [{key}] section with its keys below it",
    "dict_type": "must be a table: a [{key}] section with its keys on the lines below it",
    "bool_type": "must be true or false (without quotes)",
    "bool_parsing": "must be true or false (without quotes)",
    "int_type": "must be a whole number (without quotes)",
    "int_parsing": "must be a whole number (without quotes)",
    "int_from_float": "must be a whole number",
    "string_type": 'must be text in double quotes, e.g. "like this"',
    "float_type": "must be a number (without quotes)",
    "float_parsing": "must be a number (without quotes)",
    "missing": "is required: add it to this table",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "must be {} or more"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be {} or less"),
    "less_than": ("lt", "must be less than {}"),
}


def _bound(err: Any) -> str | None:
    """A number out of range, or a value not among those allowed, in words."""
    context = err.get("ctx") or {}
    if err["type"] in _BOUNDS:
        name, words = _BOUNDS[err["type"]]
        return words.format(context.get(name, "?"))
    if err["type"] in ("literal_error", "enum") and "expected" in context:
        return f"must be one of {context['expected']}{_meant_value(err.get('input'), context)}"
    return None


# What other programs call one of our values: Outlook's "SSL/TLS" for port 993 is "tls".
_OTHER_NAMES = {"ssl": "tls", "ssl/tls": "tls", "implicit": "tls", "tls/ssl": "tls"}


def _meant_value(given: object, context: dict[str, Any]) -> str:
    """'; did you mean "monday"?' for a value close to one allowed (a setting's value,
    never a secret), or what another program's name for it is in mailbot's words."""
    if not isinstance(given, str) or not given.strip():
        return ""
    allowed = {value.lower(): value for value in re.findall(r"'([^']*)'", str(context["expected"]))}
    written = given.strip().lower()
    if written in _OTHER_NAMES and _OTHER_NAMES[written] in allowed:
        return (f'; write "{_OTHER_NAMES[written]}" for what mail programs call SSL or '
                "SSL/TLS")
    close = difflib.get_close_matches(written, list(allowed), n=1, cutoff=0.6)
    starts = [value for value in allowed if len(written) >= 3 and value.startswith(written)]
    meant = [allowed[value] for value in (close or starts)[:1]]
    return f'; did you mean "{meant[0]}"?' if meant and meant[0] != given else ""


def _plain(message: str) -> str:
    """Pydantic's own words for anything else, made to read as ours: "Input should be a
    valid date, ..." becomes "must be a valid date"."""
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ").split(", ")[0]
    return message


def describe_all(errors: list[Any], from_env: dict[tuple[str, ...], str], root: Root) -> list[str]:
    """Each error as a line, except a required key reported missing because it was
    misspelt: the unknown-key line already names it ("did you mean ...officer?")."""
    misspelt: set[tuple[str, ...]] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = tuple(str(part) for part in err["loc"])
            known = _keys_at(loc[:-1], root)
            guess = difflib.get_close_matches(loc[-1].lower(), known, n=1) if known else []
            misspelt.update((*loc[:-1], name) for name in guess)
    return [
        describe(err, from_env, root) for err in errors
        if not (err["type"] == "missing" and tuple(str(p) for p in err["loc"]) in misspelt)
    ]


def set_by_environment(key: str) -> str:
    """" (set by the environment variable ..., not the file)" when a MAILBOT_ variable
    gives `key` ("directory.members"), else "": for problems found after validation (a
    file that is not there), which the administrator would otherwise look for in the file."""
    return _set_by(tuple(key.split(".")), config_variables(os.environ))


def _set_by(loc: tuple[str, ...], from_env: dict[tuple[str, ...], str]) -> str:
    """Where a bad value came from, when it was the environment rather than the file."""
    lowered = tuple(part.lower() for part in loc)
    for size in range(len(lowered), 0, -1):
        name = from_env.get(lowered[:size])
        if name is not None:
            return f" (set by the environment variable {name}, not the file)"
    return ""


def _suggestion(where: tuple[str | int, ...], source: str, root: Root) -> str:
    loc = tuple(str(part) for part in where)
    elsewhere = [table for table in _tables_holding(loc[-1].lower(), root)
                 if table != tuple(p for p in loc[:-1] if not p.isdigit())]
    if elsewhere:
        return _belongs_in(elsewhere, loc[-1].lower(), source, root)
    known = _keys_at(loc[:-1], root)
    guess = difflib.get_close_matches(loc[-1].lower(), known, n=1) if known else []
    if not guess:
        if loc[-1].lower() in ("timezone", "time_zone", "tz"):
            return "; mailbot keeps UK time (Europe/London) and has no time zone setting"
        pack_table = _policy_pack_table(loc) or _pack_table_holding(loc[-1])
        if pack_table is not None:
            return f"; it is a policy pack setting: put it under [{pack_table}]"
        from mailbot.resources import EXAMPLE_CONFIG  # installed with the wheel

        return f" (check the spelling against the example config, {EXAMPLE_CONFIG})"
    if source:
        return f"; did you mean {ENV_PREFIX}{'__'.join((*loc[:-1], guess[0])).upper()}?"
    return f"; did you mean {key_path((*where[:-1], guess[0]))}?"


def _tables_holding(key: str, root: Root) -> list[tuple[str, ...]]:
    """The tables of mailbot.toml (not the policy pack's) that have `key`, in the order the
    example config gives them: ("routing",) for default_officer."""
    found: list[tuple[str, ...]] = []
    tables: list[tuple[str, ...]] = [()]
    while tables:
        table = tables.pop(0)
        names = _keys_at(table, root)
        if table and key in names:
            found.append(table)
        tables += [(*table, name) for name in names if _keys_at((*table, name), root)]
    return found


def _belongs_in(tables: list[tuple[str, ...]], key: str, source: str, root: Root) -> str:
    """Where a key written in the wrong table goes: "[routing]", "[mailbox.imap],
    [mailbox.ews] or [mailbox.graph]", or the variables that set it there."""
    if source:
        names = [ENV_PREFIX + "__".join((*table, key)).upper() for table in tables]
        return f"; it belongs in another table: did you mean {_either(names)}?"
    written = [f"[[{'.'.join(table)}]]" if _is_list(table, root) else f"[{'.'.join(table)}]"
               for table in tables]
    return f"; it belongs in another table: put it under {_either(written)}"


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _policy_pack_table(loc: tuple[str, ...]) -> str | None:
    """The [policy...] table for a key that belongs to a policy pack, not to mailbot.toml
    (docs/deadlines.md lists "[routing] monitoring_officer" and "[calendar] closures";
    in mailbot.toml they go under [policy.routing] and [policy.calendar])."""
    from mailbot.policy import default_packs_dir

    try:
        pack: Any = tomllib.loads((default_packs_dir() / "wiltshire.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    for part in loc:
        if not isinstance(pack, dict) or part not in pack:
            return None
        pack = pack[part]
    table = loc if isinstance(pack, dict) else loc[:-1]  # [calendar] itself, or its key
    return ".".join(("policy", *table))


def _pack_table_holding(key: str) -> str | None:
    """The one [policy...] table whose pack key is `key`, wherever in mailbot.toml it was
    written: a Scottish council writes `region = "scotland"` under [council], where it
    is not unknown for its spelling. None if no pack table, or more than one, has it."""
    from mailbot.policy import Policy
    from mailbot.policy.errors import keys_at

    found: list[tuple[str, ...]] = []
    tables: list[tuple[str, ...]] = [()]
    while tables:
        table = tables.pop(0)
        for name in keys_at(Policy, table):
            if name == key:
                found.append(table)
            # A table ([clock]), or tables by kind or in a list ([ack.KIND], closures):
            # keys several tables share (name, start, date) are never named.
            for inner in ((*table, name), (*table, name, "KIND")):
                if keys_at(Policy, inner):
                    tables.append(inner)
                    break
    return ".".join(("policy", *found[0])) if len(found) == 1 else None


def _keys_at(loc: tuple[str, ...], root: Root) -> list[str]:
    """The key names allowed in the table at `loc` (empty if it is not a known table)."""
    model = _model_at(loc, root)
    return [info.alias or name for name, info in _fields(model).items() if name != "config_path"]


def _model_at(loc: tuple[str, ...], root: Root) -> object:
    """The model of the table at `loc` (routing.rules.0 is a RoutingRule), else None."""
    model: Any = root
    for part in loc:
        if part.isdigit():
            continue  # an entry of a list of tables, e.g. routing.rules.0
        field = _fields(model).get(part)
        if field is None:
            return None
        model = field.annotation
        for arg in getattr(model, "__args__", ()):
            model = arg  # list[RoutingRule] -> RoutingRule
        if not _fields(model):
            return None
    return model


def _fields(model: object) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return dict(model.model_fields)
    return {}
