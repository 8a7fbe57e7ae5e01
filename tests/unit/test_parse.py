"""parse_message on the project's own bad-input .eml files: it never raises, and what it
returns is safe to store and to quote (one-line headers, no NULs, no active HTML)."""

from __future__ import annotations

import base64
import re

import pytest
from helpers import DATA, eml

from mailbot.model import ParsedMessage
from mailbot.parse import (
    ParseFailure,
    message_id_of,
    parse_message,
    synthetic_message_id,
)
from mailbot.plaintext import header_safe

ALL_FILES = sorted(p.name for p in DATA.glob("*.eml"))


def parsed(name: str) -> ParsedMessage:
    result = parse_message(eml(name))
    assert isinstance(result, ParsedMessage), result
    return result


def test_the_data_folder_holds_the_bad_input_files() -> None:
    assert len(ALL_FILES) >= 19


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_file_parses_to_one_line_headers_without_control_characters(name: str) -> None:
    message = parsed(name)
    for key, value in message.headers.items():
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value), (key, value)  # tab is WSP
    assert "\x00" not in message.text
    assert not re.search(r"[\r\n\x00]", message.subject)
    if message.sender is not None:
        assert not re.search(r"[\x00-\x1f]", message.sender.name + message.sender.email)


def test_empty_bytes_are_a_failure_with_a_reason_not_an_exception() -> None:
    result = parse_message(b"")
    assert isinstance(result, ParseFailure)
    assert result.reason == "empty message"
    assert result.message_id.endswith("@mailbot.invalid>")


@pytest.mark.parametrize("raw", [
    b"\x00\xff\xfe" * 300,
    b"\r\r\r\n\n\n:::",
    b"From: \r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n",
    b"Subject: =?utf-8?B?not base64?=\r\nFrom: =?bogus?Q?=ZZ?= <a@b.example>\r\n\r\nx",
])
def test_garbage_never_raises(raw: bytes) -> None:
    result = parse_message(raw)
    assert isinstance(result, ParsedMessage | ParseFailure)


def test_two_thousand_character_subject_is_kept_whole_on_one_line() -> None:
    message = parsed("long_subject.eml")
    words = message.subject.split()
    assert len(" ".join(words)) == 2000
    assert words[:3] == ["Parking", "enforcement", "on"]


def test_folded_subject_is_unfolded_to_single_spaces() -> None:
    assert "  " not in parsed("long_subject.eml").subject


def test_template_syntax_is_kept_as_plain_text() -> None:
    message = parsed("jinja_in_subject_and_body.eml")
    assert message.subject == (
        "Pothole on {{ config }} Road {% for x in range(3) %}again{% endfor %} "
        "{{ ''.__class__ }}"
    )
    assert "{{ ''.__class__.__mro__[1].__subclasses__() }}" in message.text
    assert "{% include '/etc/passwd' %}" in message.text


def test_encoded_crlf_in_subject_stays_one_line_with_the_text_inside() -> None:
    message = parsed("crlf_in_encoded_name.eml")
    assert "\r" not in message.subject and "\n" not in message.subject
    assert message.subject.startswith("Pothole on Castle Street")
    assert "bcc" not in message.headers and "x-injected" not in message.headers


def test_encoded_display_name_cannot_change_the_sender_address() -> None:
    message = parsed("crlf_in_encoded_name.eml")
    assert message.sender is not None
    assert message.sender.email == "jo.bloggs@wiltshire.gov.uk"


def test_an_encoded_name_with_a_comma_keeps_the_real_address() -> None:
    raw = (b"From: =?utf-8?Q?Jones=2C_Si=C3=A2n_=28Cllr=29?= <sian.jones@wiltshire.gov.uk>\r\n"
           b"Subject: Bins\r\n\r\nBins were missed.\r\n")
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage) and message.sender is not None
    assert message.sender.email == "sian.jones@wiltshire.gov.uk"


def test_raw_cr_in_the_from_name_yields_no_sender_rather_than_a_wrong_one() -> None:
    # compat32 treats the bare CR as a line end; the From line left has no address.
    # The pipeline quarantines sender-less mail, which is what the issue allows.
    message = parsed("raw_cr_in_from_name.eml")
    assert message.sender is None or message.sender.email == "jo.bloggs@wiltshire.gov.uk"
    assert all("\r" not in v for v in message.headers.values())


def test_body_declared_us_ascii_but_in_cp1252_is_read_as_cp1252() -> None:
    text = parsed("charset_lies_ascii.eml").text
    assert "café on Market Place" in text
    assert "“late hours”" in text
    assert "£50 a week" in text and "sleep – can" in text


def test_body_declared_utf8_but_in_latin1_is_read_as_latin1() -> None:
    text = parsed("charset_lies_utf8.eml").text
    assert "The façade of the old library on Château Road" in text


def test_body_in_an_unknown_charset_is_read_not_dropped() -> None:
    text = parsed("charset_unknown.eml").text
    assert "missed again this week – the third time" in text


def test_raw_8bit_subject_in_cp1252_is_decoded() -> None:
    assert parsed("charset_lies_ascii.eml").subject == (
        "Café licence – “late hours” on Market Place"
    )


