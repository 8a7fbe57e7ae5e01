"""Hostile From and Subject headers, through the real pipeline: who is answered, what the
officer is told, and what the subjects we write say. Assertions on the mail that left and
the rows written."""

from __future__ import annotations

import base64
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, eml, header_block, parse_sent, rows

from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"

# Characters that show nothing, or nothing where they stand: zero-width space, non-joiner
# and joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator, Unicode tags.
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\U000e0041"}


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "highways", "", "")],
        threshold=0.0, config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def test_a_members_address_as_the_quoted_local_part_of_another_is_not_the_member(
    council: Council,
) -> None:
    """"jo.bloggs@council.gov.uk"@evil.example is a mailbox at evil.example, whose owner
    passes DMARC for it: the member is neither answered nor named as the sender."""
    out = council.deliver(eml("member_address_as_quoted_local_part_of_another_domain.eml"))
    assert out == []
    assert rows(council.app, CaseRow) == []
    [row] = rows(council.app, MessageRow)
    assert (row.status, row.reason) == ("quarantined", "no usable From address")


def test_a_members_address_followed_by_another_domain_is_held_as_ambiguous(
    council: Council,
) -> None:
    """From: <jo.bloggs@council.gov.uk>@evil.example: which address a gateway's DMARC check
    judged is anyone's guess, so the member is not written to and the case waits for a
    person, as for a From of two addresses."""
    out = council.deliver(eml("member_address_followed_by_another_domain.eml"))
    assert all(JO not in str(m["To"]) + str(m["Cc"]) for m in out)
    assert council.case().status == "needs_triage"
    [held] = council.events("not acknowledged")
    assert "more than one address" in held.detail


def test_a_stranger_named_as_a_members_address_is_shown_by_their_own(council: Council) -> None:
    [assignment] = council.deliver(eml("stranger_named_as_a_members_address.eml"))
    assert assignment["To"] == SAM
    text = str(assignment["Subject"]) + body_text(assignment, "plain")
    assert JO not in text  # not "Enquiry from jo.bloggs@...", nor "reply to jo.bloggs@..."
    assert "mallory@evil.example" in str(assignment["Subject"])
    assert "reply to mallory@evil.example" in text
    assert JO not in body_text(assignment, "html")
    assert council.case().member_name == ""


def test_invisible_characters_cannot_disguise_case_tags_or_a_name(council: Council) -> None:
    out = by_recipient(council.deliver(eml("invisible_characters_in_subject_tags_and_name.eml")))
    ack, assignment = out[JO], out[SAM]
    for letter in (ack, assignment):
        shown = str(letter["Subject"]) + body_text(letter, "plain") + body_text(letter, "html")
        assert not set(shown) & INVISIBLE
    # The tags read as tags once the invisible characters are gone, so the member's reply
    # comes back with one tag, ours; the officer sees what the member wrote.
    ref = council.case().ref
    assert str(ack["Subject"]) == f"Re: Pothole XY [{ref}]"
    assert "[MB-2026-00001] [MB-2026-00002] [MB-2026-00003]" in str(assignment["Subject"])
    case = council.case()
    assert not set(case.subject + case.member_name) & INVISIBLE


def test_a_subject_of_twenty_case_tags_keeps_the_members_words_in_the_ack(
    council: Council,
) -> None:
    out = by_recipient(council.deliver(eml("subject_of_twenty_case_tags.eml")))
    ref = council.case().ref
    assert str(out[JO]["Subject"]) == f"Re: Pothole on Castle Road [{ref}]"
    assert str(out[SAM]["Subject"]).endswith(f"[{ref}]")


FOI_REQUEST = "foi_request_in_a_members_name_dmarc_fail.eml"
TOLD = "The member has been told the request will be handled"


