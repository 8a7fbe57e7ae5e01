"""A PAUSE on a case marked subject access stops the protocol's clock, not data protection
law's month, and a RESUME can leave the protocol's date after the law's: before, the
officer's PAUSE and RESUME confirmations said nothing of it, and nobody was told until the
law's own reminder. Now the PAUSE confirmation says the law's date does not move with the
pause and names it, and the RESUME's says so again and, when the protocol's new date falls
after the law's, says that plainly. A plain enquiry's confirmations are unchanged. Real
app on the memory mailbox; assertions on the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from helpers import Council
from test_subject_access_reminders import MONTH, SENT, council, open_sar, text_of

PAUSED = SENT + timedelta(hours=1)
RESUMED = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)  # 16 working days paused


def command(place: Council, to: EmailMessage, sender: str, line: str,
            at: datetime) -> str:
    out = place.deliver(place.reply(to, sender, line, date=at), at)
    [answer] = [m for m in out if m["To"] == sender]
    return text_of(answer)


def test_pause_and_resume_of_a_subject_access_request_name_the_law_s_date(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        holder = case.officer_email or ""
        paused = command(place, assignment, holder, 'PAUSE "waiting for proof of ID"', PAUSED)
        assert (f"{case.ref} is a subject access request: data protection law's date, "
                f"{MONTH}, does not move with the pause") in paused
        resumed = command(place, assignment, holder, "RESUME", RESUMED)
        due = place.case(case.ref).response_due
        assert due is not None and due.isoformat() > "2026-12-29"
        assert (f"{case.ref} is a subject access request: data protection law's date, "
                f"{MONTH}, did not move with the pause.") in resumed
        assert f"The protocol's date now falls after it, so answer by {MONTH}" in resumed


def test_a_short_pause_says_the_law_s_date_without_the_warning(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        case, assignment = open_sar(place)
        holder = case.officer_email or ""
        command(place, assignment, holder, 'PAUSE "waiting for proof of ID"', PAUSED)
        resumed = command(place, assignment, holder, "RESUME", PAUSED + timedelta(hours=2))
        assert f"data protection law's date, {MONTH}, did not move with the pause" in resumed
        assert "falls after it" not in resumed


def test_the_welsh_confirmation(tmp_path: Path) -> None:
    with council(tmp_path, pack="cardiff") as place:
        case, assignment = open_sar(place, sender="Cllr Ann Lee <ann@cardiff.gov.uk>")
        holder = case.officer_email or ""
        paused = command(place, assignment, holder, 'PAUSE "waiting for proof of ID"', PAUSED)
        assert (f"Mae {case.ref} yn gais gwrthrych am wybodaeth: nid yw dyddiad cyfraith "
                "diogelu data, dydd Mawrth 29 Rhagfyr 2026, yn symud gyda'r oedi") in paused
        resumed = command(place, assignment, holder, "RESUME", RESUMED)
        assert "Mae dyddiad y protocol bellach ar ôl hynny" in resumed


def test_a_plain_enquiry_is_unchanged(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mill Lane",
                                       "The streetlight on Mill Lane is out. Can it be fixed?",
                                       date=SENT), SENT)
        case = place.case()
        assert not case.subject_access
        holder = case.officer_email or ""
        [assignment] = [m for m in out if m["To"] == holder]
        paused = command(place, assignment, holder, 'PAUSE "waiting for the contractor"',
                         PAUSED)
        resumed = command(place, assignment, holder, "RESUME", RESUMED)
    for text in (paused, resumed):
        assert "subject access" not in text and "law's date" not in text


def test_the_member_s_answer_ending_the_pause_names_the_law_s_date(tmp_path: Path) -> None:
    """The pause waits for the member (their resident's proof of ID); the member's answer
    ends it, and the holder's update says, as their own RESUME's confirmation would, that
    the law's date did not move, and that the protocol's now falls after it."""
    with council(tmp_path) as place:
        member = "Cllr Ann Lee <ann@wiltshire.gov.uk>"
        out = place.deliver(place.mail(member, "Mrs Smith's records",
                                       "Mrs Smith has asked me to get a copy of all the "
                                       "records the council holds on her.", date=SENT), SENT)
        case = place.case()
        assert case.subject_access
        holder = case.officer_email or ""
        [assignment] = [m for m in out if m["To"] == holder]
        [ack] = [m for m in out if m["To"] == "ann@wiltshire.gov.uk"]
        command(place, assignment, holder,
                "PAUSE \"waiting for the resident's proof of ID\"", PAUSED)
        out = place.deliver(place.reply(ack, member, "Mrs Smith's passport copy is now "
                                        "with me: she lives at 4 Elm Road, Devizes.",
                                        date=RESUMED), RESUMED)
        assert place.case(case.ref).status == "open"
        [update] = [m for m in out if m["To"] == holder]
        text = text_of(update)
        assert (f"{case.ref} is a subject access request: data protection law's date, "
                f"{MONTH}, did not move with the pause.") in text
        assert f"The protocol's date now falls after it, so answer by {MONTH}" in text
