"""The assignment lists the member's other open cases (mailbot/member_cases.py), so a
chaser ("Any update on the pothole in Mill Lane?") is not handled as a fresh case by an
officer unaware of the first. Real pipeline, memory mailbox; what is checked is the
assignment that left, decoded as a mail client would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot.languages import long_date_cy
from mailbot.matter import same_matter
from mailbot.render import long_date

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
ALI = "ali.khan@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
HEADING = "Cllr Jo Bloggs's other open cases:"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Ali Khan", ALI, "Harbour", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""), ("Lee Wong", LEE, "Parks", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def _writes(council: Council, sender: str, subject: str, officer: str,
            at: datetime = NOW) -> tuple[str, EmailMessage]:
    """A member's new mail copying in the officer it goes to: its case and the officer's
    assignment."""
    out = council.deliver(council.mail(f"Cllr <{sender}>", subject, f"About {subject}.",
                                       cc=officer, date=at - timedelta(minutes=5)), at)
    [assignment] = [m for m in out if m["To"] == officer]
    return council.case().ref, assignment


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _html(message: EmailMessage) -> str:
    return body_text(message, "html").replace("\r\n", "\n")


def _due(council: Council, ref: str) -> str:
    due = council.case(ref).response_due
    assert due is not None
    return long_date(due)


def test_both_open_cases_of_the_member_are_listed_newest_first(council: Council) -> None:
    first, _ = _writes(council, JO, "Pothole on Castle Road", SAM, NOW - timedelta(hours=3))
    second, _ = _writes(council, JO, "Bins not collected", LEE, NOW - timedelta(hours=2))
    _writes(council, ALI, "Bins not collected", SAM, NOW - timedelta(hours=1))  # not Jo's
    third, mail = _writes(council, JO, "Street light out on Harbour Hill", SAM)
    text = _text(mail)
    section = text[text.index(HEADING):]
    assert section.splitlines()[1:3] == [
        f'  {second}  "Bins not collected", with Lee Wong, reply by {_due(council, second)}',
        f'  {first}  "Pothole on Castle Road", with you, reply by {_due(council, first)}',
    ]
    assert third not in section.splitlines()[1] and "PROBABLY" not in text
    assert "is the same matter as" not in text  # no same-matter advice
    html = _html(mail)
    assert "Cllr Jo Bloggs's other open cases" in html.replace("&#39;", "'")
    assert f"<code>{first}</code>" in html and f"<code>{second}</code>" in html


def test_a_confidential_case_is_listed_without_its_subject(council: Council) -> None:
    private, _ = _writes(council, JO, "CONFIDENTIAL: a resident's housing debt", SAM,
                         NOW - timedelta(hours=1))
    assert council.case(private).confidential
    _, mail = _writes(council, JO, "Pothole on Castle Road", LEE)
    text, html = _text(mail), _html(mail)
    assert f"  {private}  (confidential), with Sam Patel, reply by" in text
    assert "housing debt" not in text and "housing debt" not in html
    assert "(confidential)" in html


def test_the_same_matter_is_marked_and_put_first(council: Council) -> None:
    pothole, _ = _writes(council, JO, "Pothole in Mill Lane", LEE, NOW - timedelta(hours=3))
    bins, _ = _writes(council, JO, "Bins not collected", SAM, NOW - timedelta(hours=2))
    chaser, mail = _writes(council, JO, "RE: Any update on the pothole in Mill Lane?", SAM)
    text = _text(mail)
    lines = text[text.index(HEADING):].splitlines()
    assert lines[1].startswith(f'  {pothole}  "Pothole in Mill Lane", with Lee Wong, reply by ')
    assert lines[1].endswith(" - PROBABLY THE SAME MATTER")
    assert lines[2].startswith(f'  {bins}  "Bins not collected", with you')
    assert "PROBABLY" not in lines[2]
    assert (f"If {chaser} is the same matter as {pothole}: reply to this email with "
            f"REASSIGN {LEE} to pass it to Lee Wong, or answer it under {pothole} and "
            "reply DONE.") in text
    assert "probably the same matter" in _html(mail)


def test_more_than_five_are_counted(council: Council) -> None:
    refs = [
        _writes(council, JO, f"Matter number {n}", SAM, NOW - timedelta(hours=10 - n))[0]
        for n in range(6)
    ]
    _, mail = _writes(council, JO, "Something else entirely", SAM)
    text = _text(mail)
    section = text[text.index(HEADING):].split("\n\n")[0]
    assert [line.split()[0] for line in section.splitlines()[1:6]] == refs[:0:-1]
    assert "  and 1 more" in section and refs[0] not in section


def test_a_member_with_no_other_open_case_gets_no_section(council: Council) -> None:
    _writes(council, ALI, "Bins not collected", SAM, NOW - timedelta(hours=1))  # another's
    _, mail = _writes(council, JO, "Pothole on Castle Road", SAM)
    assert "other open cases" not in _text(mail) and "other open cases" not in _html(mail)


def test_a_bilingual_council_lists_them_in_welsh_and_english(tmp_path: Path) -> None:
    siân = "sian.evans@council.gov.uk"
    with Council(
        tmp_path / "cardiff", name="Cyngor Caerdydd", policy="cardiff",
        mailbox="ymholiadau@council.gov.uk",
        members=[("Cllr Siân Evans", siân, "Llandaf", "cy")],
        officers=[("Sam Patel", SAM, "Priffyrdd", "", ""), ("Eleri Jones", LEE, "Parciau", "", "")],
        threshold=0.0, mail_headers=(*PLAIN_UTF8, "Content-Transfer-Encoding: 8bit"),
    ) as cardiff:
        first, _ = _writes(cardiff, siân, "Twll yn y ffordd, Heol y Bont", LEE,
                           NOW - timedelta(hours=1))
        chaser, mail = _writes(cardiff, siân, "Twll yn y ffordd Heol y Bont", SAM)
        due = cardiff.case(first).response_due
        assert due is not None
        text = _text(mail)
        welsh = (f'  {first}  "Twll yn y ffordd, Heol y Bont", gydag Eleri Jones, '
                 f"ateb erbyn {long_date_cy(due)} - YR UN MATER, MAE'N DEBYG")
        english = (f'  {first}  "Twll yn y ffordd, Heol y Bont", with Eleri Jones, '
                   f"reply by {long_date(due)} - PROBABLY THE SAME MATTER")
        assert "Achosion agored eraill Cllr Siân Evans:\n" + welsh in text
        assert "Cllr Siân Evans's other open cases:\n" + english in text
        assert text.index(welsh) < text.index(english)  # Welsh first for her
        assert f"Os yw {chaser} yn ymwneud â'r un mater â {first}: " in text
        html = _html(mail)
        assert "yr un mater, mae&#39;n debyg" in html or "yr un mater, mae'n debyg" in html
        assert "probably the same matter" in html


def test_an_answered_case_is_not_listed(council: Council) -> None:
    _, assignment = _writes(council, JO, "Pothole on Castle Road", SAM, NOW - timedelta(hours=2))
    council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", "DONE"),
                    NOW - timedelta(hours=1))
    assert council.case().status == "responded"
    _, mail = _writes(council, JO, "Any update on the pothole on Castle Road?", SAM)
    assert "other open cases" not in _text(mail)


def test_the_member_is_known_in_either_form_of_their_address(tmp_path: Path) -> None:
    """members.csv has the Unicode form; the member writes once from each form."""
    unicode_form, ascii_form = "jo@caerdydd-ŵ.cymru", "jo@xn--caerdydd--j9b.cymru"
    with Council(
        tmp_path / "idn", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", unicode_form, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=(*PLAIN_UTF8, "Content-Transfer-Encoding: 8bit"),
    ) as idn:
        first, _ = _writes(idn, unicode_form, "Pothole in Mill Lane", SAM,
                           NOW - timedelta(hours=1))
        _, mail = _writes(idn, ascii_form.upper(), "Bins not collected", SAM)
        assert f'  {first}  "Pothole in Mill Lane", with you' in _text(mail)


@pytest.mark.parametrize(("one", "other", "same"), [
    ("Pothole in Mill Lane", "RE: Any update on the pothole in Mill Lane?", True),
    ("[EXTERNAL] Fwd: Pothole, Mill Lane!", "Ateb: pothole mill lane [MB-2026-00042]", True),
    ("Pothole in Mill Lane", "Pothole in Mill Road", False),
    ("Help", "Help with the housing list", False),  # too short to be contained
    ("", "Pothole in Mill Lane", False),
    ("RE:", "FW:", False),
])
def test_probably_the_same_matter(one: str, other: str, same: bool) -> None:
    assert same_matter(one, other) is same
    assert same_matter(other, one) is same
