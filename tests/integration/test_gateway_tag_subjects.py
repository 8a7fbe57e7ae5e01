"""A council's mail gateway tags mail from outside ("[EXTERNAL] Pothole ..."). The tag is
a warning about the member's mail, not part of its subject: the subjects of the mail we
write (the member's acknowledgement, the officer's assignment and reminders) leave it
out, wherever the gateway put it among Re:/Fwd:, and keep the rest as the member wrote
it. The case itself records the subject exactly as it came."""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import JO, SAM, AppFactory, Council, body_text, by_recipient, eml, rows, run, sent_to

from mailbot.jobs import flush_outbox, send_digests, send_reminders
from mailbot.store.tables import CaseRow
from mailbot.workdays import LONDON

ORIGINAL = b"Subject: Pothole outside 14 Castle Street"


def tagged(subject: str) -> bytes:
    """The member's enquiry with `subject`, Sam copied in (so Sam gets the assignment)."""
    return eml("member_enquiry.eml").replace(ORIGINAL, b"Subject: " + subject.encode()).replace(
        b"To: Member Enquiries", b"Cc: Sam Patel <sam.patel@wiltshire.gov.uk>\nTo: Member Enquiries"
    )


@pytest.mark.parametrize(("subject", "ours"), [
    ("[EXTERNAL] Pothole outside 14 Castle Street", "Re: Pothole outside 14 Castle Street"),
    ("EXTERNAL: Pothole outside 14 Castle Street", "Re: Pothole outside 14 Castle Street"),
    ("[External Email] [external] *EXTERNAL* Pothole outside 14 Castle Street",
     "Re: Pothole outside 14 Castle Street"),
    ("[CAUTION: External] FW: Pothole outside 14 Castle Street",
     "Re: FW: Pothole outside 14 Castle Street"),
    ("RE: [EXTERNAL] Pothole outside 14 Castle Street", "RE: Pothole outside 14 Castle Street"),
    ("[EXTERNAL] Ateb: [ALLANOL] Twll yn y ffordd - Stryd y Castell",
     "Re: Ateb: Twll yn y ffordd - Stryd y Castell"),
    ("AW: *External* Pothole [EXTERNAL] 14 Castle Street",
     "Re: AW: Pothole [EXTERNAL] 14 Castle Street"),  # only a tag in front is the gateway's
    ("EXTERNAL EMAIL: Pothole outside 14 Castle Street", "Re: Pothole outside 14 Castle Street"),
    ("**EXTERNAL EMAIL** RE: Pothole outside 14 Castle Street",
     "RE: Pothole outside 14 Castle Street"),
    ("[EXTERNAL]", "Re: (no subject)"),
    ("External wall of 14 Castle Street is falling down",
     "Re: External wall of 14 Castle Street is falling down"),
])
def test_the_acknowledgement_and_assignment_subjects_leave_out_the_gateway_tag(
    app_factory: AppFactory, subject: str, ours: str
) -> None:
    app, server = app_factory()
    server.deliver(tagged(subject))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.subject == subject  # the record keeps what came
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == f"{ours} [{case.ref}]"
    [(assignment, _)] = sent_to(server, SAM[1])
    topic = ours.removeprefix("Re: ")
    assert str(assignment["Subject"]).endswith(f"from {JO[0]}: {topic} [{case.ref}]")


def test_the_officers_reminder_subject_leaves_out_the_gateway_tag(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(tagged("[EXTERNAL] Pothole outside 14 Castle Street"))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.response_due is not None
    due_day = datetime.combine(case.response_due, time(9, 0), tzinfo=LONDON)
    send_reminders(app, due_day)
    flush_outbox(app, due_day)
    subjects = [str(m["Subject"]) for m, _ in sent_to(server, SAM[1])]
    assert len(subjects) >= 2, subjects  # the assignment, then the reminder
    assert all("EXTERNAL" not in s for s in subjects), subjects
    assert any("Pothole outside 14 Castle Street - reply by" in s for s in subjects[1:]), subjects


MAILBOX = "memberenquiries@council.gov.uk"
MEMBER = ("Cllr Jo Bloggs", "jo.bloggs@council.gov.uk", "Castle", "en")
OFFICER = ("Sam Patel", "sam.patel@council.gov.uk", "Highways", "", "")
CHIEF = "chief.executive@council.gov.uk"
TOPIC = "Pothole outside 14 Castle Street"
MONDAY_8AM = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # the case is due that week


def _words(message: EmailMessage, subtype: str) -> str:
    return " ".join(body_text(message, subtype).split())


def test_the_subject_quoted_in_mail_bodies_leaves_out_the_gateway_tag(tmp_path: Path) -> None:
    """The acknowledgement's "Your message was", the assignment's and reminder's quotes of
    the subject and the weekly digest's case lists name the subject without the tag."""
    with Council(tmp_path, mailbox=MAILBOX, members=[MEMBER], officers=[OFFICER],
                 config=f'[digest]\nrecipients = ["{CHIEF}"]\n') as council:
        out = by_recipient(council.deliver(council.mail(
            f"{MEMBER[0]} <{MEMBER[1]}>", f"RE: [EXTERNAL] {TOPIC}",
            "The pothole is getting deeper.", cc=OFFICER[1],
        )))
        ack, assignment = out[MEMBER[1]], out[OFFICER[1]]
        assert f'Your message was: "RE: {TOPIC}"' in _words(ack, "plain")
        assert f"Your message was: &ldquo;RE: {TOPIC}&rdquo;" in _words(ack, "html")
        assert f'The message ("RE: {TOPIC}"):' in _words(assignment, "plain")
        case = council.case()
        assert case.response_due is not None
        due_day = datetime.combine(case.response_due, time(9, 0), tzinfo=LONDON)
        send_reminders(council.app, due_day)
        [reminder] = council.flush(due_day)
        send_digests(council.app, MONDAY_8AM)
        digest = by_recipient(council.flush(MONDAY_8AM))[CHIEF]
        assert f"Enquiry: RE: {TOPIC}" in _words(digest, "plain")
        assert TOPIC in _words(reminder, "plain")
        for message in (ack, assignment, reminder, digest):
            for subtype in ("plain", "html"):
                assert "EXTERNAL" not in body_text(message, subtype), (message["Subject"], subtype)
