"""An enquiry paused by its officer for a reason that is neither a clarification nor a
fees notice, then relabelled an FOI request, is not given a fresh 20 working days by the
member's reply. It was: the reply ended any FOI pause but a fees notice's with a restart
(FOIA s.1(3)'s, which only a clarification the council asked for gives) and sent the
member 'Thank you for clarifying your request ...'. Now, as for any FOI pause the Act does
not know (foi_pause: the officer's RESUME does the same), the reply ends it with a resume:
the paused working days are disregarded and the statutory date moves on by them, and the
member is not thanked for a clarification.

Dates: received Monday 2 November 2026 (FOI: 20 working days, Tuesday 1 December, since
St Andrew's Day, Monday 30 November, is a bank holiday in Scotland); paused Wednesday 4
November; relabelled FOI Thursday 5 November; the member writes Monday 9 November: 4, 5,
6 and 9 November disregarded, due Monday 7 December (a fresh 20 from 9 November, as
before, gave Tuesday 8 December)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import (
    FOI_TEAM,
    JO,
    JO_BLOGGS,
    REPLACES,
    SAM,
    SAM_PATEL,
    THE_FOI_TEAM,
    Member,
    acknowledged_again_once,
    opened_and_paused,
    paused_council,
)
from paused_council import words as _words

from mailbot.model import Kind
from mailbot.render import long_date
from mailbot.store.tables import ClockEventRow, OutboxRow
from mailbot.triage import relabel_case

RHIAN: Member = ("Cllr Rhian Evans", "rhian.evans@council.gov.uk", "Tref", "cy")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
RELABELLED = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
WRITES = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def _council(home: Path, policy: str = "wiltshire", name: str = "Test Council",
             member: Member = JO_BLOGGS) -> Council:
    """Sam's cases, FOI requests the FOI team's."""
    return paused_council(home, [SAM_PATEL, THE_FOI_TEAM], policy=policy, name=name,
                          members=[member], default_officer=SAM,
                          routes={"foi_team": FOI_TEAM})


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _opened_and_paused(council: Council, member: str) -> tuple[EmailMessage, EmailMessage]:
    """The member's enquiry, acknowledged, paused by Sam for their answer: (the
    acknowledgement, Sam's assignment). Not yet relabelled."""
    return opened_and_paused(
        council, member=member, subject="Potholes on Castle Road",
        body="The potholes on Castle Road are getting worse. When will they be filled?",
        received=RECEIVED, officer=SAM, reason="waiting for the member: which end of the road",
        paused=PAUSED)


def test_the_members_reply_resumes_a_relabelled_pause_without_a_fresh_20_days(
    council: Council,
) -> None:
    ack, _ = _opened_and_paused(council, JO)
    relabel_case(council.app, council.case().ref, Kind.FOI, who="admin@council.gov.uk",
                 now=RELABELLED)
    assert council.case().status == "paused"

    council.deliver(council.reply(ack, JO, "The end by the school, from the bridge to no. 40.",
                                  date=WRITES), now=WRITES)

    case = council.case()
    assert case.kind == "foi" and case.status == "open"
    assert case.response_due == date(2026, 12, 7)
    assert [r.action for r in rows(council.app, ClockEventRow)
            if r.clock == "response"] == ["pause", "resume"]
    assert rows(council.app, OutboxRow,
                OutboxRow.purpose == "clarification_received") == []


def _relabelled_and_answered(council: Council, member: str,
                             answer: str) -> tuple[EmailMessage, list[EmailMessage]]:
    """The member's enquiry, paused, relabelled FOI, and their answer: (that answer's mail,
    what left when it came)."""
    ack, _ = _opened_and_paused(council, member)
    relabel_case(council.app, council.case().ref, Kind.FOI, who="admin@council.gov.uk",
                 now=RELABELLED)
    # The member is told it is an FOI request, paused (test_the_member_is_told_...).
    assert [m for m in council.flush(RELABELLED) if m["To"] == member] != []
    reply = council.reply(ack, member, answer, date=WRITES)
    return reply, council.deliver(reply, now=WRITES)


