"""A complaint that names two officers is about both of them: it goes to neither (not to
the Director it also complains about because the first officer named works for them),
and neither is shown its subject in the lists of the member's other cases. A member who
thanks one officer and complains about another names both: the one praised is no
reason to show the complaint to the other. Read as the mail that left and the case."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from complaint_council import at, complain, complaint_council, words
from helpers import Council

JO, SAM, LEE, PAT, COMPLAINTS = at("jo"), at("sam"), at("lee"), at("pat"), at("complaints")


def _council(home: Path) -> Council:
    return complaint_council(
        home, default_officer=at("ann"),
        officers=[("Sam Patel", SAM, "Highways", PAT, LEE),
                  ("Lee Wong", LEE, "Highways", PAT, SAM),
                  ("Pat Moss", PAT, "Place", "", ""),
                  ("Ann Kerr", at("ann"), "Customer services", "", "")],
    )


def _send(council: Council, subject: str, text: str, cc: str = "") -> list[EmailMessage]:
    return complain(council, subject, text, cc=cc)


def test_a_complaint_about_an_officer_and_their_director_goes_to_neither(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        out = _send(council, "Complaint about Highways",
                    "I wish to make a formal complaint about Sam Patel and Pat Moss, who "
                    "both ignored my residents' letters about the flooding for two months.")
        case = council.case()
    assert (case.kind, case.officer_email) == ("complaint", COMPLAINTS)
    recipients = [m["To"] for m in out]
    assert SAM not in recipients and PAT not in recipients


def test_the_officer_complained_about_after_one_praised_is_not_shown_its_subject(
    tmp_path: Path,
) -> None:
    with _council(tmp_path) as council:
        _send(council, "Complaint: rudeness on the phone",
              "Lee Wong has always been very helpful, but I wish to make a formal complaint "
              "about Sam Patel, who was rude to my constituent and put the phone down.")
        complaint = council.case()
        out = _send(council, "Pothole on Castle Road",
                    "Please could someone look at the pothole outside no. 12 Castle Road?",
                    cc=SAM)
        enquiry = council.case()
    assert complaint.officer_email == PAT
    assert enquiry.officer_email == SAM
    [to_sam] = [m for m in out if m["To"] == SAM]
    text = words(to_sam)
    assert complaint.ref in text and "rudeness" not in text


def test_officers_of_two_lines_leave_it_to_the_complaints_team(tmp_path: Path) -> None:
    # Ann Kerr (Customer services, her own head) is thanked, Sam Patel complained about:
    # mailbot cannot tell which line it belongs to, so it does not pick the one first
    # named; the complaints team has it.
    with _council(tmp_path) as council:
        out = _send(council, "Complaint: rudeness at the depot",
                    "Ann Kerr in customer services was very helpful, but I wish to make a "
                    "formal complaint about Sam Patel, who shouted at my constituent.")
        case = council.case()
        named = {e.detail for e in council.events("complaint about an officer")}
    assert (case.kind, case.officer_email) == ("complaint", COMPLAINTS)
    assert named == {SAM, at("ann")}
    assert SAM not in [m["To"] for m in out]
