"""The digest's KPIs say the same of an answer on a bank holiday as its due date does.

An enquiry received on Thursday 11 March 2027 (Wiltshire: 10 working days) is due on
Thursday 25 March. Answered on Good Friday, the 26th, it is a day late: "Answered on time
0%". The median working days to respond said 10, the target, since Good Friday is not
a working day and was not counted: on time by one figure, late by the other. An answer on
a day the clock does not count now counts on the next working day (Tuesday 30 March,
after Easter Monday), as the due date is counted: 11 working days, past the target, as
an answer on an ordinary day after its due date is. An answer on Good Friday before its
due date is on time, and within the target, by both figures. Judged by the digest queued
on Tuesday 30 March (Easter Monday moves the Monday digest).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, by_recipient, queued_digests

DOMAIN = "wiltshire.gov.uk"
JO, SAM, CHIEF = f"jo.bloggs@{DOMAIN}", f"sam.patel@{DOMAIN}", f"chief.executive@{DOMAIN}"
GOOD_FRIDAY = datetime(2027, 3, 26, 11, 0, tzinfo=UTC)
EASTER_TUESDAY = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)


def kpi_line(text: str, kind: str) -> list[str]:
    """The kind's line of the text part's KPI table: received, ack target, ack'd, target,
    on time, median."""
    table = text[text.index("Protocol KPIs"):text.index("(week beginning)")]
    [line] = [line for line in table.splitlines() if line.startswith(f"  {kind} ")]
    return line.split()[1:]


@pytest.mark.parametrize(("received", "answered", "due", "on_time", "median"), [
    # Answered on Good Friday, the day after its due date: late, 11 working days.
    (datetime(2027, 3, 11, 10, 0, tzinfo=UTC), GOOD_FRIDAY, date(2027, 3, 25), "0%", "11"),
    # Answered on an ordinary Friday, the day after its due date: the same.
    (datetime(2027, 3, 4, 10, 0, tzinfo=UTC), datetime(2027, 3, 19, 11, 0, tzinfo=UTC),
     date(2027, 3, 18), "0%", "11"),
    # Answered on Good Friday before its due date (Tuesday 30 March): on time, 10.
    (datetime(2027, 3, 12, 10, 0, tzinfo=UTC), GOOD_FRIDAY, date(2027, 3, 30), "100%", "10"),
])
def test_on_time_and_the_median_agree_on_an_answer_given_on_good_friday(
    tmp_path: Path, received: datetime, answered: datetime, due: date, on_time: str,
    median: str,
) -> None:
    with Council(
        tmp_path, mailbox=f"memberenquiries@{DOMAIN}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[digest]\nrecipients = ["{CHIEF}"]\n', mail_headers=PLAIN_UTF8,
    ) as place:
        assignment = by_recipient(place.deliver(place.mail(
            JO, "Pothole on Castle Road", "A deep one by no. 12.", cc=SAM, date=received),
            received))[SAM]
        assert place.case().response_due == due
        place.deliver(place.reply(assignment, SAM, "DONE", date=answered), answered)
        assert place.case().status == "responded"
        digest = queued_digests(place, EASTER_TUESDAY)[CHIEF]
    text = body_text(digest, "plain")
    # Received 1, ack target 2 wd, acknowledged 100%, target 10 wd, on time, median.
    assert kpi_line(text, "Enquiry") == ["1", "2", "wd", "100%", "10", "wd", on_time, median]