def test_the_member_is_sent_the_statutory_date_their_reply_moved_once(
    council: Council,
) -> None:
    """The date the member was given (Tuesday 1 December) moved on by the paused days, as
    an enquiry's member is told: they are sent it in reply, once."""
    reply, out = _relabelled_and_answered(
        council, JO, "The end by the school, from the bridge to no. 40.")
    ref = council.case().ref
    [letter] = [m for m in out if m["To"] == JO]
    assert letter["In-Reply-To"] == reply.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert (f"Thank you for your reply about your request for information ({ref}), "
                "received on Monday 9 November 2026.") in text
        # The date they were really given: none since the relabel, whose acknowledgement
        # said the clock was paused and the date would follow (it asserted 'not Tuesday 1
        # December 2026 as we said', a date worked out from the request's new kind that
        # no letter ever gave them).
        assert "you will have a full response by Monday 7 December 2026." in text
        assert "as we said" not in text and "1 December" not in text
        assert "clarifying" not in text
    # The FOI team's mail: the relabelled request's assignment, and the update.
    [update] = [m for m in out if m["To"] == FOI_TEAM and "written again" in _words(m)]
    assert ("The member will be sent the new date, Monday 7 December 2026, unless the case "
            "is answered or paused again before it goes.") in _words(update)
    # Sam paused it, not the FOI team, who hold it now.
    for part in ("plain", "html"):
        assert ("The clock Sam Patel paused is running again: see the new date below."
                in _words(update, part))
        assert "you paused" not in _words(update, part)
    # The same mail read again, the member writing again: no second letter.
    assert [m for m in council.deliver(reply, now=WRITES) if m["To"] == JO] == []
    more = council.reply(letter, JO, "There is a second one by no. 20.", date=WRITES)
    assert [m for m in council.deliver(more, now=WRITES) if m["To"] == JO] == []
    [row] = rows(council.app, OutboxRow, OutboxRow.purpose == "reply_received")
    assert (row.recipients, row.status) == (JO, "sent")


def test_a_welsh_member_is_sent_the_moved_date_welsh_first(tmp_path: Path) -> None:
    rhian = RHIAN[1]
    with _council(tmp_path / "cardiff", policy="cardiff", name="Cardiff Council",
                  member=RHIAN) as cardiff:
        _, out = _relabelled_and_answered(cardiff, rhian, "Pen gogleddol y ffordd.")
        ref = cardiff.case().ref
    [update] = [m for m in out if m["To"] == FOI_TEAM and "written again" in _words(m)]
    assert "Mae'r cloc a oedwyd gan Sam Patel yn rhedeg eto" in _words(update)
    assert "a oedwyd gennych" not in _words(update)
    [letter] = [m for m in out if m["To"] == rhian]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert "Annwyl Cllr Rhian Evans" in text
        assert f"Diolch am eich ateb am eich cais am wybodaeth ({ref})" in text
        assert "erbyn dydd Llun 7 Rhagfyr 2026." in text
        assert "fel y dywedon ni" not in text and "1 Rhagfyr" not in text
        assert "Monday 7 December 2026" in text
        assert text.index("Annwyl") < text.index("Dear")


