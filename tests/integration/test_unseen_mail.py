"""Real-world mail the rest of the suite does not show: out-of-office replies from
mailboxes set to other languages or sent without headers, ticket systems and notification
services, mail sent in a member's name by another system, delay warnings, members
forwarding a resident's email or attaching someone else's robot mail, oddly encoded
subjects, thank-you replies, reply-alls from residents and fellow councillors, and
references typed by hand.

Each message goes through poll + flush on a real app; we look at what left (the
acknowledgement's MIME) and what was recorded (the messages table).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import (
    JO,
    NEVER_MAILED,
    NOW,
    RHIAN,
    SAM,
    SHARED_MAILBOX,
    AppFactory,
    all_recipients,
    body_text,
    eml,
    message_id_in,
    never_answered,
    rows,
    run,
    sent_to,
    write_csv,
)

from mailbot.app import App
from mailbot.backends.memory import MemoryServer
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

ROBOTS = {
    # file: the kind of automatic mail it must be recorded as
    "ooo_polish_no_headers.eml": "auto_reply",
    "ooo_urdu_body_only.eml": "auto_reply",
    "ticket_system_acknowledgement.eml": "receipt",
    "sharepoint_share_in_members_name.eml": "bulk",
    # (a member's Outlook recall: test_member_recalls_a_message.py)
    "exchange_system_mailbox_notice.eml": "bounce",
}


@pytest.mark.parametrize("name", sorted(ROBOTS))
def test_robots_in_a_members_name_or_language_are_never_answered(
    app_factory: AppFactory, name: str
) -> None:
    never_answered(app_factory, eml(name), ROBOTS[name])


@pytest.mark.parametrize("name", [
    "member_forwards_resident_out_of_office.eml",
    "member_forwards_resident_html_only.eml",
])
def test_a_forwarded_residents_out_of_office_words_do_not_drop_the_members_mail(
    app_factory: AppFactory, name: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "processed" and row.automatic is None, row.reason
    [(ack, _)] = sent_to(server, JO[1])
    [case] = rows(app, CaseRow)
    assert case.member_email == JO[1]
    # The resident is the forwarded author, never a recipient of ours.
    assert not all_recipients(server) & NEVER_MAILED
    assert str(ack["Subject"]) == "Re: FW: Overgrown hedge on Oak Lane [MB-2026-00001]"
    text = body_text(ack, "plain")
    assert text.startswith("Dear Cllr Jo Bloggs,")
    assert "received on Wednesday 25 November 2026" in text


def test_a_members_out_of_office_in_polish_in_reply_to_our_ack_stays_quiet(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    [ack_row] = [r for r in rows(app, OutboxRow) if r.purpose == "ack"]
    reply = eml("ooo_polish_no_headers.eml").replace(
        b"Message-ID: <ooo-pl-7a1c@mail.wiltshire.gov.uk>",
        b"Message-ID: <ooo-pl-7a1c@mail.wiltshire.gov.uk>\r\nIn-Reply-To: "
        + ack_row.message_id.encode(),
    )
    server.deliver(reply)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "open"
    statuses = [(r.status, r.automatic) for r in rows(app, MessageRow)]
    assert statuses == [("processed", None), ("automatic", "auto_reply")]
    assert len(server.outgoing) == 1  # the one acknowledgement, nothing to the officer



def _mail(sender: str, subject: str, message_id: str, body: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: {SHARED_MAILBOX}\r\n{extra}Subject: {subject}\r\n"
        f"Date: Wed, 25 Nov 2026 09:14:03 +0000\r\nMessage-ID: {message_id}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def test_a_linked_case_ack_carries_one_tag_and_its_reply_stays_on_that_case(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    # The officer answers, copying the mailbox: case 1 is finished.
    server.deliver(_mail(f"{SAM[0]} <{SAM[1]}>", "RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001]", "<sam-1@wiltshire.gov.uk>", "Fixed on Friday.",
                         extra=f"Cc: {JO[1]}\r\n"))
    run(app)
    # A month later the member writes again in the same thread: a new, linked case.
    later = NOW + timedelta(days=30)
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", "RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001]", "<jo-2@wiltshire.gov.uk>", "It is back again."))
    run(app, later)
    [(_, _), (ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == "RE: Pothole outside 14 Castle Street [MB-2026-00002]"
    # Her reply to that acknowledgement comes from her phone, without threading headers:
    # the tag alone must bring it to case 2, not reopen 1 or open a third.
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", f"Re: {ack['Subject']}", "<jo-3@wiltshire.gov.uk>",
                         "Photo to follow."))
    run(app, later + timedelta(minutes=5))
    assert [c.ref for c in rows(app, CaseRow)] == ["MB-2026-00001", "MB-2026-00002"]
    last = rows(app, MessageRow)[-1]
    assert (last.case_id, last.reason) == (rows(app, CaseRow)[1].id, "follow-up added to the case")
    assert len(sent_to(server, JO[1])) == 2
    # Acknowledgements sent before tags were cleaned carried both; the last one is ours.
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", "Re: RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001] [MB-2026-00002]", "<jo-4@wiltshire.gov.uk>", "Photo."))
    run(app, later + timedelta(minutes=10))
    assert len(rows(app, CaseRow)) == 2
    assert rows(app, MessageRow)[-1].case_id == rows(app, CaseRow)[1].id


@pytest.mark.parametrize(("name", "subject"), [
    ("member_attaches_meeting_ics.eml",
     "Re: Residents' meeting on 3 December - can an officer attend? [MB-2026-00001]"),
    ("member_forwards_bounce_as_attachment.eml",
     "Re: FW: my email to Castle School bounced [MB-2026-00001]"),
    ("member_forwards_invite_as_attachment.eml",
     "Re: FW: Ward walkabout on Saturday [MB-2026-00001]"),
])
def test_robot_mail_attached_to_a_members_enquiry_does_not_drop_it(
    app_factory: AppFactory, name: str, subject: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "processed" and row.automatic is None, row.reason
    [(ack, _)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == subject
    assert body_text(ack, "plain").startswith("Dear Cllr Jo Bloggs,")
    assert not all_recipients(server) & NEVER_MAILED


def test_spam_tagged_in_the_subject_from_a_spoofed_member_is_never_answered(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("spam_subject_tag_spoofed_member.eml"))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "ignored"
    assert row.reason == "spam filter verdict: subject tagged '[SPAM]'"
    assert rows(app, CaseRow) == []
    assert server.outgoing == []


@pytest.mark.parametrize(("name", "quoted"), [
    # Outlook labels Windows-1252 text ISO-8859-1: the dash and curly quotes are 0x96/0x93
    ("subject_latin1_label_cp1252_quotes.eml", "Café licence – “late hours”"),
    # A gateway cut the subject inside its encoded word (no closing "?=")
    ("subject_truncated_encoded_word.eml", "Café licence on Market Place"),
    # One word of three is not valid base64: the other two still decode
    ("subject_one_broken_encoded_word.eml", "Café licence on Market Place"),
    # Outlook's label for visual-order Hebrew, unknown to Python by that name
    ("subject_hebrew_iso_8859_8_i.eml", "רעש מבית הקפה"),
])
def test_the_ack_quotes_an_oddly_encoded_subject_readably(
    app_factory: AppFactory, name: str, quoted: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [(ack, mime)] = sent_to(server, JO[1])
    assert str(ack["Subject"]) == f"Re: {quoted} [MB-2026-00001]"
    text, html = body_text(ack, "plain"), body_text(ack, "html")
    assert f'"{quoted}"' in text
    assert quoted in html
    for shown in (str(ack["Subject"]), text):
        assert "=?" not in shown and not any("\x80" <= ch <= "\x9f" for ch in shown)


SAM_WITH_DEPUTY = (SAM[0], SAM[1], "Highways", "", "lee.wong@wiltshire.gov.uk")
LEE = ("Lee Wong", "lee.wong@wiltshire.gov.uk", "Highways", "", "")


def _assigned_to_sam(app_factory: AppFactory) -> tuple[App, MemoryServer, OutboxRow]:
    app, server = app_factory(officers=(SAM_WITH_DEPUTY, LEE))
    server.deliver(eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", f"Cc: {SAM[1]}\r\nTo: Member Enquiries".encode()))
    run(app)
    [assignment] = [r for r in rows(app, OutboxRow) if r.purpose == "assignment"]
    assert assignment.recipients == SAM[1]
    return app, server, assignment


@pytest.mark.parametrize("name", [
    "dsn_delayed_postfix.eml", "delay_warning_exim_auto_submitted.eml",
])
def test_a_delay_warning_about_the_assignment_leaves_the_case_with_its_officer(
    app_factory: AppFactory, name: str
) -> None:
    app, server, assignment = _assigned_to_sam(app_factory)
    sent_before = len(server.outgoing)
    warning = eml(name).replace(b"ORIGINAL_MESSAGE_ID", assignment.message_id.encode())
    server.deliver(warning)
    run(app, NOW + timedelta(hours=1))
    # Still being retried: the mail will very likely arrive, so nothing is redirected.
    [case] = rows(app, CaseRow)
    assert case.officer_email == SAM[1]
    assert len(server.outgoing) == sent_before
    row = rows(app, MessageRow)[-1]
    assert (row.status, row.automatic, row.case_id) == ("automatic", "receipt", case.id)


def test_a_real_bounce_marked_auto_submitted_still_redirects_as_a_bounce(
    app_factory: AppFactory,
) -> None:
    app, server, assignment = _assigned_to_sam(app_factory)
    failed = (eml("dsn_delayed_postfix.eml")
              .replace(b"ORIGINAL_MESSAGE_ID", assignment.message_id.encode())
              .replace(b"Action: delayed", b"Action: failed")
              .replace(b"Status: 4.4.1", b"Status: 5.1.1")
              .replace(b"Delayed Mail (still being retried)", b"Undelivered Mail Returned to "
                       b"Sender"))
    server.deliver(failed)
    run(app, NOW + timedelta(hours=1))
    [case] = rows(app, CaseRow)
    assert case.officer_email == LEE[1]
    assert rows(app, MessageRow)[-1].automatic == "bounce"
    assert sent_to(server, LEE[1])


def _answered_case(app_factory: AppFactory) -> tuple[App, MemoryServer, OutboxRow]:
    """A member's enquiry, acknowledged, then answered by the officer with the mailbox in Cc."""
    app, server, assignment = _assigned_to_sam(app_factory)
    server.deliver(_mail(f"{SAM[0]} <{SAM[1]}>", "RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001]", "<sam-answer@wiltshire.gov.uk>",
                         "It will be filled on Friday.",
        extra=f"Cc: {JO[1]}\r\nIn-Reply-To: {message_id_in(eml('member_enquiry.eml'))}\r\n"))
    run(app, NOW + timedelta(hours=1))
    assert rows(app, CaseRow)[0].status == "responded"
    return app, server, assignment


