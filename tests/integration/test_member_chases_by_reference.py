"""A councillor chases a case in a new mail, naming its reference in the text as the
acknowledgement gave it ("Any update on MB-2026-00001 please?"), under a subject of their
own. That is the case's follow-up: its officer is told, and the member is not sent a new
acknowledgement with a second reference for the same matter. A reference that is not the
member's own case, or only in quoted mail, opens a case as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, council_with_sam, rows

from mailbot.store.tables import CaseRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 30, 9, 40, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
RHIAN = "Cllr Rhian Evans <rhian@wiltshire.gov.uk>"


@pytest.fixture
def jo_asked(tmp_path: Path) -> Iterator[tuple[Council, str]]:
    """Wiltshire, with Jo's enquiry of Monday open with Sam; and its reference."""
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, "Hedge on Elm Road",
                           "The hedge on Elm Road is blocking the pavement, could it be cut?",
                           date=MONDAY), MONDAY)
        yield it, it.case().ref


@pytest.mark.parametrize("body", [
    "Hi, any update on {ref} please?\r\n\r\nJo\r\n\r\nSent from my iPhone",
    "Could I have an update on my enquiry ({ref})? The resident has asked again.",
])
def test_a_chaser_naming_the_reference_goes_to_its_case(
    jo_asked: tuple[Council, str], body: str
) -> None:
    it, ref = jo_asked
    left = it.deliver(it.mail(JO, "Any update?", body.format(ref=ref), date=NEXT_MONDAY),
                      NEXT_MONDAY)

    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert str(left[0]["Subject"]).startswith("Update: ")
    assert [case.ref for case in rows(it.app, CaseRow)] == [ref]


def test_another_members_reference_opens_a_case_of_their_own(
    jo_asked: tuple[Council, str],
) -> None:
    it, ref = jo_asked
    left = it.deliver(it.mail(RHIAN, "Hedge", f"Is {ref} about the hedge by my house too?",
                              date=NEXT_MONDAY), NEXT_MONDAY)

    assert sorted(str(m["To"]) for m in left) == ["rhian@wiltshire.gov.uk",
                                                  "sam@wiltshire.gov.uk"]
    assert len(rows(it.app, CaseRow)) == 2


def test_a_reference_only_in_forwarded_mail_opens_a_case(
    jo_asked: tuple[Council, str],
) -> None:
    it, ref = jo_asked
    forward = (
        "Please could someone look at the drain on Mill Lane.\r\n\r\n"
        "---------- Forwarded message ---------\r\n"
        "From: Pat Resident <pat@example.net>\r\nDate: Sun, 29 Nov 2026 at 19:02\r\n"
        "Subject: Drain\r\nTo: <jo@wiltshire.gov.uk>\r\n\r\n"
        f"The council's email about the hedge said {ref}; now the drain is blocked.\r\n"
    )
    left = it.deliver(it.mail(JO, "Fwd: Drain", forward, date=NEXT_MONDAY), NEXT_MONDAY)

    assert len(left) == 2
    assert len(rows(it.app, CaseRow)) == 2


def test_a_chaser_typing_the_reference_without_its_zeros_goes_to_its_case(
    jo_asked: tuple[Council, str],
) -> None:
    # Bug: "MB-2026-1", the reference typed by hand from the acknowledgement, was not read
    # as one: the chaser opened a second case and Jo was acknowledged again.
    it, ref = jo_asked
    assert ref == "MB-2026-00001"
    left = it.deliver(it.mail(JO, "Hedge", "Any news on mb-2026-1 please?", date=NEXT_MONDAY),
                      NEXT_MONDAY)

    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert [case.ref for case in rows(it.app, CaseRow)] == [ref]
