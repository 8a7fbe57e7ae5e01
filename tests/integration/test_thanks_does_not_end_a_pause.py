"""A member who only says thank you in the case's thread ("Thanks!", in reply to the
acknowledgement) has not answered the question the officer paused the clock for: the
pause stands, the member is not sent a letter about a pause they were never told of
("The time to respond was paused ... so you will have a full response by ..."), and the
officer is not told the clock runs again. A real answer still ends the pause. Read as the
case row and the mail that left.

Dates by hand: enquiry received Mon 2 Nov 2026 (10 working days, due Mon 16 Nov), paused
Wed 4 Nov; thanks Thu 5 Nov; the answer Mon 9 Nov moves the date to Fri 20 Nov."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from helpers import PLAIN_UTF8, Council

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
THANKED = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def test_a_thank_you_leaves_the_pause_and_a_real_answer_ends_it(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        out = council.deliver(council.mail(
            JO, "Pothole on Castle Road",
            "Please could someone look at the deep pothole on Castle Road.", date=RECEIVED),
            RECEIVED)
        [ack] = [m for m in out if m["To"] == JO]
        [assignment] = [m for m in out if m["To"] == SAM]
        council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the member: '
                                      'which end of the road"', date=PAUSED), PAUSED)
        thanks = council.deliver(council.reply(ack, JO, "Thanks!", date=THANKED), THANKED)
        still = council.case()
        answer = council.deliver(council.reply(ack, JO, "It is the north end, by no. 12.",
                                               date=ANSWERED), ANSWERED)
        ended = council.case()
    assert thanks == []
    assert (still.status, still.response_due) == ("paused", None)
    assert (ended.status, ended.response_due) == ("open", date(2026, 11, 20))
    assert sorted(m["To"] for m in answer) == [JO, SAM]
