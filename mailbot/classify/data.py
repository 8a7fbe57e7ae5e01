"""Labelled mail on disk: the authored JSONL splits, corrections, and where they live.

Format (classifiers/README.md): one JSON object a line with subject, text, headers, kind,
confidential, priority, automatic. Corrections from `mailbot relabel` use the same shape
but only carry a kind, so their flags are unknown (None) and are left out of flag training.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mailbot.model import Kind, ParsedMessage
from mailbot.resources import CLASSIFIERS

ENV_CLASSIFIERS = "MAILBOT_CLASSIFIERS"


@dataclass(frozen=True)
class LabelledMail:
    id: str
    subject: str
    text: str
    headers: dict[str, str]
    kind: Kind | None  # None: automatic mail (or a correction without a kind)
    confidential: bool | None  # None: not labelled
    important: bool | None
    automatic: str | None
    lang: str

    def to_message(self) -> ParsedMessage:
        return ParsedMessage(
            message_id=f"<{self.id}@classifiers.invalid>",
            subject=self.subject,
            sender=None,
            text=self.text,
            headers={k.lower(): v for k, v in self.headers.items()},
        )


def _parse_line(row: dict[str, object], where: str) -> LabelledMail:
    kind = row.get("kind")
    priority = row.get("priority")
    confidential = row.get("confidential")
    headers = row.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError(f"{where}: headers must be an object")
    if kind is not None and kind not in {k.value for k in Kind}:
        raise ValueError(f"{where}: unknown kind {kind!r}")
    if priority not in (None, "normal", "important"):
        raise ValueError(f"{where}: unknown priority {priority!r}")
    return LabelledMail(
        id=str(row.get("id") or where),
        subject=str(row.get("subject") or ""),
        text=str(row.get("text") or ""),
        headers={str(k): str(v) for k, v in headers.items()},
        kind=Kind(kind) if isinstance(kind, str) else None,
        confidential=bool(confidential) if confidential is not None else None,
        important=(priority == "important") if priority is not None else None,
        automatic=str(row["automatic"]) if row.get("automatic") else None,
        lang=str(row.get("lang") or "en"),
    )


def read_jsonl(path: Path) -> list[LabelledMail]:
    """Read one JSONL file; a bad line is a ValueError naming the file and line."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{where}: not valid JSON ({exc.args[0]})") from exc
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected a JSON object")
        out.append(_parse_line(row, where))
    return out


def read_split(path: Path) -> list[LabelledMail]:
    """A .jsonl file, or every *.jsonl in a directory (sorted, so order is stable)."""
    if path.is_file():
        return read_jsonl(path)
    if not path.is_dir():
        raise FileNotFoundError(f"no such data file or directory: {path}")
    files = sorted(path.glob("*.jsonl"))
    return [mail for f in files for mail in read_jsonl(f)]


def find_classifiers_dir() -> Path:
    """Where classifiers/ (data and patterns) lives: $MAILBOT_CLASSIFIERS if set, else the
    copy shipped inside the package (mailbot.resources), which is the repository's own
    folder in a source checkout. Never the working directory: the daemon (started in /)
    and an administrator's command started in another folder must load the same rules
    and judge the same saved model current, or each would retrain it for the other."""
    env = os.environ.get(ENV_CLASSIFIERS)
    if env:
        return Path(env)
    if (CLASSIFIERS / "patterns").is_dir():
        return CLASSIFIERS
    raise FileNotFoundError(
        f"{CLASSIFIERS}: mailbot's classifier data is not there; reinstall mailbot "
        f"(or set {ENV_CLASSIFIERS} to a classifiers/ folder)"
    )


PRIVATE = 0o600  # the corrections file: members' message text


def append_correction(
    path: Path, message: ParsedMessage, kind: Kind, *, who: str, when: datetime
) -> None:
    """Append a person's correction as one JSONL line that `train` picks up. The file
    holds members' message text, so it is readable by mailbot's user alone (0600), as
    the database is, whatever the umask or an earlier version left."""
    row = {
        "id": f"correction-{message.message_id.strip('<>')}",
        "subject": message.subject,
        "text": message.text,
        "headers": dict(message.headers),
        "kind": Kind(kind).value,
        "who": who,
        "when": when.isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
    with open(descriptor, "a", encoding="utf-8") as f:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, PRIVATE)
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