@pytest.mark.parametrize(("subject", "charset"), [
    ("垃圾桶没有被收走", "gb2312"),  # a Chinese client writes both in GB2312
    ("Śmieci nie zostały zabrane", "iso-8859-2"),  # and a Polish one in Latin-2
    ("Café licence – “late hours”", "windows-1252"),
])
def test_a_raw_8bit_subject_is_read_in_the_charset_the_body_declares(
    subject: str, charset: str
) -> None:
    raw = (
        b"From: jo.bloggs@wiltshire.gov.uk\r\nSubject: " + subject.encode(charset)
        + f"\r\nContent-Type: text/plain; charset={charset}\r\n\r\n".encode()
        + subject.encode(charset) + b"\r\n"
    )
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.subject == subject and message.text.strip() == subject


def test_raw_utf8_subject_is_decoded() -> None:
    raw = "From: jo.bloggs@wiltshire.gov.uk\r\nSubject: Château Road café\r\n\r\nx\r\n"
    message = parse_message(raw.encode("utf-8"))
    assert isinstance(message, ParsedMessage)
    assert message.subject == "Château Road café"


def test_encoded_word_subject_with_a_lying_charset_is_decoded() -> None:
    assert parsed("charset_lies_utf8.eml").subject == "Façade of the old library"


def test_encoded_word_subject_in_an_unknown_charset_is_decoded() -> None:
    assert parsed("charset_unknown.eml").subject == "Bin collection missed on Brook Road"


def test_nul_bytes_are_removed_from_headers_and_body() -> None:
    message = parsed("nul_bytes.eml")
    assert message.subject == "Graffiti on the underpass"
    assert message.headers["x-client-info"] == "build 1234"
    assert "offensive graffiti on the underpass" in message.text
    assert "\x00" not in message.text


def test_a_missing_message_id_gets_a_stable_synthetic_one() -> None:
    raw = eml("no_message_id.eml")
    message = parsed("no_message_id.eml")
    assert message.message_id == synthetic_message_id(raw) == message_id_of(raw)
    assert re.fullmatch(r"<[0-9a-f]{40}@mailbot\.invalid>", message.message_id)
    assert message_id_of(raw + b"\r\nP.S. one more line\r\n") != message.message_id


def test_a_real_message_id_is_used_as_is() -> None:
    assert parsed("member_enquiry.eml").message_id == (
        "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
    )


def test_no_date_header_gives_no_date() -> None:
    assert parsed("no_date.eml").date is None


def test_html_only_message_is_read_without_script_or_style() -> None:
    message = parsed("html_only_script.eml")
    assert "swing" in message.text and "Victoria Park is broken" in message.text
    assert "Could parks fix it before the weekend?" in message.text
    for active in ("alert", "document.cookie", "evil.example", "color: red", "display: none"):
        assert active not in message.text


def test_image_only_message_has_no_text_and_keeps_its_parts() -> None:
    message = parsed("image_only.eml")
    assert message.text == ""
    assert message.content_types == ["multipart/mixed", "image/png"]
    assert message.subject == "Photo"


def test_unterminated_multipart_keeps_the_text_and_records_the_defect() -> None:
    message = parsed("malformed_mime.eml")
    assert "goes to committee?" in message.text
    assert "CloseBoundaryNotFoundDefect" in message.defects
    assert "JVBERi0" not in message.text  # the broken attachment is not read as text


def test_thread_headers_are_read() -> None:
    message = parsed("officer_reply_cc.eml")
    original = "<DB9PR01MB7361A1B2C3D4E5F6@DB9PR01MB7361.eurprd01.prod.outlook.com>"
    assert message.in_reply_to == original
    assert message.references == [original]
    assert [a.email for a in message.to] == ["jo.bloggs@wiltshire.gov.uk"]
    assert [a.email for a in message.cc] == ["memberenquiries@wiltshire.gov.uk"]


@pytest.mark.parametrize(("value", "expected"), [
    ("Pothole\r\nBcc: x@evil.example", "Pothole Bcc: x@evil.example"),
    ("a\rb\nc\x00d\x07e", "a b cde"),
    ("  spaced    out  ", "spaced out"),
    ("{{ config }}", "{{ config }}"),
])
def test_header_safe_gives_one_clean_line(value: str, expected: str) -> None:
    assert header_safe(value) == expected


def test_header_safe_bounds_the_length() -> None:
    out = header_safe("word " * 1000, limit=200)
    assert len(out) == 200 and out.endswith("…")


def test_an_attached_message_is_one_part_and_its_text_reads_as_a_forward() -> None:
    message = parsed("member_forwards_invite_as_attachment.eml")
    assert message.content_types == ["multipart/mixed", "text/plain", "message/rfc822"]
    assert message.attachment_types == ["message/rfc822"]
    own, _, forwarded = message.text.partition("---------- Forwarded message ----------")
    assert "Could the street\nscene manager come along" in own.replace("\r\n", "\n")
    assert "From: Pat Stranger <pat.stranger@example.net>" in forwarded
    assert "Subject: Ward walkabout on Saturday" in forwarded
    assert "Join us on Saturday at 10am" in forwarded


SUBJECT = "Bins \u202eexe.txt\u202c and \u2066x\u2069 \x85"


def test_a_subject_cannot_reorder_itself_with_bidirectional_controls() -> None:
    """U+202E (right-to-left override) would show "Invoice for txt.exe" as something else,
    in `mailbot cases` and in the subject of our acknowledgement."""
    raw = (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
        "Subject: =?utf-8?b?" + base64.b64encode(SUBJECT.encode()).decode()
        + "?=\r\nMessage-ID: <bidi@x.example>\r\n\r\nHello\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMessage)
    assert parsed.subject == "Bins exe.txt and x"
