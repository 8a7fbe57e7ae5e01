"""A complaints officer's holding reply ("we are investigating and will send you a full
response by 16 November"), sent to the member with the shared mailbox copied in, is taken
for the answer: the clock stops and nobody is reminded again. RESUME "holding reply", in
reply to the case's mail, says it was not: the clock runs on to the date it had (Mon 16 Nov 2026,
10 working days after Mon 2 Nov, Wiltshire), and the next reply is the answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import Council, body_text
from paused_council import COMPLAINTS, JO, complaints_council, copied_to_the_member

from mailbot.console import describe_case
from mailbot.reminders import sweep

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
HOLDING = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with complaints_council(tmp_path / "council") as made:
        yield made


def test_resume_after_a_holding_reply_runs_the_clock_on_to_its_date(council: Council) -> None:
    out = council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Formal complaint about bin collections",
        "I wish to make a formal complaint: the bins in Castle ward have been missed three "
        "weeks running.", date=RECEIVED), now=RECEIVED)
    [ack] = [m for m in out if m["To"] == JO]
    [assignment] = [m for m in out if m["To"] == COMPLAINTS]
    assert council.case().kind == "complaint"
    assert ('RESUME "holding reply"   a reply to the member was not the answer: the clock runs '
            "on") in body_text(assignment, "plain")
    assert ("after a reply to the member that was not the answer (a holding reply), "
            '<code>RESUME "holding reply"</code> does.') in body_text(assignment, "html")
    copied_to_the_member(council, ack, "Dear Cllr Bloggs, thank you for your complaint. We are "
                   "investigating and will send you a full response by 16 November.", HOLDING)
    assert council.case().status == "responded"
    # The officer, seeing no reminders, writes to mailbot: told what RESUME does.
    [helped] = council.deliver(council.reply(assignment, COMPLAINTS, "Any news on this one?",
                                             date=HOLDING), now=HOLDING)
    assert ("If what was taken for the answer was not (a holding reply), reply RESUME "
            '"holding reply": the clock runs on to its date.') in " ".join(
                body_text(helped, "plain").split())
    [refused] = council.deliver(council.reply(assignment, COMPLAINTS, 'EXTEND 5 "contractor"',
                                              date=HOLDING), now=HOLDING)
    assert ("MB-2026-00001 is already answered; nothing changed. If what was taken for its "
            'answer was not (a holding reply), reply RESUME "holding reply" first') in " ".join(
                body_text(refused, "plain").split())

    # A bare RESUME is most likely a PAUSE's, sent late: refused, saying what to write.
    [refused] = council.deliver(council.reply(assignment, COMPLAINTS, "RESUME", date=HOLDING),
                                now=HOLDING)
    assert ('MB-2026-00001 is not paused: it was answered. If what was taken for its answer was '
            'not (a holding reply), reply RESUME "holding reply"') in " ".join(
                body_text(refused, "plain").split())
    assert council.case().status == "responded"
    out = council.deliver(council.reply(assignment, COMPLAINTS, 'RESUME "holding reply"',
                                        date=NEXT_DAY), now=NEXT_DAY)
    [confirmation] = out  # the member is not written to
    assert confirmation["To"] == COMPLAINTS
    said = " ".join(body_text(confirmation, "plain").split())
    assert said.startswith("Done.")
    assert ("MB-2026-00001 is open again: what was taken for its answer on Wednesday 4 "
            "November 2026 was not it. The response clock runs on: due Monday 16 November "
            "2026.") in said
    case = council.case()
    assert (case.status, case.response_due, case.responded_at) == (
        "open", date(2026, 11, 16), None)
    explained = describe_case(council.app, case.ref) or ""
    assert ("Resumed on Thu 5 Nov 2026 by complaints@council.gov.uk (holding reply): the stop "
            "of Wed 4 Nov 2026 is undone; the clock runs on." in explained)
    assert "Due: Mon 16 Nov 2026 (working day 10 after Mon 2 Nov 2026)." in explained

    # Reminded again: the day after the date, it is overdue.
    tuesday = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
    sweep(council.app, tuesday)
    overdue = [m for m in council.flush(tuesday) if m["To"] == COMPLAINTS]
    assert [str(m["Subject"]).split(":")[0] for m in overdue] == ["Overdue by 1 working day"]

    # The full response is the answer.
    copied_to_the_member(council, ack, "Dear Cllr Bloggs, our full response: ...",
                   datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    case = council.case()
    assert case.status == "responded"
    assert case.responded_at is not None
    assert case.responded_at.date() == date(2026, 11, 18)


def test_resume_on_an_open_case_that_is_not_paused_is_still_refused(council: Council) -> None:
    out = council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Formal complaint about bin collections",
        "I wish to make a formal complaint about the missed bins.", date=RECEIVED), now=RECEIVED)
    [assignment] = [m for m in out if m["To"] == COMPLAINTS]
    [refused] = council.deliver(council.reply(assignment, COMPLAINTS, "RESUME", date=HOLDING),
                                now=HOLDING)
    assert "MB-2026-00001 is not paused." in body_text(refused, "plain")
    assert council.case().status == "open"
