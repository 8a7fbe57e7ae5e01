"""Memory of the daemon after months of mail: what `mailbot run` holds as it handles
thousands of member emails in which every resident's name, reference number, phone
number and link is new, side by side with a baseline measured in the same run.

Each arm runs in a child process of its own: a council (CSV directory, SQLite, memory
mailbox) with the trained classifier, and the daemon's jobs as the scheduler runs them
(poll and outbox flush every 100 messages, the reminder sweep and the digest every
1,000), the clock moving ten minutes a poll. Every 1,000 messages, after a garbage
collection: memory allocated through Python (tracemalloc: spaCy's vocabulary is
allocated there too), the resident size (VmRSS), spaCy's StringStore, open file
descriptors and threads.

  mailbot    the classifier as it is: each batch classified in a spaCy memory zone.
  baseline   the same mail, the classifier without memory zones (as before): every new
             word stays in spaCy's vocabulary for the life of the process.

The first 1,000 messages warm caches up (SQLAlchemy's statement cache, the tokenizer);
growth is counted from there.

    .venv/bin/python bench/bench_daemon_memory.py [--messages 3000] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # helpers.make_app, as the tests build a council

EVERY = 1000
POLL_EVERY = 100
MEMBERS = [(f"Cllr Member {i}", f"member{i}@wiltshire.gov.uk", "Ward", "en") for i in range(20)]
OFFICERS = [("Sam Patel", "sam.patel@wiltshire.gov.uk", "Highways", "", "")]
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fe", "gi", "ho")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def member_mail(rng: random.Random, number: int, when: datetime) -> bytes:
    """A member's enquiry in which the resident, street, numbers and links are new."""
    name, email = MEMBERS[number % len(MEMBERS)][:2]
    resident = f"{_word(rng).title()} {_word(rng).title()}"
    ref = f"REF-{rng.randint(10**7, 10**8)}/{rng.randint(100, 999)}"
    link = f"https://{_word(rng)}.example.org/{_word(rng)}?id={rng.randint(1, 10**9)}"
    body = (
        f"Dear officers,\r\n\r\nMy resident {resident} of {rng.randint(1, 300)} "
        f"{_word(rng).title()} Road asks when the pothole outside number "
        f"{rng.randint(1, 999)} will be repaired; their reference is {ref}. Photos: {link} "
        f"Phone 07{rng.randint(10**8, 10**9)}.\r\n\r\nThanks,\r\n{name}\r\n"
    )
    return (
        f"From: {name} <{email}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: Pothole {_word(rng)} {ref}\r\n"
        f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: <daemon-{number}@wiltshire.gov.uk>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def _no_zone(_nlp: Any, _lock: Any) -> Iterator[None]:
    yield


def child(arm: str, messages: int, model_dir: Path, home: Path) -> None:
    """One arm: prints one JSON line per 1,000 messages."""
    import logging

    from helpers import make_app

    from mailbot import jobs
    from mailbot.classify import classifier as classifier_module
    from mailbot.classify import load_classifier

    logging.disable(logging.WARNING)
    if arm == "baseline":
        classifier_module._forgetting_new_words = _no_zone  # type: ignore[assignment]
    app, server = make_app(home, members=MEMBERS, officers=OFFICERS)
    app.classifier_override = load_classifier(model_dir, train_if_missing=False)
    nlp = app.classifier.nlp  # type: ignore[attr-defined]
    rng = random.Random(2026)
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    tracemalloc.start()
    for done in range(0, messages + 1, EVERY):
        if done:
            for number in range(done - EVERY, done):
                server.deliver(member_mail(rng, number, now))
                if number % POLL_EVERY == POLL_EVERY - 1:
                    jobs.poll(app, now)
                    jobs.flush_outbox(app, now)
                    now += timedelta(minutes=10)
            jobs.send_reminders(app, now)
            jobs.send_digests(app, now)
            jobs.flush_outbox(app, now)
            # What the fake server keeps is the test's, not mailbot's.
            server.outgoing.clear(), server.sent.clear(), server.processed.clear()
        gc.collect()
        print(json.dumps({
            "messages": done,
            "traced_mb": tracemalloc.get_traced_memory()[0] / 2**20,
            "rss_mb": _resident_mb(),
            "strings": len(nlp.vocab.strings),
            "fds": len(os.listdir("/proc/self/fd")),
            "threads": threading.active_count(),
        }), flush=True)
    app.close()


def run_arm(arm: str, messages: int, model_dir: Path, home: Path) -> list[dict[str, float]]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", arm, "--messages", str(messages),
         "--model-dir", str(model_dir), "--home", str(home)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode:
        raise SystemExit(f"the {arm} arm failed:\n{done.stderr[-3000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def per_thousand(samples: list[dict[str, float]], key: str) -> float:
    """Growth per 1,000 messages from the end of the first 1,000 (caches warm) to the end."""
    first, last = samples[1], samples[-1]
    return (last[key] - first[key]) / ((last["messages"] - first["messages"]) / EVERY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--model-dir", type=Path, default=None, help="reuse a trained model")
    parser.add_argument("--child", choices=("mailbot", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.messages < 2 * EVERY:
        raise SystemExit(f"--messages must be at least {2 * EVERY}")
    if args.child:
        child(args.child, args.messages, args.model_dir, args.home)
        return

    from mailbot.classify import load_classifier

    with tempfile.TemporaryDirectory() as temporary:
        model_dir = args.model_dir or Path(temporary) / "model"
        load_classifier(model_dir)  # trains it (a few seconds) unless it is there and current
        arms = {arm: run_arm(arm, args.messages, model_dir, Path(temporary) / arm)
                for arm in ("mailbot", "baseline")}

    print(f"{args.messages} member emails, every name, number and link new; "
          "one row per 1,000 (mailbot | baseline without memory zones)")
    print(f"{'messages':>8} {'traced MB':>19} {'RSS MB':>17} {'spaCy strings':>19} "
          f"{'fds':>7} {'threads':>7}")
    for ours, base in zip(arms["mailbot"], arms["baseline"], strict=True):
        print(f"{ours['messages']:8.0f} {ours['traced_mb']:9.1f} {base['traced_mb']:9.1f} "
              f"{ours['rss_mb']:8.1f} {base['rss_mb']:8.1f} "
              f"{ours['strings']:9.0f} {base['strings']:9.0f} "
              f"{ours['fds']:3.0f} {base['fds']:3.0f} "
              f"{ours['threads']:3.0f} {base['threads']:3.0f}")
    print("growth per 1,000 messages after the first 1,000:")
    for key, unit in (("traced_mb", "MB traced"), ("rss_mb", "MB RSS"),
                      ("strings", "spaCy strings"), ("fds", "fds"), ("threads", "threads")):
        # round(...) + 0.0: no "-0.00" for a growth of a few bytes down
        grew = round(per_thousand(arms["mailbot"], key), 2) + 0.0
        grew_before = round(per_thousand(arms["baseline"], key), 2) + 0.0
        ratio = f"{grew / grew_before:.2f}" if grew_before > 0 else "-"
        print(f"  {unit:14} mailbot {grew:9.2f}   baseline {grew_before:9.2f}   ratio {ratio}")


if __name__ == "__main__":
    main()
