"""A council-wide digest goes to a manager who may be the officer a complaint is about:
Sam Patel (who manages Lee Wong) gets the weekly digest, and the member's complaint about
Sam, up Sam's line with Pat Moss, was listed in Sam's digest with its subject ('Complaint
about Sam Patel's rudeness'), though Sam is never shown it anywhere else. Now Sam's
digest lists it by reference only, as a confidential case, and everyone else's digest as
before; the same for a complaint that may be about Sam ('Mr Patel' of two Patels)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from complaint_council import at, complain, complaint_council
from helpers import Council, body_text, queued_digests

SAM, LEE, PAT, RAJ = at("sam"), at("lee"), at("pat"), at("raj")
CHIEF, COMPLAINTS = at("chief.executive"), at("complaints")
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TEXT = ("I wish to make a formal complaint about {who}, who was rude and dismissive to my "
        "constituent on the phone on Monday and put the phone down on her.")


def _council(home: Path, *, two_patels: bool = False) -> Council:
    officers = [("Sam Patel", SAM, "Highways", PAT, ""),
                ("Lee Wong", LEE, "Highways", SAM, ""),
                ("Pat Moss", PAT, "Place", "", "")]
    if two_patels:
        officers.append(("Raj Patel", RAJ, "Housing", PAT, ""))
    return complaint_council(
        home, officers=officers, default_officer=LEE,
        config=f'[digest]\nrecipients = ["{SAM}", "{CHIEF}"]\nmanagers = false\n')


def _digests(council: Council, who: str) -> dict[str, str]:
    complain(council, f"Complaint about {who}'s rudeness", TEXT.format(who=who))
    return {to: _words(mail) for to, mail in queued_digests(council, MONDAY).items()}


def _words(mail: EmailMessage) -> str:
    return " ".join(f"{body_text(mail, 'plain')} {body_text(mail, 'html')}".split())


def test_the_officer_complained_about_sees_only_its_reference(tmp_path: Path) -> None:
    with _council(tmp_path) as council:
        digests = _digests(council, "Sam Patel")
        ref = council.case().ref
    assert council.case().officer_email == PAT
    assert ref in digests[SAM] and "rudeness" not in digests[SAM]
    assert "Complaint: confidential" in digests[SAM]
    assert "Complaint about Sam Patel's rudeness" in digests[CHIEF]


def test_an_officer_it_may_be_about_sees_only_its_reference(tmp_path: Path) -> None:
    with _council(tmp_path, two_patels=True) as council:
        digests = _digests(council, "Mr Patel")
        ref = council.case().ref
    assert council.case().officer_email == COMPLAINTS
    assert ref in digests[SAM] and "rudeness" not in digests[SAM]
    assert "Complaint about Mr Patel's rudeness" in digests[CHIEF]


def test_nor_the_reason_its_holder_paused_it(tmp_path: Path) -> None:
    """Pat pauses the complaint with a reason of Pat's own words: Sam's digest says who
    paused it and not why; the chief executive's says both, as before."""
    paused = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    with _council(tmp_path) as council:
        out = complain(council, "Complaint about Sam Patel's rudeness",
                       TEXT.format(who="Sam Patel"))
        [assignment] = [m for m in out if m["To"] == PAT]
        council.deliver(council.reply(assignment, f"Pat Moss <{PAT}>",
                                      'PAUSE "waiting for the call recording of Sam"',
                                      date=paused), paused)
        assert council.case().status == "paused"
        digests = {to: _words(mail) for to, mail in queued_digests(council, MONDAY).items()}
    assert "PAUSE by Pat Moss" in digests[SAM] and "call recording" not in digests[SAM]
    assert "PAUSE by Pat Moss: waiting for the call recording of Sam" in digests[CHIEF]