def test_the_member_is_told_it_is_an_foi_request_whose_clock_is_paused(
    council: Council,
) -> None:
    """The relabel gave the member's request the Act's clock, paused: they were sent
    nothing (the acknowledgement went again only when the date moved, and a paused case
    has none), though they had been told it was an enquiry due Monday 16 November, and the
    FOI team were told they had been told. Now they are sent the acknowledgement again,
    once: an FOI request, its clock paused, the date to follow when it runs again."""
    _opened_and_paused(council, JO)
    ref = council.case().ref
    relabel_case(council.app, ref, Kind.FOI, who="admin@council.gov.uk", now=RELABELLED)
    out = council.flush(RELABELLED)
    [ack] = [m for m in out if m["To"] == JO]
    for part in ("plain", "html"):
        text = _words(ack, part)
        assert "we are now handling it as a request for information" in text
        assert REPLACES in text
        assert "We will handle it under the Freedom of Information Act 2000" in text
        assert ("The time we have to respond (the statutory 20 working days) has been "
                "paused since Wednesday 4 November 2026, so there is no date to give you "
                "yet: the days while it is paused do not count. When it runs again, we will "
                "write to you with the date by which you will have our response.") in text
        assert "16 November" not in text and "None" not in text
        # The officer's reason is written for officers.
        assert "which end of the road" not in text
    # The FOI team's assignment says what the member was told, now true.
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    for part in ("plain", "html"):
        assert ("The member has been told the request will be handled under the FOIA, that "
                "its clock is paused, and that they will be sent the date when it runs "
                "again.") in _words(assignment, part)
    # Once: nothing more on the next flush.
    acknowledged_again_once(council, JO, RELABELLED)


def test_the_officer_s_resume_sends_the_member_the_date_they_were_promised(
    council: Council,
) -> None:
    """The acknowledgement after the relabel said the date would follow when the clock runs
    again: the FOI team's RESUME sends it (the paused days not counted), once, and their
    confirmation says so."""
    _opened_and_paused(council, JO)
    ref = council.case().ref
    relabel_case(council.app, ref, Kind.FOI, who="admin@council.gov.uk", now=RELABELLED)
    [assignment] = [m for m in council.flush(RELABELLED) if m["To"] == FOI_TEAM]
    resume = council.reply(assignment, FOI_TEAM, "RESUME", date=WRITES)
    out = council.deliver(resume, now=WRITES)
    assert council.case().response_due == date(2026, 12, 7)
    [letter] = [m for m in out if m["To"] == JO]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert f"About your request for information ({ref}): we said we would write" in text
        assert ("The time to respond was paused from Wednesday 4 November 2026 to Monday 9 "
                "November 2026, and those days do not count. It is running again, so you "
                "will have our response by Monday 7 December 2026 at the latest.") in text
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    assert ("The member will be sent the new date, Monday 7 December 2026, unless the case "
            "is answered or paused again before it goes.") in _words(confirmation)
    assert "has not been told" not in _words(confirmation)
    assert [m for m in council.deliver(resume, now=WRITES) if m["To"] == JO] == []


def test_a_welsh_member_is_told_of_the_paused_foi_request_welsh_first(tmp_path: Path) -> None:
    rhian = RHIAN[1]
    with _council(tmp_path / "cardiff", policy="cardiff", name="Cardiff Council",
                  member=RHIAN) as cardiff:
        _opened_and_paused(cardiff, rhian)
        relabel_case(cardiff.app, cardiff.case().ref, Kind.FOI, who="admin@council.gov.uk",
                     now=RELABELLED)
        out = cardiff.flush(RELABELLED)
    [ack] = [m for m in out if m["To"] == rhian]
    for part in ("plain", "html"):
        text = _words(ack, part)
        assert ("Mae'r amser sydd gennym i ymateb (y 20 diwrnod gwaith statudol) wedi'i "
                "oedi ers dydd Mercher 4 Tachwedd 2026") in text
        assert ("Pan fydd yn rhedeg eto, byddwn yn ysgrifennu atoch i ddweud erbyn pa "
                "ddyddiad y cewch ein hymateb.") in text
        assert "has been paused since Wednesday 4 November 2026" in text
        assert text.index("Annwyl") < text.index("Dear")
    [assignment] = [m for m in out if m["To"] == FOI_TEAM]
    assert ("y bydd y cais yn cael ei drin o dan FOIA, bod ei gloc wedi'i oedi, ac y bydd "
            "yn cael y dyddiad pan fydd yn rhedeg eto.") in _words(assignment)


