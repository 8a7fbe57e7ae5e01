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


def find_classifiers_dir(start: Path | None = None) -> Path:
    """Where classifiers/ (data and patterns) lives.

    $MAILBOT_CLASSIFIERS if set; else the nearest classifiers/ at or above the working
    directory (an installed mailbot run inside the repository); else the one beside the
    package (a source checkout or editable install).
    """
    env = os.environ.get(ENV_CLASSIFIERS)
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "classifiers"
        if (candidate / "patterns").is_dir():
            return candidate
    beside = Path(__file__).resolve().parents[2] / "classifiers"
    if (beside / "patterns").is_dir():
        return beside
    raise FileNotFoundError(
        f"classifiers/ not found: set {ENV_CLASSIFIERS} or run inside the mailbot repository"
    )


def append_correction(
    path: Path, message: ParsedMessage, kind: Kind, *, who: str, when: datetime
) -> None:
    """Append a person's correction as one JSONL line that `train` picks up."""
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
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