THANKS = ("Thanks Sam, much appreciated.\r\n\r\nJo\r\n\r\n"
          "From: Sam Patel <sam.patel@wiltshire.gov.uk>\r\nSent: 25 November 2026 13:00\r\n"
          "To: Bloggs, Jo (Cllr) <jo.bloggs@wiltshire.gov.uk>\r\n"
          "Subject: RE: Pothole outside 14 Castle Street [MB-2026-00001]\r\n\r\n"
          "It will be filled on Friday.")


@pytest.mark.parametrize("days_later", [0, 30])  # inside and after the follow-up window
def test_a_members_thank_you_leaves_the_answered_case_alone(
    app_factory: AppFactory, days_later: int
) -> None:
    app, server, _ = _answered_case(app_factory)
    sent_before = len(server.outgoing)
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", "RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001]", "<jo-thanks@wiltshire.gov.uk>", THANKS,
                         extra="In-Reply-To: <sam-answer@wiltshire.gov.uk>\r\n"))
    run(app, NOW + timedelta(days=days_later, hours=2))
    [case] = rows(app, CaseRow)  # no case reopened, no linked case opened
    assert case.status == "responded"
    assert len(server.outgoing) == sent_before  # no "reopened" ack, no officer update
    row = rows(app, MessageRow)[-1]
    assert (row.case_id, row.reason) == (case.id, "thanks for the answer; stays answered")


