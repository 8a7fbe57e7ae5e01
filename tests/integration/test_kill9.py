"""Crash safety: SIGKILL `mailbot poll --once` at random moments, over and over, then let it
finish. Exactly one case and one acknowledgement per member message must remain, and every
message must end up recorded and moved out of the inbox (DESIGN.md rule 1)."""

from __future__ import annotations

import email
import mailbox
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from email.policy import default
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.own_database]  # reads the SQLite file itself

MEMBERS = 6
BATCH = 40  # new member messages per round
KILLS = 24


def _config(home: Path) -> Path:
    lines = ["name,email,ward,language"]
    lines += [
        f"Cllr Member {i},member{i}@councillors.example.gov.uk,Ward {i},en" for i in range(MEMBERS)
    ]
    (home / "members.csv").write_text("\n".join(lines) + "\n")
    config = home / "mailbot.toml"
    config.write_text(
        """
[council]
name = "Test Council"
policy = "wiltshire"
data_dir = "var"
[mailbox]
backend = "maildir"
address = "memberenquiries@example.gov.uk"
[mailbox.maildir]
path = "mailbox"
outbox = "outbox"
[directory]
members = "members.csv"
[classifier]
train_if_missing = false
[loops]
max_per_recipient = 1000
"""
    )
    return config


def _deliver(home: Path, first: int, count: int) -> list[str]:
    inbox = mailbox.Maildir(str(home / "mailbox"), create=True)
    ids = []
    for n in range(first, first + count):
        member = f"Cllr Member {n % MEMBERS} <member{n % MEMBERS}@councillors.example.gov.uk>"
        message_id = f"<kill9-{n}@councillors.example.gov.uk>"
        ids.append(message_id)
        inbox.add(
            (
                f"From: {member}\r\n"
                "To: memberenquiries@example.gov.uk\r\n"
                f"Subject: Street light {n} out on Station Road\r\n"
                f"Message-ID: {message_id}\r\n"
                "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
                "\r\n"
                f"The street light outside number {n} has been out for a week. Please fix it.\r\n"
            ).encode()
        )
    return ids


def _poll(config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAILBOT_LOGGING__LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "mailbot", "poll", "--once", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _full_run_seconds(home: Path) -> float:
    """How long one uninterrupted poll of a batch takes here, so the kills can be spread
    over the whole run on a fast machine and a slow one alike."""
    home.mkdir()
    config = _config(home)
    _deliver(home, first=0, count=BATCH)
    started = time.monotonic()
    run = _poll(config)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err.decode()
    return time.monotonic() - started


def test_sigkill_at_random_points_leaves_one_case_and_one_ack_per_message(tmp_path: Path) -> None:
    window = _full_run_seconds(tmp_path / "calibration")
    home = tmp_path / "council"
    home.mkdir()
    config = _config(home)
    rng = random.Random(20261125)

    ids: list[str] = []
    kills = 0
    for round_number in range(KILLS):
        # Fresh mail every round, so each run has work in every stage to be killed in.
        ids += _deliver(home, first=round_number * BATCH, count=BATCH)
        proc = _poll(config)
        time.sleep(rng.uniform(0.1, window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    for _ in range(2):  # then let it finish (twice: the second run must change nothing)
        finished = _poll(config)
        _, err = finished.communicate(timeout=300)
        assert finished.returncode == 0, err.decode()

    assert kills >= KILLS // 2, "the kills should land while the poller is working"
    total = len(ids)

    db = sqlite3.connect(home / "var" / "mailbot.db")
    cases = db.execute("select root_message_id from cases").fetchall()
    assert sorted(r[0] for r in cases) == sorted(ids)
    acks = db.execute("select dedup_key, status from outbox where purpose = 'ack'").fetchall()
    assert len(acks) == total
    assert {status for _, status in acks} == {"sent"}
    statuses = db.execute("select status, count(*) from messages group by status").fetchall()
    assert statuses == [("processed", total)]

    # What left the system: exactly one .eml per message in the outbox, each threaded
    # under a different member message.
    sent = [
        email.message_from_bytes(p.read_bytes(), policy=default)
        for p in (home / "outbox").glob("*.eml")
    ]
    replied_to = sorted(str(m["In-Reply-To"]) for m in sent)
    assert replied_to == sorted(ids)

    inbox = mailbox.Maildir(str(home / "mailbox"), create=False)
    assert len(inbox) == 0
    assert len(inbox.get_folder("Processed")) == total
