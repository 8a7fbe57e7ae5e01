"""Mail whose text mailbot cannot read: encrypted (S/MIME, PGP/MIME, inline PGP), only in
Outlook's winmail.dat, or only attachments. The officer must be told why the quote is
empty and where to read the original, and the case's kind must not be a confident guess
from the subject line: such cases wait in triage."""

from __future__ import annotations

import pytest
from helpers import JO, RHIAN, SAM, AppFactory, body_text, eml, rows, run, sent_to

from mailbot.store.tables import CaseRow

OPEN_THE_ORIGINAL = "Open the original in the shared mailbox (memberenquiries@wiltshire.gov.uk)"
ARMOUR_LINE = "UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA"  # the encrypted data, in all three files
GUESSED = '"What" above is a guess from the subject line alone: check it.'


@pytest.mark.parametrize("name", [
    "member_smime_encrypted.eml", "member_pgp_mime_encrypted.eml", "member_inline_pgp.eml",
])
def test_encrypted_mail_tells_the_officer_to_open_the_original(
    app_factory: AppFactory, name: str
) -> None:
    app, server = app_factory()
    server.deliver(eml(name))
    run(app)
    [case] = rows(app, CaseRow)
    # make_app's threshold is 0.5, the rules classifier's plain enquiry: without the cap
    # these cases opened as confident enquiries from the subject line.
    assert case.status == "needs_triage" and case.confidence <= 0.2
    [(assignment, _)] = sent_to(server, SAM[1])
    for part in ("plain", "html"):
        text = " ".join(body_text(assignment, part).split())
        assert "The member's message is encrypted, so mailbot cannot read it" in text
        assert OPEN_THE_ORIGINAL in text
        assert "PGP MESSAGE" not in text and ARMOUR_LINE not in text
    assert GUESSED in body_text(assignment, "plain")
    [(ack, _)] = sent_to(server, JO[1])  # the member is still acknowledged
    assert "MB-2026-00001" in str(ack["Subject"])


def test_attachments_only_mail_tells_the_officer_to_open_the_original(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_pdf_only_letter.eml"))
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "needs_triage"
    [(assignment, _)] = sent_to(server, SAM[1])
    text = body_text(assignment, "plain")
    assert "has no text of its own, only attachments" in text
    assert OPEN_THE_ORIGINAL in text and GUESSED in text


def test_the_note_is_in_welsh_too_for_a_bilingual_council(app_factory: AppFactory) -> None:
    app, server = app_factory(policy="cardiff")
    raw = eml("member_smime_encrypted.eml").replace(
        b"From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>",
        f"From: {RHIAN[0]} <{RHIAN[1]}>".encode(),
    )
    server.deliver(raw)
    run(app)
    [(assignment, _)] = sent_to(server, SAM[1])
    text = " ".join(body_text(assignment, "plain").split())
    assert "Mae neges yr aelod wedi'i hamgryptio" in text
    assert "The member's message is encrypted" in text


def test_readable_mail_carries_no_note(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", b"Cc: Sam Patel <sam.patel@wiltshire.gov.uk>\nTo: Member Enquiries"
    ))
    run(app)
    [(assignment, _)] = sent_to(server, SAM[1])
    text = body_text(assignment, "plain")
    assert "shared mailbox (" not in text and "guess" not in text
    assert "> A resident has reported a deep pothole" in text


def test_an_encrypted_follow_up_is_named_but_the_kind_is_not_called_a_guess(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("member_enquiry.eml").replace(
        b"To: Member Enquiries", b"Cc: Sam Patel <sam.patel@wiltshire.gov.uk>\nTo: Member Enquiries"
    ))
    run(app)
    # To the mailbox alone: a follow-up copied to the officer reaches them already, and
    # is only recorded on the case (no "Update:" repeating it).
    follow_up = eml("member_smime_encrypted.eml").replace(
        b"Subject: Please look into the planning complaint from 12 Mill Lane",
        b"Subject: RE: Pothole outside 14 Castle Street [MB-2026-00001]",
    ).replace(b"Cc: Sam Patel <sam.patel@wiltshire.gov.uk>\n", b"")
    assert b"sam.patel" not in follow_up.split(b"\n\n", 1)[0]
    server.deliver(follow_up)
    run(app)
    [case] = rows(app, CaseRow)
    assert case.status == "open"  # the kind was settled by the first, readable message
    [_, (update, _)] = sent_to(server, SAM[1])
    text = " ".join(body_text(update, "plain").split())
    assert "The member's message is encrypted" in text and OPEN_THE_ORIGINAL in text
    assert "guess" not in text
