"""Officers an out-of-office names by name alone (mailbot/officer_names.py)."""

from __future__ import annotations

from mailbot.directory import Officer
from mailbot.officer_names import name_forms, officers_named_in

SAM = Officer("Sam Patel", "sam.patel@council.gov.uk")
LEE = Officer("Wong, Lee", "lee.wong@council.gov.uk")
CHRIS = Officer("Chris Hall", "chris.hall@council.gov.uk")
SOLO = Officer("Highways", "highways@council.gov.uk")
OFFICERS = [SAM, LEE, CHRIS, SOLO]


def test_a_surname_first_name_is_found_either_way_round() -> None:
    assert name_forms("Wong, Lee") == ["Wong, Lee", "Lee Wong"]
    assert name_forms("Highways") == []  # one word: too common to be a person


def test_whole_names_in_any_case_and_spacing_but_not_inside_a_longer_word() -> None:
    note = "Please contact LEE\nWONG, or Chris Hallam in Planning. Highways can help."
    assert officers_named_in(note, OFFICERS, SAM.email) == [LEE.email]


def test_the_absent_officer_signing_their_note_is_not_named() -> None:
    assert officers_named_in("On leave.\n\nSam Patel", OFFICERS, SAM.email) == []
