"""Real mail nobody has seen: the project's own .eml files, cut, spliced, truncated and
sprinkled with stray bytes by hypothesis, through the whole pipeline. Whatever arrives,
the poll never stops, every message is recorded exactly once (processed, ignored,
dropped or quarantined with a reason), and only people mailbot knows are ever written to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import (
    DATA,
    JO,
    NOW,
    RHIAN,
    SAM,
    all_recipients,
    make_app,
    rows,
    run,
    shared_dir,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.app import App
from mailbot.model import MessageStatus
from mailbot.store.tables import MessageRow


def _samples() -> list[Path]:
    """The project's .eml files, and real ones from the shared corpus when it is there."""
    found = sorted(DATA.glob("*.eml"))
    shared = shared_dir()
    if shared is not None:
        for folder in ("normal", "malformed", "autoreply", "bounce", "bulk", "spam"):
            found += sorted(p for p in (shared / "corpus" / folder).glob("*") if p.is_file())[:15]
    return found


SAMPLES = _samples()
SETTLED = set(MessageStatus) - {MessageStatus.RECEIVED}  # "received" would be left half-done


def known_people(app: App) -> set[str]:
    """Who may ever get mail from us: the directory, and the pack's routing addresses."""
    routing = app.policy.routing
    return {JO[1], RHIAN[1], SAM[1], routing.foi_team, routing.complaints,
            routing.monitoring_officer}


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = SAMPLES[draw(st.integers(0, len(SAMPLES) - 1))].read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        match draw(st.sampled_from(["cut", "insert", "truncate", "splice", "lf", "dup"])):
            case "cut":
                raw = raw[:at] + raw[at + draw(st.integers(1, 200)):]
            case "insert":
                raw = raw[:at] + draw(st.binary(min_size=1, max_size=40)) + raw[at:]
            case "truncate":
                raw = raw[:at]
            case "splice":  # part of another message dropped in, as broken MIME does
                other = SAMPLES[draw(st.integers(0, len(SAMPLES) - 1))].read_bytes()
                start = draw(st.integers(0, len(other)))
                raw = raw[:at] + other[start : start + draw(st.integers(1, 400))] + raw[at:]
            case "lf":  # line endings mixed up
                raw = raw.replace(b"\r\n", b"\n", draw(st.integers(1, 50)))
            case "dup":  # a header line twice
                line_end = raw.find(b"\n", at)
                line_start = raw.rfind(b"\n", 0, at) + 1
                raw = raw[:line_end + 1] + raw[line_start : line_end + 1] + raw[line_end + 1 :]
    return raw


@pytest.mark.own_database
@settings(
    max_examples=int(os.environ.get("MAILBOT_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(mutated(), min_size=1, max_size=6))
def test_mutated_mail_never_stops_the_poll_and_is_recorded_once(
    tmp_path_factory: pytest.TempPathFactory, batch: list[bytes]
) -> None:
    app, server = make_app(Path(tmp_path_factory.mktemp("mutated")))
    try:
        for raw in batch:
            server.deliver(raw)
        poll_report, _ = run(app, NOW)
        assert len(poll_report.outcomes) == len(batch)
        recorded = rows(app, MessageRow)
        distinct = {outcome.message_id for outcome in poll_report.outcomes}
        assert len(recorded) == len(distinct)  # one row per ledger key, duplicates counted
        for row in recorded:
            assert row.status in SETTLED, row.status
            assert row.status != "quarantined" or row.reason
        assert not server.inbox  # every message moved on: none left to block the next poll
        assert all_recipients(server) <= known_people(app)
    finally:
        app.close()
