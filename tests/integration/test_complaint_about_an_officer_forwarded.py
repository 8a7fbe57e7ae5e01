"""A councillor forwards a resident's complaint ('FW: complaint about the planning
officer', the resident's words below the forward's header). The officer the resident
names was not recognised, since only the councillor's own words above the forward were
read: the complaint went to the complaints team, and Sam later saw its subject. Now the
forwarded person's own words count as the member's do: not the forward's header lines
(From:/To:/Cc:), not the resident's signature, not an older reply quoted inside it (the
officer's own earlier answer to the resident), and not a forwarded mail that is the
officer's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from complaint_council import at, complain, complaint_council
from helpers import Council, rows

from mailbot.complained_about import COMPLAINT_ABOUT
from mailbot.store.tables import EventRow

SAM, PAT, COMPLAINTS = at("sam"), at("pat"), at("complaints")
ABOVE = ("Please see below a complaint from one of my residents. I would like it looked "
         "into as a formal complaint, please.\n\nRegards\nCllr Jo Bloggs\n\n")
OUTLOOK = ("________________________________\n"
           "From: Ann Jones <ann.jones@example.org>\n"
           "Sent: 01 November 2026 18:02\n"
           "To: Cllr Jo Bloggs <jo@wiltshire.gov.uk>\n"
           "{cc}"
           "Subject: complaint about the planning officer\n\n")
GMAIL = ("---------- Forwarded message ---------\n"
         "From: Ann Jones <ann.jones@example.org>\n"
         "Date: Sun, 1 Nov 2026 at 18:02\n"
         "Subject: complaint about the planning officer\n"
         "To: <jo@wiltshire.gov.uk>\n\n")
RESIDENT = ("Dear Cllr Bloggs,\n\nI want to make a complaint about {who} in planning, who was "
            "rude to me on the phone and would not explain why my extension was refused.\n\n"
            "Yours sincerely\nAnn Jones\n{signed}")
SAMS_REPLY = ("\nFrom: Sam Patel <sam@wiltshire.gov.uk>\n"
              "Sent: 28 October 2026 09:15\n"
              "To: Ann Jones <ann.jones@example.org>\n"
              "Subject: RE: extension at 4 Elm Road\n\n"
              "Dear Mrs Jones,\n\nThe application was refused under policy H4.\n\n"
              "Kind regards\nSam Patel\nPlanning Officer\n")


def _council(home: Path) -> Council:
    return complaint_council(home, default_officer=at("lee"),
                             officers=[("Sam Patel", SAM, "Planning", PAT, ""),
                                       ("Lee Wong", at("lee"), "Planning", PAT, ""),
                                       ("Pat Moss", PAT, "Place", "", "")])


def _forward(home: Path, body: str) -> tuple[str | None, list[str]]:
    """The officer the forwarded complaint went to, and whom its timeline says it is about."""
    with _council(home) as council:
        complain(council, "FW: complaint about the planning officer", body)
        case = council.case()
        about = rows(council.app, EventRow, EventRow.action == COMPLAINT_ABOUT)
    assert case.kind == "complaint"
    return case.officer_email, [event.detail or "" for event in about]


@pytest.mark.parametrize("header", [OUTLOOK.format(cc=""), GMAIL], ids=["outlook", "gmail"])
@pytest.mark.parametrize("who", ["Sam Patel", "Mr Patel"])
def test_an_officer_named_in_the_forwarded_residents_words(
    tmp_path: Path, header: str, who: str
) -> None:
    body = ABOVE + header + RESIDENT.format(who=who, signed="")
    assert _forward(tmp_path, body) == (PAT, [SAM])


def test_an_officer_named_only_in_the_forwards_header_lines_is_not(tmp_path: Path) -> None:
    header = OUTLOOK.format(cc="Cc: Sam Patel <sam@wiltshire.gov.uk>\n")
    body = ABOVE + header + RESIDENT.format(who="the planning officer", signed="")
    assert _forward(tmp_path, body) == (COMPLAINTS, [])


def test_an_officer_named_only_in_the_residents_signature_is_not(tmp_path: Path) -> None:
    body = ABOVE + OUTLOOK.format(cc="") + RESIDENT.format(
        who="the planning officer", signed="cc Sam Patel, Planning\n")
    assert _forward(tmp_path, body) == (COMPLAINTS, [])


def test_the_officers_own_reply_quoted_inside_does_not_count(tmp_path: Path) -> None:
    body = (ABOVE + OUTLOOK.format(cc="")
            + RESIDENT.format(who="the planning officer", signed="") + SAMS_REPLY)
    assert _forward(tmp_path, body) == (COMPLAINTS, [])


def test_the_officers_reply_quoted_with_marks_does_not_count(tmp_path: Path) -> None:
    quoted = "\n".join(f"> {line}" for line in SAMS_REPLY.splitlines())
    body = (ABOVE + GMAIL + RESIDENT.format(who="the planning officer", signed="")
            + "\nOn Wed, 28 Oct 2026 at 09:15, Sam Patel <sam@wiltshire.gov.uk> wrote:\n"
            + quoted + "\n")
    assert _forward(tmp_path, body) == (COMPLAINTS, [])


def test_a_forwarded_mail_of_the_officers_own_is_not_their_complaint(tmp_path: Path) -> None:
    """The councillor forwards Sam's answer to a resident: the words below the header are
    Sam's, however he names himself in them."""
    body = (ABOVE.replace("a complaint from one of my residents", "the officer's answer to my "
                          "resident, which I wish to complain about")
            + "________________________________" + SAMS_REPLY.replace(
                "The application", "I am Sam Patel, the case officer. The application"))
    assert _forward(tmp_path, body) == (COMPLAINTS, [])
