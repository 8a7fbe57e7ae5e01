"""The officer a complaint is about is found however officers.csv writes their name and
however a member types it: 'Patel, Sam' (as Outlook's address book shows it, and as the
out-of-office reading already accepts), a title ('Dr Lee Wong'), and a name with accents
typed without them ('Sian O Briain' for 'Siân Ó Briain'). Otherwise the complaint went to
the complaints team like any other, and the officer was shown its subject in the lists of
the member's other cases. Read as the case's officer."""

from __future__ import annotations

from pathlib import Path

import pytest
from complaint_council import at, complain, complaint_council

PAT, COMPLAINTS = at("pat"), at("complaints")


@pytest.mark.parametrize(("listed", "written"), [
    ("Patel, Sam", "Sam Patel"),
    ("Dr Sam Patel", "Sam Patel"),
    ("Siân Ó Briain", "Sian O Briain"),
    ("Sian O Briain", "Siân Ó Briain"),
    ("Siân O'Briain", "Sian O\u2019Briain"),  # a phone's curly apostrophe
])
def test_the_officer_named_is_found_as_officers_csv_writes_them(
    tmp_path: Path, listed: str, written: str
) -> None:
    with complaint_council(tmp_path, officers=[(listed, at("sam"), "Highways", PAT, ""),
                                               ("Pat Moss", PAT, "Place", "", "")]) as council:
        complain(council, "Complaint about an officer",
                 f"I wish to make a formal complaint about {written}, who was rude to my "
                 "constituent on the phone and put the phone down on her.")
        case = council.case()
        [about] = council.events("complaint about an officer")
    assert (case.kind, case.officer_email) == ("complaint", PAT)
    assert about.detail == at("sam")


def test_an_officer_in_the_members_signature_is_not_complained_about(tmp_path: Path) -> None:
    # A cabinet member signs with their PA's name and address: a complaint about the bins
    # is not a complaint about the PA, and goes to the complaints team as before.
    with complaint_council(tmp_path, officers=[
            ("Ann Kerr", at("ann"), "Member services", PAT, ""),
            ("Pat Moss", PAT, "Democratic services", "", "")]) as council:
        complain(council, "Complaint about missed bins",
                 "I wish to make a formal complaint: the bins on Castle Road have been missed "
                 "three weeks running.\n\nKind regards\nCllr Jo Bloggs\nCabinet Member for "
                 f"Waste\nPA: Ann Kerr, {at('ann')}, 01632 960000")
        case = council.case()
        named = council.events("complaint about an officer")
    assert (case.kind, case.officer_email) == ("complaint", COMPLAINTS)
    assert named == []