def test_mail_in_a_members_name_that_their_domain_disowns_reaches_the_officer_as_such(
    council: Council,
) -> None:
    """Not acknowledged, so the officer is told it may be forged, not handed a new case as
    if the member had asked and been told when to expect the answer."""
    [assignment] = council.deliver(eml(FOI_REQUEST))
    assert JO not in str(assignment["To"])
    text = body_text(assignment, "plain")
    assert "may be forged" in text and "dmarc=fail" in text
    assert "A new case is with you" not in text
    assert TOLD not in text and TOLD not in body_text(assignment, "html")
    assert council.case().status == "needs_triage"


@pytest.mark.parametrize(("sender", "told"), [
    (f"Cllr Jo Bloggs <{JO}>", True),
    ("Pat Stranger <pat.stranger@example.net>", False),  # strangers get no letter
])
def test_the_foi_officer_is_told_the_member_knows_only_when_they_were_written_to(
    council: Council, sender: str, told: bool
) -> None:
    raw = eml(FOI_REQUEST).split(b"\r\nFrom: ", 1)[1].split(b"\r\n", 1)[1]
    out = council.deliver(f"From: {sender}\r\n".encode() + raw)
    [assignment] = [m for m in out if str(m["To"]) not in (JO, "pat.stranger@example.net")]
    assert (TOLD in body_text(assignment, "plain")) is told
    assert (TOLD in body_text(assignment, "html")) is told


