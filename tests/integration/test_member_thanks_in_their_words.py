"""A councillor thanks the officer for the answer in the words councillors use ("Thank
you for your help with this", "Thanks for coming back to me"). That is thanks: the case
stays answered, with no "we have reopened it" to the member and no reopened case for the
officer. Anything more than thanks still reopens it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, council_with_sam

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 11, 25, 8, 40, tzinfo=UTC)
JO = "jo@wiltshire.gov.uk"
SAM = "sam@wiltshire.gov.uk"
SIGN_OFF = "\r\n\r\nKind regards\r\n\r\nCllr Jo Bloggs\r\nCastle Ward"


@pytest.fixture
def answered(tmp_path: Path) -> Iterator[tuple[Council, str]]:
    """Wiltshire, with Jo's enquiry answered by Sam (the mailbox copied in)."""
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Dog fouling on the green",
                           "Could the council put up signs on the green by the school?",
                           date=MONDAY), MONDAY)
        ref = it.case().ref
        answer = (
            f"From: Sam Patel <{SAM}>\r\nTo: Cllr Jo Bloggs <{JO}>\r\nCc: {it.mailbox}\r\n"
            f"Subject: RE: Dog fouling on the green [{ref}]\r\n"
            "Date: Tue, 24 Nov 2026 11:00:00 +0000\r\nMessage-ID: <answer@wiltshire.gov.uk>\r\n"
            "In-Reply-To: <t1@test.example>\r\nReferences: <t1@test.example>\r\n\r\n"
            "Dear Cllr Bloggs, signs will go up this week.\r\nSam\r\n"
        ).encode()
        assert it.deliver(answer, TUESDAY) == []
        assert it.case(ref).status == "responded"
        yield it, ref


def _reply(it: Council, ref: str, words: str) -> list[str]:
    """Jo's reply to Sam's answer: to whom mail went because of it."""
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: Dog fouling on the green [{ref}]",
                              words + SIGN_OFF, date=WEDNESDAY,
                              in_reply_to="<answer@wiltshire.gov.uk>"), WEDNESDAY)
    return sorted(str(m["To"]) for m in left)


@pytest.mark.parametrize("words", [
    "Thank you for your help with this, much appreciated.",
    "Thanks for dealing with this so quickly.",
    "Thanks for coming back to me.",
    "Thanks for getting back to me so quickly.",
    "Thanks, I have passed this on to the resident.",
    "Many thanks for your help on this one.",
    "Thank you so much for your help with this matter.",
    "Thank you for responding.",
    "Thanks for your time and assistance.",
    "Thanks for following this up.",
    "Thank you for the explanation.",
    "Thanks for confirming.",
    "Thanks for the acknowledgement.",
    "Thank you for the reference number.",
    "Great stuff, thanks.",
    "Much obliged.",
    "Thanks team!",
    "Thanks x",
    "\N{THUMBS UP SIGN}",
    "\N{PERSON WITH FOLDED HANDS}\N{EMOJI MODIFIER FITZPATRICK TYPE-3}",
    "Diolch am roi gwybod.",
    # A Welsh councillor's thanks (Cardiff writes to members in Welsh).
    "Diolch yn fawr am y diweddariad.",
    "Diolch am ddelio â hyn.",
    "Diolch am roi gwybod i mi.",
    "Diolch am edrych i mewn i hyn.",
    "Diolch am eich help, gwerthfawrogir yn fawr.",
    "Diolch am drefnu hyn mor gyflym.",
    "Diolch, byddaf yn rhoi gwybod i'r preswylydd.",
    "Diolch am ddod yn ôl ataf.",
    "Diolch am gadarnhau.",
    "Diolch am eich amser.",
])
def test_thanks_in_a_councillors_words_leaves_the_case_answered(
    answered: tuple[Council, str], words: str
) -> None:
    it, ref = answered
    assert _reply(it, ref, words) == []
    assert it.case(ref).status == "responded"
    assert len(it.events("thanks")) == 1


@pytest.mark.parametrize("words", [
    "Thanks for coming back to me, but the signs have not gone up.",
    "Thank you for your help with this. Could you also look at the drain on Elm Road?",
    "Thanks for dealing with this. The resident says it is back again.",
    "Diolch am y diweddariad, ond nid yw wedi'i drwsio.",
])
def test_more_than_thanks_still_reopens_the_case(
    answered: tuple[Council, str], words: str
) -> None:
    it, ref = answered
    assert _reply(it, ref, words) == [JO, SAM]
    assert it.case(ref).status == "open"


@pytest.mark.parametrize("signature", [
    "Cllr Jo Bloggs\r\nCastle Ward\r\nTel: 01225 123456",
    "Cllr Jo Bloggs\r\nCastle Ward\r\n07700 900123",
    "Cllr Jo Bloggs\r\nMobile: 07700 900 123\r\nEmail: jo@wiltshire.gov.uk",
    "Cllr Jo Bloggs\r\nwww.jobloggs.org.uk",
    "Cllr Jo Bloggs\r\nCastle Ward\r\nTwitter: @jobloggs",
    "Cllr Jo Bloggs\r\nCastle Ward\r\nFfôn: +44 (0)1225 123456",
    "Cllr Jo Bloggs\r\nCastle Ward\r\n\r\nPlease consider the environment before printing this "
    "email.",
])
def test_thanks_over_a_signature_with_contact_details_leaves_the_case_answered(
    answered: tuple[Council, str], signature: str
) -> None:
    """Councillors' signatures carry a telephone number, an address, a web site: those
    lines are the sign-off, not words added to the thanks."""
    it, ref = answered
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: Dog fouling on the green [{ref}]",
                              f"Thanks Sam\r\n\r\n{signature}", date=WEDNESDAY,
                              in_reply_to="<answer@wiltshire.gov.uk>"), WEDNESDAY)
    assert left == []
    assert it.case(ref).status == "responded"


def test_thanks_with_a_number_to_call_still_reopens_the_case(
    answered: tuple[Council, str],
) -> None:
    it, ref = answered
    assert _reply(it, ref, "Thanks Sam. Please call the resident on 07700 900123") == [JO, SAM]


def test_thanks_with_a_link_to_a_page_still_reopens_the_case(
    answered: tuple[Council, str],
) -> None:
    it, ref = answered
    link = "https://www.facebook.com/groups/castleward/posts/123456"
    assert _reply(it, ref, f"Thanks Sam\r\n\r\n{link}") == [JO, SAM]
