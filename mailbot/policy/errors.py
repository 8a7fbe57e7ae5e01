"""PolicyError, and a pack's validation error told as one "key.path: what is wrong"."""

from __future__ import annotations

import difflib

from pydantic import ValidationError


class PolicyError(ValueError):
    """A pack that cannot be found, read or validated. The message names file and key."""


def describe_error(exc: ValidationError) -> str:
    """One error as "key.path: what is wrong". A misspelt key is reported as the unknown
    key it is (with the key it may have meant), not as the key it left missing."""
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    err = unknown[0] if unknown else errors[0]
    # Pydantic marks a bad dict key (an unknown kind in [ack.KIND]) with "[key]".
    parts = [str(part) for part in err["loc"] if part != "[key]"]
    loc = ".".join(parts)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and list(map(str, e["loc"][:-1])) == parts[:-1]
        ]
        close = difflib.get_close_matches(parts[-1], missing, n=1) if parts else []
        what = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif kind == "missing":
        what = "required key is missing"
    elif kind == "greater_than_equal":
        what = f"must be >= {ctx.get('ge')}"
    elif kind == "less_than_equal":
        what = f"must be <= {ctx.get('le')}"
    elif kind == "literal_error":
        what = f"must be one of {ctx.get('expected')}, not {err.get('input')!r}"
    elif kind == "enum":
        what = f"unknown kind {err.get('input')!r} (one of {ctx.get('expected')})"
    elif kind == "value_error":
        what = str(ctx.get("error", err["msg"]))
    else:
        what = f"{err['msg'][:1].lower()}{err['msg'][1:]} (got {err.get('input')!r})"
    return f"{loc}: {what}" if loc else what  # model-level messages name their own key
