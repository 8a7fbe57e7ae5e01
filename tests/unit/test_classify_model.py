"""The trained classifier: trained from scratch here, scored on the held-out test split."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailbot.classify import (
    SpacyClassifier,
    TrainReport,
    append_correction,
    load_classifier,
    train,
)
from mailbot.classify.data import find_classifiers_dir
from mailbot.model import Kind, ParsedMessage, Priority

DATA = find_classifiers_dir() / "data"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained once per test session by load_classifier's first-use path."""
    path = tmp_path_factory.mktemp("classifier") / "model"
    load_classifier(path)
    return path


@pytest.fixture(scope="module")
def classifier(model_dir: Path) -> SpacyClassifier:
    loaded = load_classifier(model_dir, train_if_missing=False)
    assert isinstance(loaded, SpacyClassifier)
    return loaded


def test_first_use_trains_and_saves_a_model(model_dir: Path) -> None:
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["train"]["train_examples"] > 0
    assert (model_dir / "nlp").is_dir()


def test_training_is_deterministic(model_dir: Path, tmp_path: Path) -> None:
    first = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["train"]
    again: TrainReport = train(DATA, tmp_path / "again", seed=0)
    assert again.data_sha256 == first["data_sha256"]  # else the data changed under us
    assert again.dev == first["dev"]


def test_corrections_are_trained_on(tmp_path: Path) -> None:
    corrections = tmp_path / "corrections.jsonl"
    message = ParsedMessage(
        message_id="<c1@example.org>",
        subject="depot",
        sender=None,
        text="Please send me every report written about the depot since 2020.",
    )
    when = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    append_correction(corrections, message, Kind.FOI, who="triage@council.gov.uk", when=when)
    report = train(DATA / "train", tmp_path / "model", corrections=corrections)
    assert report.corrections == 1
    assert report.dev is None  # a bare split directory has no dev beside it


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[image: photo.jpg]",
        "a" * 20_000,
        "<html><style>b{}</style><script>var urgent=1;</script><body>&nbsp;</body></html>",
        "Dzień dobry, proszę o informację w sprawie wywozu śmieci na naszej ulicy w tym tygodniu.",
    ],
)
def test_bad_input_gives_low_confidence(classifier: SpacyClassifier, text: str) -> None:
    message = ParsedMessage(message_id="<b@example.org>", subject="", sender=None, text=text)
    result = classifier.classify(message)
    assert result.confidence <= 0.3
    assert result.automatic is None


def test_batch_and_single_agree(classifier: SpacyClassifier) -> None:
    from mailbot.classify.data import read_split

    messages = [m.to_message() for m in read_split(DATA / "dev")[:40]]
    assert classifier.classify_many(messages) == [classifier.classify(m) for m in messages]