def test_thanks_with_news_that_it_is_not_fixed_still_reopens(app_factory: AppFactory) -> None:
    app, server, _ = _answered_case(app_factory)
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", "RE: Pothole outside 14 Castle Street "
                         "[MB-2026-00001]", "<jo-back@wiltshire.gov.uk>",
                         "Thanks Sam - but the pothole has reappeared.",
                         extra="In-Reply-To: <sam-answer@wiltshire.gov.uk>\r\n"))
    run(app, NOW + timedelta(hours=2))
    [case] = rows(app, CaseRow)
    assert case.status == "open"
    assert len(sent_to(server, JO[1])) == 2  # the first ack and the "reopened" one


def test_a_residents_reply_all_on_a_forwarded_ack_is_not_the_councils_answer(
    app_factory: AppFactory,
) -> None:
    # The member forwarded our acknowledgement to the resident, who replied to all: the
    # member and the mailbox, in the thread (References carry our ack's Message-ID).
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    [ack] = [r for r in rows(app, OutboxRow) if r.purpose == "ack"]
    server.deliver(_mail(
        "Pat Stranger <pat.stranger@example.net>",
        "RE: FW: Re: Pothole outside 14 Castle Street [MB-2026-00001]",
        "<pat-reply@example.net>", "Thank you councillor, glad it is logged.",
        extra=f"Cc: {JO[0]} <{JO[1]}>\r\nIn-Reply-To: <jo-fwd@wiltshire.gov.uk>\r\n"
              f"References: {ack.message_id} <jo-fwd@wiltshire.gov.uk>\r\n"))
    run(app, NOW + timedelta(hours=1))
    [case] = rows(app, CaseRow)
    assert case.status == "open" and case.responded_at is None  # the clock still runs
    assert rows(app, MessageRow)[-1].case_id == case.id
    assert not all_recipients(server) & NEVER_MAILED


