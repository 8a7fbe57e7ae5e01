"""Which time decides the receipt day (docs/deadlines.md, "Counting"): the member's Date
header, in whatever UTC offset their client wrote it, when it is believable (not in the
future, not more than 7 days before mailbot read the message); otherwise the time mailbot
read it. Real mail through the pipeline, with the dates checked against the independent
reckoner (tests/deadline_oracle.py) and against what the acknowledgement says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import deadline_oracle as oracle
import pytest
from helpers import Council, body_text, by_recipient

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"


def council(home: Path, pack: str) -> Council:
    return Council(
        home, name="Test Council", mailbox=MAILBOX, policy=pack,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def raw_mail(date_header: str) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{JO}>\r\nTo: {MAILBOX}\r\nSubject: Pothole on Castle Street\r\n"
        f"Message-ID: <dated@test.example>\r\nDate: {date_header}\r\n\r\n"
        "Please could you look into the pothole on Castle Street.\r\n"
    ).encode()


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# (Date header, when mailbot read it, the time that should count)
BELIEVED = [
    # Thursday evening in New York is Friday 01:30 in London; read on Monday after the
    # daemon was down all weekend: counted from Friday.
    ("Thu, 10 Dec 2026 20:30:00 -0500", utc(2026, 12, 14, 9), None),
    # 02:30 in Paris on the morning the clocks go forward: 00:30 GMT, still Sunday.
    ("Sun, 28 Mar 2027 02:30:00 +0200", utc(2027, 3, 28, 9), None),
    # 23:30 UTC on the Saturday before the clocks go back is 00:30 BST on Sunday.
    ("Sat, 30 Oct 2027 23:30:00 +0000", utc(2027, 10, 31, 9), None),
    # The last second of the day before a substitute bank holiday (Mon 27 Dec 2027).
    ("Fri, 24 Dec 2027 23:59:59 +0000", utc(2027, 12, 24, 23, 59, 59), None),
    # Leap day, at its first second and, from Sydney, its last.
    ("Tue, 29 Feb 2028 00:00:00 +0000", utc(2028, 2, 29, 0, 1), None),
    ("Wed, 01 Mar 2028 10:59:59 +1100", utc(2028, 3, 1, 9), None),
]
NOT_BELIEVED = [
    # A Date in the future (a client's clock a month fast): when it was read.
    ("Fri, 01 Jan 2027 10:00:00 +0000", utc(2026, 12, 14, 9), utc(2026, 12, 14, 9)),
    # More than 7 days before it was read: when it was read.
    ("Mon, 23 Nov 2026 10:00:00 +0000", utc(2026, 12, 4, 15), utc(2026, 12, 4, 15)),
]


@pytest.mark.parametrize("pack", ["wiltshire", "colchester"])
@pytest.mark.parametrize(("header", "read", "counts"), BELIEVED + NOT_BELIEVED)
def test_the_receipt_day_is_the_believable_date_header_else_when_read(
    tmp_path: Path, pack: str, header: str, read: datetime, counts: datetime | None
) -> None:
    counted = counts or parsedate_to_datetime(header)
    with council(tmp_path, pack) as it:
        left = by_recipient(it.deliver(raw_mail(header), now=read))
        case = it.case()
        assert case.received_at == counted
        rules = oracle.PACKS[pack]
        ack = oracle.due(rules, "enquiry", "normal", counted, "ack")
        response = oracle.due(rules, "enquiry", "normal", counted, "response")
        assert (case.ack_due, case.response_due) == (ack, response)
        assert response is not None
        text = " ".join(body_text(left[JO], "plain").split())
        london_day = counted.astimezone(oracle.LONDON).date()
        assert f"received on {long_day(london_day)}" in text
        assert f"respond by {long_day(response)}" in text


def test_a_weekend_outage_does_not_move_fridays_date(tmp_path: Path) -> None:
    """The same Friday message read at once and read on Monday: the same dates."""
    header = "Fri, 11 Dec 2026 16:00:00 +0000"
    dates = []
    for read in (utc(2026, 12, 11, 16, 5), utc(2026, 12, 14, 8)):
        with council(tmp_path / read.strftime("%d"), "colchester") as it:
            it.deliver(raw_mail(header), now=read)
            dates.append((it.case().ack_due, it.case().response_due))
    assert dates[0] == dates[1] == (date(2026, 12, 14), date(2026, 12, 29))
