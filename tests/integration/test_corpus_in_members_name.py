"""The real-mail corpus's robots sent under a member's own address, through the demo
council on the Maildir backend, as a council would run it.

Auto-replies, bounces and bulk mail do come from members' addresses: their own
out-of-office, their server's delivery reports, a forwarding rule or a gateway that
rewrites From. Then the directory does not stop the acknowledgement (the member is known)
and neither does a robot's sender address: only the headers and the words can. Each file
is delivered with its From rewritten to a demo member (and a Message-ID of its own, since
the corpus repeats some); what left is read from the outbox folder.
"""

from __future__ import annotations

import csv
import json
import mailbox
import re
import shutil
from pathlib import Path

import pytest
from helpers import NOW, shared_dir, shared_rules_classifier

from mailbot.app import build_app
from mailbot.demo import DEMO_CONFIG
from mailbot.jobs import flush_outbox, poll
from mailbot.resources import DEMO
from mailbot.settings import load_settings

SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED else None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.own_database,  # the demo council's own SQLite file, as `mailbot demo` has
    pytest.mark.skipif(CORPUS is None or not (CORPUS / "bounce").is_dir(),
                       reason="the shared corpus is not here"),
]

# Files whose only sign of a robot was the sender's address, or that have no header block
# once a From is put on top: under a member's address nothing in them says robot.
ONLY_THE_SENDER_SAID_SO = {
    # the file begins with a line of spaces, so its headers are all body
    "cfortune_PHP-Bounce-Handler__eml_exchange3.eml",
    "jstedfast_MimeKit__UnitTests_TestData_messages_feedback-report.txt.eml",
    # Amazon SNS notifications: a JSON document from no-reply@sns.amazonaws.com
    "sisimai_set-of-emails__maildir_bsd_lhost-amazonses-11.eml",
    "sisimai_set-of-emails__maildir_bsd_lhost-amazonses-12.eml",
    "sisimai_set-of-emails__maildir_bsd_lhost-amazonses-13.eml",
    # Japanese carriers' reports in their own wording, from postmaster@ / no-reply@
    "sisimai_set-of-emails__maildir_bsd_lhost-ezweb-05.eml",
    "sisimai_set-of-emails__maildir_bsd_lhost-kddi-01.eml",
    # Google News alerts: news items, from newsalerts-noreply@
    "apache_spamassassin__t_data_nice_spf1.eml",
    "apache_spamassassin__t_data_nice_spf2.eml",
    "apache_spamassassin__t_data_nice_spf4.eml",
    "apache_spamassassin__t_data_nice_spf6-received-spf-crlf2.eml",
}

_HEADER_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_LINE = re.compile(rb"\r\n|\n|\r")


def in_members_name(raw: bytes, sender: str, n: int) -> bytes:
    """The message with its From and Message-ID replaced, every other byte as it was."""
    end = _HEADER_END.search(raw)
    head, rest = (raw[: end.start()], raw[end.start():]) if end else (raw, b"\r\n\r\n")
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    kept: list[bytes] = []
    dropping = False
    for line in _LINE.split(head):
        if dropping and line[:1] in (b" ", b"\t"):
            continue
        dropping = line.lower().startswith((b"from:", b"message-id:"))
        if not dropping:
            kept.append(line)
    ours = [f"From: {sender}".encode(), f"Message-ID: <corpus-{n}@members-name.test>".encode()]
    at = 1 if kept and kept[0].startswith(b"From ") else 0  # after an mbox "From " line
    return newline.join([*kept[:at], *ours, *kept[at:]]) + rest


def demo_home(home: Path) -> Path:
    home.mkdir(parents=True)
    config = DEMO_CONFIG + "\n[classifier]\ntrain_if_missing = false\n[loops]\n"
    config += "max_per_recipient = 100000\n"  # so the cap hides no acknowledgement
    (home / "mailbot.toml").write_text(config, encoding="utf-8")
    for name in ("members.csv", "officers.csv"):
        shutil.copy(DEMO / name, home / name)
    return home


def test_no_robot_in_the_corpus_is_answered_under_a_members_address(tmp_path: Path) -> None:
    assert CORPUS is not None
    with (DEMO / "members.csv").open(encoding="utf-8") as handle:
        member = next(csv.DictReader(handle))
    sender = f"{member['name']} <{member['email']}>"
    home = demo_home(tmp_path / "council")
    inbox = mailbox.Maildir(str(home / "mailbox"), create=True)
    files = {}
    for category in ("autoreply", "bounce", "bulk"):
        for path in sorted((CORPUS / category).glob("*.eml")):
            files[f"<corpus-{len(files)}@members-name.test>"] = path.name
            inbox.add(in_members_name(path.read_bytes(), sender, len(files) - 1))
    app = build_app(load_settings(home / "mailbot.toml", environment=False),
                    classifier=shared_rules_classifier())
    try:
        assert len(poll(app, NOW).outcomes) == len(files)
        while flush_outbox(app, NOW).sent:
            pass
    finally:
        app.close()
    answered = set()
    for envelope in (home / "outbox").glob("*.envelope.json"):
        if member["email"] in json.loads(envelope.read_text(encoding="utf-8"))["recipients"]:
            mime = envelope.with_name(envelope.name.replace(".envelope.json", ".eml"))
            replied_to = re.search(rb"^In-Reply-To: (\S+)", mime.read_bytes(), re.M)
            assert replied_to is not None
            answered.add(files[replied_to.group(1).decode()])
    print(f"\n{len(files)} robots under a member's address; answered: {len(answered)}")
    assert answered <= ONLY_THE_SENDER_SAID_SO, sorted(answered - ONLY_THE_SENDER_SAID_SO)
