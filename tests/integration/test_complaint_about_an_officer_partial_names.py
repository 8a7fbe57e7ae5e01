"""A member seldom writes an officer's full name in a complaint: 'Mr Patel', 'Dr Patel',
'S. Patel'. Those were not taken as naming Sam Patel, so the complaint went to the
complaints team and Sam later saw 'Complaint about Mr Patel's attitude' in the list of
the member's other cases. A title or an initial with the surname now names the one
officer in officers.csv with that surname (the initial matching their first name); when
two officers share it, mailbot does not guess (the complaints route has it) but lists it
to each of them by reference only. A first name alone still names nobody."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from complaint_council import RECEIVED, complain, complaint_council, words
from helpers import Council, rows

from mailbot.complained_about import COMPLAINT_ABOUT
from mailbot.store.tables import EventRow

D = "wiltshire.gov.uk"
SUBJECT = "Complaint about {who}'s attitude"
TEXT = ("I wish to make a formal complaint about {who}, who was rude and dismissive to my "
        "constituent on the phone on Monday and put the phone down on her.")


def _council(home: Path, *, two_patels: bool = False) -> Council:
    officers = [
        ("Sam Patel", f"sam@{D}", "Highways", f"pat@{D}", ""),
        ("Lee Wong", f"lee@{D}", "Highways", f"pat@{D}", ""),
        ("Pat Moss", f"pat@{D}", "Place", "", ""),
    ]
    if two_patels:
        officers.append(("Raj Patel", f"raj@{D}", "Housing", "", ""))
    return complaint_council(home, officers=officers, default_officer=f"lee@{D}")


def _complain(council: Council, who: str) -> None:
    complain(council, SUBJECT.format(who=who), TEXT.format(who=who))


def _enquiry_to(council: Council, officer: str) -> EmailMessage:
    """The assignment of the member's next mail, copied to `officer`: it lists the
    member's other open cases."""
    street = officer.split("@")[0].title()
    out = council.deliver(council.mail(
        f"Cllr Jo Bloggs <jo@{D}>", f"Pothole on {street} Road",
        f"Please could someone look at the pothole outside no. 12 {street} Road?",
        cc=officer, date=RECEIVED), RECEIVED)
    [assignment] = [m for m in out if m["To"] == officer]
    return assignment


@pytest.mark.parametrize("who", ["Mr Patel", "Mrs Patel", "Ms Patel", "Miss Patel",
                                 "Dr Patel", "Mr. Patel", "S. Patel", "S Patel"])
def test_a_title_or_initial_and_surname_names_the_officer(tmp_path: Path, who: str) -> None:
    with _council(tmp_path) as council:
        _complain(council, who)
        complaint = council.case()
        about = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
        to_sam = _enquiry_to(council, f"sam@{D}")
    assert (complaint.kind, complaint.officer_email) == ("complaint", f"pat@{D}")
    assert [event.detail for event in about] == [f"sam@{D}"]
    text = words(to_sam)
    assert complaint.ref in text and "attitude" not in text


@pytest.mark.parametrize("who", ["Sam", "R. Patel", "Patel"])
def test_a_first_name_a_wrong_initial_or_a_bare_surname_names_nobody(
    tmp_path: Path, who: str
) -> None:
    with _council(tmp_path) as council:
        _complain(council, who)
        complaint = council.case()
        about = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
    assert complaint.officer_email == f"complaints@{D}"
    assert about == []


def test_two_officers_with_the_surname_are_not_guessed_but_neither_sees_it(
    tmp_path: Path
) -> None:
    with _council(tmp_path, two_patels=True) as council:
        _complain(council, "Mr Patel")
        complaint = council.case()
        about = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
        to_sam = _enquiry_to(council, f"sam@{D}")
        to_raj = _enquiry_to(council, f"raj@{D}")
        to_lee = _enquiry_to(council, f"lee@{D}")
    assert complaint.officer_email == f"complaints@{D}"
    assert about == []
    for mail in (to_sam, to_raj):
        text = words(mail)
        assert complaint.ref in text and "attitude" not in text
    assert "Complaint about Mr Patel's attitude" in words(to_lee)
