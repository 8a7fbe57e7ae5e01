"""A member's complaint about an officer's conduct goes where the protocol says, not to
the complaints team and never to the officer complained about: Wiltshire 16.2 ("the
individual's relevant Director"), Colchester 10(5) (the relevant Head of Service),
Cardiff 'Conduct and Effectiveness' (the Corporate Director for the officer's service
area). mailbot reads "the relevant Director" as the head of the named officer's
management line in officers.csv. Merseyside's complaints route is already its Director
(13.3), so its pack keeps that route. The officer named is found by their full name or
address in the member's own words (not in a quoted thread)."""

from __future__ import annotations

from pathlib import Path

from complaint_council import RECEIVED, at, complain, complaint_council, words
from helpers import Council, rows

from mailbot.store.tables import EventRow

RUDE = ("I wish to make a formal complaint about Sam Patel, who was rude and dismissive "
        "to my constituent on the phone on Monday and put the phone down on her. This is "
        "not how the council should treat residents and I expect it to be looked into.")


def _council(home: Path, policy: str) -> Council:
    """Sam Patel and Lee Wong (each the other's deputy) under Dana Reed, Highways, under
    Pat Moss, the Director of Place; Lee the default officer."""
    def a(local: str) -> str:
        return at(local, policy)

    return complaint_council(
        home, policy=policy, welsh_member=True, default_officer=a("lee"),
        officers=[("Sam Patel", a("sam"), "Highways", a("dana"), a("lee")),
                  ("Lee Wong", a("lee"), "Highways", a("dana"), a("sam")),
                  ("Dana Reed", a("dana"), "Highways", a("pat"), ""),
                  ("Pat Moss", a("pat"), "Place", "", "")],
    )


def test_a_complaint_about_an_officer_goes_to_their_director(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as council:
        out = complain(council, "Complaint about an officer", RUDE)
        case = council.case()
        events = rows(council.app, EventRow, EventRow.action == "assigned")
    assert (case.kind, case.officer_email) == ("complaint", "pat@wiltshire.gov.uk")
    recipients = [m["To"] for m in out]
    assert "sam@wiltshire.gov.uk" not in recipients
    assert "complaints@wiltshire.gov.uk" not in recipients
    [assignment] = [m for m in out if m["To"] == "pat@wiltshire.gov.uk"]
    text = words(assignment)
    assert "Sam Patel" in text and "head of their management line" in text
    assert "Sam Patel" in events[-1].detail


def test_a_complaint_naming_nobody_keeps_the_complaints_route(tmp_path: Path) -> None:
    with _council(tmp_path, "wiltshire") as council:
        complain(council, "Complaint about the bins",
                  "I wish to make a formal complaint: the bins on Castle Road have been "
                  "missed three weeks running and nobody has answered my residents' calls.")
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "complaints@wiltshire.gov.uk")


def test_an_officer_named_in_the_quoted_thread_only_is_not_complained_about(
    tmp_path: Path
) -> None:
    text = ("I wish to make a formal complaint: the bins on Castle Road have been missed "
            "three weeks running and nobody has answered my residents' calls.\n\n"
            "-----Original Message-----\nFrom: Sam Patel <sam@wiltshire.gov.uk>\n"
            "Sent: 20 October 2026 09:00\nSubject: Bins\n\nDear Cllr Bloggs, I have passed "
            "this on to the waste team.\nSam Patel")
    with _council(tmp_path, "wiltshire") as council:
        complain(council, "Complaint about the bins", text)
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "complaints@wiltshire.gov.uk")


def test_a_director_complained_about_is_not_sent_it(tmp_path: Path) -> None:
    # Pat Moss heads the line: nobody in officers.csv is above them, so the complaints
    # route has it (the protocols name the Chief Executive, whom mailbot does not know).
    with _council(tmp_path, "wiltshire") as council:
        out = complain(council, "Complaint about Pat Moss",
                        RUDE.replace("Sam Patel", "Pat Moss"))
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "complaints@wiltshire.gov.uk")
    assert "pat@wiltshire.gov.uk" not in [m["To"] for m in out]


def test_merseyside_keeps_its_complaints_route(tmp_path: Path) -> None:
    with _council(tmp_path, "mwda") as council:
        complain(council, "Complaint about an officer", RUDE)
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", "complaints@mwda.gov.uk")


def test_colchester_and_cardiff_send_it_up_the_line_too(tmp_path: Path) -> None:
    with _council(tmp_path / "colchester", "colchester") as council:
        complain(council, "Complaint about an officer", RUDE)
        assert council.case().officer_email == "pat@colchester.gov.uk"
    with _council(tmp_path / "cardiff", "cardiff") as council:
        out = complain(council, "Complaint about an officer", RUDE,
                        sender="Cllr Siân Evans <sian@cardiff.gov.uk>")
        assert council.case().officer_email == "pat@cardiff.gov.uk"
    [assignment] = [m for m in out if m["To"] == "pat@cardiff.gov.uk"]
    text = words(assignment)
    assert "mae'r gŵyn am Sam Patel" in text and "head of their management line" in text


def test_the_officer_complained_about_is_not_shown_its_subject(tmp_path: Path) -> None:
    # Cllr Bloggs's next mail, a pothole, is Sam's: the assignment lists the member's
    # other open cases, and the complaint about Sam is there by reference only.
    with _council(tmp_path, "wiltshire") as council:
        complain(council, "Complaint about Sam Patel's manner", RUDE)
        complaint = council.case()
        out = council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Pothole on Castle Road",
            "Please could someone look at the pothole outside no. 12 Castle Road?",
            cc="sam@wiltshire.gov.uk", date=RECEIVED), RECEIVED)
        enquiry = council.case()
        out += council.deliver(council.mail(
            "Cllr Jo Bloggs <jo@wiltshire.gov.uk>", "Street light out",
            "The street light outside no. 3 Castle Road has been out for a week.",
            cc="lee@wiltshire.gov.uk", date=RECEIVED), RECEIVED)
    assert enquiry.officer_email == "sam@wiltshire.gov.uk"
    [to_sam] = [m for m in out if m["To"] == "sam@wiltshire.gov.uk"]
    text = words(to_sam)
    assert complaint.ref in text and "manner" not in text
    [to_lee] = [m for m in out if m["To"] == "lee@wiltshire.gov.uk"]
    assert "Complaint about Sam Patel's manner" in words(to_lee)
