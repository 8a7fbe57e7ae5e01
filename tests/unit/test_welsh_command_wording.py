"""Welsh in the mail an officer's command causes, built in Python rather than in a
template, as it leaves a bilingual council (Cardiff, policy language "cy-en"): soft
mutation after "ar" and "i" ("ar ddydd Mercher", "i ddydd Mercher"), "gydag" before a
vowel ("gydag Eleri Owen", "gydag eleri.owen@..."), and "llinell bwnc" (the feminine noun
"llinell" mutates what follows it). Judged on the MIME that left the memory mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text

from mailbot import leavers

D = "cardiff.gov.uk"
SIAN = f"sian.evans@{D}"
ELERI, ALUN, SAM = f"eleri.owen@{D}", f"alun.jones@{D}", f"sam.patel@{D}"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def cardiff(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, name="Cyngor Caerdydd", policy="cardiff", mailbox=f"ymholiadau@{D}",
        members=[("Cllr Siân Evans", SIAN, "Llandaf", "cy")],
        officers=[("Eleri Owen", ELERI, "Priffyrdd", "", ""),
                  ("Alun Jones", ALUN, "Priffyrdd", "", ""),
                  ("Sam Patel", SAM, "Priffyrdd", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{ELERI}"\n',
    ) as council:
        yield council


def _words(message: EmailMessage, subtype: str = "plain") -> str:
    return " ".join(unescape(body_text(message, subtype)).split())


def _welsh(message: EmailMessage) -> str:
    """The Welsh part of mail about a case of a member who prefers Welsh (Welsh first)."""
    welsh = body_text(message, "plain").split("-" * 60)[0]
    assert "(English below)" in welsh
    return " ".join(welsh.split())


def _assignment(council: Council) -> EmailMessage:
    out = council.deliver(council.mail(
        f"Cllr Siân Evans <{SIAN}>", "Twll yn y ffordd", "Mae twll mawr ger yr ysgol.",
        cc=ELERI, date=NOW), NOW)
    return next(m for m in out if m["To"] == ELERI)


def _answer(council: Council, to: EmailMessage, sender: str, line: str) -> list[EmailMessage]:
    return council.deliver(council.reply(to, sender, line, date=LATER), LATER)


def test_the_same_extend_again_says_i_ddydd_and_ar_ddydd(cardiff: Council) -> None:
    assignment = _assignment(cardiff)
    _answer(cardiff, assignment, f"Eleri Owen <{ELERI}>", 'EXTEND 5 "aros am yr arolwg"')
    [refusal] = _answer(cardiff, assignment, f"Eleri Owen <{ELERI}>",
                        'EXTEND 5 "aros am yr arolwg"')
    welsh = _welsh(refusal)
    assert ("Estynnwyd MB-2026-00001 eisoes i ddydd Mercher 16 Rhagfyr 2026 gan yr un "
            "EXTEND ar ddydd Mercher 25 Tachwedd 2026; ni newidiwyd dim") in welsh
    assert "i dydd" not in welsh and "ar dydd" not in welsh


def test_reassign_says_gydag_before_a_name_or_address_with_a_vowel(cardiff: Council) -> None:
    assignment = _assignment(cardiff)
    [already] = _answer(cardiff, assignment, f"Eleri Owen <{ELERI}>", f"REASSIGN {ELERI}")
    assert f"Mae MB-2026-00001 gydag {ELERI} yn barod." in _welsh(already)
    out = _answer(cardiff, assignment, f"Eleri Owen <{ELERI}>", f"REASSIGN {ALUN}")
    confirmation = next(m for m in out if m["To"] == ELERI)
    assert f"Mae MB-2026-00001 gydag Alun Jones ({ALUN}) nawr." in _welsh(confirmation)
    assert "gyda Alun" not in _words(confirmation)


def test_a_colleague_refused_is_told_the_case_is_gydag_its_officer(cardiff: Council) -> None:
    assignment = _assignment(cardiff)
    [refusal] = _answer(cardiff, assignment, f"Sam Patel <{SAM}>", "DONE")
    assert refusal["To"] == SAM
    assert (f"Mae'r achos gydag Eleri Owen ({ELERI}). Os dylai fod yn eiddo i chi, "
            f"gofynnwch iddynt ateb eu neges aseinio neu nodyn atgoffa gyda: REASSIGN {SAM}"
            ) in _welsh(refusal)
    assert "Mae gyda" not in _words(refusal)


def test_a_case_handed_over_was_gydag_its_old_officer(cardiff: Council) -> None:
    _assignment(cardiff)
    moved = leavers.hand_over(cardiff.app, refs=["MB-2026-00001"], from_officer="", to=SAM,
                              who="admin", reason="", now=LATER)
    assert [m.ref for m in moved] == ["MB-2026-00001"]
    out = cardiff.flush(LATER + timedelta(minutes=1))
    to_sam = next(m for m in out if m["To"] == SAM)
    for subtype in ("plain", "html"):
        words = _words(to_sam, subtype)
        assert "Roedd yr achos hwn gydag Eleri Owen; mae wedi'i drosglwyddo i chi." in words
        assert "gyda Eleri" not in words


def test_a_command_naming_no_case_and_the_letters_say_llinell_bwnc(cardiff: Council) -> None:
    out = cardiff.deliver(cardiff.mail(
        f"Cllr Siân Evans <{SIAN}>", "Twll yn y ffordd", "Mae twll mawr ger yr ysgol.",
        cc=ELERI, date=NOW), NOW)
    out += cardiff.deliver(cardiff.mail(f"Eleri Owen <{ELERI}>", "Cwestiwn", "DONE",
                                        date=LATER), LATER)
    help_mail = out[-1]
    assert help_mail["To"] == ELERI
    assert ("nid oes cyfeirnod achos mewn cromfachau sgwâr yn ei llinell bwnc"
            in _words(help_mail))
    assert len(out) == 3  # the acknowledgement, the assignment, the help
    for message in out:
        for subtype in ("plain", "html"):
            words = _words(message, subtype)
            assert "llinell bwnc" in words, (message["To"], subtype)
            assert "llinell pwnc" not in words, (message["To"], subtype)


def test_the_same_confidentiality_answer_again_says_ar_ddydd(cardiff: Council) -> None:
    out = cardiff.deliver(cardiff.mail(
        f"Cllr Siân Evans <{SIAN}>", "CONFIDENTIAL: amgylchiadau preswylydd",
        "Please keep this confidential. Can advice about a resident be given in confidence?",
        cc=ELERI, date=NOW), NOW)
    assignment = next(m for m in out if m["To"] == ELERI)
    first = _answer(cardiff, assignment, f"Eleri Owen <{ELERI}>", "CONFIDENTIAL OK")
    assert sorted(str(m["To"]) for m in first) == [ELERI, SIAN]
    again_at = NOW + timedelta(days=2)
    [refusal] = cardiff.deliver(cardiff.reply(
        assignment, f"Eleri Owen <{ELERI}>", "CONFIDENTIAL OK", date=again_at), again_at)
    welsh = _welsh(refusal)
    assert ("Cafodd yr aelod wybod eisoes ar ddydd Mercher 25 Tachwedd 2026 y gellir cadw "
            "MB-2026-00001 yn gyfrinachol; ni ysgrifennwyd atynt eto.") in welsh
    assert "ar dydd" not in welsh
