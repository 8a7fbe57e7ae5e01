"""A PAUSE that names the person the member wrote about waits for the member's side.

'waiting for proof of ID from Mr Brown' on a case the member opened with 'My constituent
Mr Brown ...' was read as waiting for someone other than the member (a name there is
someone's): the member's answer, passing on what Mr Brown sent, left the clock paused, the
member was sent no new date, and the officer was told the pause waited for someone else.
Now the name is looked for in the member's own mail on the case: there, it is the member's
side, and the member's reply ends the pause as for 'the resident'; a name the member did
not write about is read as before. On a subject access request, proof of ID is the
requester's to give, so 'waiting for proof of ID' waits for the member's side.

Dates as test_pause_for_the_resident: an enquiry (Wiltshire, 10 working days) received
Monday 14 December 2026, due Wednesday 30 December; paused Wednesday 16 December; the
member answers on Friday 18 December: due Tuesday 5 January 2027."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, rows
from paused_council import ANN as LEE
from paused_council import (
    ANN_LEE,
    DANA,
    SAM,
    SAM_PATEL,
    command,
    opened,
    paused_council,
    sams_council,
)
from paused_council import words as _words
from test_pause_for_the_resident import PAUSED, RECEIVED, WRITES, answer_ends_the_pause
from test_subject_access_reminders import SAR, SENT, SUBJECT, WELSH_SAR, text_of
from test_subject_access_reminders import council as sar_council

from mailbot.store.tables import OutboxRow

ENDS_IT = ("If they reply in this case's thread, the clock runs again and mailbot sends them "
           "the new date.")


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with sams_council(tmp_path / "council") as made:
        yield made


def _paused(council: Council, body: str, reason: str) -> tuple[EmailMessage, str]:
    """The member's mail opens the case; its officer pauses it: the member's
    acknowledgement and the PAUSE's confirmation."""
    ack, assignment = opened(council, member=LEE, subject="Missed bin collection", body=body,
                             received=RECEIVED, officer=SAM)
    said, _ = command(council, assignment, SAM, f'PAUSE "{reason}"', PAUSED)
    return ack, said


@pytest.mark.parametrize(("body", "reason"), [
    ("My constituent Mr Brown of 12 Elm Road has asked me why his bin was not emptied on "
     "Tuesday.", "waiting for proof of ID from Mr Brown"),
    ("I am writing on behalf of Mrs Jones, whose bin has been missed three weeks running.",
     "awaiting Mrs Jones's reply"),
    ("Ms Priya Patel, a tenant at Oak Court, says the communal bins were not emptied.",
     "asked Ms Patel for her tenancy number"),
    ("Mae fy etholwr Mr Brown wedi gofyn i mi pam na chafodd ei fin ei wagio ddydd Mawrth.",
     "aros am brawf adnabod gan Mr Brown"),
])
def test_the_member_s_answer_ends_a_pause_for_the_person_they_wrote_about(
    council: Council, body: str, reason: str,
) -> None:
    ack, confirmation = _paused(council, body, reason)
    assert ENDS_IT in confirmation
    assert "someone other than the member" not in confirmation

    answer_ends_the_pause(
        council, ack, "They have sent me what you asked for: it is attached below.")


def test_a_name_the_member_did_not_write_about_is_still_someone_else(
    council: Council,
) -> None:
    ack, confirmation = _paused(council, "The bins in Elm Road were not emptied on Tuesday.",
                                "waiting for proof of ID from Mr Brown")
    assert ("This pause waits for someone other than the member: their reply in this case's "
            "thread will not end it.") in confirmation

    out = council.deliver(council.reply(ack, LEE, "Any luck with this one? It's number 12.",
                                        date=WRITES), now=WRITES)

    assert council.case().status == "paused"
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "reply_received") == []
    [update] = [m for m in out if m["To"] == SAM]
    assert ("The clock stays paused: the pause waits for someone other than the member"
            in _words(update))


def test_a_later_mail_of_the_member_names_the_person(council: Council) -> None:
    """The person may be named in the member's mail in the thread, not the first one."""
    ack, assignment = opened(council, member=LEE, subject="Missed bin collection",
                             body="The bins in Elm Road were not emptied on Tuesday.",
                             received=RECEIVED, officer=SAM)
    council.deliver(council.reply(ack, LEE, "It is my constituent Mr Brown at number 12 who "
                                  "asked me.", date=RECEIVED + timedelta(hours=1)),
                    now=RECEIVED + timedelta(hours=1))
    said, _ = command(council, assignment, SAM, 'PAUSE "asked Mr Brown when it was last '
                      'emptied"', PAUSED)
    assert ENDS_IT in said
    council.deliver(council.reply(ack, LEE, "Mr Brown says it was last emptied on 24 "
                                  "November.", date=WRITES), now=WRITES)
    assert council.case().status == "open"


@pytest.mark.parametrize(("pack", "sender", "body", "reason"), [
    ("wiltshire", "Cllr Ann Lee <ann@wiltshire.gov.uk>", SAR, "waiting for proof of ID"),
    ("wiltshire", "Cllr Ann Lee <ann@wiltshire.gov.uk>", SAR,
     "awaiting Mrs Smith's proof of identity"),
    ("cardiff", "Cllr Rhian Evans <rhian@cardiff.gov.uk>", WELSH_SAR, "aros am brawf adnabod"),
])
def test_proof_of_id_on_a_subject_access_request_waits_for_the_requester(
    tmp_path: Path, pack: str, sender: str, body: str, reason: str,
) -> None:
    with sar_council(tmp_path, pack=pack) as place:
        address = sender.split("<")[1].rstrip(">")
        out = place.deliver(place.mail(sender, SUBJECT, body, date=SENT), SENT)
        case = place.case()
        assert case.subject_access
        holder = case.officer_email or ""
        [ack] = [m for m in out if m["To"] == address]
        [assignment] = [m for m in out if str(m["To"]).endswith(holder)]
        paused = SENT + timedelta(hours=1)
        out = place.deliver(place.reply(assignment, holder, f'PAUSE "{reason}"', date=paused),
                            paused)
        [confirmation] = [m for m in out if str(m["To"]).endswith(holder)]
        assert "someone other than the member" not in text_of(confirmation)
        assert "cannot tell from the reason" not in text_of(confirmation)
        later = SENT + timedelta(days=3)
        place.deliver(place.reply(ack, sender, "Her passport copy is attached.", date=later),
                      later)
        assert place.case(case.ref).status == "open"


def test_an_officer_the_member_names_is_not_one_they_write_for(tmp_path: Path) -> None:
    """'Dana Reed asked me to pass this on' put the council's own officer where a
    resident's name stands: a PAUSE 'waiting for Dana Reed to confirm the budget' was then
    read as the member's side, and the member's next mail ended it. A name an officer in
    officers.csv has, given whole, is not one the member writes for."""
    with paused_council(
        tmp_path / "council", [SAM_PATEL, ("Dana Reed", DANA, "Finance", "", "")],
        members=[ANN_LEE], default_officer=SAM,
    ) as council:
        ack, confirmation = _paused(
            council, "Dana Reed asked me to pass this on: the bus shelter on Mill Lane has "
            "lost its roof.", "waiting for Dana Reed to confirm the budget")
        assert "This pause waits for someone other than the member" in confirmation
        council.deliver(council.reply(ack, LEE, "Here are two photos of the shelter.",
                                      date=WRITES), now=WRITES)
        assert council.case().status == "paused"
