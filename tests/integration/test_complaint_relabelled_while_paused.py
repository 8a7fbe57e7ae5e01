"""An enquiry paused by its officer, then relabelled a complaint, told the member nothing:
the acknowledgement went again only when the date changed (or for an FOI request), and a
paused case has no date on either side, so a member told 'Sam Patel (Highways) will
respond by Monday 16 November 2026' never heard that it is now a complaint, that its clock
is paused, or when they would hear. And the complaints team it went to was told only
'Reply by: the response clock is paused', not why, since when, or what ends it.

Now the member is sent the complaint's acknowledgement again, once: handled as a
complaint, the time to respond paused since the day it was, the date to follow when it
runs again (their reply ending the pause, or the officer's RESUME, sends it). The
complaints team's assignment says why the clock is paused, since when, what ends it, and
what the member was told.

Dates: received Monday 2 November 2026 (enquiry: 10 working days, Monday 16 November);
paused Wednesday 4 November; relabelled a complaint Thursday 5 November; the clock runs
again Monday 9 November: 4, 5, 6 and 9 November do not count, due Friday 20 November."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from helpers import Council, rows
from paused_council import (
    JO,
    REPLACES,
    SAM,
    SAM_PATEL,
    Member,
    Officer,
    acknowledged_again_once,
    opened_and_paused,
    paused_council,
)
from paused_council import words as _words

from mailbot.model import Kind
from mailbot.store.tables import OutboxRow
from mailbot.triage import relabel_case

RHIAN: Member = ("Cllr Rhian Evans", "rhian.evans@council.gov.uk", "Tref", "cy")
COMPLAINTS = "complaints@council.gov.uk"
THE_COMPLAINTS_TEAM: Officer = ("Complaints Team", COMPLAINTS, "Customer care", "", "")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
RELABELLED = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
RUNS_AGAIN = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
ADMIN = "admin@council.gov.uk"


def _council(home: Path, policy: str = "wiltshire", name: str = "Test Council",
             member: Member = ("Cllr Jo Bloggs", JO, "Castle", "en")) -> Council:
    """Sam's cases; complaints the complaints team's."""
    return paused_council(home, [SAM_PATEL, THE_COMPLAINTS_TEAM], policy=policy, name=name,
                          members=[member], default_officer=SAM,
                          routes={"complaints": COMPLAINTS})


def _relabelled(council: Council, member: str, reason: str) -> tuple[EmailMessage,
                                                                       list[EmailMessage]]:
    """The member's enquiry, acknowledged, paused by Sam for `reason`, then relabelled a
    complaint: (the first acknowledgement, what left on the relabel's flush)."""
    ack, _ = opened_and_paused(
        council, member=member, subject="Potholes on Castle Road",
        body="The potholes on Castle Road are getting worse. When will they be filled?",
        received=RECEIVED, officer=SAM, reason=reason, paused=PAUSED)
    assert "will respond by Monday 16 November 2026" in _words(ack)
    relabel_case(council.app, council.case().ref, Kind.COMPLAINT, who=ADMIN, now=RELABELLED)
    return ack, council.flush(RELABELLED)


def test_the_member_is_told_it_is_a_complaint_whose_clock_is_paused(tmp_path: Path) -> None:
    with _council(tmp_path / "wiltshire") as council:
        _, out = _relabelled(council, JO, "waiting for Highways to inspect")
        case = council.case()
        assert (case.kind, case.status, case.officer_email) == ("complaint", "paused",
                                                                 COMPLAINTS)
        [ack] = [m for m in out if m["To"] == JO]
        for part in ("plain", "html"):
            text = _words(ack, part)
            assert "we are now handling it as a complaint" in text
            assert REPLACES in text
            assert ("The time we have to respond has been paused since Wednesday 4 November "
                    "2026, so there is no date to give you yet: the days while it is paused "
                    "do not count. When it runs again, we will write to you with the date by "
                    "which you will have a full response.") in text
            assert "16 November" not in text and "None" not in text
            # The officer's reason is written for officers.
            assert "Highways" not in text
        # The complaints team's assignment: why the clock is paused, since when, what ends
        # it, and what the member was told.
        [assignment] = [m for m in out if m["To"] == COMPLAINTS]
        for part in ("plain", "html"):
            text = _words(assignment, part)
            assert ("This case has been relabelled from Enquiry to Complaint, so it is now "
                    "with you. The response clock stays paused (waiting for Highways to "
                    "inspect, since Wednesday 4 November 2026): reply RESUME when it should "
                    "run again") in text
            assert ("It waits for someone other than the member: their reply in this case's "
                    "thread will not end it.") in text
            assert ("The member has been told it is now handled as a complaint, that its "
                    "clock is paused, and that they will be sent the date when it runs "
                    "again.") in text
        # Once: nothing more to the member on the next flush.
        acknowledged_again_once(council, JO, RELABELLED)


def test_the_complaints_team_s_resume_sends_the_member_the_date(tmp_path: Path) -> None:
    with _council(tmp_path / "wiltshire") as council:
        _, out = _relabelled(council, JO, "waiting for Highways to inspect")
        ref = council.case().ref
        [assignment] = [m for m in out if m["To"] == COMPLAINTS]
        resume = council.reply(assignment, COMPLAINTS, "RESUME", date=RUNS_AGAIN)
        out = council.deliver(resume, now=RUNS_AGAIN)
        assert council.case().response_due == date(2026, 11, 20)
        [letter] = [m for m in out if m["To"] == JO]
        for part in ("plain", "html"):
            text = _words(letter, part)
            assert f"About your complaint ({ref}): we said we would write" in text
            assert ("The time to respond was paused from Wednesday 4 November 2026 to Monday 9 "
                    "November 2026, and those days do not count. It is running again, so you "
                    "will have our response by Friday 20 November 2026 at the latest.") in text
        assert [m for m in council.deliver(resume, now=RUNS_AGAIN) if m["To"] == JO] == []
        [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "pause_ended")
        assert (row.recipients, row.status) == (JO, "sent")


def test_the_member_s_answer_gives_the_date_without_an_old_one(tmp_path: Path) -> None:
    """Told the date would follow, the member's answer ending the pause (it waits for
    them) sends the new date, not 'not Monday 16 November 2026 as we said', a date the
    complaint's acknowledgement took back."""
    with _council(tmp_path / "wiltshire") as council:
        ack, _ = _relabelled(council, JO, "waiting for the member: which end of the road")
        out = council.deliver(council.reply(ack, JO, "The end by the school.",
                                            date=RUNS_AGAIN), now=RUNS_AGAIN)
        [letter] = [m for m in out if m["To"] == JO]
        for part in ("plain", "html"):
            text = _words(letter, part)
            assert "you will have a full response by Friday 20 November 2026." in text
            assert "as we said" not in text and "16 November" not in text


def test_the_director_s_acknowledgement_is_still_due_at_hackney(tmp_path: Path) -> None:
    """Hackney 11.3: the complaint's acknowledgement is the officer's, within three days;
    its response clock is paused, its acknowledgement's is not."""
    with _council(tmp_path / "hackney", policy="hackney", name="Hackney Council") as council:
        _, out = _relabelled(council, JO, "waiting for Highways to inspect")
    [ack] = [m for m in out if m["To"] == JO]
    for part in ("plain", "html"):
        text = _words(ack, part)
        assert ("will acknowledge it by Thursday 5 November 2026, saying whether action will "
                "be taken or how long an investigation needs.") in text
        assert "The time we have to respond has been paused since Wednesday 4 November" in text
        assert "will respond by" not in text and "None" not in text


def test_a_welsh_member_is_told_of_the_paused_complaint_welsh_first(tmp_path: Path) -> None:
    rhian = RHIAN[1]
    with _council(tmp_path / "cardiff", policy="cardiff", name="Cardiff Council",
                  member=RHIAN) as cardiff:
        _, out = _relabelled(cardiff, rhian, "waiting for Highways to inspect")
    [ack] = [m for m in out if m["To"] == rhian]
    for part in ("plain", "html"):
        text = _words(ack, part)
        assert ("Mae'r amser sydd gennym i ymateb wedi'i oedi ers dydd Mercher 4 Tachwedd "
                "2026, felly nid oes dyddiad i'w roi i chi eto") in text
        assert ("Pan fydd yn rhedeg eto, byddwn yn ysgrifennu atoch i ddweud erbyn pa "
                "ddyddiad y cewch ymateb llawn.") in text
        assert "The time we have to respond has been paused since Wednesday 4" in text
        assert "None" not in text
        assert text.index("Annwyl") < text.index("Dear")
    [assignment] = [m for m in out if m["To"] == COMPLAINTS]
    text = _words(assignment)
    assert "Mae'r cloc ymateb yn dal wedi'i oedi (waiting for Highways to inspect, ers" in text
    assert "bod ei gloc wedi'i oedi, ac y bydd yn cael y dyddiad pan fydd yn rhedeg eto" in text


def test_the_foi_team_is_told_why_the_relabelled_request_is_paused(tmp_path: Path) -> None:
    """The FOI team handed a paused enquiry as an FOI request was told only that the clock
    is paused: now why, since when, and that this pause, not one of the Act's stops, is
    ended by the member's reply too."""
    foi = "foi@council.gov.uk"
    with paused_council(tmp_path / "wiltshire",
                        [SAM_PATEL, ("FOI Team", foi, "Information governance", "", "")],
                        default_officer=SAM, routes={"foi_team": foi}) as council:
        opened_and_paused(
            council, member=JO, subject="Potholes on Castle Road",
            body="The potholes on Castle Road are getting worse. When will they be filled?",
            received=RECEIVED, officer=SAM, reason="waiting for Highways to inspect",
            paused=PAUSED)
        relabel_case(council.app, council.case().ref, Kind.FOI, who=ADMIN, now=RELABELLED)
        [assignment] = [m for m in council.flush(RELABELLED) if m["To"] == foi]
    for part in ("plain", "html"):
        text = _words(assignment, part)
        assert ("so it is now with you. The response clock stays paused (waiting for "
                "Highways to inspect, since Wednesday 4 November 2026): reply RESUME when it "
                "should run again") in text
        assert ("It is not one of the Act's stops (it was set before this became an FOI "
                "request), so the member's reply in this case's thread ends it too.") in text
