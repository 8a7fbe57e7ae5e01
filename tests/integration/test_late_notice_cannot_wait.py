"""A member told their answer is late is the one most likely to have a matter that cannot
wait any longer: the late notice says, as the acknowledgement does, to telephone the
council (its number, and the one for outside office hours) rather than email. Every kind
the protocol writes a late notice for has it, a confidential case too, as every
acknowledgement does. Read as the mail that left, English and Welsh."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, council_with_sam

from mailbot import reminders

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TUESDAY_8 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # the due date, Monday 7th, has passed

ENGLISH = ("If something cannot wait (a danger to people or property), please telephone the "
           "council on 01632 960000 (outside office hours: 01632 960999) rather than email.")
WELSH = ("Os na all rhywbeth aros (perygl i bobl neu eiddo), ffoniwch y cyngor ar 01632 960000 "
         "(y tu allan i oriau swyddfa: 01632 960999) yn hytrach nag anfon e-bost.")


@pytest.fixture(autouse=True)
def numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_COUNCIL__TELEPHONE", "01632 960000")
    monkeypatch.setenv("MAILBOT_COUNCIL__OUT_OF_HOURS_TELEPHONE", "01632 960999")


def late_letter(it: Council, who: str, subject: str, body: str) -> EmailMessage:
    """`who`'s mail on Monday 23 November, and the late notice the sweep after its date sent."""
    domain = it.mailbox.partition("@")[2]
    it.deliver(it.mail(f"Cllr {who.title()} <{who}@{domain}>", subject, body, date=MONDAY),
               MONDAY)
    reminders.sweep(it.app, TUESDAY_8)
    [letter] = [m for m in it.flush(TUESDAY_8) if str(m["To"]) == f"{who}@{domain}"]
    return letter


def words(message: EmailMessage, part: str) -> str:
    """The text of `part`, tags taken out of HTML, on one line."""
    return " ".join(re.sub(r"<[^>]+>", "", body_text(message, part)).split())


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("Streetlight out on Mill Lane", "Could someone fix the street light on Mill Lane please?",
         "enquiry"),
        ("Private: Mr Smith housing", "Please keep this private. Can you advise me in confidence "
         "about Mr Smith's housing problem?", "confidentiality"),
    ],
)
def test_an_english_late_notice_says_what_to_do_if_it_cannot_wait(
    tmp_path: Path, subject: str, body: str, kind: str
) -> None:
    with council_with_sam(tmp_path, "wiltshire") as it:
        letter = late_letter(it, "jo", subject, body)
        case = it.case()
    assert case.kind == kind
    # Its first two paragraphs apart, as the acknowledgement's are (they ran together).
    assert "has not been sent yet.\n\n" in body_text(letter, "plain").replace("\r\n", "\n")
    assert ENGLISH in words(letter, "plain") and ENGLISH in words(letter, "html")
    assert 'href="tel:01632960000"' in body_text(letter, "html")
    assert 'href="tel:01632960999"' in body_text(letter, "html")
    assert "Os na all rhywbeth aros" not in words(letter, "plain")  # Wiltshire: English only


def test_a_welsh_member_reads_it_in_welsh_and_english(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "cardiff") as it:
        letter = late_letter(it, "rhian", "Streetlight out on Mill Lane",
                             "Could someone fix the street light on Mill Lane please?")
    for part in ("plain", "html"):
        text = words(letter, part)
        assert WELSH in text and ENGLISH in text, part
        assert text.index(WELSH) < text.index(ENGLISH), part  # Welsh first, as she reads


def test_an_english_member_of_a_welsh_council_has_both_english_first(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "cardiff") as it:
        letter = late_letter(it, "jo", "Streetlight out on Mill Lane",
                             "Could someone fix the street light on Mill Lane please?")
    for part in ("plain", "html"):
        text = words(letter, part)
        assert ENGLISH in text and WELSH in text, part
        assert text.index(ENGLISH) < text.index(WELSH), part


def test_without_a_number_it_names_the_councils_usual_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_COUNCIL__TELEPHONE", "")
    monkeypatch.setenv("MAILBOT_COUNCIL__OUT_OF_HOURS_TELEPHONE", "")
    with council_with_sam(tmp_path, "cardiff") as it:
        letter = late_letter(it, "jo", "Streetlight out on Mill Lane",
                             "Could someone fix the street light on Mill Lane please?")
    text = words(letter, "plain")
    assert "please telephone the council on its usual number rather than email." in text
    assert "ffoniwch y cyngor ar ei rif arferol yn hytrach nag anfon e-bost." in text
