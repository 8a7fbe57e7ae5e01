"""Ingest speed from a real Dovecot: mailbot's poll against a plain IMAPClient fetch + parse.

Starts an unprivileged Dovecot (the test fixture's) and an aiosmtpd, puts N member
emails (default 2,000, made from config/demo/mail) into one mailbox, then measures,
side by side on the same messages:

  baseline  IMAPClient: SELECT, SEARCH, FETCH BODY.PEEK[] in chunks, and parse each
            message with the stdlib email package (headers + text body). Read-only;
            the better of two runs is kept.
  backend   ImapMailbox alone on a second copy of the mail: fetch_new, parse, and
            mark_processed (one UID MOVE per message, as the pipeline calls it);
            and again with mark_all_processed (one UID MOVE per fetched batch).
  mailbot   `mailbot poll --once`: jobs.poll (fetch, ledger, parse, loop guard,
            classify, case + clock, outbox rows, one transaction per message, then
            MOVE to Processed) on a fresh SQLite database. If the pipeline cannot be
            imported, the ImapMailbox alone (fetch_new + mark_processed) is measured
            instead, and the output says so.

The outbox flush (acknowledgements sent through SMTP) is timed and printed separately:
sending is rate-limited per recipient by design, so it is not ingest.

    .venv/bin/python bench/bench_ingest.py [--messages N]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the Dovecot and aiosmtpd fixtures

from fixtures.dovecot import (  # noqa: E402
    DOVECOT,
    DovecotServer,
    ImapUser,
    mailbot_config,
    running_dovecot,
)

from mailbot.backends.base import mark_all_processed  # noqa: E402
from mailbot.backends.imap import ImapMailbox  # noqa: E402

DEMO_MAIL = REPO / "config" / "demo" / "mail"
ADDRESS = "memberenquiries@example.gov.uk"


def member_messages(count: int) -> list[bytes]:
    """Copies of the demo's member emails (not its robots), each with its own Message-ID
    and subject: the same mail sent again would be its first case's chaser."""
    templates = [
        path.read_bytes()
        for path in sorted(DEMO_MAIL.glob("*.eml"))
        if re.match(r"0[1-6]-", path.name)
    ]
    if not templates:
        raise SystemExit(f"no demo mail found in {DEMO_MAIL}")
    messages = []
    for number in range(count):
        raw = templates[number % len(templates)].replace(b"\r\n", b"\n")
        raw = re.sub(
            rb"(?im)^Message-ID:.*$",
            b"Message-ID: <bench-%d@councillors.example.gov.uk>" % number,
            raw,
        )
        raw = re.sub(rb"(?im)^(Subject:.*)$", rb"\1 (%d)" % number, raw, count=1)
        messages.append(raw.replace(b"\n", b"\r\n"))
    return messages


def deliver(server: DovecotServer, user: ImapUser, messages: list[bytes]) -> None:
    client = IMAPClient(server.host, server.port, ssl=False, timeout=60)
    client.login(user.username, user.password)
    for start in range(0, len(messages), 250):
        client.multiappend("INBOX", messages[start : start + 250])
    client.logout()


