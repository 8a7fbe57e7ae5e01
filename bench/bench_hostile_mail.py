"""Hostile mail against ordinary mail of the same size, through the same poll.

Each mail in tests/hostile_mail.py was built to be slow to read (a winmail.dat of millions
of objects, compressed RTF that unpacks eightfold, a .msg whose sectors loop, HTML lists
nested thousands deep, a subject of 40,000 no-break spaces ...); each once held a poll for
seconds, minutes or hours. Here each goes through one `jobs.poll` on a fresh app (SQLite,
the memory mailbox, the rules classifier), and so does an ordinary member enquiry in plain
text of the same size: the baseline, measured in the same run. The lower of --repeat
timings is kept for each.

    .venv/bin/python bench/bench_hostile_mail.py [--repeat N] [--only WORDS]

--only RTF, say, times only the kinds whose name has that in it (any case).

ratio = the hostile mail's poll / the ordinary mail's poll. The aim is at most AIM: a mail
built to be slow costs no more than a few ordinary ones of its size.

Measured on 2026-11-26 (2 cores, quiet): every kind within the aim (0.7-4.3) but one, the
six RTF bombs (8 MB, 3.7 s against 0.33 s, 11x): each winmail.dat was unpacked only to its
first megabyte, but striprtf then took about 0.75 s to read each megabyte of control words.
On 2026-11-27 (2 cores shared), with one RTF budget for a whole mail (mailbot.tnef's
RtfBudget: only the first bomb is read), all nine within the aim (0.4-3.3); the six RTF
bombs 0.94 s against 0.29 s, 3.3x (2.1-4.6 with --only rtf while the machine was busy).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the app helpers and the hostile mail

from helpers import NOW, make_app  # noqa: E402
from hostile_mail import HOSTILE, ordinary  # noqa: E402

from mailbot.jobs import poll  # noqa: E402

AIM = 5.0


def poll_seconds(raw: bytes, repeat: int) -> float:
    """The best of `repeat` polls of `raw`, each on a fresh app (building it is not timed)."""
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            app, server = make_app(Path(home))
            try:
                server.deliver(raw)
                started = time.perf_counter()
                report = poll(app, NOW)
                best = min(best, time.perf_counter() - started)
                if len(report.outcomes) != 1:
                    raise SystemExit(f"expected one message read, got {report.outcomes}")
            finally:
                app.close()
    return best


def measure(build: Callable[[], bytes], repeat: int) -> tuple[int, float, float]:
    raw = build()
    return len(raw), poll_seconds(raw, repeat), poll_seconds(ordinary(len(raw)), repeat)


def chosen(only: str) -> dict[str, Callable[[], bytes]]:
    """The kinds of hostile mail whose name has `only` in it, in any case; all for ""."""
    return {name: build for name, build in HOSTILE.items() if only.lower() in name.lower()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="polls of each mail (best kept)")
    parser.add_argument("--only", default="", metavar="WORDS",
                        help="time only the kinds of mail whose name has WORDS in it (any case)")
    args = parser.parse_args()
    kinds = chosen(args.only)
    if not kinds:
        raise SystemExit(f"no kind of hostile mail has {args.only!r} in its name")
    poll_seconds(ordinary(1000), 1)  # the first app pays for imports and the classifier
    table = Table(title="hostile mail / ordinary mail of the same size, one poll each")
    for column in ("mail", "size", "hostile s", "ordinary s", "ratio", "aim"):
        table.add_column(column, justify="left" if column == "mail" else "right")
    over = []
    for name, build in kinds.items():
        size, hostile, baseline = measure(build, args.repeat)
        ratio = hostile / baseline
        if ratio > AIM:
            over.append(name)
        table.add_row(name, f"{size / 1e6:.2f} MB", f"{hostile:.3f}", f"{baseline:.3f}",
                      f"{ratio:.2f}", "over" if ratio > AIM else "met")
    console = Console()
    console.print(table)
    console.print(f"aim (ratio at most {AIM:g}) met by {len(kinds) - len(over)} of "
                  f"{len(kinds)}" + (f"; over: {', '.join(over)}" if over else ""))


if __name__ == "__main__":
    main()
