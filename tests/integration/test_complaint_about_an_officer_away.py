"""A complaint about an officer goes to the head of their line (Wiltshire 16.2), and it
stays away from the officer it is about when that head is out of the office: the head's
deputy, or the colleague their out-of-office note names, may be the very officer the
member complained about (a Head of Service who deputises for their Director). Read as
the mail that left and the case's officer."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from complaint_council import RECEIVED, at, complain, complaint_council, words
from helpers import Council

JO, SAM, LEE, PAT = at("jo"), at("sam"), at("lee"), at("pat")
RUDE = ("I wish to make a formal complaint about Sam Patel, who was rude and dismissive to "
        "my constituent on the phone on Monday and put the phone down on her.")
AWAY = "I am out of the office until Monday 16 November. For urgent matters please " \
       "contact Sam Patel."


def _council(home: Path) -> Council:
    # Sam heads Highways under Pat, the Director, and is Pat's deputy; Lee works for Sam
    # and is the default officer.
    return complaint_council(
        home, default_officer=LEE,
        officers=[("Sam Patel", SAM, "Highways", PAT, LEE),
                  ("Lee Wong", LEE, "Highways", SAM, ""),
                  ("Pat Moss", PAT, "Place", "", SAM)],
    )


def _out_of_office(council: Council, to: EmailMessage, at: datetime) -> list[EmailMessage]:
    raw = council.mail(f"Pat Moss <{PAT}>", f"Automatic reply: {to['Subject']}", AWAY,
                       in_reply_to=str(to["Message-ID"]), extra="Auto-Submitted: auto-replied",
                       date=at)
    return council.deliver(raw, at)


def test_the_directors_out_of_office_does_not_hand_it_to_the_officer_complained_about(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        out = complain(council, "Complaint about Sam Patel's manner", RUDE)
        [assignment] = [m for m in out if m["To"] == PAT]
        out += _out_of_office(council, assignment, RECEIVED + timedelta(minutes=5))
        case = council.case()
    assert case.officer_email != SAM
    assert SAM not in [m["To"] for m in out]
    for letter in (m for m in out if m["To"] == JO):
        assert "Sam Patel" not in words(letter).replace("Complaint about Sam Patel's", "")
    # Someone is asked to pass it on: the default officer, told why.
    [asked] = [m for m in out if m["To"] == LEE]
    assert case.ref in asked["Subject"]


def test_a_complaint_while_the_director_is_away_does_not_go_to_their_deputy_complained_about(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        first = council.deliver(council.mail(
            f"Cllr Jo Bloggs <{JO}>", "Street light out",
            "The street light outside no. 3 Castle Road has been out for a week.",
            cc=PAT, date=RECEIVED), RECEIVED)
        [assignment] = [m for m in first if m["To"] == PAT]
        _out_of_office(council, assignment, RECEIVED + timedelta(minutes=5))
        later = RECEIVED + timedelta(hours=1)
        out = complain(council, "Complaint about Sam Patel's manner", RUDE, when=later)
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", PAT)
    assert SAM not in [m["To"] for m in out]


def test_an_out_of_office_does_not_hand_it_to_an_officer_it_may_be_about(
    tmp_path: Path,
) -> None:
    """'Mr Patel' of two Patels: the complaints team has it, and Jamie Fox's out-of-office
    names Raj Patel, whom it may be about. Raj is neither given it nor asked to take it."""
    raj, complaints = at("raj"), at("complaints")
    with complaint_council(tmp_path, default_officer=LEE,
                           officers=[("Sam Patel", SAM, "Highways", PAT, ""),
                                     ("Raj Patel", raj, "Housing", PAT, ""),
                                     ("Lee Wong", LEE, "Highways", SAM, ""),
                                     ("Pat Moss", PAT, "Place", "", "")]) as council:
        out = complain(council, "Complaint about Mr Patel's manner",
                       RUDE.replace("Sam Patel", "Mr Patel"))
        [assignment] = [m for m in out if m["To"] == complaints]
        away = RECEIVED + timedelta(minutes=5)
        out = council.deliver(council.mail(
            f"Jamie Fox <{complaints}>", f"Automatic reply: {assignment['Subject']}",
            AWAY.replace("Sam Patel", "Raj Patel"), in_reply_to=str(assignment["Message-ID"]),
            extra="Auto-Submitted: auto-replied", date=away), away)
        case = council.case()
    assert case.officer_email != raj
    assert raj not in [m["To"] for m in out]
    assert LEE in [m["To"] for m in out]
