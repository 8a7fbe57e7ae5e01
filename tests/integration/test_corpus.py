"""The shared real-mail corpus (../shared/corpus, 1,088 files): detection rates of the loop
guard, and the whole corpus pushed through the real pipeline with nothing raising and no
acknowledgement to any robot or spammer.

The members directory holds every sender in the corpus except the spam senders, so for
auto-replies, bounces and bulk mail it is the loop guard, not the directory, that stops
the acknowledgement. The spam samples carry no upstream spam verdict at all (measured:
0 of 69), so for them the directory is the guard, as DESIGN.md intends ("only known
members get automatic replies"); spam with a verdict from a member's address is covered
by test_loops.py and test_bad_input.py.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import NOW, SAM, make_app, rows, shared_dir

from mailbot.jobs import flush_outbox, poll
from mailbot.loops import detect_automatic
from mailbot.model import ParsedMessage
from mailbot.parse import ParseFailure, message_id_of, parse_message
from mailbot.store.tables import MessageRow, OutboxRow

SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED else None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CORPUS is None or not CORPUS.is_dir(),
        reason="the shared corpus is not here (set MAILBOT_SHARED or put it at <repo>/../shared)",
    ),
]

AUTOMATIC = ("autoreply", "bounce", "bulk")
NEVER_ACK = (*AUTOMATIC, "spam")
CATEGORIES = ("autoreply", "bounce", "bulk", "spam", "malformed", "normal")
MAX_NORMAL_FLAGGED = 0.02


@dataclass(frozen=True)
class Item:
    category: str
    path: Path
    raw: bytes
    parsed: ParsedMessage | ParseFailure


@pytest.fixture(scope="module")
def corpus() -> list[Item]:
    assert CORPUS is not None
    items = []
    for category in CATEGORIES:
        for path in sorted((CORPUS / category).glob("*.eml")):
            raw = path.read_bytes()
            items.append(Item(category, path, raw, parse_message(raw)))
    return items


def test_the_corpus_is_complete(corpus: list[Item]) -> None:
    counts = Counter(item.category for item in corpus)
    print(f"\ncorpus: {dict(counts)} total {len(corpus)}")
    assert len(corpus) == 1088


def test_parse_never_raises_and_rarely_gives_up(corpus: list[Item]) -> None:
    failures = [i for i in corpus if isinstance(i.parsed, ParseFailure)]
    for item in failures:
        assert isinstance(item.parsed, ParseFailure) and item.parsed.reason
    print(f"\nparse failures (quarantined with a reason): {len(failures)} of {len(corpus)}")
    assert len(failures) <= 5


def _rate(items: list[Item]) -> tuple[int, int, list[str]]:
    flagged, missed = 0, []
    for item in items:
        verdict = None if isinstance(item.parsed, ParseFailure) else detect_automatic(item.parsed)
        if verdict:
            flagged += 1
        else:
            missed.append(item.path.name)
    return flagged, len(items), missed


@pytest.mark.parametrize("category", AUTOMATIC)
def test_every_automatic_message_is_detected(corpus: list[Item], category: str) -> None:
    flagged, total, missed = _rate([i for i in corpus if i.category == category])
    print(f"\n{category}: {flagged}/{total} detected automatic ({100 * flagged / total:.1f}%)")
    assert missed == []


def test_few_normal_messages_are_flagged(corpus: list[Item]) -> None:
    normal = [i for i in corpus if i.category == "normal"]
    flagged, total, _ = _rate(normal)
    flagged_names = [
        (i.path.name, v.reason) for i in normal if not isinstance(i.parsed, ParseFailure)
        and (v := detect_automatic(i.parsed))
    ]
    print(f"\nnormal: {flagged}/{total} flagged automatic ({100 * flagged / total:.1f}%)")
    for name, reason in flagged_names:
        print(f"  {name}: {reason}")
    assert flagged / total <= MAX_NORMAL_FLAGGED


def _sender(item: Item) -> str | None:
    if isinstance(item.parsed, ParseFailure) or item.parsed.sender is None:
        return None
    return item.parsed.sender.email


def _members(corpus: list[Item]) -> list[tuple[str, str]]:
    """Every corpus sender that never sent spam, as a directory row."""
    spam_senders = {_sender(i) for i in corpus if i.category == "spam"}
    officers = {SAM[1]}
    emails = sorted({s for i in corpus if (s := _sender(i))} - spam_senders - officers - {None})
    return [(f"Member {n}", e) for n, e in enumerate(emails) if "," not in e]


@dataclass(frozen=True)
class Handled:
    item: Item
    status: str
    reason: str
    acknowledged: bool


def _rounds(corpus: list[Item]) -> list[list[Item]]:
    """Split the corpus so no round holds a Message-ID twice: 207 files share an id with
    another file, and in one mailbox the ledger would (rightly) skip them unseen."""
    rounds: list[list[Item]] = []
    seen: Counter[str] = Counter()
    for item in corpus:
        message_id = message_id_of(item.raw)
        k = seen[message_id]
        seen[message_id] += 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(item)
    return rounds


def _push(items: list[Item], members: list[tuple[str, str]], folder: Path) -> list[Handled]:
    """One app, one poll of every item, flushes until the outbox is empty."""
    app, server = make_app(folder, members=members, max_per_recipient=100_000)
    try:
        for item in items:
            server.deliver(item.raw)
        report = poll(app, NOW)
        assert len(report.outcomes) == len(items)
        assert server.inbox == {}, "every message was marked processed"
        while flush_outbox(app, NOW).sent:
            pass
        stored = {r.message_id: r for r in rows(app, MessageRow)}
        ack_rows = [r for r in rows(app, OutboxRow) if r.purpose == "ack"]
        queued = {r.dedup_key.removeprefix("ack:") for r in ack_rows}
        replied_to = {  # what the sent acks say they answer, read back from their MIME
            str(email.message_from_bytes(r.mime, policy=email.policy.default)["In-Reply-To"])
            .strip() for r in ack_rows
        }
        # Mail with no usable Message-ID is keyed under one mailbot made up, which its ack
        # does not claim to answer (the member's client never saw it): no In-Reply-To.
        made_up = {key for key in queued if key.rstrip(">").endswith("mailbot.invalid")}
        assert replied_to - {"None"} == queued - made_up
        assert ("None" in replied_to) == bool(made_up)
        handled = []
        for item in items:
            row = stored[message_id_of(item.raw)]
            assert row.raw == item.raw, "the raw bytes are kept"
            acked = row.message_id in queued
            handled.append(Handled(item, row.status, row.reason, acked))
        return handled
    finally:
        app.close()


@pytest.fixture(scope="module")
def pushed(corpus: list[Item], tmp_path_factory: pytest.TempPathFactory) -> list[Handled]:
    """Every corpus file through the real pipeline (poll + flush, memory mailbox)."""
    members = _members(corpus)
    handled: list[Handled] = []
    for n, items in enumerate(_rounds(corpus)):
        handled += _push(items, members, tmp_path_factory.mktemp(f"corpus{n}"))
    return handled


def test_whole_corpus_through_the_pipeline_without_an_internal_error(
    pushed: list[Handled],
) -> None:
    statuses = Counter(h.status for h in pushed)
    print(f"\npipeline: {len(pushed)} files, statuses {dict(statuses)}, "
          f"acknowledged {sum(h.acknowledged for h in pushed)}")
    quarantined = Counter(h.reason.split(":")[0] for h in pushed if h.status == "quarantined")
    print(f"quarantine reasons: {dict(quarantined)}")
    assert len(pushed) == 1088
    errors = [(h.item.path.name, h.reason) for h in pushed
              if h.reason.startswith("internal error")]
    assert errors == []
    assert statuses["received"] == 0 and statuses["duplicate"] == 0
    assert all(h.reason for h in pushed)


def test_no_robot_and_no_spammer_is_acknowledged(pushed: list[Handled]) -> None:
    answered = [(h.item.category, h.item.path.name) for h in pushed
                if h.item.category in NEVER_ACK and h.acknowledged]
    by_category = Counter(h.item.category for h in pushed if h.acknowledged)
    print(f"\nacknowledged by category: {dict(by_category)}")
    assert answered == []
    assert by_category["normal"] > 0, "the directory works: members' normal mail is answered"
