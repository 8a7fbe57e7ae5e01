"""A councillor chases an enquiry the way Outlook users do: they forward their own sent
mail to the shared mailbox again ("FW: Hedge on Elm Road", "Any update on this please?"
over it), or send the same mail again as it was, under a new Message-ID ("Resending in case
this was missed"). That is the open case's follow-up: its officer is told, and the member
is not sent a second reference for the same matter. A forwarded resident's mail under the
same subject, or a new mail with other words, is a case of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Council, council_with_sam, rows

from mailbot.store.tables import CaseRow

MONDAY = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 30, 9, 40, tzinfo=UTC)
JO = "Cllr Jo Bloggs <jo@wiltshire.gov.uk>"
ASK = ("The hedge on Elm Road is blocking the pavement, so people with buggies have to\r\n"
       "step into the road. Could it be cut back?")
OUTLOOK = (
    "Any update on this please?\r\n\r\nJo\r\n\r\n"
    "From: Bloggs, Jo (Cllr) <jo@wiltshire.gov.uk>\r\nSent: 23 November 2026 09:12\r\n"
    "To: Member Enquiries <memberenquiries@wiltshire.gov.uk>\r\n"
    "Subject: Hedge on Elm Road\r\n\r\n{ask}\r\n"
)
GMAIL = (
    "Chasing this one - residents are asking.\r\n\r\n"
    "---------- Forwarded message ---------\r\n"
    "From: Jo Bloggs <jo@wiltshire.gov.uk>\r\nDate: Mon, 23 Nov 2026 at 09:12\r\n"
    "Subject: Hedge on Elm Road\r\nTo: <memberenquiries@wiltshire.gov.uk>\r\n\r\n{ask}\r\n"
)


@pytest.fixture
def jo_asked(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, "Hedge on Elm Road", ASK, date=MONDAY), MONDAY)
        yield it


@pytest.mark.parametrize(("subject", "body"), [("FW: Hedge on Elm Road", OUTLOOK),
                                               ("Fwd: Hedge on Elm Road", GMAIL)])
def test_forwarding_their_own_mail_again_chases_its_case(
    jo_asked: Council, subject: str, body: str
) -> None:
    ref = jo_asked.case().ref
    left = jo_asked.deliver(jo_asked.mail(JO, subject, body.format(ask=ASK), date=NEXT_MONDAY),
                            NEXT_MONDAY)

    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert str(left[0]["Subject"]).startswith("Update: ")
    assert [case.ref for case in rows(jo_asked.app, CaseRow)] == [ref]


def test_a_residents_mail_under_the_same_subject_is_a_case_of_its_own(
    jo_asked: Council,
) -> None:
    resident = OUTLOOK.replace("Bloggs, Jo (Cllr) <jo@wiltshire.gov.uk>",
                               "Pat Resident <pat@example.net>").format(
        ask="The hedge at number 9 Elm Road has grown over the streetlight.")
    left = jo_asked.deliver(jo_asked.mail(JO, "FW: Hedge on Elm Road", resident,
                                          date=NEXT_MONDAY), NEXT_MONDAY)

    assert sorted(str(m["To"]) for m in left) == ["jo@wiltshire.gov.uk", "sam@wiltshire.gov.uk"]
    assert len(rows(jo_asked.app, CaseRow)) == 2


@pytest.mark.parametrize("body", [
    ASK,
    f"Resending in case this was missed.\r\n\r\n{ASK}",
    f"{ASK}\r\n\r\nSent from my iPhone",
])
def test_sending_the_same_mail_again_chases_its_case(jo_asked: Council, body: str) -> None:
    # Before: a second case and a second acknowledgement, with another reference, for
    # the same hedge.
    ref = jo_asked.case().ref
    left = jo_asked.deliver(jo_asked.mail(JO, "Hedge on Elm Road", body, date=NEXT_MONDAY),
                            NEXT_MONDAY)

    assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
    assert str(left[0]["Subject"]).startswith("Update: ")
    assert [case.ref for case in rows(jo_asked.app, CaseRow)] == [ref]


@pytest.mark.parametrize("body", [
    "The hedge on Elm Road has now fallen onto a parked car. Could someone come out today?",
    "Could it be cut back?",  # a few words of the first mail: not enough to tell
])
def test_a_new_mail_under_the_same_subject_with_other_words_is_a_case_of_its_own(
    jo_asked: Council, body: str
) -> None:
    left = jo_asked.deliver(jo_asked.mail(JO, "Hedge on Elm Road", body, date=NEXT_MONDAY),
                            NEXT_MONDAY)

    assert sorted(str(m["To"]) for m in left) == ["jo@wiltshire.gov.uk", "sam@wiltshire.gov.uk"]
    assert len(rows(jo_asked.app, CaseRow)) == 2


def test_a_short_mail_sent_again_word_for_word_chases_its_case(tmp_path: Path) -> None:
    with council_with_sam(tmp_path, "wiltshire") as it:
        it.deliver(it.mail(JO, "Street light", "Light out on Mill Lane.", date=MONDAY), MONDAY)
        left = it.deliver(it.mail(JO, "Street light", "Light out on Mill Lane.",
                                  date=NEXT_MONDAY), NEXT_MONDAY)
        assert [str(m["To"]) for m in left] == ["sam@wiltshire.gov.uk"]
        assert len(rows(it.app, CaseRow)) == 1