def test_an_officer_not_in_the_directory_answering_from_the_council_still_counts(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory(officers=())
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    server.deliver(_mail(
        "Kim Lee <kim.lee@wiltshire.gov.uk>",
        "RE: Pothole outside 14 Castle Street [MB-2026-00001]", "<kim-1@wiltshire.gov.uk>",
        "It will be filled on Friday.",
        extra=f"Cc: {JO[1]}\r\nIn-Reply-To: {message_id_in(eml('member_enquiry.eml'))}\r\n"))
    run(app, NOW + timedelta(hours=1))
    assert rows(app, CaseRow)[0].status == "responded"


def test_a_tag_only_reply_from_the_members_other_address_stays_on_the_case(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    # members.csv names her phone's personal address too (re-read at the next message)
    members = app.directory.members_path
    assert members is not None
    write_csv(members, ("name", "email", "ward", "language", "other_emails"),
              [(*JO, "jo.bloggs.cllr@gmail.example"), RHIAN])
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    server.deliver(_mail("Jo Bloggs <jo.bloggs.cllr@gmail.example>",
                         "Re: Pothole outside 14 Castle Street [MB-2026-00001]",
                         "<phone-1@gmail.example>", "Photo attached, it is getting deeper."))
    run(app, NOW + timedelta(hours=1))
    [case] = rows(app, CaseRow)
    assert rows(app, MessageRow)[-1].case_id == case.id
    assert case.status == "open"  # her own follow-up is not the council's answer
    assert len(sent_to(server, JO[1])) == 1 and not sent_to(server, "jo.bloggs.cllr@gmail.example")


LONG_ID = "<" + "7f3a" * 500 + "@crm.example.org>"  # 2,017 characters, legal in RFC 5322


def test_an_over_long_message_id_is_acknowledged_deduplicated_and_threaded(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    raw = eml("member_enquiry.eml").replace(message_id_in(eml("member_enquiry.eml")).encode(),
                                           LONG_ID.encode())
    server.deliver(raw)
    run(app)
    [(ack, mime)] = sent_to(server, JO[1])
    # Every line fits SMTP's 998, and what we store fits the ledger's and outbox's columns.
    assert max(len(line) for line in mime.split(b"\r\n")) <= 998
    [row] = rows(app, MessageRow)
    assert len(row.message_id) <= 998
    assert all(len(r.dedup_key) <= 200 for r in rows(app, OutboxRow))
    # The same bytes again (a second delivery route) are a duplicate, not a second case.
    server.deliver(raw)
    run(app)
    assert len(rows(app, CaseRow)) == 1 and len(sent_to(server, JO[1])) == 1
    # Her reply names the long ID in References only: it threads to her case.
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", "More about the pothole",
                         "<jo-more@wiltshire.gov.uk>", "It is getting deeper.",
                         extra=f"References: {LONG_ID}\r\n"))
    run(app, NOW + timedelta(hours=1))
    assert len(rows(app, CaseRow)) == 1
    assert rows(app, MessageRow)[-1].reason == "follow-up added to the case"


def test_a_fellow_councillors_reply_all_is_not_the_councils_answer(
    app_factory: AppFactory,
) -> None:
    # Jo wrote to the mailbox copying her ward colleague; Rhian replies to all.
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", f"Cc: {RHIAN[1]}\r\nTo: Member Enquiries".encode()))
    run(app)
    server.deliver(_mail(
        f"{RHIAN[0]} <{RHIAN[1]}>", "RE: Pothole outside 14 Castle Street",
        "<rhian-1@wiltshire.gov.uk>", "Residents on my side of the ward say the same.",
        extra=f"Cc: {JO[0]} <{JO[1]}>\r\n"
              f"In-Reply-To: {message_id_in(eml('member_enquiry.eml'))}\r\n"))
    run(app, NOW + timedelta(hours=1))
    [case] = rows(app, CaseRow)
    assert case.status == "open" and case.responded_at is None
    assert rows(app, MessageRow)[-1].case_id == case.id


def test_an_officers_header_less_out_of_office_redirects_and_gets_no_reply(
    app_factory: AppFactory,
) -> None:
    app, server, assignment = _assigned_to_sam(app_factory)
    sent_before = len(server.outgoing)
    server.deliver(_mail(f"{SAM[0]} <{SAM[1]}>", "RE: Enquiry from Cllr Jo Bloggs: Pothole "
                         "outside 14 Castle Street [MB-2026-00001]", "<sam-ooo@wiltshire.gov.uk>",
                         "Thank you for your email. I will be away from the office until "
                         "Monday 30 November.",
                         extra=f"In-Reply-To: {assignment.message_id}\r\n"))
    run(app, NOW + timedelta(hours=1))
    assert rows(app, MessageRow)[-1].automatic == "auto_reply"
    assert rows(app, CaseRow)[0].officer_email == LEE[1]  # passed to the deputy
    new = [recipients for recipients, _ in server.outgoing[sent_before:]]
    assert not [to for to in new if SAM[1] in to]  # nothing back to Sam's robot
    # The deputy gets the case, and the member is told whom to contact meanwhile.
    assert sorted(new) == sorted([(LEE[1],), (JO[1],)])


@pytest.mark.parametrize("strip", [b"", b"OFFICIAL-SENSITIVE: "])  # subject marking, label only
def test_an_official_sensitive_message_is_handled_as_confidential(
    app_factory: AppFactory, strip: bytes
) -> None:
    app, server = app_factory()
    raw = eml("official_sensitive_label.eml")
    server.deliver(raw.replace(b"Subject: " + strip, b"Subject: ") if strip else raw)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.confidential
    [(ack, _)] = sent_to(server, JO[1])
    text = body_text(ack, "plain")
    assert "Mill Lane" not in text and "Your message was" not in text
    assert "kept confidential" in text


@pytest.mark.parametrize("subject", [
    "Update on the pothole, ref MB-2026-00001",  # typed by hand, as the ack asks
    "mb-2026-00001 - photo",
])
def test_a_reference_typed_into_a_new_message_finds_the_case(
    app_factory: AppFactory, subject: str
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml"))
    run(app)
    server.deliver(_mail(f"{JO[0]} <{JO[1]}>", subject, "<jo-new@wiltshire.gov.uk>",
                         "It is getting deeper."))
    run(app, NOW + timedelta(hours=1))
    assert len(rows(app, CaseRow)) == 1
    assert rows(app, MessageRow)[-1].reason == "follow-up added to the case"
    assert len(sent_to(server, JO[1])) == 1


def test_a_members_secure_email_notice_is_their_message_not_a_robot(
    app_factory: AppFactory,
) -> None:
    # Egress / Mimecast / Outlook encryption: the member's words wait behind a link, and the
    # notice says "automated ... do not reply". An officer must see it: a case, an ack.
    app, server = app_factory()
    server.deliver(eml("secure_email_notice_from_member.eml"))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "processed" and row.automatic is None, row.reason
    assert len(sent_to(server, JO[1])) == 1
