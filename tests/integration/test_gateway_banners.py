"""A council's mail gateway puts a warning on top of mail from outside ("CAUTION: This email
originated from outside of the organisation. Do not click links ..."), and Microsoft 365
a first-contact tip. Members writing from a personal address get both. They are not the
member's words: the officer must not read them as the member's, and a member's "Thanks
Sam" under one must not reopen the answered case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import JO, NOW, SAM, SHARED_MAILBOX, AppFactory, body_text, eml, rows, run, sent_to

from mailbot.banners import without_gateway_banners
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.store.tables import CaseRow, MessageRow

CAUTION = ("CAUTION: This email originated from outside of the organisation. Do not click\r\n"
           "links or open attachments unless you recognise the sender and know the content\r\n"
           "is safe.\r\n\r\n")
FIRST_CONTACT = ("You don't often get email from jo.bloggs@wiltshire.gov.uk. Learn why this is "
                 "important<https://aka.ms/LearnAboutSenderIdentification>\r\n\r\n")
HTML_CAUTION = (
    '<table style="background:#ffeb9c"><tr><td><b>CAUTION:</b> This email originated from '
    "outside of the organisation. Do not click links or open attachments unless you recognise "
    "the sender and know the content is safe.</td></tr></table>"
)


def _mail(subject: str, message_id: str, body: str, extra: str = "",
          ctype: str = "text/plain") -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: {SHARED_MAILBOX}\r\n{extra}Subject: {subject}\r\n"
        f"Date: Wed, 25 Nov 2026 09:14:03 +0000\r\nMessage-ID: {message_id}\r\n"
        f"Content-Type: {ctype}; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize("banner", [CAUTION, FIRST_CONTACT])
def test_the_officer_reads_the_members_words_without_the_banner(
    app_factory: AppFactory, banner: str
) -> None:
    app, server = app_factory()
    raw = eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", f"Cc: {SAM[1]}\r\nTo: Member Enquiries".encode()
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    server.deliver(head + b"\r\n\r\n" + banner.encode() + body)
    run(app)
    [(assignment, _)] = sent_to(server, SAM[1])
    text = body_text(assignment, "plain")
    assert "> A resident has reported a deep pothole" in text
    assert "originated from outside" not in text and "Learn why" not in text


@pytest.mark.parametrize(("banner", "ctype"), [
    (CAUTION, "text/plain"), (FIRST_CONTACT, "text/plain"), (HTML_CAUTION, "text/html"),
])
def test_a_members_thanks_under_a_banner_leaves_the_answered_case_alone(
    app_factory: AppFactory, banner: str, ctype: str
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", f"Cc: {SAM[1]}\r\nTo: Member Enquiries".encode()))
    run(app)
    server.deliver((
        f"From: {SAM[0]} <{SAM[1]}>\r\nTo: {SHARED_MAILBOX}\r\nCc: {JO[1]}\r\n"
        "Subject: RE: Pothole outside 14 Castle Street [MB-2026-00001]\r\n"
        "Date: Wed, 25 Nov 2026 13:00:00 +0000\r\nMessage-ID: <sam-answer@wiltshire.gov.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nIt will be filled on Friday.\r\n"
    ).encode())
    run(app, NOW + timedelta(hours=1))
    assert rows(app, CaseRow)[0].status == "responded"
    sent_before = len(server.outgoing)
    thanks = "<p>Thanks Sam, much appreciated.</p><p>Jo</p>" if ctype == "text/html" else (
        "Thanks Sam, much appreciated.\r\n\r\nJo")
    server.deliver(_mail("RE: [EXTERNAL] Pothole outside 14 Castle Street [MB-2026-00001]",
                         "<jo-thanks@example.net>", banner + thanks,
                         extra="In-Reply-To: <sam-answer@wiltshire.gov.uk>\r\n", ctype=ctype))
    run(app, NOW + timedelta(hours=2))
    [case] = rows(app, CaseRow)
    assert case.status == "responded"
    assert len(server.outgoing) == sent_before
    assert rows(app, MessageRow)[-1].reason == "thanks for the answer; stays answered"


RHYBUDD = ("RHYBUDD: Mae'r neges e-bost hon wedi dod o'r tu allan i'r sefydliad. Peidiwch â "
           "chlicio ar ddolenni nac agor atodiadau oni bai eich bod yn adnabod yr anfonwr ac yn "
           "gwybod bod y cynnwys yn ddiogel.")


@pytest.mark.parametrize("banner", [
    RHYBUDD + "\r\n\r\n",  # a Welsh council's gateway
    CAUTION + RHYBUDD + "\r\n\r\n",  # bilingual, in two paragraphs
    CAUTION.rstrip() + "\r\n" + RHYBUDD + "\r\n",  # bilingual, in one
])
def test_a_welsh_or_bilingual_banner_goes_too(banner: str) -> None:
    assert without_gateway_banners(banner + "Diolch Sam!").strip() == "Diolch Sam!"


@pytest.mark.parametrize("text", [
    "Rhybudd: mae'r bont ar gau. Peidiwch â mynd yno heb olau.",
    "Warning: the bridge on Mill Lane is unsafe. Do not open the gate unless you recognise "
    "the contractor.",
    "Hello,\n\nA resident warned me: do not click links in the council tax texts, they are a "
    "scam. Caution please.\n\nJo",
    "The message came from outside the UK, so I think it is a scam.",
    "Warning: do not click links in the texts claiming to be from the council.",
])
def test_a_members_own_warning_is_kept(text: str) -> None:
    assert without_gateway_banners(text) == text


def test_a_banner_on_a_forwarded_residents_email_goes_too() -> None:
    body = ("Please see below.\r\n\r\n---------- Forwarded message ---------\r\n"
            "From: Pat Resident <pat.resident@example.net>\r\nSubject: Bins\r\n\r\n"
            "EXTERNAL EMAIL: Do not click links or open attachments unless you recognise the "
            "sender.\r\n\r\nDear Cllr Bloggs, the bins on Mill Lane were missed again.")
    message = parse_message(_mail("FW: Bins", "<fw-bins@example.net>", body))
    assert isinstance(message, ParsedMessage)
    assert "Do not click" not in message.text
    assert "From: Pat Resident" in message.text
    assert "Dear Cllr Bloggs, the bins on Mill Lane were missed again." in message.text


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_a_banner_with_no_blank_line_under_it_takes_only_its_own_lines(newline: str) -> None:
    text = CAUTION.replace("\r\n\r\n", "\r\n").replace("\r\n", newline) + "Thanks Sam!"
    assert without_gateway_banners(text) == "Thanks Sam!"