def parse(raw: bytes) -> tuple[str, str, str]:
    """What any importer does first: the headers it needs and the text body."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    return str(message["Subject"]), str(message["From"]), text


def baseline(server: DovecotServer, user: ImapUser) -> int:
    """Plain IMAPClient fetch + parse of everything in the INBOX; returns how many."""
    client = IMAPClient(server.host, server.port, ssl=False, timeout=60)
    client.login(user.username, user.password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search("ALL")
    parsed = 0
    for start in range(0, len(uids), 50):
        data = client.fetch(uids[start : start + 50], ["BODY.PEEK[]"])
        for item in data.values():
            parse(item[b"BODY[]"])
            parsed += 1
    client.logout()
    return parsed


def write_config(root: Path, server: DovecotServer, user: ImapUser, smtp_port: int) -> Path:
    return mailbot_config(
        root / "mailbot.toml", server, user, ("127.0.0.1", smtp_port), address=ADDRESS,
        directory=REPO / "config" / "demo", policy="colchester",
        extra='[logging]\nlevel = "WARNING"',
    )


def through_mailbot(
    config: Path, server: DovecotServer, user: ImapUser
) -> tuple[str, Callable[[], int], Callable[[], str]]:
    """(what is measured, run the ingest -> messages, run the flush -> summary)."""
    try:
        from mailbot import jobs
        from mailbot.app import build_app
        from mailbot.settings import load_settings
    except ImportError as error:
        print(f"(pipeline not importable: {error}; measuring the backend alone)")
        return "ImapMailbox fetch_new + mark_processed", backend_only(server, user), lambda: "-"

    app: Any = build_app(load_settings(config))
    _ = app.classifier  # load (or train) the model before the clock starts

    def ingest() -> int:
        report = jobs.poll(app, datetime.now(UTC))
        return len(report.outcomes)

    def flush() -> str:
        report = jobs.flush_outbox(app, datetime.now(UTC))
        app.close()
        counts = {
            name: len(value) for name, value in vars(report).items() if isinstance(value, list)
        }
        return ", ".join(f"{name} {count}" for name, count in counts.items()) or str(report)

    return "mailbot poll --once (jobs.poll)", ingest, flush


def backend_only(server: DovecotServer, user: ImapUser, batched: bool = False) -> Callable[[], int]:
    def run() -> int:
        mailbox = ImapMailbox(
            host=server.host,
            port=server.port,
            security="none",
            username=user.username,
            password=user.password,
        )
        done, cursor = 0, None
        while True:
            messages, cursor = mailbox.fetch_new(cursor)
            if not messages:
                break
            for message in messages:
                parse(message.raw)
                if not batched:
                    mailbox.mark_processed(message.ref)
                done += 1
            if batched:
                mark_all_processed(mailbox, [message.ref for message in messages])
        mailbox.close()
        return done

    return run


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    if not Path(DOVECOT).exists():
        raise SystemExit("dovecot is not installed (Debian: apt-get install dovecot-imapd)")

    from aiosmtpd.controller import Controller
    from fixtures.dovecot import free_port
    from fixtures.smtpd import CollectingHandler

    handler = CollectingHandler()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with running_dovecot() as server, tempfile.TemporaryDirectory() as temporary:
            user, second_user, third_user = (server.new_user() for _ in range(3))
            messages = member_messages(args.messages)
            _, delivery = timed(lambda: deliver(server, user, messages))
            print(f"delivered {len(messages)} messages to Dovecot in {delivery:.1f}s")
            deliver(server, second_user, messages)  # the same mail again, for the backend rows
            deliver(server, third_user, messages)

            # Read-only, so it can run twice: the better run is the baseline (a warm server).
            base_count, base_time = min(
                (timed(lambda: baseline(server, user)) for _ in range(2)), key=lambda r: r[1]
            )
            config = write_config(Path(temporary), server, user, smtp_port)
            label, ingest, flush = through_mailbot(config, server, user)
            ours_count, ours_time = timed(ingest)
            flush_summary, flush_time = timed(flush)
            backend_count, backend_time = timed(backend_only(server, second_user))
            batched_count, batched_time = timed(backend_only(server, third_user, batched=True))

            base_rate = base_count / base_time
            ours_rate = ours_count / ours_time
            print(f"{'':44} {'messages':>9} {'seconds':>8} {'msg/s':>8}")
            print(f"{'baseline: IMAPClient fetch + parse':44} {base_count:9d} "
                  f"{base_time:8.2f} {base_rate:8.0f}")  # fmt: skip
            print(f"{label:44} {ours_count:9d} {ours_time:8.2f} {ours_rate:8.0f}")
            backend_rate = backend_count / backend_time
            print(f"{'the backend alone: fetch + parse + MOVE':44} {backend_count:9d} "
                  f"{backend_time:8.2f} {backend_rate:8.0f}")  # fmt: skip
            batched_rate = batched_count / batched_time
            print(f"{'the backend alone, one MOVE per batch':44} {batched_count:9d} "
                  f"{batched_time:8.2f} {batched_rate:8.0f}")  # fmt: skip
            print(f"ratio mailbot / baseline: {ours_rate / base_rate:.2f} (aim: at least 0.5); "
                  f"backend alone / baseline: {backend_rate / base_rate:.2f}, "
                  f"batched {batched_rate / base_rate:.2f}")  # fmt: skip
            print(f"outbox flush afterwards: {flush_time:.1f}s, {flush_summary}; "
                  f"SMTP received {len(handler.received)}")  # fmt: skip
            if ours_count != len(messages):
                print(f"WARNING: {label} handled {ours_count} of {len(messages)} messages")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
