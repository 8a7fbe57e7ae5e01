"""Strong signals found by rules: spaCy phrase/token patterns and message headers.

The patterns live in classifiers/patterns/*.jsonl, one object a line with a "label" and
either a "pattern" — a string is a phrase (PhraseMatcher on lower-cased tokens), a list is
a token pattern (Matcher) — or a "product": a list of alternatives per position, expanded
into every phrase it spells ("" leaves a position out). Phrases are nearly free to match;
each token pattern costs about as much as tokenizing, so prefer products where possible.
Header rules are definitions, not guesses: Importance: high makes a
message important whatever the text says, Sensitivity: Private makes it confidential.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.attrs import IS_PUNCT, LOWER
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
# A subject access request (UK GDPR Article 15): someone asking for the personal data the
# council holds about them ("subject access request", "a SAR", "the personal data the
# council holds about her", "cais gwrthrych am wybodaeth"). Not FOI: FOIA s.40(1) leaves a
# requester's own data to data protection law. DP_LAW (data protection law named) and
# DATA_COPY ("a copy of the data") are one only together.
SAR = "SAR"
# "SAR" written as officers and councillors write it, alone ("SAR - Mrs Jones, 4 Elm
# Road", "Mr Khan's SAR"): the patterns match lower-cased words, so this one is read from
# the text as written (Rules.match): a token that is the upper-case word "SAR" exactly,
# not "Sar", "SARS", "SARs", "Sars-CoV" nor "Sarah" (each its own token). Counted as SAR
# (or NOT_SAR when negated: "Not SAR - ...") only where no pattern already matched it.
SAR_WORD = "SAR"
# ... but not as the name of the council's figures or ways about such requests ("SAR
# figures", "SAR policy"): an FOI request about them, no request of the person's own.
_ABOUT_SARS_WORDS = (
    "figures statistics stats numbers totals performance compliance policy policies "
    "procedure procedures guidance process processes training backlog rates"
)
ABOUT_SARS = frozenset(_ABOUT_SARS_WORDS.split())
DP_LAW = "DP_LAW"
DATA_COPY = "DATA_COPY"
# The name of a service or a thing that happens to hold a signal word ("Private Sector
# Housing", "a private landlord", "confidential waste"), or a signature's general line about
# urgency ("for urgent casework please ring..."), which says nothing about this message.
# A signal found inside one of these is not a signal; NAME itself is never counted.
NAME = "NAME"
# The FOI team's own name ("the FOI Team", "the Freedom of Information officer", "tîm
# rhyddid gwybodaeth"): the FOI wording inside it is counted as this, not as FOI. It says
# FOI when nothing else says what the mail is ("Could the FOI team send me..."), but a
# formal complaint about the team is a complaint (_rules_kind).
FOI_TEAM = "FOI_TEAM"
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
    SAR,
    DP_LAW,
    DATA_COPY,
    NAME,
    FOI_TEAM,
)
# "this is not urgent", "no need to keep this confidential": a negator just before
# the match cancels these signals.
NEGATABLE = frozenset({URGENT, URGENT_HINT, CONFIDENTIAL})
NEGATORS = frozenset({"not", "n't", "n’t", "no", "never", "nothing", "isn't", "nt"})
NEGATION_WINDOW = 3
# Complaint and FOI wording is cancelled only when a negator governs the words matched:
# "this is not a formal complaint", "I'm not making a complaint", "this isn't an FOI
# request", "I don't need this under FOI", "no need for a formal complaint", "nid cwyn
# ffurfiol yw hon", "dydw i ddim yn gwneud cwyn ffurfiol". Between the negator and the
# match may stand only the GOVERNED_GAP words below, at most MAX_GOVERNED_GAP of them; any
# other word or punctuation ends the search. So "I am not happy and wish to make a formal
# complaint", "why has my FOI request not been answered", "this is not the first time...
# formal complaint", "my complaint was not handled under the complaints procedure" keep
# their signal: there the "not" belongs to something else. A negated match is counted
# as NOT_COMPLAINT / NOT_FOI, which the trained model reads as a signal of its own.
NEGATED_LABELS = {COMPLAINT: "NOT_COMPLAINT", FOI: "NOT_FOI", SAR: "NOT_SAR"}
# "never" and "nothing" tell of the past or of other things ("I have never made a
# complaint before, but..."); a bare "no" qualifies the noun after it ("no stage one
# response", "no FOI reply"), so "no" governs only through "no need".
GOVERNING_NEGATORS = frozenset(
    {"not", "n't", "n’t", "nt", "cannot", "nid", "nad", "ddim", "peidiwch", "paid"}
)
NO_NEED = frozenset({"no", "dim"})  # + "need" / "angen" right after
# Articles and pronouns, the copula, the act of making or needing one, asking that it
# not be taken as one ("don't treat this as", "no need to log it as": the base form only,
# since "it was not treated as a complaint" complains of its handling), and the
# prepositions of "under FOI", "as a formal complaint", "for a complaint"; then Welsh:
# "dydw i ddim yn gwneud cwyn", "nid cais rhyddid gwybodaeth", "peidiwch â'i drin fel".
_GAP_WORDS = (
    "a an the this that it any is be being was 's are 'm am 're yet really actually "
    "necessarily officially make making lodge lodging raise raising submit submitting "
    "need needed needs want wanted wish intend intended asking request requesting "
    "treat log count as under for to "
    "yw ydy ydi hwn hon hyn yn gwneud wneud angen eisiau isio cais dan fel y yr "
    "â'i a'i ei drin thrin"
)
GOVERNED_GAP = frozenset(_GAP_WORDS.split())
MAX_GOVERNED_GAP = 6
# "shouldn't be logged as a formal complaint", "does not need to be recorded as", "I don't
# want this treated as": a participle of taking it as one stands in the gap only when the
# negator asks (a modal before it, or "need" / "want" after it); after "was not" or "is
# not being" it tells how the mail was handled, a complaint's own words.
TAKEN_AS = frozenset({
    "logged", "treated", "counted", "recorded", "registered", "regarded", "considered",
    "classed", "classified", "seen", "viewed", "taken", "processed", "handled", "dealt",
})
# "shouldn't have been logged as a complaint" (asked after the event) and "don't need this
# dealt with under FOI": the perfect's words and the particle of "dealt with" stand in the
# gap only beside a TAKEN_AS participle ("would not have to make a formal complaint" keeps
# its signal).
WITH_TAKEN_AS = frozenset({"have", "'ve", "been", "with"})
ASKING_MODALS = frozenset({"should", "must", "ought", "shall", "need", "needs"})
ASKING_AFTER = frozenset({"need", "needs", "want", "wish"})
# "I cannot make a formal complaint online", "I can't lodge a complaint on your website":
# the negator is of the means of complaining, not of whether this is a complaint; only
# "cannot be treated as a complaint" (a participle of taking it as one) says it is none.
# spaCy reads "cannot" as "can" + "not" and "can't" as "ca" + "n't".
OF_ABILITY = frozenset({"can", "ca", "could"})

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
# The UK Government Security Classification's marking, which councils put in the subject
# by hand or by a Microsoft Purview label: OFFICIAL-SENSITIVE, [OFFICIAL SENSITIVE], ...
# "Confidential waste" in a subject names a bin, not a marking.
_SUBJECT_CONFIDENTIAL = re.compile(
    r"\b(confidential(?![\s_-]+(?:waste|shredding)\b)|cyfrinachol"
    r"|official[\s_–-]*sensitive|swyddogol[\s_–-]*sensitif)\b",
    re.I,
)
# A Purview sensitivity label names itself in msip_labels: "..._Name=Official Sensitive;"
_LABEL_NAME = re.compile(r"_Name=([^;]*)", re.I)
_SENSITIVE_LABEL = re.compile(r"sensitive|confidential|private|restricted|secret", re.I)


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
    confidential = (
        bool(_SENSITIVITY.match(lowered.get("sensitivity", "")))
        or bool(_SUBJECT_CONFIDENTIAL.search(subject or ""))
        or any(_SENSITIVE_LABEL.search(name) for name in _LABEL_NAME.findall(
            lowered.get("msip_labels", "")))
    )
    return HeaderFlags(confidential=confidential, important=important)


def asks_for_own_data(counts: Counter[str]) -> bool:
    """Whether the signals say subject access request: one named or described, or data
    protection law named beside a request for a copy of data."""
    return bool(counts[SAR] or (counts[DP_LAW] and counts[DATA_COPY]))


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
                label = row["label"]
                patterns: list[object] = []
                if "near" in row:
                    rows.append({"label": label, "near": _checked_near(row["near"])})
                elif "product" in row:
                    patterns.extend(expand(row["product"]))
                else:
                    patterns.append(row["pattern"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad pattern line ({exc})") from exc
            if label not in LABELS or not all(isinstance(p, str | list) for p in patterns):
                raise ValueError(f"{path}:{number}: unknown label or pattern type: {line[:80]}")
            rows.extend({"label": label, "pattern": p} for p in patterns)
    return rows


def _checked_near(near: object) -> dict[str, object]:
    """{"first": [words], "then": [words], "within": N}: a "then" word with a "first" word
    at most N words before it in the same clause ("please get an engineer there today")."""
    if not isinstance(near, dict) or not isinstance(near.get("within"), int):
        raise TypeError("near needs first, then (lists of single words) and within (a number)")
    for key in ("first", "then"):
        words = near.get(key)
        if not isinstance(words, list) or not all(isinstance(w, str) and " " not in w
                                                   for w in words):
            raise TypeError(f"near.{key} must be a list of single words")
    return {"first": near["first"], "then": near["then"], "within": near["within"]}


def expand(product: list[list[str]]) -> list[str]:
    """[["do not", "don't"], ["", "ever"], ["share"]] -> "do not share", "do not ever share"..."""
    phrases = [""]
    for alternatives in product:
        if not isinstance(alternatives, list) or not alternatives:
            raise TypeError("each product position must be a non-empty list of strings")
        phrases = [" ".join(f"{p} {a}".split()) for p in phrases for a in alternatives]
    return list(dict.fromkeys(phrases))  # "" in two positions spells some phrases twice


class Rules:
    """Counts pattern matches per label in a tokenized (lower-cased) doc."""

    def __init__(self, nlp: Language, patterns: list[dict[str, object]]) -> None:
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._tokens = Matcher(nlp.vocab)
        phrases: dict[str, list[Doc]] = {}
        self._near: list[_Near] = []
        for row in patterns:
            label = str(row["label"])
            if "near" in row:
                self._near.append(_Near.of(nlp, label, row["near"]))  # type: ignore[arg-type]
                continue
            pattern = row["pattern"]
            if isinstance(pattern, str):
                phrases.setdefault(label, []).append(nlp.make_doc(pattern.lower()))
            else:
                self._tokens.add(label, [pattern])  # type: ignore[list-item]
        for label, docs in phrases.items():
            self._phrases.add(label, docs)
        self._use_tokens = len(self._tokens) > 0
        self._strings = nlp.vocab.strings

    def counts(self, doc: Doc, written: str = "") -> Counter[str]:
        return self.match(doc, written)[0]

    def match(
        self, doc: Doc, written: str = ""
    ) -> tuple[Counter[str], list[tuple[int, int]]]:
        """Signal counts per label, and the token spans of the NAME matches. `written`:
        the text `doc` was made from before it was lower-cased, for the signals that
        depend on capitals (SAR_WORD); "" leaves them out."""
        found: Counter[str] = Counter()
        seen: set[tuple[str, int, int]] = set()
        matches = self._phrases(doc)
        if self._use_tokens:
            matches += self._tokens(doc)
        if self._near:
            lower, punct = doc.to_array(LOWER), doc.to_array(IS_PUNCT)
            for near in self._near:
                matches += near.find(lower, punct)
        if written:
            sar = self._strings.add(SAR)
            matched = [(s, e) for m, s, e in matches if self._strings[m] == SAR]
            matches += [(sar, i, i + 1) for i in upper_case_sar(doc, written)
                        if not _overlaps(matched, i, i + 1)]
        names = [(s, e) for m, s, e in matches if self._strings[m] == NAME]
        teams = [(s, e) for m, s, e in matches if self._strings[m] == FOI_TEAM]
        negated = _negated_spans(doc, [(self._strings[m], s, e) for m, s, e in matches])
        for match_id, start, end in matches:
            key = (self._strings[match_id], start, end)
            if key[0] == NAME or _inside(names, start, end):
                continue
            if key[0] in NEGATABLE and _negated(doc, start, end):
                continue
            if key[0] == FOI and _inside(teams, start, end):
                continue  # the team's name: counted once, as FOI_TEAM
            if key[0] in NEGATED_LABELS and _overlaps(negated.get(key[0], []), start, end):
                key = (NEGATED_LABELS[key[0]], start, end)
            if key not in seen:  # the same span from both matchers counts once
                seen.add(key)
                found[key[0]] += 1
        return found, names


@dataclass(frozen=True)
class _Near:
    """A "near" pattern: found with two array look-ups, far cheaper than a Matcher
    pattern with an optional-token gap (which costs as much as tokenizing again)."""

    label: int  # the label's string id, as matchers report it
    first: frozenset[int]  # lower-case word ids
    then: frozenset[int]
    within: int

    @classmethod
    def of(cls, nlp: Language, label: str, near: dict[str, Any]) -> _Near:
        ids = nlp.vocab.strings
        return cls(
            label=ids.add(label),
            first=frozenset(ids.add(w.lower()) for w in near["first"]),
            then=frozenset(ids.add(w.lower()) for w in near["then"]),
            within=int(near["within"]),
        )

    def find(self, lower: Any, punct: Any) -> list[tuple[int, int, int]]:
        found = []
        for end in (i for i, word in enumerate(lower.tolist()) if word in self.then):
            for start in range(end - 1, max(-1, end - 1 - self.within), -1):
                if punct[start]:
                    break  # another clause
                if int(lower[start]) in self.first:
                    found.append((self.label, start, end + 1))
                    break
        return found


def upper_case_sar(doc: Doc, written: str) -> list[int]:
    """The tokens of `doc` (made from `written` lower-cased) that are the word "SAR" as
    written in capitals. Nothing when lower-casing changed the text's length (a few
    letters outside English and Welsh): the offsets would not line up."""
    if len(written) != len(doc.text):
        return []
    return [token.i for token in doc
            if token.lower_ == "sar" and written[token.idx:token.idx + 3] == SAR_WORD
            and not (token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ABOUT_SARS)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _negated(doc: Doc, start: int, end: int) -> bool:
    window = doc[max(0, start - NEGATION_WINDOW) : start]
    if any(t.lower_ in NEGATORS for t in window):
        return True
    # "Re: urgent? no - ..." answers its own question. Only after a question mark:
    # "URGENT: no heating" is urgency.
    after = doc[end : end + 2]
    return len(after) == 2 and after[0].text == "?" and after[1].lower_ in ("no", "not")


def _negated_spans(
    doc: Doc, matches: list[tuple[str, int, int]]
) -> dict[str, list[tuple[int, int]]]:
    """Per label in NEGATED_LABELS, the spans of its matches a negator governs. A match
    that overlaps one is negated with it: in "this isn't a freedom of information
    request", "information request" is part of the negated "freedom of information"."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for label, start, end in matches:
        if label in NEGATED_LABELS and _governed_by_negator(doc, start):
            spans.setdefault(label, []).append((start, end))
    return spans


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _governed_by_negator(doc: Doc, start: int) -> bool:
    """Does a negator govern the words from ``start`` ("not a formal complaint", "isn't
    an FOI request"), with only GOVERNED_GAP words between them (and a TAKEN_AS
    participle, when the negator asks)?"""
    taken_as = needs_taken_as = False
    for gap, i in enumerate(range(start - 1, -1, -1)):
        word = doc[i].lower_
        if word in GOVERNING_NEGATORS:
            if needs_taken_as and not taken_as:
                return False
            return _negator_governs(doc, i, taken_as)
        if word in NO_NEED and i + 1 < start and doc[i + 1].lower_ in ("need", "angen"):
            return True
        taken_as = taken_as or word in TAKEN_AS
        needs_taken_as = needs_taken_as or (word in WITH_TAKEN_AS and word not in GOVERNED_GAP)
        known = word in GOVERNED_GAP or word in TAKEN_AS or word in WITH_TAKEN_AS
        if not known or gap == MAX_GOVERNED_GAP:
            return False
    return False


def _negator_governs(doc: Doc, i: int, taken_as: bool) -> bool:
    """Whether the negator at ``i`` says the words after it are not what the mail is:
    not one of ability ("cannot make a complaint online"), nor past handling ("was not
    logged as a complaint")."""
    before = doc[i - 1].lower_ if i > 0 else ""
    after = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    if doc[i].lower_ == "cannot" or before in OF_ABILITY:
        return taken_as
    if taken_as:
        return before in ASKING_MODALS or after in ASKING_AFTER
    return True


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def language_fit(text: str) -> float:
    """Share of words that are English or Welsh function words (about 0.3-0.5 in
    ordinary prose in either language; near 0 for other languages or gibberish)."""
    # One-letter words ("a", "i", "o", "w") are function words in too many languages.
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1]
    if not words:
        return 0.0
    known = sum(1 for w in words if w in EN_STOP_WORDS or w in CY_STOP_WORDS)
    return known / len(words)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