def test_cli_evaluate_prints_tables_and_writes_json(model_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app

    out = tmp_path / "scores.json"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--model-dir",
            str(model_dir),
            "--data",
            str(DATA / "dev"),
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "kind macro-F1" in result.output and "Confusion" in result.output
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert set(scores["kind"]) == {"enquiry", "foi", "complaint", "confidentiality"}
    assert scores["examples"] > 0


def test_cli_train_with_missing_data_is_a_one_line_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app

    result = CliRunner().invoke(
        app, ["train", "--data", str(tmp_path / "nope"), "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "no such data file or directory" in result.output
    assert "Traceback" not in result.output


HARD_CASES = [
    (  # a thank-you whose quoted history is an FOI request
        "Re: FOI request - parking income",
        "Thank you very much, that's exactly what I needed.\n\nJo\n\n-----Original Message-----\n"
        "From: Jo Bloggs\nSent: 3 November 2026 09:12\nTo: FOI\nSubject: FOI request\n\n"
        "Under the Freedom of Information Act please send me the parking income for 2024/25.",
        Kind.ENQUIRY,
        False,
    ),
    (  # residents complaining about a pub is an enquiry, not a complaint about the council
        "Noise from the Red Lion",
        "Dear Licensing,\n\nResidents on Mill Street complain about the noise from the Red Lion "
        "beer garden every weekend until midnight. Could someone look at whether the premises "
        "licence conditions are being kept?\n\nKind regards\nCllr Sam Pike",
        Kind.ENQUIRY,
        False,
    ),
    (  # privacy asked in one line at the end of casework: an enquiry, flagged confidential
        "Fly-tipping Moor Lane",
        "Hi, there's a load of fly-tipped mattresses on Moor Lane by the bridge. Can it be "
        "cleared? Thanks, Dave\n\nPlease keep my name out of it if you speak to the farmer.",
        Kind.ENQUIRY,
        True,
    ),
    (  # an FOI request that never says FOI
        "Spending",
        "Could you let me have the total the council paid to consultants in each of the last "
        "three years, and the names of the firms?\n\nSent from my iPhone",
        Kind.FOI,
        False,
    ),
    (  # a complaint that never says complaint
        "Streetlight",
        "I reported the broken streetlight three times and nobody even replied. Your contact "
        "centre told me the report was closed without anyone visiting. I want to know why and "
        "I want it put right.\n\nCllr Ray Dunn",
        Kind.COMPLAINT,
        False,
    ),
]


@pytest.mark.parametrize(("subject", "text", "kind", "confidential"), HARD_CASES)
def test_hard_cases(
    classifier: SpacyClassifier, subject: str, text: str, kind: Kind, confidential: bool
) -> None:
    message = ParsedMessage(message_id="<h@example.org>", subject=subject, sender=None, text=text)
    result = classifier.classify(message)
    assert (result.kind, result.confidential) == (kind, confidential)
    assert result.confidence > 0.5


# Systematic errors found on 180 member emails written after the model (classifiers/data/
# test/u.jsonl): each case below is new wording, not a copy of a training or test line.
def _classify(classifier: SpacyClassifier, subject: str, text: str, headers=None):
    message = ParsedMessage(
        message_id="<s@example.org>", subject=subject, sender=None, text=text,
        headers=headers or {},
    )
    return classifier.classify(message)


@pytest.mark.parametrize(
    ("subject", "text", "kind"),
    [
        (  # a Welsh complaint that never says "cwyn ffurfiol"
            "Gwasanaeth biniau",
            "Helo,\n\nMae'r lori ailgylchu wedi methu Heol y Parc bum gwaith ers mis Medi ac "
            "mae'r trigolion wedi cael llond bol. Does neb wedi ateb eu galwadau. Rwy am i "
            "reolwr ymchwilio i hyn ac ymddiheuro iddyn nhw.\n\nCyng. Alun Prys",
            Kind.COMPLAINT,
        ),
        (  # a Welsh request for recorded figures that never names the Act
            "Gwariant ar ffyrdd",
            "Bore da,\n\nFaint wariodd y cyngor ar atgyweirio tyllau yn y ffordd ym mhob un o'r "
            "tair blynedd ariannol diwethaf, a faint o hawliadau iawndal a dalwyd?\n\n"
            "Diolch\nCyng. Ffion Ellis",
            Kind.FOI,
        ),
        (  # a follow-up in a thread whose only ask is privacy
            "Re: Dog breeding at Hill Farm",
            "One more thing - please don't let the owner know the information came from my "
            "neighbour. That's all I need.\n\nCllr Tessa Bryant\n\n"
            "On Tue, 24 Nov 2026 at 10:00, Animal Welfare <aw@example.gov.uk> wrote:\n"
            "> Dear Cllr Bryant, we will inspect Hill Farm next week.",
            Kind.CONFIDENTIALITY,
        ),
    ],
)
def test_systematic_kind_fixes(
    classifier: SpacyClassifier, subject: str, text: str, kind: Kind
) -> None:
    assert _classify(classifier, subject, text).kind == kind


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (  # calm figures request on housing repairs: the topic is not urgency
            "Voids",
            "Dear Housing,\n\nPlease can I have the number of empty council homes at the end of "
            "each month since April and the average days to relet them.\n\nCllr Mary Voss",
        ),
        (  # a complaint about repeated missed appointments with no urgency words
            "Repairs no-shows",
            "The repairs contractor has failed to turn up at 8 Wren Close three times now and "
            "nobody rang to cancel. I want a manager to explain why and to put it right.\n\n"
            "Cllr Ray Hope",
        ),
    ],
)
def test_no_urgency_wording_is_normal_priority(
    classifier: SpacyClassifier, subject: str, text: str
) -> None:
    assert _classify(classifier, subject, text).priority == Priority.NORMAL


def test_a_recall_request_is_confidential_and_important(classifier: SpacyClassifier) -> None:
    result = _classify(
        classifier,
        "Wrong recipient",
        "I've just sent a resident's safeguarding details to the whole group by mistake. "
        "Please recall it from everyone's inbox immediately.\n\nCllr Ella Hume",
    )
    assert result.kind == Kind.CONFIDENTIALITY
    assert result.confidential and result.priority == Priority.IMPORTANT


def test_a_bin_named_confidential_is_not_a_privacy_request(classifier: SpacyClassifier) -> None:
    result = _classify(
        classifier,
        "Confidential waste sacks",
        "Hi, could two more confidential waste sacks be left in the members' room? Thanks, Jo",
    )
    assert (result.kind, result.confidential) == (Kind.ENQUIRY, False)


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (  # 3 of 171 training complaints were under 40 words, so short ones read as enquiries
            "Officer at the site visit",
            "I want to complain about how the planning officer spoke to residents at the site "
            "visit. He was patronising and wouldn't answer their questions.\n\nCllr Jo Bell",
        ),
        (
            "missed again",
            "Fifth missed collection on Elm Rd since August. Not good enough - I want the "
            "depot manager to explain why and sort it.\n\nCllr Dee",
        ),
    ],
)
def test_a_short_complaint_is_a_complaint(
    classifier: SpacyClassifier, subject: str, text: str
) -> None:
    assert _classify(classifier, subject, text).kind == Kind.COMPLAINT


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Bench on the green", "I walked across the green today and one of the benches has a "
         "broken armrest. Could it be repaired at some point?\n\nCllr Tim"),
        ("From tonight's forum", "At tonight's forum residents asked if the Christmas lights "
         "switch-on has a date yet. Could you let me know?\n\nCllr Lee"),
    ],
)
def test_a_day_word_in_a_story_is_not_urgency(
    classifier: SpacyClassifier, subject: str, text: str
) -> None:
    assert _classify(classifier, subject, text).priority == Priority.NORMAL


