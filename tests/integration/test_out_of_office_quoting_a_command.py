"""An officer's out-of-office auto-reply in a case's thread is never run as a command, even
when a command line is in it: the officer's own "PAUSE waiting for Highways" in the thread
it quotes, or a first line that happens to be "DONE" or "RESUME" (a note beginning "Done
for today", a template that starts with the word). The loop guard settles auto-replies
before the officer-command stage (pipeline.drop_automatic), so the case keeps its pause
and its state, and the officer's mailbox is sent nothing; the case goes to the deputy as
for any out-of-office.

The auto-replies are real ones from the shared corpus (../shared/corpus/autoreply), their
robots' headers kept, rewritten to come from Sam in reply to mailbot's confirmation of his
PAUSE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows, shared_dir

from mailbot.store.tables import ClockEventRow, EventRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
AWAY = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
SHARED = shared_dir()
AUTOREPLIES = SHARED / "corpus" / "autoreply" if SHARED else None

# Real auto-replies, and the subject each robot puts before the one it answers.
ROBOTS = {
    # Exchange: "Automatic reply:", X-Auto-Response-Suppress, no Auto-Submitted.
    "sisimai_set-of-emails__maildir_bsd_rfc3834-02.eml": "Automatic reply: ",
    # RFC 3834's Auto-Submitted: auto-replied.
    "sisimai_set-of-emails__maildir_bsd_rfc3834-01.eml": "Re: ",
    # Dovecot's Sieve vacation: Auto-Submitted: auto-replied (vacation), Precedence: bulk.
    "cfortune_PHP-Bounce-Handler__eml_vac1.eml@73fef36f02.eml": "Re: ",
    # iCloud's vacation notice: X-Apple-Action: VACATION.
    "sisimai_set-of-emails__maildir_bsd_rfc3834-03.eml": "Auto reply: ",
}

QUOTED_PAUSE = (
    "-----Original Message-----\n"
    f"From: Sam Patel <{SAM}>\n"
    f"To: {MAILBOX}\n"
    "Subject: RE: Pothole on Castle Road\n\n"
    "PAUSE waiting for Highways\n"
)
# What the robot's note begins with: its own text, then the thread it quotes; or a first
# line that is a command word.
OPENINGS = {
    "quotes the PAUSE": "",
    "DONE first": "DONE\n\n",
    "RESUME first": "RESUME\n\n",
}


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", DANA),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def _robot(name: str) -> EmailMessage:
    if AUTOREPLIES is None or not (AUTOREPLIES / name).is_file():
        pytest.skip("the shared corpus is not here (../shared/corpus/autoreply)")
    parsed = message_from_bytes((AUTOREPLIES / name).read_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _as_sams_auto_reply(name: str, answering: EmailMessage, opening: str) -> bytes:
    """The corpus auto-reply `name`, as Sam's mailbox sends it in answer to `answering`:
    from Sam to the shared mailbox, in its thread, its note after `opening` and the
    thread it quotes below."""
    robot = _robot(name)
    note = body_text(robot, "plain").strip()
    for header, value in (
        ("From", f"Sam Patel <{SAM}>"),
        ("To", MAILBOX),
        ("Subject", f"{ROBOTS[name]}{answering['Subject']}"),
        ("Message-ID", f"<ooo-{name[-30:].replace('@', '.')}@council.gov.uk>"),
        ("Date", AWAY.strftime("%a, %d %b %Y %H:%M:%S +0000")),
        ("In-Reply-To", str(answering["Message-ID"])),
        ("References", str(answering["Message-ID"])),
        ("Return-Path", "<>"),
    ):
        del robot[header]
        robot[header] = value
    robot.set_content(f"{opening}{note}\n\n{QUOTED_PAUSE}")
    return robot.as_bytes()


@pytest.mark.parametrize("opening", OPENINGS)
@pytest.mark.parametrize("name", ROBOTS)
def test_an_officers_auto_reply_quoting_a_command_is_never_run(
    council: Council, name: str, opening: str
) -> None:
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                                       "A deep pothole by no. 12.", date=RECEIVED),
                          now=RECEIVED)
    [assignment] = [m for m in out if m["To"] == SAM]
    out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                        "PAUSE waiting for Highways", date=PAUSED), now=PAUSED)
    [confirmation] = [m for m in out if m["To"] == SAM]
    assert council.case().status == "paused"
    commands_before = len(rows(council.app, EventRow, EventRow.action.like("command%")))

    auto_reply = _as_sams_auto_reply(name, confirmation, OPENINGS[opening])
    out = council.deliver(auto_reply, now=AWAY)

    case = council.case()
    # Not run: the pause stands (no RESUME, no second PAUSE), nothing marked answered.
    assert case.status == "paused"
    assert [(r.action, r.why) for r in rows(council.app, ClockEventRow)] == [
        ("pause", "waiting for Highways")]
    assert len(rows(council.app, EventRow, EventRow.action.like("command%"))) == (
        commands_before)
    assert rows(council.app, EventRow, EventRow.action == "officer note") == []
    [row] = rows(council.app, MessageRow,
                 MessageRow.message_id.like("%ooo-%"))
    assert row.status == "automatic"
    # Nothing answers the robot; the case goes to Sam's deputy, paused as it was.
    assert SAM not in [str(m["To"]) for m in out]
    assert case.officer_email == DANA
