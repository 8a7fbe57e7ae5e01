"""A member who writes after the pack's cutoff (Colchester: 17:00) is told the day their
mail counts from, where that moves the date: otherwise the acknowledgement says "received
on Monday 30 November" and "by Tuesday 15 December", a day later than the ten working
days the member counts from Monday.

Found by reading a simulated fortnight's acknowledgements as a councillor would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

D = "colchester.gov.uk"
JO, RHIAN, SAM = f"jo@{D}", f"rhian@{D}", f"sam@{D}"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, mailbox=f"memberenquiries@{D}", name="Colchester City Council",
        policy="colchester",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Rhian Evans", RHIAN, "Tref", "cy")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n[digest]\nenabled = false\n',
        mail_headers=PLAIN_UTF8,
    ) as place:
        yield place


def _ack(council: Council, sender: str, at: datetime, subject: str = "Pothole on Mill Lane",
         body: str = "There is a pothole on Mill Lane. Can it be filled?") -> str:
    left = council.deliver(council.mail(sender, subject, body, date=at), at)
    [ack] = [m for m in left if str(m["To"]) in (JO, RHIAN)]
    return " ".join(body_text(ack, "plain").split()) + " HTML: " + " ".join(
        body_text(ack, "html").split())


def test_after_the_cutoff_on_a_monday_the_member_is_told_it_counts_from_tuesday(
    council: Council,
) -> None:
    text = _ack(council, f"Cllr Jo Bloggs <{JO}>", datetime(2026, 11, 30, 18, 35, tzinfo=UTC))
    said = ("which we received on Monday 30 November 2026. It came after the end of the "
            "working day, so it counts as received on Tuesday 1 December 2026.")
    plain, html = text.split(" HTML: ")
    assert plain.count(said) == 1 and html.count(said) == 1
    assert "will respond by Tuesday 15 December 2026" in plain


def test_before_the_cutoff_or_on_a_friday_evening_nothing_is_added(council: Council) -> None:
    monday = _ack(council, f"Cllr Jo Bloggs <{JO}>", datetime(2026, 11, 30, 16, 55, tzinfo=UTC))
    assert "will respond by Monday 14 December 2026" in monday
    # Friday 18:00 counts from Saturday: day one is Monday either way.
    friday = _ack(council, f"Cllr Jo Bloggs <{JO}>", datetime(2026, 12, 4, 18, 0, tzinfo=UTC),
                  "Street light out", "The street light on Mill Lane is out.")
    assert "will respond by Friday 18 December 2026" in friday
    assert "end of the working day" not in monday + friday


def test_an_foi_request_has_no_cutoff_and_says_nothing_of_one(council: Council) -> None:
    text = _ack(council, f"Cllr Jo Bloggs <{JO}>", datetime(2026, 11, 30, 18, 35, tzinfo=UTC),
                "Freedom of Information request: repair costs",
                "Under the Freedom of Information Act please send me copies of the records "
                "of pothole repair costs for 2025.")
    assert "Freedom of Information Act 2000" in text
    assert "end of the working day" not in text


def test_a_welsh_member_is_told_in_welsh_too(council: Council) -> None:
    text = _ack(council, f"Cllr Rhian Evans <{RHIAN}>",
                datetime(2026, 11, 30, 18, 35, tzinfo=UTC))
    assert ("Daeth ar ôl diwedd y diwrnod gwaith, felly mae'n cyfrif fel un a ddaeth i law "
            "ar ddydd Mawrth 1 Rhagfyr 2026.") in text
    assert "so it counts as received on Tuesday 1 December 2026" in text
