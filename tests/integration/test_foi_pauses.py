"""The Act stops an FOI request's statutory clock for two things only, and ends each its
own way: the member's clarification (FOIA s.1(3)) starts a fresh 20 working days from the
day it arrives; a fees notice (s.9) holds the clock until the fee is received, those
working days disregarded (s.10(2)). Any other wait leaves the statutory date as it is.

Dates by hand, FOI calendar (weekends and a bank holiday anywhere in the UK): received
Mon 2 Nov 2026, 20 working days is Tue 1 Dec (Mon 30 Nov, St Andrew's Day, skipped).
A fees notice on Wed 4 Nov (day 2), the fee received Mon 9 Nov: 4 working days (4, 5, 6,
9 Nov) disregarded, Mon 7 Dec. Clarification answered Mon 9 Nov: day one Tue 10 Nov,
day 20 Tue 8 Dec."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text
from paused_council import FOI_TEAM, JO, LEE, THE_FOI_TEAM, paused_council

from mailbot.console import describe_case

RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTICE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
MEMBER_WRITES = datetime(2026, 11, 6, 11, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 9, 11, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with paused_council(
        tmp_path / "council",
        [THE_FOI_TEAM, ("Lee Wong", LEE, "Information governance", "", "")],
        routes={"foi_team": FOI_TEAM}, plain_utf8=False,
    ) as made:
        yield made


def _foi(council: Council) -> tuple[EmailMessage, EmailMessage]:
    """The member's FOI request: (their acknowledgement, the FOI team's assignment)."""
    out = council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "Freedom of Information request: road budgets",
        "Under the Freedom of Information Act 2000 please send me the road budgets.",
        date=RECEIVED,
    ), now=RECEIVED)
    assert council.case().kind == "foi"
    assert council.case().response_due == date(2026, 12, 1)
    [ack] = [m for m in out if m["To"] == JO]
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    return ack, assignment


def _command(council: Council, to: EmailMessage, line: str, at: datetime) -> str:
    out = council.deliver(council.reply(to, FOI_TEAM, line, date=at), now=at)
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    return " ".join(body_text(confirmation, "plain").split())


def test_a_fees_notice_waits_for_the_fee_and_its_days_do_not_count(council: Council) -> None:
    ack, assignment = _foi(council)
    said = _command(council, assignment, 'PAUSE "fees notice sent: £45 for copying"', NOTICE)
    assert said.startswith("Done.")
    assert ("Reply RESUME on the day the fee is received: the working days from today to "
            "that day will not count (FOIA s.10(2)), and mailbot then sends the member the "
            "new date.") in said
    # The member writing is not the fee arriving: the clock stays paused (it restarted a
    # fresh 20 working days, Tue 8 Dec, as if it were a clarification).
    [update] = council.deliver(
        council.reply(ack, f"Cllr Jo Bloggs <{JO}>", "I will pay it on Monday.",
                      date=MEMBER_WRITES), now=MEMBER_WRITES)
    assert update["To"] == FOI_TEAM
    assert "the response clock is paused" in body_text(update, "plain")
    assert ("The member has written again about this case. Its clock stays paused for the "
            "fees notice: reply RESUME on the day the fee is received (the days until then do "
            "not count).") in " ".join(body_text(update, "plain").split())
    assert council.case().status == "paused"
    said = _command(council, assignment, "RESUME", MONDAY)
    assert "running again: due Monday 7 December 2026" in said
    assert "The working days from the fees notice to today do not count (FOIA s.10(2))." in said
    assert council.case().response_due == date(2026, 12, 7)
    explained = describe_case(council.app, council.case().ref) or ""
    assert ("4 working days from Wed 4 Nov 2026 to Mon 9 Nov 2026 disregarded"
            in explained)
    assert "Due: Mon 7 Dec 2026" in explained


def test_the_members_clarification_starts_a_fresh_twenty_days(council: Council) -> None:
    ack, assignment = _foi(council)
    said = _command(council, assignment, 'PAUSE "clarification: which roads"', NOTICE)
    assert ("When the member's clarification arrives, a fresh 20 working days start from "
            "that day (FOIA s.1(3))") in said
    council.deliver(council.reply(ack, f"Cllr Jo Bloggs <{JO}>", "The A-roads in Castle ward.",
                                  date=MONDAY), now=MONDAY)
    assert council.case().status == "open"
    assert council.case().response_due == date(2026, 12, 8)


def test_a_clarification_that_came_another_way_is_resumed_as_a_fresh_twenty_days(
    council: Council,
) -> None:
    # The member phoned: RESUME on the day counted the days before the pause (Mon 7 Dec),
    # a day before the Act's date.
    _, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "clarification: which roads"', NOTICE)
    said = _command(council, assignment, "RESUME", MONDAY)
    assert "running again: due Tuesday 8 December 2026" in said
    assert "a fresh 20 working days count from today (FOIA s.1(3))" in said
    assert council.case().response_due == date(2026, 12, 8)
    explained = describe_case(council.app, council.case().ref) or ""
    assert "Restarted on Mon 9 Nov 2026 by foi@council.gov.uk" in explained
    assert "Due: Tue 8 Dec 2026 (working day 20 after Mon 9 Nov 2026)." in explained


def test_any_other_wait_leaves_the_statutory_date(council: Council) -> None:
    _, assignment = _foi(council)
    said = _command(council, assignment, 'PAUSE "waiting for Highways to send the figures"',
                    NOTICE)
    assert said.startswith("Not done.")
    assert ("The statutory clock of an FOI request stops only while the council waits for "
            "the member's clarification (FOIA s.1(3)) or for a fee (FOIA s.9 fees notice)."
            in said)
    assert "still due Tuesday 1 December 2026" in said
    assert council.case().status == "open"
    assert council.case().response_due == date(2026, 12, 1)


def test_passing_a_paused_request_on_keeps_it_waiting_for_the_member(council: Council) -> None:
    _, assignment = _foi(council)
    _command(council, assignment, 'PAUSE "fees notice sent"', NOTICE)
    said = _command(council, assignment, f"REASSIGN {LEE}", MEMBER_WRITES)
    assert "stays paused until the fee is received" in said
    assert "running again" not in said
    assert council.case().status == "paused"
    assert council.case().officer_email == LEE


def test_the_foi_teams_mail_lists_the_pauses_and_the_extension_the_act_allows(
    council: Council,
) -> None:
    # It listed PAUSE "reason" (refused now but for a clarification or a fee) and no
    # EXTEND, though an EIR request may be extended under reg 7.
    _, assignment = _foi(council)
    for text in (body_text(assignment, "plain"), body_text(assignment, "html")):
        assert 'PAUSE "clarification: what is asked"' in text
        assert 'PAUSE "fees notice sent"' in text
        assert 'EXTEND 20 "EIR reg 7: complex and voluminous"' in text
        assert 'PAUSE "reason"' not in text
