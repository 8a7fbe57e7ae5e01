"""Memory for big mail: what mailbot holds reading and polling 20-35 MB member emails
(planning drawings, scanned letters; Exchange Online takes up to 150 MB), side by side
with a baseline measured in the same run.

  parse     peak memory (tracemalloc) of mailbot.parse.parse_message on one message, and
            of the stdlib's plain email.message_from_bytes on the same bytes (baseline),
            each as a multiple of the message's size: a PDF attachment, a forwarded email
            with the PDF inside (read as attached mail), text in ASCII, text in UTF-8.
  poll      peak memory (growth of the resident size, VmHWM) of `jobs.poll` over a
            backlog of big mail in a fake Exchange Online (Graph, on 127.0.0.1 in this
            process; the poll runs in a child), on a fresh SQLite database: with the byte
            budget every backend now keeps (64 MB a batch), and with none (a whole delta
            page a batch, as Graph read before). Baselines: one message, and all the mail.

    .venv/bin/python bench/bench_memory.py [--megabytes 30] [--messages 8]

Measured on 2026-11-26 (2 cores): parse of a 30.8 MB PDF mail 2.75x its size (stdlib
7.74x); 30 MB of UTF-8 text 6.0x (stdlib 11.8x); the poll of 8 x 30.8 MB through Graph
grew by 160 MB with the byte budget, 315 MB without (all 246 MB of mail and more).
"""

from __future__ import annotations

import argparse
import base64
import email
import gc
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from email.policy import compat32
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the fake Graph server

MB = 1024 * 1024
ADDRESS = "memberenquiries@example.gov.uk"
NO_BUDGET = 1 << 62  # "no byte budget": a batch is the whole delta page


def _head(content_type: str, number: int = 0) -> bytes:
    return (
        "From: Cllr Jo Bloggs <jo.bloggs@councillors.example.gov.uk>\r\n"
        f"To: Member Enquiries <{ADDRESS}>\r\n"
        f"Subject: Planning drawings for 12 Mill Lane ({number})\r\n"
        "Date: Wed, 25 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <drawings-{number}@councillors.example.gov.uk>\r\n"
        "MIME-Version: 1.0\r\n"
        f"{content_type}\r\n"
    ).encode("ascii")


def _pdf_part(megabytes: float) -> bytes:
    encoded = base64.encodebytes(b"%PDF-1.7\n" + os.urandom(int(megabytes * MB * 3 / 4)))
    return (
        b"--part\r\nContent-Type: application/pdf; name=\"plans.pdf\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=\"plans.pdf\"\r\n\r\n"
        + encoded.replace(b"\n", b"\r\n")
    )


def with_pdf(megabytes: float, number: int = 0) -> bytes:
    return _head('Content-Type: multipart/mixed; boundary="part"\r\n', number) + (
        b"--part\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Could planning look at the drawings attached?\r\n"
        + _pdf_part(megabytes)
        + b"\r\n--part--\r\n"
    )


def forwarding_pdf(megabytes: float) -> bytes:
    """A member forwarding a resident's email as an attachment, the PDF inside that."""
    inner = with_pdf(megabytes, number=1)
    return _head('Content-Type: multipart/mixed; boundary="outer"\r\n') + (
        b"--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"See the resident's email below.\r\n"
        b"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--outer--\r\n"
    )


def mostly_text(megabytes: float, line: str) -> bytes:
    encoded = (line + "\r\n").encode("utf-8")
    return _head(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    ) + encoded * int(megabytes * MB / len(encoded))