def test_a_paused_relabel_to_a_complaint_takes_back_the_old_kind_s_date(
    tmp_path: Path,
) -> None:
    """At Colchester an important enquiry is due in 5 working days (Monday 9 November), a
    complaint in 10. Sam paused it for the member; it was relabelled a complaint. That sent
    the member nothing while paused (no date either side), and their answer's letter said
    'not Monday 16 November 2026 as we said', the complaint's date before the pause, which
    no letter gave them (3bd0d52 made it the enquiry's, 'not Monday 9 November 2026'). Now
    the relabel sends the complaint's acknowledgement, which takes the enquiry's date back
    and says the date will follow (test_complaint_relabelled_while_paused): their answer's
    letter gives the new date and quotes no old one."""
    with paused_council(tmp_path / "colchester", [SAM_PATEL], policy="colchester",
                        name="Colchester City Council", default_officer=SAM) as colchester:
        out = colchester.deliver(colchester.mail(
            JO, "Potholes on Castle Road", "The potholes on Castle Road are getting worse. "
            "When will they be filled?", date=RECEIVED, extra="Importance: high"),
            now=RECEIVED)
        [ack] = [m for m in out if m["To"] == JO]
        assert "will respond by Monday 9 November 2026" in _words(ack)
        [assignment] = [m for m in out if m["To"] == SAM]
        colchester.deliver(colchester.reply(assignment, SAM, 'PAUSE "waiting for the member: '
                                            'which end of the road"', date=PAUSED), now=PAUSED)
        relabel_case(colchester.app, colchester.case().ref, Kind.COMPLAINT,
                     who="admin@council.gov.uk", now=RELABELLED)
        [again] = [m for m in colchester.flush(RELABELLED) if m["To"] == JO]
        assert "we are now handling it as a complaint" in _words(again)
        assert "paused since Wednesday 4 November 2026" in _words(again)
        out = colchester.deliver(colchester.reply(ack, JO, "The end by the school.",
                                                  date=WRITES), now=WRITES)
        due = colchester.case().response_due
    assert due is not None
    [letter] = [m for m in out if m["To"] == JO]
    for part in ("plain", "html"):
        text = _words(letter, part)
        assert f"you will have a full response by {long_date(due)}." in text
        assert "as we said" not in text and "16 November" not in text


def test_reassign_runs_a_pause_the_act_does_not_know_and_says_why(council: Council) -> None:
    """REASSIGN keeps an enquiry's pause that waits for someone (b219abd), and an FOI
    request's held by the Act; a pause the Act does not know, kept from the enquiry, ends
    with the move: the statutory clock stops for the member's clarification or a fee only,
    and no officer could PAUSE the request for it now. The confirmation said only 'The
    response clock is running again.': now it says why. The member, told the date would
    follow, is sent it in the letter naming who has the case now."""
    _opened_and_paused(council, JO)
    relabel_case(council.app, council.case().ref, Kind.FOI, who="admin@council.gov.uk",
                 now=RELABELLED)
    [assignment] = [m for m in council.flush(RELABELLED) if m["To"] == FOI_TEAM]
    out = council.deliver(council.reply(assignment, FOI_TEAM, f"REASSIGN {SAM}",
                                        date=WRITES), now=WRITES)
    case = council.case()
    assert (case.status, case.officer_email, case.response_due) == (
        "open", SAM, date(2026, 12, 7))
    [confirmation] = [m for m in out if m["To"] == FOI_TEAM]
    assert ("The response clock is running again: an FOI request's statutory clock stops "
            "only for the member's clarification (FOIA s.1(3)) or a fee (FOIA s.9), and this "
            "pause (waiting for the member: which end of the road), set before it became an "
            "FOI request, is neither.") in _words(confirmation)
    [letter] = [m for m in out if m["To"] == JO]
    assert "will respond by Monday 7 December 2026" in _words(letter)
