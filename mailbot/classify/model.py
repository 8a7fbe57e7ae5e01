"""Training, saving and loading the spaCy textcat model.

One pipeline from spacy.blank("en") with two components reading the same doc:
- "kind": an exclusive textcat (enquiry / foi / complaint / confidentiality): exactly
  one kind per message, so softmax probabilities that sum to one, and the top one is
  an honest confidence.
- "flags": a textcat_multilabel (confidential, important): independent yes/no flags
  that can both be on for any kind.
Both are bag-of-words (TextCatBOW, unigrams+bigrams): on a few hundred examples it is
as accurate as a CNN here, trains in seconds and classifies thousands of messages a
second. Training is deterministic: fixed seeds, a fixed number of epochs, data read
in sorted order, shuffled with a seeded generator.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import spacy
from filelock import FileLock
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from mailbot.classify.classifier import (
    CONFIDENTIAL,
    FLAG_LABELS,
    IMPORTANT,
    KIND_LABELS,
    SpacyClassifier,
)
from mailbot.classify.data import LabelledMail, find_classifiers_dir, read_split
from mailbot.classify.features import prepare
from mailbot.classify.rules import Rules, load_patterns

FORMAT_VERSION = 1
EPOCHS = 12
BATCH_SIZE = 8
DROPOUT = 0.2
LEARN_RATE = 0.002
NGRAM_SIZE = 2


@dataclass
class TrainReport:
    model_dir: str
    seed: int
    train_examples: int  # kind-labelled examples used for the kind component
    flag_examples: int  # examples with both flags labelled
    corrections: int
    seconds: float
    data_sha256: str
    dev: dict[str, Any] | None = field(default=None)  # EvalReport.to_dict() on dev, if any
    data_dir: str = ""  # what it learnt from, so a retrain can learn from the same
    recipe: str = ""  # model_recipe() of the code that trained it

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _bow(exclusive: bool) -> dict[str, Any]:
    return {
        "model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": exclusive,
            "ngram_size": NGRAM_SIZE,
            "no_output_layer": False,
            "length": 262144,
        }
    }


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    kind = nlp.add_pipe("textcat", name="kind", config=_bow(True))
    flags = nlp.add_pipe("textcat_multilabel", name="flags", config=_bow(False))
    for label in KIND_LABELS:
        kind.add_label(label)  # type: ignore[attr-defined]
    for label in FLAG_LABELS:
        flags.add_label(label)  # type: ignore[attr-defined]
    return nlp


def _kind_cats(mail: LabelledMail) -> dict[str, float]:
    return {k: float(mail.kind is not None and mail.kind.value == k) for k in KIND_LABELS}


def _flag_cats(mail: LabelledMail) -> dict[str, float]:
    return {CONFIDENTIAL: float(bool(mail.confidential)), IMPORTANT: float(bool(mail.important))}


def training_split(data_dir: Path) -> Path:
    """data_dir may be classifiers/data (use its train/) or a directory/file of JSONL."""
    return data_dir / "train" if (data_dir / "train").is_dir() else data_dir


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_dir():
            for f in sorted(path.glob("*.jsonl")):
                digest.update(f.name.encode() + b"\0" + f.read_bytes())
        elif path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def model_recipe() -> str:
    """What a saved model must have been trained with to be used as it is: this version's
    classifier code and rule patterns. A model from another version would be given its
    input prepared otherwise than it learnt from (other signal tokens, other patterns)."""
    digest = hashlib.sha256(f"format {FORMAT_VERSION}".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    digest.update(_fingerprint([find_classifiers_dir() / "patterns"]).encode())
    return digest.hexdigest()


def data_fingerprint(data_dir: Path, corrections: Path | None) -> str:
    """The examples a model trained on data_dir (+ corrections) learns from."""
    return _fingerprint([training_split(data_dir)] + ([corrections] if corrections else []))


def model_is_current(model_dir: Path, corrections: Path | None) -> bool:
    """Was the model in model_dir trained by this version's code and patterns, on the
    examples its data folder and the corrections file hold now?"""
    trained = read_meta(model_dir).get("train", {})
    data_dir = _learnt_from(trained.get("data_dir"))
    if trained.get("recipe") != model_recipe():
        return False
    if not training_split(data_dir).exists():
        return True  # cannot be trained again the same way; the model stands
    return bool(trained.get("data_sha256") == data_fingerprint(data_dir, corrections))


def trained_from(model_dir: Path) -> Path:
    """The data folder a saved model learnt from, if it is still there; else the shipped one."""
    recorded = _learnt_from(read_meta(model_dir).get("train", {}).get("data_dir"))
    return recorded if training_split(recorded).exists() else find_classifiers_dir() / "data"


# What the folder holding the shipped data/ is called: in the repository, in a wheel.
SHIPPED_FOLDERS = ("classifiers", "_classifiers")


def _learnt_from(recorded: str | None) -> Path:
    """The folder a model's recorded data_dir stands for now. The shipped examples
    (classifiers/data of a source folder, mailbot/_classifiers/data of an installed wheel)
    stand for the shipped examples of whichever mailbot runs: a release installed in a venv
    of its own beside the old one, or a wheel replacing a source folder, must learn its
    own examples, not the ones the model recorded, still on disk or gone. Any other folder
    (`train --data`) is itself."""
    path = Path(recorded) if recorded else None
    if path is None or (path.name == "data" and path.parent.name in SHIPPED_FOLDERS):
        return find_classifiers_dir() / "data"
    return path


def read_meta(model_dir: Path) -> dict[str, Any]:
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def fit(mails: list[LabelledMail], patterns: list[dict[str, object]], *, seed: int = 0) -> Language:
    """Train a fresh pipeline on ``mails``; the same mails and seed give the same model."""
    fix_random_seed(seed)
    nlp = build_pipeline()
    rules = Rules(nlp, patterns)
    kind_examples, flag_examples = [], []
    for mail in mails:
        doc = prepare(nlp, rules, mail.to_message()).doc
        if mail.kind is not None:
            kind_examples.append(Example.from_dict(doc, {"cats": _kind_cats(mail)}))
        if mail.confidential is not None and mail.important is not None:
            flag_examples.append(Example.from_dict(doc, {"cats": _flag_cats(mail)}))
    if len({mail.kind for mail in mails if mail.kind is not None}) < 2:
        raise ValueError("training data needs examples of at least two kinds")
    if not flag_examples:
        raise ValueError("training data has no examples with confidential/priority labels")
    kind, flags = nlp.get_pipe("kind"), nlp.get_pipe("flags")
    kind.initialize(lambda: kind_examples, nlp=nlp)  # type: ignore[attr-defined]
    flags.initialize(lambda: flag_examples, nlp=nlp)  # type: ignore[attr-defined]
    optimizer = nlp.create_optimizer()
    optimizer.learn_rate = LEARN_RATE
    rng = random.Random(seed)
    for _epoch in range(EPOCHS):
        for component, examples in ((kind, kind_examples), (flags, flag_examples)):
            order = list(examples)
            rng.shuffle(order)
            for batch in minibatch(order, size=BATCH_SIZE):
                component.update(batch, sgd=optimizer, drop=DROPOUT)  # type: ignore[attr-defined]
    return nlp


def train(
    data_dir: Path,
    model_dir: Path,
    *,
    corrections: Path | None = None,
    seed: int = 0,
) -> TrainReport:
    """Train on data_dir's train split (+ corrections), save to model_dir, score on dev."""
    from mailbot.classify.evaluate import evaluate

    started = time.perf_counter()
    patterns = load_patterns(find_classifiers_dir() / "patterns")
    train_path = training_split(data_dir)
    mails = read_split(train_path)
    extra = read_split(corrections) if corrections is not None and corrections.exists() else []
    nlp = fit(mails + extra, patterns, seed=seed)
    report = TrainReport(
        model_dir=str(model_dir),
        seed=seed,
        train_examples=sum(1 for m in mails + extra if m.kind is not None),
        flag_examples=sum(1 for m in mails if m.confidential is not None),
        corrections=len(extra),
        seconds=0.0,
        data_sha256=data_fingerprint(data_dir, corrections),
        data_dir=str(data_dir.resolve()),
        recipe=model_recipe(),
    )
    dev_path = data_dir / "dev"
    if train_path != data_dir and dev_path.is_dir() and any(dev_path.glob("*.jsonl")):
        report.dev = evaluate(SpacyClassifier(nlp, patterns), dev_path).to_dict()
    report.seconds = round(time.perf_counter() - started, 2)
    save_model(nlp, patterns, model_dir, report)
    return report


