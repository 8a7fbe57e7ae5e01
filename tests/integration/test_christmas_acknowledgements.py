"""The acknowledgement's date over Christmas and New Year, at an English council (Wiltshire's
pack, no cutoff, 10 working days) and a Scottish one (tests/data's Strathmore pack: 17:00
cutoff, 15 working days), each with its closure declared as Thursday 24 December 2026 to
Friday 1 January 2027. Mail arriving on 23 December at 17:30, on Christmas Day, on 31
December and on Saturday 2 January all counts from the first working day after the
closure: Monday 4 January in England, Tuesday 5 January in Scotland (2 January's
substitute bank holiday is Monday 4). The acknowledgement goes at once, whatever the day
(the member learns their mail arrived), says the closure is not counted, and nothing goes
to the officer on a closed day but the assignment. Counted by hand; read as the mail that left."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text

SCOTTISH = DATA / "pack_scotland_foisa_two_stage_complaints.toml"
CLOSURE = (
    "[policy.calendar]\n"
    'closures = [{ start = 2026-12-24, end = 2027-01-01, name = "Christmas closure" }]\n'
)
ARRIVALS = [
    datetime(2026, 12, 23, 17, 30, tzinfo=UTC),  # Wednesday, after a 17:00 cutoff
    datetime(2026, 12, 25, 11, 0, tzinfo=UTC),  # Christmas Day
    datetime(2026, 12, 31, 15, 0, tzinfo=UTC),  # closure day, New Year's Eve
    datetime(2027, 1, 2, 9, 0, tzinfo=UTC),  # Saturday 2 January
]
# England: day one Mon 4 Jan, tenth working day Fri 15 Jan. Scotland: day one Tue 5 Jan,
# fifteenth working day Mon 25 Jan.
COUNCILS = {
    "wiltshire": ("wiltshire", "Wiltshire Council", "Friday 15 January 2027"),
    "strathmore": (str(SCOTTISH), "Strathmore and Glen Council", "Monday 25 January 2027"),
}


@pytest.mark.parametrize("arrived", ARRIVALS, ids=lambda d: f"{d:%d %b %H:%M}")
@pytest.mark.parametrize("where", sorted(COUNCILS))
def test_mail_over_christmas_is_acknowledged_at_once_with_the_date_after_the_closure(
    tmp_path: Path, where: str, arrived: datetime
) -> None:
    policy, name, due = COUNCILS[where]
    domain = f"{where}.gov.uk"
    member, officer = f"jo@{domain}", f"sam@{domain}"
    with Council(
        tmp_path, name=name, policy=policy, mailbox=f"memberenquiries@{domain}",
        members=[("Cllr Jo Bloggs", member, "Castle", "en")],
        officers=[("Sam Patel", officer, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{officer}"\n{CLOSURE}',
    ) as council:
        out = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{member}>", "Streetlight out on Mill Lane",
            "The street light outside number 4 has been out for a week.", date=arrived,
        ), arrived)
        assert sorted(str(m["To"]) for m in out) == [member, officer]
        ack = next(m for m in out if str(m["To"]) == member)
        text = " ".join(body_text(ack, "plain").split())
        assert f"will respond by {due}." in text
        # Why so late: the closure, said in the letter (it was not, and the member was left
        # to wonder at a date three weeks away); not once it is over (2 January).
        closed = ("The council's offices are closed (Christmas closure) from Thursday 24 "
                  "December 2026 to Friday 1 January 2027: those days are not counted.")
        html = " ".join(body_text(ack, "html").split())
        over = arrived.date() > date(2027, 1, 1)
        assert (closed in text, closed in html) == (not over, not over)
        # Counted from the same day with or without the cutoff: nothing said of it.
        assert "after the end of the working day" not in text
        year = arrived.year
        assert council.case().ref == f"MB-{year}-00001"


def test_a_welsh_member_is_told_of_the_closure_in_welsh(tmp_path: Path) -> None:
    with Council(
        tmp_path, name="Cardiff Council", policy="cardiff",
        mailbox="memberenquiries@cardiff.gov.uk",
        members=[("Cllr Rhian Evans", "rhian@cardiff.gov.uk", "Tref", "cy")],
        officers=[("Sam Patel", "sam@cardiff.gov.uk", "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "sam@cardiff.gov.uk"\n{CLOSURE}',
    ) as council:
        out = council.deliver(council.mail(
            "Cllr Rhian Evans <rhian@cardiff.gov.uk>", "Golau stryd",
            "Mae'r golau stryd y tu allan i rif 4 wedi diffodd ers wythnos.",
            date=ARRIVALS[1]), ARRIVALS[1])
        ack = next(m for m in out if str(m["To"]) == "rhian@cardiff.gov.uk")
        text = " ".join(body_text(ack, "plain").split())
        assert ("Mae swyddfeydd y cyngor ar gau (Christmas closure) o ddydd Iau 24 Rhagfyr 2026 "
                "i ddydd Gwener 1 Ionawr 2027: nid yw'r dyddiau hynny'n cael eu cyfrif.") in text
        assert text.index("Mae swyddfeydd") < text.index("The council's offices are closed")
