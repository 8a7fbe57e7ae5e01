"""Multipart mail whose boundary the parser cannot use: the body's own delimiter lines
divide it, or with none it is read as the plain text it is. Before, such a message came
out with no text at all (an empty case for the officer, a missed bounce for the guard)."""

from __future__ import annotations

from helpers import eml

from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message

HEAD = (
    "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
    "To: memberenquiries@wiltshire.gov.uk\r\nSubject: {subject}\r\n"
    "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\nMessage-ID: <lost-1@wiltshire.gov.uk>\r\n"
    "MIME-Version: 1.0\r\n"
)


def parsed(raw: bytes) -> ParsedMessage:
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    return message


def test_a_boundary_parameter_that_lost_its_indentation_still_divides_the_parts() -> None:
    message = parsed(eml("member_boundary_parameter_not_indented.eml"))
    assert message.text.startswith("Could someone please look at the street light outside 22")
    assert "walking home—" in message.text and "boundary=" not in message.text
    assert "text/html" in message.content_types


def test_a_delivery_report_whose_declared_boundary_is_not_the_one_used_is_a_bounce() -> None:
    # A member's own mail server bounces their mail back under their name; only the
    # delivery-status part says what it is.
    raw = (
        HEAD.format(subject="Your message to planning")
        + 'Content-Type: multipart/report; report-type=delivery-status; boundary="AB12_"\r\n\r\n'
        "--AB12\r\nContent-Type: text/plain\r\n\r\nYour message could not be sent.\r\n\r\n"
        "--AB12\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n"
        "\r\nFinal-Recipient: rfc822; planning@example.org\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n--AB12--\r\n"
    ).encode()
    message = parsed(raw)
    assert "message/delivery-status" in message.content_types
    assert message.delivery_actions == ["failed"]
    verdict = detect_automatic(message)
    assert verdict is not None and verdict.automatic == Automatic.BOUNCE


def test_a_multipart_without_any_delimiter_is_read_as_plain_text() -> None:
    raw = (
        HEAD.format(subject="Bins not collected")
        + 'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
        "The bins on Mill Lane were missed again this week. Could someone check?\r\n"
    ).encode()
    assert parsed(raw).text.startswith("The bins on Mill Lane were missed again this week.")


def test_outlook_original_message_lines_are_not_taken_for_delimiters() -> None:
    history = (
        "-----Original Message-----\r\nFrom: Sam Patel\r\nSent: 24 November 2026\r\n\r\n"
        "We will look.\r\n"
    )
    raw = (
        HEAD.format(subject="RE: Pothole")
        + 'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
        "Any news on this?\r\n\r\n" + history + history
    ).encode()
    text = parsed(raw).text
    assert text.startswith("Any news on this?")
    assert text.count("From: Sam Patel") == 2
