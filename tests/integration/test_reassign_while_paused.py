"""A paused enquiry or complaint passed on while its pause still waits for someone stays
paused.

REASSIGN (and `mailbot reassign`) ran every paused enquiry's or complaint's clock again: a
rule made for the pauses an absent officer left behind, before a PAUSE's reason was read
for whom it waits (pause_reason). A case paused 'waiting for Highways to inspect' or
'asked the resident for photos' then counted the days Highways had still not come, and
the member was written a new date that did not allow for the wait. Now such a pause
outlasts the move: the clock stays paused, the new holder's assignment says why and what
ends it, the confirmation to the officer who passed it on says it stays paused, and the
member's letter naming the new holder gives no date. A pause whose reason says neither
('on hold') runs again, as before, and the confirmation says so.

Dates: an enquiry (Wiltshire, 10 working days) received Wednesday 25 November 2026, due
Wednesday 9 December; paused Thursday 26 November; passed on Monday 30 November; the
member's answer Wednesday 2 December: the working days 26 November to 2 December (5)
disregarded, due Wednesday 16 December."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import JO, LEE, SAM, SAM_PATEL, opened_and_paused, paused_council
from paused_council import words as _words
from typer.testing import CliRunner

from mailbot import jobs
from mailbot.cli import app as cli
from mailbot.store.tables import ClockEventRow, OutboxRow

RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
PASSED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _council(home: Path, policy: str = "wiltshire") -> Council:
    return paused_council(home, [SAM_PATEL, ("Lee Wong", LEE, "Highways", "", "")],
                          policy=policy, default_officer=SAM, routes={"complaints": SAM})


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _paused(council: Council, reason: str, subject: str = "Pothole on Castle Road",
            body: str = "A deep pothole by no. 12.") -> tuple[EmailMessage, EmailMessage]:
    """Jo's mail, Sam's PAUSE: (Jo's acknowledgement, Sam's assignment)."""
    ack, assignment = opened_and_paused(
        council, member=JO, sender=f"Cllr Jo Bloggs <{JO}>", subject=subject, body=body,
        received=RECEIVED, officer=SAM, reason=reason, paused=PAUSED)
    assert council.case().status == "paused"
    return ack, assignment


def _reassign(council: Council, assignment: EmailMessage) -> dict[str, EmailMessage]:
    out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", f"REASSIGN {LEE}",
                                        date=PASSED), now=PASSED)
    return {str(m["To"]): m for m in out}


def _clock(council: Council) -> list[str]:
    return [r.action for r in rows(council.app, ClockEventRow) if r.clock == "response"]


def test_reassign_of_an_enquiry_waiting_for_someone_else_keeps_it_paused(
    council: Council,
) -> None:
    _, assignment = _paused(council, "waiting for Highways to inspect")
    out = _reassign(council, assignment)

    case = council.case()
    assert (case.officer_email, case.status, case.response_due) == (LEE, "paused", None)
    assert _clock(council) == ["pause"]
    said = _words(out[SAM])
    assert f"{case.ref} is now with Lee Wong ({LEE})." in said
    assert ("The response clock stays paused (waiting for Highways to inspect): the wait is "
            "not over because the case changed hands. Lee Wong has been told why, and that "
            "their RESUME runs it again.") in said
    assert "running again" not in said
    assert ("The response clock stays paused (waiting for Highways to inspect, since "
            "Thursday 26 November 2026): reply RESUME when it should run again") in _words(
        out[LEE])
    letter = _words(out[JO])
    assert "it has been passed to Lee Wong (Highways), who is now dealing with it." in letter
    assert "respond by" not in letter and "December" not in letter

    # Lee's RESUME when Highways have been: the days paused do not count.
    council.deliver(council.reply(out[LEE], LEE, "RESUME", date=ANSWERED), now=ANSWERED)
    assert council.case().response_due == date(2026, 12, 16)
    assert _clock(council) == ["pause", "resume"]


def test_reassign_of_an_enquiry_waiting_for_the_member_keeps_it_paused_until_they_answer(
    council: Council,
) -> None:
    ack, assignment = _paused(council, "asked the resident for photos")
    out = _reassign(council, assignment)

    assert council.case().status == "paused" and _clock(council) == ["pause"]
    assert ("Lee Wong has been told why, and that their RESUME runs it again; the member's "
            "reply in this case's thread ends it too.") in _words(out[SAM])
    assert ("It waits for the member: their reply in this case's thread ends it too."
            in _words(out[LEE]))
    assert "respond by" not in _words(out[JO])

    # Jo's answer ends the pause; the date they were given moves, and they are told.
    out = {str(m["To"]): m for m in council.deliver(
        council.reply(ack, JO, "Photos attached: the hole is by no. 12.", date=ANSWERED),
        now=ANSWERED)}
    case = council.case()
    assert (case.status, case.response_due) == ("open", date(2026, 12, 16))
    assert _clock(council) == ["pause", "resume"]
    assert sorted(out) == [JO, LEE]
    assert ("you will have a full response by Wednesday 16 December 2026, not Wednesday 9 "
            "December 2026 as we said") in _words(out[JO])
    [letter] = rows(council.app, OutboxRow, OutboxRow.purpose == "reply_received")
    assert letter.recipients == JO
    # Lee's update: Sam paused the clock, not Lee.
    update = _words(out[LEE])
    assert "The clock Sam Patel paused is running again: see the new date below." in update
    assert "you paused" not in update


def test_reassign_of_a_pause_that_says_for_whom_it_waits_runs_the_clock_again(
    council: Council,
) -> None:
    _, assignment = _paused(council, "on hold")
    out = _reassign(council, assignment)

    case = council.case()
    assert (case.officer_email, case.status) == (LEE, "open")
    assert _clock(council) == ["pause", "resume"]
    # Paused Thursday 26 to Monday 30 November: 3 working days, due Monday 14 December.
    assert case.response_due == date(2026, 12, 14)
    said = _words(out[SAM])
    assert "The response clock is running again." in said
    assert "stays paused" not in said
    assert "will respond by Monday 14 December 2026" in _words(out[JO])


def test_mailbot_reassign_of_a_complaint_waiting_for_legal_keeps_it_paused(
    council: Council,
) -> None:
    _paused(council, "waiting for legal to advise", subject="Formal complaint",
            body="I wish to make a formal complaint about how my report of the flooding "
                 "on Mill Lane was handled: nobody replied for six weeks.")
    case = council.case()
    assert case.kind == "complaint" and case.officer_email == SAM
    result = CliRunner().invoke(cli, ["reassign", case.ref, "--to", LEE, "--reason",
                                      "Sam has left", "--config",
                                      str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    # The administrator is told what became of the clock, as REASSIGN's confirmation says.
    assert (f"{case.ref}: The response clock stays paused (waiting for legal to advise): the "
            "wait is not over because the case changed hands. Lee Wong has been told why, "
            "and that their RESUME runs it again.") in result.output.splitlines()

    case = council.case()
    assert (case.officer_email, case.status, case.response_due) == (LEE, "paused", None)
    assert _clock(council) == ["pause"]
    out = {str(m["To"]): m for m in council.flush(datetime.now(UTC) + timedelta(minutes=1))}
    assert ("The response clock stays paused (waiting for legal to advise, since Thursday "
            "26 November 2026)") in _words(out[LEE])
    assert "respond by" not in _words(out[JO])


def test_the_late_notice_names_the_date_the_member_was_given_not_the_moved_one(
    council: Council,
) -> None:
    """The letter naming Lee gave no date (the clock was paused), so the date Jo was last
    given is the acknowledgement's, Wednesday 9 December: Lee's RESUME moved the case's
    own to Wednesday 16 December, which Jo was never told. When that passes unanswered,
    the late notice says the date Jo was told, not one they never saw."""
    _, assignment = _paused(council, "waiting for Highways to inspect")
    out = _reassign(council, assignment)
    council.deliver(council.reply(out[LEE], LEE, "RESUME", date=ANSWERED), now=ANSWERED)
    assert council.case().response_due == date(2026, 12, 16)

    overdue = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)
    jobs.send_reminders(council.app, overdue)
    [notice] = [m for m in council.flush(overdue) if m["To"] == JO]
    text = _words(notice)
    assert ("we told you that you would have the response to your enquiry "
            f"({council.case().ref}) by Wednesday 9 December 2026") in text
    assert "16 December" not in text


def test_a_bilingual_council_confirms_in_welsh_too(tmp_path: Path) -> None:
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        _, assignment = _paused(cardiff, "aros am luniau gan y preswylydd")
        out = _reassign(cardiff, assignment)
        assert cardiff.case().status == "paused"
    said = _words(out[SAM])
    assert ("Mae'r cloc ymateb yn dal wedi'i oedi (aros am luniau gan y preswylydd): nid yw'r "
            "aros ar ben am fod yr achos wedi newid dwylo. Mae Lee Wong wedi cael gwybod pam, "
            "a bod eu RESUME yn ei redeg eto; mae ateb yr aelod yn edefyn yr achos hwn yn dod "
            "ag ef i ben hefyd.") in said
    assert "The response clock stays paused (aros am luniau gan y preswylydd)" in said


def test_mailbot_reassign_says_a_clock_runs_again_and_leaves_a_running_one_unsaid(
    council: Council,
) -> None:
    """'mailbot reassign' of a case paused 'on hold' (its reason says for whom it waits
    neither) and of one never paused: the first's clock runs again, and the output says
    so in one line; the second's ran all along, and nothing is said of it."""
    _paused(council, "on hold")
    held = council.case().ref
    council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Streetlight out on Mill Lane",
                                 "The lamp by no. 3 is out.", date=PAUSED), now=PAUSED)
    running = council.case().ref
    assert running != held
    result = CliRunner().invoke(cli, ["reassign", held, running, "--to", LEE, "--config",
                                      str(council.home / "mailbot.toml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{held}: The response clock is running again." in lines
    assert not [line for line in lines if line.startswith(f"{running}:")]
    assert council.case(held).status == "open"
