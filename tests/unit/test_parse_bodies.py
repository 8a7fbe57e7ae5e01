"""Bodies as members' clients really send them: Welsh in quoted-printable with soft line
breaks, UTF-8 under a Latin-1 label, a letter forwarded as an attachment."""

from __future__ import annotations

import pytest
from helpers import eml

from mailbot.body import MAX_TEXT_CHARS
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message


def parsed(name: str) -> ParsedMessage:
    message = parse_message(eml(name))
    assert isinstance(message, ParsedMessage)
    return message


def test_welsh_utf8_under_a_latin1_label_reads_as_written() -> None:
    message = parsed("member_welsh_utf8_labelled_latin1_qp.eml")
    assert message.subject == "Llifogydd ger y dŵr yn Heol y Bont"
    # soft line breaks joined, ŵ ŷ é whole (not "dÅµr")
    assert "Mae'r ffordd ger y dŵr yn Heol y Bont dan ddwr eto, ac mae'r draen wedi ei flocio" \
        in message.text
    assert "am y tŷ ar y gornel a'r café gyferbyn" in message.text
    assert "Ã" not in message.text and "Å" not in message.text


def test_real_windows_1252_text_is_still_read_as_windows_1252() -> None:
    raw = eml("member_welsh_utf8_labelled_latin1_qp.eml").replace(
        b"caf=C3=A9 gyferbyn", b"caf=E9 gyferbyn =96 diolch"
    ).replace(b"d=C5=B5r yn Heol", b"dwr yn Heol").replace(b"t=C5=B7", b"ty")
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert "a'r café gyferbyn – diolch" in message.text


def test_a_letter_forwarded_as_an_attachment_is_read_with_the_residents_words() -> None:
    message = parsed("member_forwards_resident_email_as_attachment.eml")
    assert message.text.startswith("Please see below.")
    assert "From: Pat Resident <pat.resident@example.net>" in message.text
    assert "have not been emptied for three weeks now and the crew skipped" in message.text


def test_a_huge_html_body_is_read_from_its_top() -> None:
    """20 MB of newsletter-like HTML from a member (html2text alone: about 15 s), and a
    photo pasted into the body as a data: URI above the member's question. Only its top is
    read (bench/bench_hostile_mail.py times it against ordinary mail of its size)."""
    photo = "data:image/jpeg;base64," + "/9j/4AAQSkZJRgABAQ" * 200_000
    row = '<tr><td style="padding:4px"><p>Fly-tipping on <b>Castle Street</b> &amp; more.</p>'
    html = (f'<html><body><p>Photo:</p><img src="{photo}"><p>Could someone look at the '
            f'fly-tipping on Castle Street?</p><table>{row * 200_000}</table></body></html>')
    raw = eml("member_enquiry.eml").replace(b'text/plain; charset="utf-8"', b"text/html")
    raw = raw[: raw.index(b"\r\n\r\n") + 4] + html.encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.text.startswith("Photo:\n\nCould someone look at the fly-tipping")
    assert "9j/4AAQ" not in message.text
    assert len(message.text) <= MAX_TEXT_CHARS


def test_a_utf8_note_over_a_pasted_windows_1252_letter_reads_whole() -> None:
    """Neither UTF-8 nor Windows-1252 throughout: each line is read in the one it is in."""
    message = parsed("member_utf8_note_over_pasted_cp1252_letter.eml")
    assert "edrych ar y llythyr isod am y dŵr yn y caffi" in message.text
    assert "The café on Bridge Street – next to the library – has had water" in message.text


# Residents' mail that members pass on, in the labels East Asian mail clients and phone
# carriers really send: 8-bit Japanese labelled ISO-2022-JP (a 7-bit charset), Chinese in
# GBK labelled GB2312. Read as Windows-1252 before, the officer got "¼¡¤Î¤¢¤Æ".
@pytest.mark.parametrize(("text", "sent_as", "label"), [
    ("ごみ収集が来ませんでした。確認してください。", "euc_jp", "ISO-2022-JP"),
    ("ごみ収集が来ませんでした。確認してください。", "shift_jis", "iso-2022-jp"),
    ("张喆家的垃圾桶没有被收走。", "gbk", "gb2312"),
    ("ごみ収集が来ませんでした。", "iso-2022-jp", "ISO-2022-JP"),  # as labelled
    ("Mae'r dŵr yn codi.", "utf-8", "iso-2022-jp"),  # UTF-8 under a CJK label
])
def test_east_asian_text_under_the_label_clients_really_send_reads_as_written(
    text: str, sent_as: str, label: str
) -> None:
    raw = (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\nSubject: Bins\r\n"
        f"Message-ID: <cjk@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset={label}"
        "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + text.encode(sent_as)
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.text.strip() == text


def test_an_outlook_html_only_message_keeps_welsh_letters_written_as_entities() -> None:
    # Outlook writes â and ŵ as entities, and the signature in bold
    html = (
        '<html><head><style><!-- p.MsoNormal {margin:0cm;} --></style></head><body>'
        '<p class="MsoNormal">Mae d&#373;r yn dod i mewn i d&#375; Mrs Evans&#8217; ar Heol y '
        "Bont &ndash; allwch chi anfon rhywun?<o:p></o:p></p>"
        '<p class="MsoNormal"><b>Cllr Si&acirc;n Evans</b><br>Caf&eacute; ward</p></body></html>'
    )
    raw = (
        "From: Cllr Sian Evans <sian.evans@cardiff.gov.uk>\r\nSubject: Dwr\r\n"
        "Message-ID: <html-cy@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8"
        "\r\n\r\n" + html
    ).encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert "Mae dŵr yn dod i mewn i dŷ Mrs Evans’ ar Heol y Bont – allwch chi" in message.text
    assert "Cllr Siân Evans" in message.text and "Café ward" in message.text
    assert "*" not in message.text and "MsoNormal" not in message.text


def test_soft_line_breaks_that_picked_up_blanks_in_transit_still_join() -> None:
    # RFC 2045 6.7: blanks at the end of a quoted-printable line were added on the way
    raw = (
        b"From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\nSubject: Dwr\r\n"
        b"Message-ID: <qp-blanks@x>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
        b"\r\n\r\nMae'r d=C5=B5r yn dod i mewn i'r t=C5=B7 ar Heol y Bont, allwch chi anfo=  \r\n"
        b"n rhywun? Ends with a space:=20\t\r\nDiolch\r\n"
    )
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert message.text == (
        "Mae'r dŵr yn dod i mewn i'r tŷ ar Heol y Bont, allwch chi anfon rhywun? Ends with a "
        "space: \r\nDiolch\r\n"
    )


def test_a_uuencoded_file_in_the_text_is_cut_and_counted_as_an_attachment() -> None:
    # Outlook in plain-text mode, and some scanners, attach files the pre-MIME way
    photo = "M_]C_X``02D9)1@`!`0```0`!``#_VP!#``@&!@<&!0@'!P<)\"0@*#!0-\"PL,&1(3\n"
    raw = (
        "From: Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>\r\nSubject: Drain\r\n"
        "Message-ID: <uu@x>\r\n\r\nThe drain outside number 4 again, photo attached.\r\n\r\n"
        f"begin 644 drain.jpg\r\n{photo * 3}`\r\nend\r\n\r\nJo\r\n"
    ).encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert " ".join(message.text.split()) == (
        "The drain outside number 4 again, photo attached. Jo"
    )
    assert "application/octet-stream" in message.content_types
