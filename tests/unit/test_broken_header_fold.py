"""A header value wrapped without the leading space that marks a continuation (a relay
folding Exchange's long diagnostics badly: MimeKit's issue 358). The stdlib parser ends
the headers there, so every header below it became body text: the officer read raw MIME,
and a newsletter's list headers below the break no longer marked it bulk."""

from __future__ import annotations

from mailbot.loops import detect_automatic
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import message_id_of, parse_message

BROKEN_FOLD = (
    "x-microsoft-exchange-diagnostics: 1;AM4PR01MB1442;27:3bJ4f0xNq2c\r\n"
    "P8FxVksOO2tmFWl+LxT0Acgv7RaCFBKFmzA31fwJabrvuEaFINDvMVgEV9Cc41bylhc13tqhso5spmuc9\r\n"
)


def parsed(raw: str) -> ParsedMessage:
    message = parse_message(raw.encode())
    assert isinstance(message, ParsedMessage)
    return message


def test_headers_below_a_broken_fold_are_still_headers() -> None:
    raw = (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\n"
        "Message-ID: <fold-1@wiltshire.gov.uk>\r\n" + BROKEN_FOLD
        + "Subject: Street light out on Castle Street\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
        "quoted-printable\r\n\r\nCould someone look at the street light outside number 2=\r\n"
        "2? It has been out for a fortnight.\r\n--b1\r\nContent-Type: text/html\r\n\r\n"
        "<p>Could someone look at the street light?</p>\r\n--b1--\r\n"
    )
    message = parsed(raw)
    assert message.subject == "Street light out on Castle Street"
    assert message.text.strip() == (
        "Could someone look at the street light outside number 22? It has been out for a "
        "fortnight."
    )
    assert message.message_id == message_id_of(raw.encode())  # the ledger's key unchanged


def test_a_newsletters_list_headers_below_a_broken_fold_still_mark_it_bulk() -> None:
    raw = (
        "From: Parish News <news@parish.example.org>\r\nMessage-ID: <news-1@parish.example>\r\n"
        + BROKEN_FOLD + "Subject: December newsletter\r\n"
        "List-Unsubscribe: <mailto:leave@parish.example.org>\r\n\r\nCarols on the green.\r\n"
    )
    verdict = detect_automatic(parsed(raw))
    assert verdict is not None and verdict.automatic == Automatic.BULK


def test_text_that_starts_with_no_blank_line_under_the_headers_is_kept() -> None:
    raw = (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\nSubject: Bins\r\n"
        "The bins on Mill Lane were missed again.\r\nCould someone check?\r\n\r\nJo\r\n"
    )
    message = parsed(raw)
    assert message.subject == "Bins"
    assert message.text.startswith("The bins on Mill Lane were missed again.")
