"""PolicyError, and a pack's validation error told as one "key.path: what is wrong"."""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Sequence
from datetime import date, time
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from mailbot.config_explain import key_path


class PolicyError(ValueError):
    """A pack that cannot be found, read or validated. The message names file and key:
    the first problem; `problems` has each one, so check-config can list them all."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


def reported_error(exc: ValidationError) -> Any:
    """The one error of `exc` that is reported: an unknown key first, since the key it
    misspells is then also reported missing."""
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    return unknown[0] if unknown else errors[0]


def describe_error(
    exc: ValidationError, model: type[BaseModel] | None = None, key_prefix: str = ""
) -> str:
    """One error as "key.path: what is wrong". A misspelt key is reported as the unknown
    key it is, with the key of that table it may have meant (`model` is the validated
    model, whose tables give the keys), else the keys the table takes. `key_prefix` is put
    before the key path (the council config names a pack's keys "policy.KEY")."""
    return describe_one(reported_error(exc), exc.errors(), model, key_prefix)


def errors_to_report(exc: ValidationError) -> list[Any]:
    """Every error of `exc` an administrator should be told of, unknown keys first; not a
    key said to be missing from a table that has an unknown key (the one misspelt)."""
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    misspelt_in = {tuple(e["loc"][:-1]) for e in unknown}
    rest = [e for e in errors if e["type"] != "extra_forbidden"
            and not (e["type"] == "missing" and tuple(e["loc"][:-1]) in misspelt_in)]
    return unknown + rest


def describe_one(
    err: Any, errors: Sequence[Any], model: type[BaseModel] | None = None,
    key_prefix: str = "",
) -> str:
    """`err`, one of the validation `errors`, as describe_error says it."""
    # Pydantic marks a bad dict key (an unknown kind in [ack.KIND]) with "[key]".
    where = [part for part in err["loc"] if part != "[key]"]
    parts = [str(part) for part in where]
    loc = key_path(where)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and list(map(str, e["loc"][:-1])) == parts[:-1]
        ]
        # A key left missing is the likeliest meant; else any key of the table, since
        # one with a default (extra_holidays) or set by the pack under an override is
        # never missing.
        known = keys_at(model, parts[:-1]) if model is not None else []
        close = difflib.get_close_matches(parts[-1], missing, n=1) if parts else []
        close = close or (difflib.get_close_matches(parts[-1], known, n=1) if parts else [])
        if close:
            what = f"unknown key (did you mean {close[0]!r}?)"
        elif known:
            what = f"unknown key (this table takes {', '.join(known)})"
        else:
            what = "unknown key"
    elif kind == "missing":
        what = "required key is missing"
    elif kind == "greater_than_equal":
        what = f"must be >= {ctx.get('ge')}"
    elif kind == "less_than_equal":
        what = f"must be <= {ctx.get('le')}"
    elif kind == "literal_error":
        what = f"must be one of {ctx.get('expected')}, not {err.get('input')!r}"
        meant = _choice_meant(err.get("input"), re.findall(r"'([^']*)'", str(ctx.get("expected"))))
        what += f" (did you mean {meant!r}?)" if meant else ""
    elif kind == "enum":
        what = f"unknown kind {err.get('input')!r} (one of {ctx.get('expected')})"
    elif kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    elif kind in ("model_type", "dict_type") and model is not None and keys_at(model, parts):
        what = _not_a_table(parts, keys_at(model, parts), err.get("input"))
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        # Every whole number in a pack is a count of working days.
        what = f"must be a whole number of working days, such as 10, not {_shown(err.get('input'))}"
    elif kind == "list_type":
        what = f"must be a list, written [ ... ], not {_shown(err.get('input'))}"
        if isinstance(err.get("input"), dict):
            what += (f" (for one, write {parts[-1]} = [{{ ... }}], or [[{loc}]] in place of "
                     f"[{loc}])")
    else:
        what = f"{err['msg'][:1].lower()}{err['msg'][1:]} (got {_shown(err.get('input'))})"
    if not loc:
        return what  # model-level messages name their own key
    return f"{key_prefix}{loc}: {what}"


def _choice_meant(written: Any, choices: Sequence[str]) -> str | None:
    """The choice a value is written for as people say it: in other capitals or with
    spaces ("Northern Ireland"), or one word of it ("Wales" for england-and-wales)."""
    if not isinstance(written, str):
        return None
    said = re.sub(r"[\s_]+", "-", written.strip().lower())
    for choice in choices:
        if said == choice or (said and said in choice.split("-")):
            return choice
    return None


def _not_a_table(parts: Sequence[str], keys: Sequence[str], value: Any) -> str:
    # A closure or holiday written as a bare date is the likely case: show the form.
    what = f"must be a table {{ {', '.join(f'{k} = ...' for k in keys)} }}"
    example = _EXAMPLES.get(keys[0]) if parts and parts[-1].isdigit() and keys else None
    return f"{what}{f', such as {example}' if example else ''}, not {_shown(value)}"


_EXAMPLES = {
    "date": '{ date = 2027-05-10, name = "State funeral" }',
    "start": '{ start = 2026-12-29, end = 2026-12-31, name = "Christmas closure" }',
}


def _shown(value: Any) -> str:
    """A value as the pack writes it (2027-05-10, not datetime.date(2027, 5, 10))."""
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_shown(v)}" for k, v in value.items())
        return f"{{ {inner} }}"
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def keys_at(model: type[BaseModel], parts: Sequence[str]) -> list[str]:
    """The keys of the table at `parts` (a validation error's location) in `model`, in
    the order the model declares them; [] if `parts` is not a table there."""
    target: Any = model
    for part in parts:
        target = _bare(target)
        origin = get_origin(target)
        if origin is list or origin is dict:  # part is an index or a dict key ([ack.KIND])
            target = get_args(target)[-1]
        elif isinstance(target, type) and issubclass(target, BaseModel):
            field = target.model_fields.get(part)
            if field is None:
                return []
            target = field.annotation
        else:
            return []
    target = _bare(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _bare(annotation: Any) -> Any:
    """`annotation` without Annotated[...] and without "| None"."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _bare(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _bare(options[0]) if len(options) == 1 else annotation
    return annotation
