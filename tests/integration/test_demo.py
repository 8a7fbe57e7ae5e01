"""`mailbot demo` on a fresh home does the whole flow; a second run changes nothing."""

from __future__ import annotations

import email
import os
import sqlite3
import subprocess
import sys
from email.policy import default
from pathlib import Path

import pytest


def _demo(home: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "demo", "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _state(home: Path) -> tuple[list[tuple[str, ...]], list[str]]:
    db = sqlite3.connect(home / "var" / "mailbot.db")
    cases = db.execute("select ref, kind, status, member_email from cases order by id").fetchall()
    files = sorted(p.name for p in (home / "outbox").glob("*.eml"))
    return cases, files


def test_demo_runs_end_to_end_and_twice_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    first = _demo(home)
    assert "Cases opened" in first and "Mail not answered" in first
    cases, files = _state(home)
    # The command it suggests names a case that is there, not "MB-…".
    assert f"mailbot case {cases[0][0]} --config " in first

    kinds = {kind for _, kind, _, _ in cases}
    assert {"enquiry", "foi", "complaint", "confidentiality"} <= kinds
    # The out-of-office, the bounce and the newsletter open no case and get no reply.
    members = {member for _, _, _, member in cases}
    assert not any(m.startswith(("lee.wong", "mailer-daemon", "bulletin")) for m in members)
    # The stranger's message is triaged and not acknowledged.
    assert any(m.startswith("resident") and s == "needs_triage" for _, _, s, m in cases)
    sent = [
        email.message_from_bytes((home / "outbox" / f).read_bytes(), policy=default) for f in files
    ]
    # All marked as ours and as automatic (DESIGN rule 4; [loops] officer_auto_replies is off).
    assert all(m["X-Mailbot-Loop"] for m in sent)
    assert all(m["Auto-Submitted"] == "auto-replied" for m in sent)
    assert all(m["X-Auto-Response-Suppress"] == "All" for m in sent)
    assert not any("resident" in str(m["To"]) for m in sent)
    db = sqlite3.connect(home / "var" / "mailbot.db")
    acks = db.execute("select recipients from outbox where purpose = 'ack'").fetchall()
    # One ack per known member's case; the follow-up in the pothole thread opened none.
    assert len(acks) == len([c for c in cases if c[2] != "needs_triage"])
    assert {r for (r,) in acks} <= members

    second = _demo(home)
    assert "no new mail" in second
    assert _state(home) == (cases, files)


def test_the_demo_shows_mail_with_square_brackets_as_written(tmp_path: Path) -> None:
    """Subjects are data: a "[/]" in one must not be read as rich markup and stop the demo."""
    import mailbox

    home = tmp_path / "demo"
    _demo(home)
    mailbox.Maildir(str(home / "mailbox")).add(
        b"From: Resident <resident@example.net>\r\nTo: memberenquiries@example.gov.uk\r\n"
        b"Subject: Fly-tipping [/] [red]again[/red]\r\nMessage-ID: <brackets@example.net>\r\n"
        b"Auto-Submitted: auto-replied\r\n"  # so it is listed under "not answered", subject and all
        b"\r\nThere is rubbish again by the garages.\r\n"
    )
    assert "Fly-tipping [/] [red]again[/red]" in _demo(home)


def test_the_demo_on_a_council_server_keeps_off_the_real_database_and_mailbox(
    tmp_path: Path,
) -> None:
    # The daemon's variables exported in the administrator's shell (or a container's
    # environment) must not turn the demo's sample mail into real cases and real sends.
    production = tmp_path / "production.db"
    env = {
        **os.environ,
        "MAILBOT_DATABASE__URL": f"sqlite:///{production}",
        "MAILBOT_MAILBOX__BACKEND": "imap",
        "MAILBOT_MAILBOX__IMAP__HOST": "127.0.0.1",
        "MAILBOT_MAILBOX__IMAP__PASSWORD": "secret",
    }
    home = tmp_path / "demo"
    output = _demo(home, env)
    assert "Cases opened" in output
    assert not production.exists()
    cases, files = _state(home)
    assert cases and files  # the demo's own SQLite file and maildir outbox


def test_the_demo_acknowledgements_give_the_councils_telephone_numbers(tmp_path: Path) -> None:
    """The demo config sets [council] telephone and out_of_hours_telephone (fictional
    numbers), so a member's acknowledgement shows what a configured council sends: the
    numbers in both parts, a tel: link in the HTML, never "its usual number"."""
    import io
    from datetime import UTC, datetime

    from rich.console import Console

    from mailbot.demo import run_demo

    home = tmp_path / "demo"
    run_demo(home, now=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
             console=Console(file=io.StringIO()))
    sent = [email.message_from_bytes(p.read_bytes(), policy=default)
            for p in sorted((home / "outbox").glob("*.eml"))]
    acks = [m for m in sent
            if str(m["Subject"]).startswith("Re: ") and "councillors" in str(m["To"])]
    assert len(acks) >= 5
    for ack in acks:
        text = ack.get_body(("plain",)).get_content()
        html = ack.get_body(("html",)).get_content()
        assert "01632 960123 (outside office hours: 01632 960999)" in text
        assert 'href="tel:01632960123"' in html and 'href="tel:01632960999"' in html
        assert "its usual number" not in text + html
    # A confidentiality request and a complaint name who deals with such things, not the
    # head of highways or a waste officer.
    said = {str(m["Subject"]).rpartition(" [")[0]: m.get_body(("plain",)).get_content()
            for m in acks}
    assert "Robin Ellis (legal services) will respond by" in said[
        "Re: Can we talk in confidence?"], sorted(said)
    assert "Jamie Fox (customer services) will respond by" in said[
        "Re: Still no reply about Mrs Green's damp"], sorted(said)


@pytest.mark.own_database  # `mailbot case` reads the demo's own SQLite database
def test_the_demo_config_says_its_council_works_to_the_packs_protocol(tmp_path: Path) -> None:
    """The demo council uses Wiltshire's pack; its config says so ([policy] council), so
    check-config has nothing to say about the pack's council line, and `mailbot case`
    cites the protocol by its title in the demo council's name."""
    home = tmp_path / "demo"
    _demo(home)
    config = str(home / "mailbot.toml")
    checked = subprocess.run([sys.executable, "-m", "mailbot", "check-config", "--config",
                              config], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr
    assert "council: is 'Wiltshire Council'" not in checked.stderr
    shown = subprocess.run([sys.executable, "-m", "mailbot", "case", "MB-2026-00001",
                            "--config", config], capture_output=True, text=True, timeout=300)
    assert "(Demo Borough Council's Protocol 1, Member-Officer Relations, 6.5.8" in shown.stdout
    assert ".txt" not in shown.stdout