def _base64_mail(decoded: bytes) -> bytes:
    body = base64.encodebytes(decoded).replace(b"\n", b"\r\n")
    return (
        f"From: Cllr Jo Bloggs <{JO}>\r\nTo: {MAILBOX}\r\nSubject: Pothole on Castle Road\r\n"
        "Message-ID: <huge-base64-1@council.gov.uk>\r\nDate: Wed, 25 Nov 2026 09:14:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + body


def test_a_base64_body_of_megabytes_of_one_byte_is_read_only_as_far_as_it_is_kept(
    council: Council,
) -> None:
    """Only the start of a text is ever kept, so only the start is decoded: a 274 MB mail of
    base64 (200 MB of one letter) took 2.3 GB to read, a machine's whole memory."""
    raw = _base64_mail(b"A deep pothole.\n" + b"A" * 8_000_000 + b"\n")
    tracemalloc.start()
    try:
        out = by_recipient(council.deliver(raw))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(raw), f"{peak / 1e6:.0f} MB to read a {len(raw) / 1e6:.0f} MB mail"
    assert set(out) == {JO, SAM}
    quoted = body_text(out[SAM], "plain")
    assert "A deep pothole." in quoted and len(quoted) < 100_000
    [row] = rows(council.app, MessageRow)
    assert row.status == "processed" and len(row.raw) == len(raw)


def test_mail_to_and_from_a_domain_beyond_ascii_is_sent_with_its_ascii_name(
    tmp_path: Path,
) -> None:
    """A Welsh council on caerdydd-ŵ.cymru: every member's mail was quarantined ('internal
    error: UnicodeEncodeError') as no letter from that mailbox could be written, and a
    recipient there was named in To by an RFC 2047 encoded word, which no address may be."""
    domain = "caerdydd-\u0175.cymru"
    jo, sam = f"jo@{domain}", f"sam@{domain}"
    with Council(
        tmp_path, name="Cyngor Caerdydd", mailbox=f"ymholiadau@{domain}",
        members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", sam, "highways", "", "")],
        threshold=0.0, config=f'[routing]\ndefault_officer = "{sam}"\n',
    ) as council:
        council.deliver(council.mail(f"Cllr Jo Bloggs <{jo}>", "Pothole", "A deep pothole."))
        [row] = rows(council.app, MessageRow)
        assert row.status == "processed", row.reason
        ascii_domain = "xn--caerdydd--j9b.cymru"
        wire = {recipients: header_block(mime) for recipients, mime in council.server.outgoing}
        assert set(wire) == {(jo,), (sam,)}
        for recipients, headers in wire.items():
            assert headers.isascii() and b"=?" not in headers.split(b"\r\nSubject:")[0]
            assert f"To: {recipients[0].split('@')[0]}@{ascii_domain}\r\n".encode() in headers
            assert f"<ymholiadau@{ascii_domain}>".encode() in headers
            assert f"@{ascii_domain}>".encode() in headers.split(b"Message-ID:")[1][:120]


def test_the_names_of_unread_attachments_are_cut_in_the_officers_mail(council: Council) -> None:
    """Twenty attached emails that cannot be read, each with a name of 100,000 characters:
    the officer is told of each by a name cut short, not sent megabytes of names."""
    broken = "".join(
        "--Q\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{"n" * 100_000}{i}.eml"\r\n\r\n!!!\r\n'
        for i in range(20)
    )
    raw = (
        f"From: Cllr Jo Bloggs <{JO}>\r\nTo: {MAILBOX}\r\nSubject: Pothole\r\n"
        "Message-ID: <long-names-1@council.gov.uk>\r\nDate: Wed, 25 Nov 2026 09:14:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n"
        "--Q\r\nContent-Type: text/plain\r\n\r\nSee the attached emails.\r\n" + broken + "--Q--\r\n"
    ).encode()
    council.deliver(raw)
    [wire] = [mime for recipients, mime in council.server.outgoing if recipients == (SAM,)]
    assert len(wire) < 100_000
    plain = body_text(parse_sent(wire), "plain")
    assert "mailbot could not read the attachment" in plain
    assert plain.count("nnnn…") == 20


def test_a_strangers_display_name_of_a_megabyte_is_cut_in_the_case_and_the_officers_mail(
    council: Council,
) -> None:
    raw = (
        f"From: {'Jo ' * 300_000}<mallory@evil.example>\r\nTo: {MAILBOX}\r\nSubject: Pothole\r\n"
        "Message-ID: <long-name-1@evil.example>\r\nDate: Wed, 25 Nov 2026 09:14:00 +0000\r\n"
        "\r\nA deep pothole.\r\n"
    ).encode()
    council.deliver(raw)
    [wire] = [mime for recipients, mime in council.server.outgoing if recipients == (SAM,)]
    assert len(wire) < 50_000
    name = council.case().member_name
    assert name.startswith("Jo Jo") and name.endswith("…") and len(name) <= 200
    assert "mallory@evil.example" in body_text(parse_sent(wire), "plain")


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003"])
def test_a_subject_of_a_long_run_of_unicode_spaces_is_read(
    council: Council, space: str
) -> None:
    """Patterns that look for a case tag try each space of a run in turn: 40,000 no-break
    spaces in a subject (80 KB) held the poll 15 s, and ten times as many half an hour
    (bench/bench_hostile_mail.py times it now)."""
    raw = (
        f"From: Cllr Jo Bloggs <{JO}>\r\nTo: {MAILBOX}\r\nMessage-ID: <spaces-1@council.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Subject: Pothole{space * 40_000}on Castle Road\r\n\r\nA deep pothole.\r\n"
    ).encode()
    out = by_recipient(council.deliver(raw))
    assert str(out[JO]["Subject"]) == f"Re: Pothole on Castle Road [{council.case().ref}]"


def test_an_html_body_of_lists_nested_thousands_deep_is_read(council: Council) -> None:
    """16,000 nested lists (a 128 KB mail) took 48 s to turn into text, a megabyte of them
    hours, the poll reading nothing else (bench/bench_hostile_mail.py times it now); the
    words in it still reach the officer."""
    html = "<p>A deep pothole on Castle Road.</p>" + "<ul><li>deeper" * 16_000
    raw = (
        f"From: Cllr Jo Bloggs <{JO}>\r\nTo: {MAILBOX}\r\nMessage-ID: <lists-1@council.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\nSubject: Pothole\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
    ).encode()
    out = by_recipient(council.deliver(raw))
    quoted = body_text(out[SAM], "plain")
    assert "A deep pothole on Castle Road." in quoted and "deeper" in quoted
