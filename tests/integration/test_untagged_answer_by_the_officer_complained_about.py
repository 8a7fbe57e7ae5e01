"""An officer's untagged answer to a member (a new mail from Outlook, To the member, the
shared mailbox copied in) is recorded on the one open case of that member they hold, or
that their team holds: a case of an officer they manage or stand in for. A complaint
about that manager is not theirs to answer: Lee Wong, the complaints route, holds Cllr
Jo Bloggs's complaint about Pat Moss, Lee's own Director. Pat writing to Jo must neither
stop the complaint's clock nor be shown the complaint in the question "which case?"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from complaint_council import RECEIVED, at, complain, lees_council, words
from helpers import Council, rows

from mailbot.store.tables import CaseRow

SAM, LEE, PAT, JO = at("sam"), at("lee"), at("pat"), at("jo")
MAILBOX = at("memberenquiries")
ABOUT_PAT = ("I wish to make a formal complaint about Pat Moss, who ignored my "
             "constituent's letters about the flooding for three months.")
LATER = RECEIVED + timedelta(days=2)


def _pat_writes_to_jo(council: Council) -> list[str]:
    """Pat's new mail to Jo, the mailbox in Cc: what left, as (To, text) lines."""
    raw = council.mail(f"Pat Moss <{PAT}>", "Your enquiry", "Dear Jo, this is in hand. Pat",
                       cc=MAILBOX, date=LATER)
    raw = raw.replace(f"To: {MAILBOX}".encode(), f"To: {JO}".encode(), 1)
    return [f"{m['To']}: {m['Subject']} {words(m)}" for m in council.deliver(raw, LATER)]


def _cases(council: Council) -> dict[str, tuple[str, bool]]:
    return {case.kind: (case.status, case.responded_at is not None)
            for case in rows(council.app, CaseRow)}


def test_the_director_complained_about_does_not_answer_the_complaint(tmp_path: Path) -> None:
    with lees_council(tmp_path) as council:
        complain(council, "Complaint about a Director", ABOUT_PAT)
        complaint = council.case()
        assert complaint.officer_email == LEE
        council.left()
        sent = _pat_writes_to_jo(council)
        cases = _cases(council)
    assert cases == {"complaint": ("open", False)}
    assert not any(complaint.ref in line or "Director" in line for line in sent), sent


def test_the_enquiry_of_their_officer_is_answered_not_the_complaint(tmp_path: Path) -> None:
    """Pat manages Sam, who holds Jo's enquiry, and Lee, who holds Jo's complaint about
    Pat: the enquiry is the one case Pat's team holds that Pat may answer."""
    with lees_council(tmp_path) as council:
        complain(council, "Complaint about a Director", ABOUT_PAT)
        ref = council.case().ref
        complain(council, "Blocked drain on Castle Road",
                 "The drain outside 4 Castle Road is blocked again.", cc=SAM,
                 when=RECEIVED + timedelta(hours=1))
        assert council.case().officer_email == SAM
        council.left()
        sent = _pat_writes_to_jo(council)
        cases = _cases(council)
    assert cases == {"complaint": ("open", False), "enquiry": ("responded", True)}
    assert not any(ref in line for line in sent), sent
