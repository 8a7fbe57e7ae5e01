"""Members' mail addressed as it is in real councils: the shared mailbox in Bcc, reached
through an alias or a distribution group, sent on behalf of a councillor by their PA.
What is checked is who the case is for and who was written to (envelope recipients).
(A member's reply from a phone under another display name, or with the mailbox moved to
Cc, is test_member_replies_thread's; an officer's answer with the mailbox in Bcc is
test_officer_untagged_answer's.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Council, all_recipients, council_with_sam, sent_to

DOMAIN = "wiltshire.gov.uk"
JO = f"jo@{DOMAIN}"
RHIAN = f"rhian@{DOMAIN}"
SAM = f"sam@{DOMAIN}"
PA = f"pat.assistant@{DOMAIN}"
RESIDENT = "mrs.resident@example.com"


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with council_with_sam(tmp_path / "council", "wiltshire") as made:
        yield made


def _mail(*headers: str) -> bytes:
    lines = [*headers, "Subject: Pothole on Mill Lane", "Message-ID: <m1@test.example>",
             "Date: Wed, 25 Nov 2026 10:00:00 +0000"]
    body = "Please can someone look at the deep pothole outside no. 12 Mill Lane?"
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


def _opened_for(council: Council, raw: bytes) -> tuple[str, str, set[str]]:
    """The case's member and status, and everyone mail was sent to."""
    council.deliver(raw)
    case = council.case()
    return case.member_email, case.status, all_recipients(council.server)


def test_the_mailbox_in_bcc_acknowledges_the_member_alone(council: Council) -> None:
    raw = _mail(f"From: Cllr Jo Bloggs <{JO}>", f"To: Mrs Resident <{RESIDENT}>",
                f"Cc: Sam Patel <{SAM}>")
    assert _opened_for(council, raw) == (JO, "open", {JO, SAM})
    [(ack, _)] = sent_to(council.server, JO)  # to her alone, not a reply to all: the
    assert ack["Cc"] is None  # resident and Sam never learn the mailbox was in Bcc


@pytest.mark.parametrize("to", [f"Enquiries <enquiries@{DOMAIN}>",
                                f"All Members <all-members@{DOMAIN}>"])
def test_an_alias_or_distribution_group_is_an_ordinary_case(council: Council, to: str) -> None:
    assert _opened_for(council, _mail(f"From: Cllr Jo Bloggs <{JO}>", f"To: {to}")) == (
        JO, "open", {JO, SAM})


def test_send_on_behalf_is_the_councillors_and_reply_to_is_not_answered(
    council: Council,
) -> None:
    # Outlook's send on behalf: From the councillor, Sender the PA, who set Reply-To to
    # themselves. The acknowledgement goes to the councillor (From), not to Reply-To.
    raw = _mail(f"From: Cllr Jo Bloggs <{JO}>", f"Sender: Pat Assistant <{PA}>",
                f"Reply-To: Pat Assistant <{PA}>", f"To: memberenquiries@{DOMAIN}")
    assert _opened_for(council, raw) == (JO, "open", {JO, SAM})


@pytest.mark.parametrize("names_the_councillor", [f"Cc: Cllr Jo Bloggs <{JO}>",
                                                  f"Reply-To: Cllr Jo Bloggs <{JO}>"])
def test_a_pa_writing_from_their_own_address_opens_the_councillors_case(
    council: Council, names_the_councillor: str,
) -> None:
    raw = _mail(f"From: Pat Assistant <{PA}>", f"To: memberenquiries@{DOMAIN}",
                names_the_councillor)
    assert _opened_for(council, raw) == (JO, "open", {JO, SAM})
    assert council.case().member_name == "Cllr Jo Bloggs" and council.case().known_member
    [opened] = council.events("opened")
    assert f"{PA} wrote for the member" in opened.detail


def test_a_pa_listed_as_an_officer_is_not_asked_which_case_they_answered(
    tmp_path: Path,
) -> None:
    # Member services in officers.csv, holding no case of Jo's: To the mailbox, Jo in Cc
    # is her enquiry raised for her, not an answer to her.
    with Council(
        tmp_path / "council", mailbox=f"memberenquiries@{DOMAIN}",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", ""),
                  ("Pat Assistant", PA, "Member Services", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        raw = _mail(f"From: Pat Assistant <{PA}>", f"To: memberenquiries@{DOMAIN}",
                    f"Cc: Cllr Jo Bloggs <{JO}>")
        assert _opened_for(council, raw) == (JO, "open", {JO, SAM})


@pytest.mark.parametrize("sender, copied", [
    (f"Mrs Resident <{RESIDENT}>", f"Cllr Jo Bloggs <{JO}>"),  # not the council's staff
    (f"Pat Assistant <{PA}>", f"{JO}, {RHIAN}"),  # two councillors: whose is it?
])
def test_anyone_else_copying_a_councillor_waits_in_triage(
    council: Council, sender: str, copied: str,
) -> None:
    raw = _mail(f"From: {sender}", f"To: memberenquiries@{DOMAIN}", f"Cc: {copied}")
    member, status, written_to = _opened_for(council, raw)
    assert (status, written_to) == ("needs_triage", {SAM})  # nobody acknowledged
    assert member in {RESIDENT, PA}
