"""A councillor forwards a resident's mail that had no subject, or clears the subject line
before forwarding, so Outlook sends it as "FW:" (Gmail and phones "Fwd:", sometimes with a
trailing space; a reply forwarded on, "RE: FW:"). The case used to be titled "Fwd:", and
the member's acknowledgement said 'Your message was: "Fwd:"' under a subject "Re: Fwd:",
as did the officer's assignment, the reminders and the digest.

A case is now titled by the forwarded mail's own subject (from the forwarded header block
in the body, or the message attached as message/rfc822), else by the first words of the
member's own text, else it has none ("(no subject)" where a subject line must say
something), without the "Fwd:" in front; in English and in Welsh alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam, rows

from mailbot.store.tables import CaseRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
RHIAN = "Cllr Rhian Evans <rhian@wiltshire.gov.uk>"
OUTLOOK_BLOCK = (
    "{own}\r\n\r\n"
    "________________________________\r\n"
    "From: Pat Resident <pat@example.net>\r\n"
    "Sent: 22 November 2026 18:40\r\n"
    "To: Bloggs, Jo (Cllr) <jo@wiltshire.gov.uk>\r\n"
    "Subject: {subject}\r\n\r\n"
    "The hedge at number 9 has grown right over the pavement and the streetlight.\r\n"
)
GMAIL_BLOCK = (
    "{own}\r\n\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Pat Resident <pat@example.net>\r\n"
    "Date: Sun, 22 Nov 2026 at 18:40\r\n"
    "Subject: {subject}\r\n"
    "To: <jo@wiltshire.gov.uk>\r\n\r\n"
    "The hedge at number 9 has grown right over the pavement and the streetlight.\r\n"
)
OWN = "Could someone look at this please?\r\n\r\nJo"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        yield it


def _mail_to(left: list[EmailMessage], address: str) -> EmailMessage:
    [found] = [m for m in left if str(m["To"]) == address]
    return found


def _words(message: EmailMessage, part: str = "plain") -> str:
    return " ".join(body_text(message, part).split())


@pytest.mark.parametrize("subject", ["FW:", "Fwd:", "Fwd: ", "RE: FW:", "fw :"])
@pytest.mark.parametrize("block", [OUTLOOK_BLOCK, GMAIL_BLOCK], ids=["outlook", "gmail"])
def test_the_forwarded_mails_subject_titles_the_case(
    council: Council, subject: str, block: str
) -> None:
    body = block.format(own=OWN, subject="Overgrown hedge on Oak Lane")
    left = council.deliver(council.mail(JO, subject, body, date=MONDAY), MONDAY)

    [case] = rows(council.app, CaseRow)
    assert case.subject == "Overgrown hedge on Oak Lane"
    ack = _mail_to(left, "jo@wiltshire.gov.uk")
    assert str(ack["Subject"]) == f"Re: Overgrown hedge on Oak Lane [{case.ref}]"
    text = _words(ack)
    assert 'Your message was: "Overgrown hedge on Oak Lane"' in text
    assert '"Fwd:' not in text and '"FW:' not in text and '"RE:' not in text
    assignment = _mail_to(left, "sam@wiltshire.gov.uk")
    assert str(assignment["Subject"]).endswith(
        f"from Cllr Jo Bloggs: Overgrown hedge on Oak Lane [{case.ref}]")


def test_an_attached_message_titles_the_case(council: Council) -> None:
    boundary = "b1"
    attached = ("From: Pat Resident <pat@example.net>\r\nTo: jo@wiltshire.gov.uk\r\n"
                "Subject: Streetlight out on Mill Lane\r\n"
                "Date: Sun, 22 Nov 2026 18:40:00 +0000\r\n\r\n"
                "The streetlight outside number 4 has been out for a week.\r\n")
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{OWN}\r\n"
            f"--{boundary}\r\nContent-Type: message/rfc822\r\n"
            "Content-Disposition: attachment; filename=\"Streetlight.eml\"\r\n\r\n"
            f"{attached}\r\n--{boundary}--")
    raw = council.mail(JO, "FW:", body, date=MONDAY, extra=(
        f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"'))
    left = council.deliver(raw, MONDAY)

    [case] = rows(council.app, CaseRow)
    assert case.subject == "Streetlight out on Mill Lane"
    assert str(_mail_to(left, "jo@wiltshire.gov.uk")["Subject"]) == (
        f"Re: Streetlight out on Mill Lane [{case.ref}]")


def test_a_forward_of_mail_without_a_subject_takes_the_members_first_words(
    council: Council,
) -> None:
    body = OUTLOOK_BLOCK.format(
        own="Hi,\r\n\r\nThe resident below says the bins on Mill Lane were missed for the "
            "third week running. Can this be chased?\r\n\r\nJo", subject="")
    left = council.deliver(council.mail(JO, "Fwd:", body, date=MONDAY), MONDAY)

    [case] = rows(council.app, CaseRow)
    assert case.subject == "The resident below says the bins on Mill Lane were..."
    ack = _mail_to(left, "jo@wiltshire.gov.uk")
    assert str(ack["Subject"]) == (
        f"Re: The resident below says the bins on Mill Lane were... [{case.ref}]")


@pytest.mark.parametrize(("member", "address", "missing"), [
    (JO, "jo@wiltshire.gov.uk", "Your message was"),
    (RHIAN, "rhian@wiltshire.gov.uk", "Pwnc eich neges"),
], ids=["english", "welsh"])
def test_a_forward_with_nothing_to_title_it_has_no_subject(
    council: Council, member: str, address: str, missing: str
) -> None:
    body = OUTLOOK_BLOCK.format(own="", subject="")
    left = council.deliver(council.mail(member, "FW: ", body, date=MONDAY), MONDAY)

    [case] = rows(council.app, CaseRow)
    assert case.subject == ""
    ack = _mail_to(left, address)
    assert str(ack["Subject"]) == f"Re: (no subject) [{case.ref}]"
    for part in ("plain", "html"):
        text = _words(ack, part)
        # The first line already says when it came: no quoted "FW:" under it.
        assert missing not in text and "FW:" not in text
    assignment = _mail_to(left, "sam@wiltshire.gov.uk")
    assert str(assignment["Subject"]).endswith(f": (no subject) [{case.ref}]")


def test_a_forward_with_its_own_subject_keeps_it(council: Council) -> None:
    body = OUTLOOK_BLOCK.format(own=OWN, subject="Overgrown hedge on Oak Lane")
    left = council.deliver(council.mail(JO, "FW: Hedge - resident's email", body,
                                        date=MONDAY), MONDAY)
    [case] = rows(council.app, CaseRow)
    assert case.subject == "FW: Hedge - resident's email"
    assert str(_mail_to(left, "jo@wiltshire.gov.uk")["Subject"]) == (
        f"Re: FW: Hedge - resident's email [{case.ref}]")


def test_a_confidential_forward_shows_nothing_of_the_body_in_its_subject(
    council: Council,
) -> None:
    body = OUTLOOK_BLOCK.format(own="Please keep this confidential.\r\n\r\nJo",
                                subject="Overgrown hedge on Oak Lane")
    left = council.deliver(council.mail(JO, "FW:", body, date=MONDAY), MONDAY)
    [case] = rows(council.app, CaseRow)
    assert case.confidential
    ack = _mail_to(left, "jo@wiltshire.gov.uk")
    assert str(ack["Subject"]) == f"Re: (no subject) [{case.ref}]"
    assert "Oak Lane" not in _words(ack) and "Oak Lane" not in _words(ack, "html")