@pytest.mark.parametrize("example_id", ["v-0095", "v-0138", "a-0303"])
def test_no_privacy_wording_no_confidential_flag(
    classifier: SpacyClassifier, example_id: str
) -> None:
    """Held-out mail with no word of privacy that the model alone once flagged confidential
    (a complaint about staff, a family's case, a planning representation): the flag is the
    sender asking for privacy, so it takes some wording of it."""
    [example] = [
        row for path in sorted((DATA / "test").glob("*.jsonl"))
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if row["id"] == example_id
    ]
    assert not example["confidential"]
    assert not _classify(classifier, example["subject"], example["text"]).confidential


def test_cli_classify_uses_the_model_named_and_never_trains_one(
    model_dir: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app

    letter = next((Path(__file__).parents[2] / "config/demo/mail").glob("01-*.eml"))
    before = (model_dir / "meta.json").stat().st_mtime_ns
    result = CliRunner().invoke(app, ["classify", "--json", "--model-dir", str(model_dir),
                                      str(letter)])  # fmt: skip
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert line["file"] == str(letter) and line["kind"] == "enquiry" and line["error"] is None
    assert (model_dir / "meta.json").stat().st_mtime_ns == before

    missing = tmp_path / "no-model"
    result = CliRunner().invoke(app, ["classify", "--json", "--model-dir", str(missing),
                                      str(letter)])  # fmt: skip
    assert result.exit_code == 1
    assert "--model-dir" in result.output and "mailbot train" in result.output
    assert not missing.exists()
