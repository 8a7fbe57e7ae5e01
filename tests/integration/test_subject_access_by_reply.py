"""An officer marks a case as a subject access request by reply (`SAR`), or takes the
mark off (`SAR NO`), as `mailbot subject-access` does for an administrator: the officer
who holds a request the classifier missed is the first to see it is one. Real app on the
memory mailbox; assertions on the mail that left and the timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from test_subject_access_reminders import MONTH, SAR, SENT, council, text_of

MISSED = ("Mr Brown would like to see whatever the council has written about him over the "
          "years in his housing file. His consent is attached.")
SAM = "sam@wiltshire.gov.uk"


def test_the_officer_marks_a_missed_request_by_reply(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mr Brown",
                                       MISSED, date=SENT), SENT)
        case = place.case()
        assert not case.subject_access and case.officer_email == SAM
        assignment = next(m for m in out if m["To"] == SAM)
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.reply(assignment, SAM, "SAR", date=later), later)
        assert [m["To"] for m in out] == [SAM]
        text = text_of(out[0])
        assert (f"{case.ref} is now marked as a subject access request: data protection "
                f"law's one calendar month ends {MONTH}") in text
        assert "REASSIGN" in text and "has not been written to" in text
        assert place.case().subject_access
        [marked] = place.events("subject access marked")
        assert marked.actor == SAM
        # Again: nothing changes.
        out = place.deliver(place.reply(assignment, SAM, "SAR", date=later), later)
        assert "already marked as a subject access request" in text_of(out[0])
        assert len(place.events("subject access marked")) == 1


def test_the_officer_takes_a_wrong_mark_off_by_reply(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mrs Smith",
                                       SAR, date=SENT), SENT)
        case = place.case()
        assert case.subject_access
        holder = case.officer_email or ""
        assignment = next(m for m in out if m["To"] == holder)
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.reply(assignment, holder, "SAR NO", date=later), later)
        assert [m["To"] for m in out] == [holder]
        assert f"{case.ref} is no longer marked as a subject access request" in text_of(out[0])
        assert not place.case().subject_access
        [cleared] = place.events("subject access unmarked")
        assert cleared.actor == holder


def test_a_complaint_cannot_be_marked(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail(
            "Cllr Ann Lee <ann@wiltshire.gov.uk>", "Formal complaint",
            "I wish to make a formal complaint about how my constituent's housing file "
            "was handled.", date=SENT), SENT)
        case = place.case()
        assert case.kind == "complaint"
        holder = case.officer_email or ""
        assignment = next(m for m in out if m["To"] == holder)
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.reply(assignment, holder, "SAR", date=later), later)
        assert "only an enquiry or an FOI request can be marked" in text_of(out[0])
        assert not place.case().subject_access


def test_help_names_it(tmp_path: Path) -> None:
    with council(tmp_path) as place:
        out = place.deliver(place.mail("Cllr Ann Lee <ann@wiltshire.gov.uk>", "Mr Brown",
                                       MISSED, date=SENT), SENT)
        assignment = next(m for m in out if m["To"] == SAM)
        later = SENT + timedelta(hours=2)
        out = place.deliver(place.reply(assignment, SAM, "HELP", date=later), later)
        text = text_of(out[0])
        assert "SAR mark it as a subject access request" in text
        assert "SAR NO it is not one: take the mark off" in text