def peak(work: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def parse_rows(megabytes: float) -> None:
    from mailbot.parse import parse_message

    cases = {
        "PDF attachment": with_pdf(megabytes),
        "forwarded email holding the PDF": forwarding_pdf(megabytes),
        "mostly text, ASCII": mostly_text(megabytes, "The streetlight on Mill Lane is out."),
        "mostly text, UTF-8": mostly_text(megabytes, "Mae'r golau stryd ar Heol y Felin – allan."),
    }
    print("parse: peak memory, as a multiple of the message's size (tracemalloc)")
    print(f"{'message':34} {'MB':>6} {'stdlib':>8} {'mailbot':>8} {'mailbot/stdlib':>15}")
    for name, raw in cases.items():
        stdlib = peak(lambda raw=raw: email.message_from_bytes(raw, policy=compat32))
        ours = peak(lambda raw=raw: parse_message(raw))
        size = len(raw)
        print(f"{name:34} {size / MB:6.1f} {stdlib / size:7.2f}x {ours / size:7.2f}x "
              f"{ours / stdlib:15.2f}")  # fmt: skip


def _resident_kb(field: str) -> int:
    """VmRSS (resident now) or VmHWM (the most resident since the last reset), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise SystemExit("no /proc/self/status: this bench needs Linux")


def _reset_peak() -> None:
    """Start VmHWM again from the resident size now (Linux 4.0 on), so the peak measured
    is the poll's, not the imports' before it."""
    Path("/proc/self/clear_refs").write_text("5")


def poll_child(spec: dict[str, Any]) -> None:
    """In the child: build mailbot against the fake Graph, poll once, report memory."""
    from mailbot.app import build_app
    from mailbot.backends.graph import GraphMailbox
    from mailbot.backends.graph_tokens import StaticTokenProvider
    from mailbot.backends.retry import Backoff
    from mailbot.classify import rules_classifier
    from mailbot.jobs import poll
    from mailbot.settings import load_settings

    backend = GraphMailbox(
        mailbox=ADDRESS, base_url=spec["base_url"],
        token_provider=StaticTokenProvider(spec["token"]), backoff=Backoff(sleep=lambda _: None),
        batch_bytes=spec["batch_bytes"],
    )  # fmt: skip
    app = build_app(load_settings(Path(spec["config"])), backend=backend,
                    classifier=rules_classifier())  # fmt: skip
    before = _resident_kb("VmRSS")
    _reset_peak()
    report = poll(app, datetime.now(UTC))
    after = _resident_kb("VmHWM")
    app.close()
    backend.close()
    print(json.dumps({"handled": len(report.outcomes), "grew_kb": after - before}))


def poll_rows(megabytes: float, count: int) -> None:
    from fakes.graph_server import FakeGraph

    messages = [with_pdf(megabytes, number) for number in range(count)]
    one, total = max(len(m) for m in messages), sum(len(m) for m in messages)
    print(f"\npoll: {count} messages of {one / MB:.1f} MB ({total / MB:.0f} MB in all) through "
          "Graph; growth of the poll process's peak resident memory")  # fmt: skip
    print(f"{'':36} {'handled':>8} {'peak MB':>8} {'x one message':>14} {'x all mail':>11}")
    for label, budget in (("byte budget, 64 MB a batch", None), ("no byte budget", NO_BUDGET)):
        with FakeGraph(ADDRESS) as fake, tempfile.TemporaryDirectory() as temporary:
            for raw in messages:
                fake.deliver(raw)
            config = Path(temporary) / "mailbot.toml"
            config.write_text(
                f'[council]\npolicy = "wiltshire"\ndata_dir = "{temporary}/var"\n'
                f'[mailbox]\nbackend = "graph"\naddress = "{ADDRESS}"\n'
                '[mailbox.graph]\ntenant_id = "t"\nclient_id = "c"\nclient_secret = "s"\n'
                f'[directory]\nmembers = "{REPO}/config/demo/members.csv"\n'
                f'officers = "{REPO}/config/demo/officers.csv"\n'
                '[logging]\nlevel = "WARNING"\n',
                encoding="utf-8",
            )
            from mailbot.backends.byte_budget import BATCH_BYTES

            spec = {"base_url": fake.base_url, "token": fake.token, "config": str(config),
                    "batch_bytes": budget or BATCH_BYTES}  # fmt: skip
            env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
            child = subprocess.run(
                [sys.executable, __file__, "--poll-child", json.dumps(spec)],
                capture_output=True, text=True, env=env, check=False,
            )  # fmt: skip
            if child.returncode != 0:
                raise SystemExit(f"the poll failed:\n{child.stderr[-3000:]}")
            result = json.loads(child.stdout.strip().splitlines()[-1])
        grew = result["grew_kb"] * 1024
        print(f"{label:36} {result['handled']:8d} {grew / MB:8.0f} {grew / one:13.1f}x "
              f"{grew / total:10.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=30.0)
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--poll-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.poll_child:
        poll_child(json.loads(args.poll_child))
        return
    parse_rows(args.megabytes)
    poll_rows(args.megabytes, args.messages)


if __name__ == "__main__":
    main()
