"""Strong signals found by rules: spaCy phrase/token patterns and message headers.

The patterns live in classifiers/patterns/*.jsonl, one {"label", "pattern"} object a line:
a string pattern is a phrase (PhraseMatcher on lower-cased tokens), a list is a token
pattern (Matcher). Header rules are definitions, not guesses: Importance: high makes a
message important whatever the text says, Sensitivity: Private makes it confidential.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

# Labels the pattern files use. Strong ones decide on their own in rules-only mode;
# hints only nudge. With a trained model every count becomes a feature token instead.
FOI = "FOI"
FOI_HINT = "FOI_HINT"
COMPLAINT = "COMPLAINT"
COMPLAINT_HINT = "COMPLAINT_HINT"
CONFIDENTIAL = "CONFIDENTIAL"
CONF_HINT = "CONF_HINT"
CONF_QUESTION = "CONF_QUESTION"
URGENT = "URGENT"
URGENT_HINT = "URGENT_HINT"
LABELS = (
    FOI,
    FOI_HINT,
    COMPLAINT,
    COMPLAINT_HINT,
    CONFIDENTIAL,
    CONF_HINT,
    CONF_QUESTION,
    URGENT,
    URGENT_HINT,
)
# "this is not urgent", "no need to keep this confidential": a negator just before
# the match cancels these signals.
NEGATABLE = frozenset({URGENT, URGENT_HINT, CONFIDENTIAL})
NEGATORS = frozenset({"not", "n't", "no", "never", "nothing", "isn't", "nt"})
NEGATION_WINDOW = 3

# Common Welsh function words: Welsh mail is expected (Cardiff), other languages are not.
_CY_WORDS = (
    "a ac ag am ar at i o y yr yn mae roedd bod wedi ei eu fy dy ein eich gyda hefyd "
    "ond neu os fel hwn hon hyn hynny sydd oes nid dim na nad ddim iawn diolch annwyl "
    "cofion plis rwy rydw rydyn chi ni nhw fe fo hi ef efo gan dros heb rhwng drwy trwy "
    "pan lle beth pwy pam sut faint pryd"
)
CY_STOP_WORDS = frozenset(_CY_WORDS.split())

_IMPORTANT_HEADER_VALUES = {
    "importance": re.compile(r"^\s*high\b", re.I),
    "x-priority": re.compile(r"^\s*[12]\b"),
    "priority": re.compile(r"^\s*urgent\b", re.I),
    "x-msmail-priority": re.compile(r"^\s*high\b", re.I),
}
_SENSITIVITY = re.compile(r"^\s*(private|company-confidential|confidential)\b", re.I)
_SUBJECT_CONFIDENTIAL = re.compile(r"\b(confidential|cyfrinachol)\b", re.I)


@dataclass(frozen=True)
class HeaderFlags:
    confidential: bool
    important: bool


def header_flags(headers: Mapping[str, str], subject: str) -> HeaderFlags:
    """Flags that follow by definition from headers and the subject line."""
    lowered = {k.lower(): str(v) for k, v in headers.items()}
    important = any(
        pattern.match(lowered.get(name, "")) for name, pattern in _IMPORTANT_HEADER_VALUES.items()
    )
    confidential = bool(_SENSITIVITY.match(lowered.get("sensitivity", ""))) or bool(
        _SUBJECT_CONFIDENTIAL.search(subject or "")
    )
    return HeaderFlags(confidential=confidential, important=important)


def load_patterns(patterns_dir: Path) -> list[dict[str, object]]:
    """Read every *.jsonl in ``patterns_dir``; a bad line is an error naming file and line."""
    rows: list[dict[str, object]] = []
    files = sorted(patterns_dir.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no pattern files (*.jsonl) in {patterns_dir}")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                label, pattern = row["label"], row["pattern"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad pattern line ({exc})") from exc
            if label not in LABELS or not isinstance(pattern, str | list):
                raise ValueError(f"{path}:{number}: unknown label or pattern type: {line[:80]}")
            rows.append({"label": label, "pattern": pattern})
    return rows


class Rules:
    """Counts pattern matches per label in a tokenized (lower-cased) doc."""

    def __init__(self, nlp: Language, patterns: list[dict[str, object]]) -> None:
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._tokens = Matcher(nlp.vocab)
        phrases: dict[str, list[Doc]] = {}
        for row in patterns:
            label, pattern = str(row["label"]), row["pattern"]
            if isinstance(pattern, str):
                phrases.setdefault(label, []).append(nlp.make_doc(pattern.lower()))
            else:
                self._tokens.add(label, [pattern])  # type: ignore[list-item]
        for label, docs in phrases.items():
            self._phrases.add(label, docs)
        self._strings = nlp.vocab.strings

    def counts(self, doc: Doc) -> Counter[str]:
        found: Counter[str] = Counter()
        seen: set[tuple[str, int, int]] = set()
        for match_id, start, end in [*self._phrases(doc), *self._tokens(doc)]:
            key = (self._strings[match_id], start, end)
            if key[0] in NEGATABLE and _negated(doc, start):
                continue
            if key not in seen:  # the same span from both matchers counts once
                seen.add(key)
                found[key[0]] += 1
        return found


def _negated(doc: Doc, start: int) -> bool:
    window = doc[max(0, start - NEGATION_WINDOW) : start]
    return any(t.lower_ in NEGATORS for t in window)


def language_fit(doc: Doc) -> float:
    """Share of word tokens that are English or Welsh function words (about 0.3-0.5 in
    ordinary prose in either language; near 0 for other languages or gibberish)."""
    # One-letter words ("a", "i", "o", "w") are function words in too many languages.
    words = [t.lower_ for t in doc if t.is_alpha and len(t) > 1]
    if not words:
        return 0.0
    known = sum(1 for w in words if w in EN_STOP_WORDS or w in CY_STOP_WORDS)
    return known / len(words)


def word_count(doc: Doc) -> int:
    return sum(1 for t in doc if t.is_alpha)
