"""An officer's command mailbot cannot read is answered every time, not only the first
time that day: 'RESUME 32/12/2026' got the list of commands, but 'RESUME 24/12 fee
received' an hour later got nothing (the list goes at most once a day per sender, a loop
guard), and the officer took the silence for 'done'. Now each later one that day gets a
short 'Not done.' reply saying why, up to COMMAND_NOT_READ_A_DAY of them per sender a day
(the loop guard stays: the last one says so, and later ones are kept in the timeline only);
a robot's mail never gets one (the loop guard reads it first), and nobody else is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, body_text, by_recipient

from mailbot.commands.replies import COMMAND_NOT_READ_A_DAY
from mailbot.console import describe_case

JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
ADMIN = "admin@council.gov.uk"
RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
# The outbox's own guard (loops.max_per_recipient: 10 mails to one address in 3 hours)
# would hold back mail sent closer together than the tests' 40 minutes.
NEXT_DAY = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _council(home: Path) -> Council:
    return Council(
        home, name="Test Council", mailbox="memberenquiries@council.gov.uk",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0, admins=[ADMIN],
    )


def _assignment(council: Council) -> EmailMessage:
    out = by_recipient(council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.",
        cc=SAM, date=RECEIVED), now=RECEIVED))
    return out[SAM]


def _sam(council: Council, assignment: EmailMessage, line: str,
         at: datetime) -> list[EmailMessage]:
    return council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", line, date=at),
                           now=at)


def test_a_second_unreadable_command_that_day_is_answered(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council)
        first = _sam(council, assignment, "RESUME 32/12/2026", NEXT_DAY)
        second = _sam(council, assignment, "RESUME 24/12 fee received",
                      NEXT_DAY + timedelta(hours=1))
    assert [m["To"] for m in first] == [SAM]
    assert "DONE" in body_text(first[0], "plain")  # the list of commands
    [reply] = second
    assert reply["To"] == SAM
    text = " ".join(body_text(reply, "plain").split())
    assert text.startswith("Not done.")
    assert '"RESUME 24/12 fee received" was not applied' in text
    assert "Nothing changed." in text


def test_the_short_replies_stop_at_the_days_cap_and_say_so(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council)
        left = []
        for n in range(COMMAND_NOT_READ_A_DAY + 2):
            left.append(_sam(council, assignment, f"RESUME {40 + n}/12/2026",
                             NEXT_DAY + timedelta(minutes=40 * n)))
        timeline = " ".join((describe_case(council.app, council.case().ref) or "").split())
        tomorrow = _sam(council, assignment, "RESUME 24/12",
                        NEXT_DAY + timedelta(days=1))
    # The list of commands, then the short replies up to the cap: to Sam only, nobody alerted.
    assert [len(out) for out in left] == [1] * (COMMAND_NOT_READ_A_DAY + 1) + [0]
    assert {m["To"] for out in left for m in out} == {SAM}
    texts = [" ".join(body_text(out[0], "plain").split()) for out in left[1:-1]]
    assert all(text.startswith("Not done.") for text in texts)
    assert all("the last of them" not in text for text in texts[:-1])
    assert (f"mailbot sends at most {COMMAND_NOT_READ_A_DAY} such replies a day, and this "
            "is the last of them today") in texts[-1]
    assert "10th" not in texts[-1]
    last = COMMAND_NOT_READ_A_DAY + 41
    assert f"RESUME {last}/12/2026" in timeline
    assert "nothing was sent: the day's replies to commands not read were all sent" in timeline
    assert [m["To"] for m in tomorrow] == [SAM]  # a new day: the list of commands again


def test_a_robot_quoting_a_command_gets_nothing(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        assignment = _assignment(council)
        _sam(council, assignment, "RESUME 32/12/2026", NEXT_DAY)
        at = NEXT_DAY + timedelta(hours=1)
        raw = council.mail(f"Sam Patel <{SAM}>", f"RE: {assignment['Subject']}",
                           "RESUME 24/12 fee received", date=at,
                           in_reply_to=str(assignment["Message-ID"]),
                           extra="Auto-Submitted: auto-replied")
        out = council.deliver(raw, now=at)
    # Read as Sam's out-of-office (the administrator is asked to redirect the case, as for
    # any), never as a command: nothing goes back to the robot.
    assert SAM not in [m["To"] for m in out]


def test_a_second_command_naming_no_case_that_day_is_answered(tmp_path: Path) -> None:
    with _council(tmp_path / "council") as council:
        _assignment(council)
        left = []
        for n, line in enumerate(("DONE", "RESUME 24/12/2026")):
            at = NEXT_DAY + timedelta(hours=n)
            left.append(council.deliver(council.mail(
                f"Sam Patel <{SAM}>", "Pothole", line, date=at), now=at))
    assert [[m["To"] for m in out] for out in left] == [[SAM], [SAM]]
    full, short = (" ".join(body_text(out[0], "plain").split()) for out in left)
    assert "REASSIGN" in full  # the list of commands
    assert "That was not applied: your mail names no case" in short
    assert 'You wrote: "RESUME' in short
    assert "REASSIGN" not in short and "at most once a day" not in short
    assert "The list of commands was sent to you earlier today" in short
