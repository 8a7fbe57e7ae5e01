"""compose() and reply_subject(): the bytes we send are one safe RFC 5322 message,
threaded under the member's mail, marked automatic, and recognised as ours if they
come back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from helpers import OUTGOING_HEADERS, top_level_header_names

from mailbot.compose import Envelope, compose, new_message_id, reply_subject
from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message
from mailbot.render import Rendered

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MAILBOX = "memberenquiries@wiltshire.gov.uk"
MEMBER_ID = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"


def rendered(subject: str = "Re: Pothole [MB-2026-00001]") -> Rendered:
    return Rendered(
        subject=subject,
        text="Dear Cllr Bloggs,\n\nWe will respond by Wednesday 9 December 2026. Diolch ŵ.\n",
        html="<p>Dear Cllr Bloggs,</p><p>By <strong>Wednesday 9 December 2026</strong>.</p>\n",
    )


def envelope(**changes: object) -> Envelope:
    values: dict[str, object] = {
        "sender": MAILBOX, "sender_name": "Member Enquiries", "to": ("jo.bloggs@wiltshire.gov.uk",),
        "in_reply_to": MEMBER_ID, "references": (MEMBER_ID,), "instance": "wiltshire",
    }
    values.update(changes)
    return Envelope(**values)  # type: ignore[arg-type]


def build(r: Rendered | None = None, e: Envelope | None = None) -> tuple[bytes, EmailMessage]:
    mime = compose(r or rendered(), e or envelope(), message_id="<ack-1@wiltshire.gov.uk>",
                   now=NOW)
    message = email.message_from_bytes(mime, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return mime, message


@pytest.mark.parametrize(("original", "expected"), [
    ("Pothole", "Re: Pothole [MB-2026-00001]"),
    ("RE: Pothole", "RE: Pothole [MB-2026-00001]"),
    ("Re : Pothole", "Re : Pothole [MB-2026-00001]"),
    ("Pothole [MB-2026-00001]", "Re: Pothole [MB-2026-00001]"),
    ("", "Re: (no subject) [MB-2026-00001]"),
    ("[MB-2026-00001]", "Re: [MB-2026-00001]"),
    ("RE: [MB-2026-00007]", "Re: [MB-2026-00001]"),
    ("Pothole\r\nBcc: x@evil.example", "Re: Pothole Bcc: x@evil.example [MB-2026-00001]"),
    ("{{ config }}", "Re: {{ config }} [MB-2026-00001]"),
])
def test_reply_subject(original: str, expected: str) -> None:
    assert reply_subject(original, "MB-2026-00001") == expected


def test_reply_subject_of_a_very_long_subject_keeps_the_reference() -> None:
    subject = reply_subject("word " * 400, "MB-2026-00001")
    assert subject.endswith("… [MB-2026-00001]") and len(subject) < 200


def test_the_ack_carries_exactly_our_headers() -> None:
    mime, message = build()
    names = top_level_header_names(mime)
    assert set(names) <= OUTGOING_HEADERS and len(names) == len(set(names))
    assert message["From"] == f"Member Enquiries <{MAILBOX}>"
    assert message["To"] == "jo.bloggs@wiltshire.gov.uk"
    assert message["Message-ID"] == "<ack-1@wiltshire.gov.uk>"
    assert message["Date"] == format_datetime(NOW)
    # A long id is folded onto its own line ("In-Reply-To:\r\n <id>"): valid RFC 5322,
    # and the stdlib parser keeps the folding space, hence the strip().
    assert message["In-Reply-To"].strip() == MEMBER_ID
    assert message["References"].strip() == MEMBER_ID
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["X-Mailbot-Loop"] == "wiltshire"


def test_wire_format_is_crlf_with_short_lines() -> None:
    mime, _ = build(rendered("Re: " + "long words " * 60 + "[MB-2026-00001]"))
    assert b"\n" not in mime.replace(b"\r\n", b"") and b"\r" not in mime.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in mime.split(b"\r\n"))


def test_text_and_html_alternatives_round_trip() -> None:
    _, message = build()
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert "Diolch ŵ." in plain.get_content()
    assert "<strong>Wednesday 9 December 2026</strong>" in html.get_content()


@pytest.mark.parametrize("field", ["subject", "sender_name"])
def test_crlf_in_any_value_cannot_add_a_header(field: str) -> None:
    evil = "Member Enquiries\r\nBcc: everyone@evil.example\r\nX-Injected: yes"
    if field == "subject":
        mime, message = build(r=rendered(evil))
    else:
        mime, message = build(e=envelope(sender_name=evil))
    names = top_level_header_names(mime)
    assert "bcc" not in names and "x-injected" not in names
    assert "\n" not in str(message[field.replace("sender_name", "From")])


def test_cc_is_written_only_when_asked() -> None:
    assert "cc" not in top_level_header_names(build()[0])
    _, message = build(e=envelope(cc=("sam.patel@wiltshire.gov.uk",)))
    assert message["Cc"] == "sam.patel@wiltshire.gov.uk"


def test_references_keep_the_last_twenty_and_end_with_the_parent() -> None:
    chain = tuple(f"<r{n}@mail.example>" for n in range(30))
    _, message = build(e=envelope(references=chain))
    ids = str(message["References"]).split()
    assert len(ids) == 20 and ids[-1] == MEMBER_ID and ids[0] == "<r11@mail.example>"


def test_no_threading_headers_without_a_parent() -> None:
    names = top_level_header_names(build(e=envelope(in_reply_to=None, references=()))[0])
    assert "in-reply-to" not in names and "references" not in names


def test_our_ack_is_recognised_as_ours_when_it_comes_back() -> None:
    mime, _ = build()
    parsed = parse_message(mime)
    assert isinstance(parsed, ParsedMessage)
    verdict = detect_automatic(parsed)
    assert verdict is not None and verdict.automatic == Automatic.AUTO_REPLY
    assert "loop header" in verdict.reason


def test_message_ids_are_unique_and_in_the_mailbox_domain() -> None:
    ids = {new_message_id(MAILBOX) for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("<") and i.endswith("@wiltshire.gov.uk>") for i in ids)


def test_mail_to_an_officer_asks_for_their_out_of_office_and_bounces() -> None:
    # Exchange honours X-Auto-Response-Suppress (MS-OXCMAIL 2.1.3.2.20): "All" would keep
    # back exactly the out-of-office and non-delivery reports absence.py acts on.
    mime, message = build(e=envelope(to=("sam.patel@wiltshire.gov.uk",), hear_absence=True))
    assert message["X-Auto-Response-Suppress"] == "DR, RN, NRN, AutoReply"
    assert message["Auto-Submitted"] is None and message["Precedence"] is None
    assert message["X-Mailbot-Loop"] == "wiltshire"
    # Still our own mail if it comes back.
    parsed = parse_message(mime)
    assert isinstance(parsed, ParsedMessage)
    verdict = detect_automatic(parsed)
    assert verdict is not None and "loop header" in verdict.reason