def save_model(
    nlp: Language, patterns: list[dict[str, object]], model_dir: Path, report: TrainReport
) -> None:
    """Write the model next to model_dir and swap it in, so readers never see half a model."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(model_dir) + ".lock"):
        staging = model_dir.with_name(model_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        nlp.to_disk(staging / "nlp")
        with (staging / "patterns.jsonl").open("w", encoding="utf-8") as f:
            for row in patterns:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        meta = {"format": FORMAT_VERSION, "spacy": spacy.__version__, "train": asdict(report)}
        (staging / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        old = model_dir.with_name(model_dir.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if model_dir.exists():
            model_dir.rename(old)
        staging.rename(model_dir)
        shutil.rmtree(old, ignore_errors=True)


def model_exists(model_dir: Path) -> bool:
    return (model_dir / "meta.json").is_file() and (model_dir / "nlp").is_dir()


def load_model(model_dir: Path) -> SpacyClassifier:
    """Load a saved model; its own copy of the patterns keeps it self-contained."""
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{model_dir}: model format {meta.get('format')}; retrain with `mailbot train`"
        )
    nlp = build_pipeline().from_disk(model_dir / "nlp")
    patterns = [
        json.loads(line)
        for line in (model_dir / "patterns.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return SpacyClassifier(nlp, patterns)
