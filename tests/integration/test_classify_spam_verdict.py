"""`mailbot classify` is how an administrator asks why a message was not answered. Mail an
upstream filter marked as spam (X-Spam-Flag, Exchange SCL 5 or more, a phishing
simulation) is ignored by the daemon; the command said "enquiry" (or "foi") for it. It now
says what the daemon does with it: in words, with the verdict; in --json, which keeps to
DESIGN.md's fields, as no kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DATA, Council, rows
from typer.testing import CliRunner

from mailbot.cli import app as cli
from mailbot.store.tables import MessageRow

SPAM = {
    "spam_flagged.eml": "X-Spam-Flag: Yes",
    "exchange_scl_9_spoofed_member_enquiry.eml": "Exchange SCL 9",
    "phishing_simulation_knowbe4_spoofed_member.eml": "phishing simulation (X-PHISHTEST header)",
}


def classify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILBOT_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["classify", "--rules-only", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


CONTRACT = ["file", "kind", "confidential", "priority", "automatic", "confidence", "error"]


def test_classify_json_gives_spam_no_kind_in_designs_fields_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [str(DATA / name) for name in SPAM]
    lines = classify(tmp_path, monkeypatch, "--json", *files)
    found = [json.loads(line) for line in lines]
    assert [list(r) for r in found] == [CONTRACT] * len(SPAM)  # DESIGN.md's keys, no more
    assert [(r["file"], r["kind"], r["automatic"], r["error"]) for r in found] == [
        (str(DATA / name), None, None, None) for name in SPAM
    ]


def test_classify_says_in_words_that_the_daemon_ignores_spam(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [line] = classify(tmp_path, monkeypatch, str(DATA / "spam_flagged.eml"))
    assert line == (f"{DATA / 'spam_flagged.eml'}: spam, ignored by the daemon and never "
                    "answered (spam filter verdict: X-Spam-Flag: Yes)")


def test_an_enquiry_without_a_verdict_is_still_an_enquiry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enquiry = tmp_path / "enquiry.eml"
    enquiry.write_bytes(
        (DATA / "exchange_scl_9_spoofed_member_enquiry.eml").read_bytes()
        .replace(b"SCL: 9", b"SCL: 1").replace(b"SCL:9", b"SCL:1")
    )
    [found] = [json.loads(line) for line in classify(tmp_path, monkeypatch, "--json",
                                                       str(enquiry))]
    assert (list(found), found["kind"]) == (CONTRACT, "enquiry")


def test_the_daemon_ignores_the_mail_classify_calls_spam(tmp_path: Path) -> None:
    with Council(
        tmp_path, mailbox="memberenquiries@wiltshire.gov.uk", name="Wiltshire Council",
        policy="wiltshire",
        members=[("Cllr Jo Bloggs", "jo.bloggs@wiltshire.gov.uk", "Castle", "en")],
        officers=[("Sam Patel", "sam@wiltshire.gov.uk", "Highways", "", "")],
        config='[routing]\ndefault_officer = "sam@wiltshire.gov.uk"\n',
    ) as it:
        left = [it.deliver((DATA / name).read_bytes()) for name in SPAM]
        seen = [(m.status, m.reason) for m in rows(it.app, MessageRow)]
    assert left == [[], [], []]
    assert seen == [("ignored", f"spam filter verdict: {verdict}") for verdict in SPAM.values()]
