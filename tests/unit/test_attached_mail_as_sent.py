"""A resident's email a councillor attaches, as clients and gateways really send it: as a
message/rfc822 part wrongly base64-encoded, or as a saved .eml file of a generic type. The
officer must read the resident's words, not a block of base64 or nothing."""

from __future__ import annotations

import base64

import pytest
from helpers import SAM, AppFactory, body_text, eml, run, sent_to

from mailbot.body import ATTACHMENTS_ONLY, body_note
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message

BASE64_RFC822 = "member_forwards_resident_email_as_base64_rfc822.eml"
WORDS = "Our green bins on Mill Lane have not been emptied for three weeks now – the crew"


def parsed(raw: bytes) -> ParsedMessage:
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    return message


def test_a_base64_encoded_attached_message_is_decoded() -> None:
    text = parsed(eml(BASE64_RFC822)).text
    assert text.startswith("Please see attached.")
    assert "From: Pat Resident <pat.resident@example.net>" in text
    assert "Subject: Bins not collected on Mill Lane" in text
    assert WORDS in text
    assert "RnJvbTog" not in text  # the base64 of "From: "


def _as_file(ctype: str, name: str, data: bytes) -> bytes:
    """The same mail with the resident's message attached as a file of `ctype`."""
    raw = eml(BASE64_RFC822)
    head, _, _ = raw.partition(b'Content-Type: message/rfc822; name="Bins')
    return head + (
        f'Content-Type: {ctype}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(data) + b"\r\n--_005_outer_--\r\n"


def _resident_email() -> bytes:
    """The resident's email as its .eml file holds it (the data file's attached part)."""
    raw = eml(BASE64_RFC822)
    encoded = raw.split(b"Content-Transfer-Encoding: base64\r\n\r\n", 1)[1].split(b"--_005")[0]
    return base64.b64decode(encoded)


@pytest.mark.parametrize("ctype", ["application/octet-stream", "application/x-eml"])
def test_a_saved_eml_attached_as_a_generic_file_is_read(ctype: str) -> None:
    text = parsed(_as_file(ctype, "Bins not collected on Mill Lane.eml", _resident_email())).text
    assert "From: Pat Resident <pat.resident@example.net>" in text and WORDS in text


def test_a_msg_file_saved_in_internet_form_is_read_as_an_email() -> None:
    """Programs other than Outlook save a mail as .msg in its RFC 5322 form."""
    raw = _as_file("application/octet-stream", "Bins.msg", _resident_email())
    text = parsed(raw).text
    assert "From: Pat Resident <pat.resident@example.net>" in text and WORDS in text


@pytest.mark.parametrize(("what", "data"), [
    ("headers no mail has", b"Colour: blue\r\nSize: 3\r\n\r\nNot a letter.\r\n"),
    ("not a message", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    ("empty", b""),
])
@pytest.mark.parametrize("name", ["letter.eml", "letter.msg"])
def test_a_saved_mail_file_that_is_no_message_adds_nothing(
    what: str, data: bytes, name: str
) -> None:
    message = parsed(_as_file("application/octet-stream", name, data))
    assert message.text.strip() == "Please see attached.", what
    bare = _as_file("application/octet-stream", name, data).replace(
        b"Please see attached.", b""
    )
    assert body_note(parsed(bare)) == ATTACHMENTS_ONLY, what


def test_the_officer_reads_the_residents_words(app_factory: AppFactory) -> None:
    app, server = app_factory()
    server.deliver(eml(BASE64_RFC822))
    run(app)
    [(assignment, _)] = sent_to(server, SAM[1])
    text = " ".join(body_text(assignment, "plain").split())
    assert "> From: Pat Resident <pat.resident@example.net>" in text
    assert WORDS in text and "RnJvbTog" not in text
