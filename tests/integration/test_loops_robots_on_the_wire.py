"""Automatic mail a council's shared mailbox really gets and the corpus lacks, as it looks on
the wire (tests/data): out-of-office notes from old Exchange, Lotus Notes and GroupWise or
passed on by relays that strip the RFC 3834 headers, in English, Welsh, Polish, Romanian,
German and French; ticket systems' and other offices' receipts (Salesforce, Zendesk,
Freshdesk, ServiceNow, Jadu, an MP's office, another council); delivery reports, delay
warnings, read receipts, quarantine notices, Teams notifications, a
relayed calendar response and a phishing simulation in a member's name.

Each is delivered to a real app that acknowledges strangers too, so only the loop guard
can stop the reply; we look at what left and what was recorded. Then the same robots
answering our own mail: a member's out-of-office opens nothing, an officer's redirects the
case, a bounce of our assignment is noticed, a team mailbox's receipt is not an answer. And
members who only sound like robots still get a case.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import (
    JO,
    SHARED_MAILBOX,
    AppFactory,
    Council,
    body_text,
    eml,
    never_answered,
    rows,
    run,
)

from mailbot.store.tables import CaseRow, MessageRow

ROBOTS = {
    # file: the kind of automatic mail it is recorded as
    "ooo_exchange2003_out_of_office_autoreply_no_headers.eml": "auto_reply",
    "ooo_lotus_notes_is_out_of_the_office.eml": "auto_reply",
    "ooo_groupwise_vacation_rule_reply_subject.eml": "auto_reply",
    "ooo_welsh_bilingual_curly_apostrophe_no_headers.eml": "auto_reply",
    "ooo_polish_jestem_na_urlopie_forwarded_no_headers.eml": "auto_reply",
    "ooo_romanian_nu_sunt_la_birou_no_headers.eml": "auto_reply",
    "ooo_german_ich_befinde_mich_im_urlaub_no_headers.eml": "auto_reply",
    "ooo_french_je_suis_en_conges_no_headers.eml": "auto_reply",
    "crm_salesforce_case_created_acknowledgement.eml": "receipt",
    "crm_zendesk_request_received.eml": "receipt",
    "crm_freshdesk_ticket_received.eml": "receipt",
    "crm_servicenow_incident_opened_on_your_behalf.eml": "receipt",
    "crm_jadu_thank_you_for_contacting_reference.eml": "receipt",
    "mp_office_acknowledgement_no_headers.eml": "receipt",
    "other_council_auto_acknowledgement_no_headers.eml": "receipt",
    "ndr_exchange_online_undeliverable_to_officer.eml": "bounce",
    "ndr_gmail_address_not_found.eml": "bounce",
    "ndr_exchange_delay_notice_plain_relayed.eml": "receipt",
    "receipt_outlook_not_read_plain.eml": "receipt",
    "receipt_mdn_thunderbird_displayed.eml": "receipt",
    "quarantine_m365_custom_sender_messages_held.eml": "bulk",
    "teams_missed_activity_notification.eml": "bulk",
    "calendar_tentative_relayed_without_calendar_part.eml": "calendar",
    # (a member's Outlook recall: test_member_recalls_a_message.py)
}
MEMBERS_OUT_OF_OFFICE = sorted(name for name in ROBOTS if name.startswith("ooo_"))
RECEIPTS = sorted([*(name for name in ROBOTS if name.startswith(("crm_", "mp_", "other_council"))),
                   "ticket_system_acknowledgement.eml"])

SAM = "sam.patel@wiltshire.gov.uk"
LEE = "lee.wong@wiltshire.gov.uk"
DANA = "dana.reed@wiltshire.gov.uk"
# Placeholders in the files for the Message-ID of our mail they answer.
OUR_ACK = b"<ack-1.mailbot@wiltshire.gov.uk>"
OUR_ASSIGNMENT = b"<assign-1.mailbot@wiltshire.gov.uk>"


@pytest.mark.parametrize("name", sorted(ROBOTS))
def test_robots_the_corpus_lacks_are_recorded_and_never_answered(
    app_factory: AppFactory, name: str
) -> None:
    never_answered(app_factory, eml(name), ROBOTS[name])


def test_a_phishing_simulation_in_a_members_name_is_never_answered(
    app_factory: AppFactory,
) -> None:
    # KnowBe4 sends in a member's name ("Could you please look into it urgently?"): a
    # case and an acknowledgement to the real member for mail they never sent.
    app, server = app_factory()
    server.deliver(eml("phishing_simulation_knowbe4_spoofed_member.eml"))
    run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "ignored" and "X-PHISHTEST" in (row.reason or "")
    assert rows(app, CaseRow) == [] and server.outgoing == []


def answering(raw: bytes, ours: str, sender: str | None = None) -> bytes:
    """The file as an answer to our mail `ours` (its placeholder replaced, or In-Reply-To
    added), sent from `sender` instead of Jo if given."""
    mail = raw.replace(OUR_ACK, ours.encode()).replace(OUR_ASSIGNMENT, ours.encode())
    if ours.encode() not in mail:
        mail = mail.replace(b"\r\nMIME-Version:", f"\r\nIn-Reply-To: {ours}\r\nReferences: "
                            f"{ours}\r\nMIME-Version:".encode(), 1)
    return mail.replace(JO[1].encode(), sender.encode()) if sender else mail


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", mailbox=SHARED_MAILBOX, members=[JO],
        officers=[("Sam Patel", SAM, "Highways", DANA, LEE),
                  ("Lee Wong", LEE, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        threshold=0.0, config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def _enquiry(council: Council) -> dict[str, EmailMessage]:
    """Jo's pothole (case MB-2026-00001): the mails that left, by recipient."""
    out = council.deliver(council.mail(
        f"{JO[0]} <{JO[1]}>", "Pothole outside 14 Castle Street",
        "There is a deep pothole outside number 14 Castle Street. A cyclist came off there.",
    ))
    return {str(m["To"]): m for m in out}


@pytest.mark.parametrize("name", MEMBERS_OUT_OF_OFFICE)
def test_a_members_out_of_office_answering_our_ack_opens_nothing_and_sends_nothing(
    council: Council, name: str
) -> None:
    ack = _enquiry(council)[JO[1]]
    assert council.deliver(answering(eml(name), str(ack["Message-ID"]))) == []
    [case] = rows(council.app, CaseRow)
    assert case.status == "open" and case.officer_email == SAM
    last = rows(council.app, MessageRow)[-1]
    assert (last.status, last.automatic) == ("automatic", "auto_reply"), last.reason


@pytest.mark.parametrize("name", MEMBERS_OUT_OF_OFFICE)
def test_an_officers_out_of_office_without_headers_redirects_the_case(
    council: Council, name: str
) -> None:
    assignment = _enquiry(council)[SAM]
    out = council.deliver(answering(eml(name), str(assignment["Message-ID"]), sender=SAM))
    assert sorted(str(m["To"]) for m in out) == sorted([LEE, JO[1]])  # deputy; member told
    assert council.case().officer_email == LEE
    assert len(council.events("officer out of office")) == 1


def test_an_exchange_online_bounce_of_our_assignment_is_noticed(council: Council) -> None:
    assignment = _enquiry(council)[SAM]
    raw = answering(eml("ndr_exchange_online_undeliverable_to_officer.eml"),
                    str(assignment["Message-ID"]))
    out = council.deliver(raw)
    # The deputy takes the case, the member is told; with no [directory] admins, Sam's
    # manager is told Sam's address in officers.csv is dead.
    assert sorted(str(m["To"]) for m in out) == sorted([LEE, JO[1], DANA])
    assert council.case().officer_email == LEE
    assert len(council.events("undeliverable")) == 1
    [alert] = [m for m in out if str(m["To"]) == DANA]
    text = " ".join(body_text(alert, "plain").split())
    assert f"to {SAM} (Sam Patel in officers.csv), and it could not be delivered: " \
        "no such user" in text
    assert "RESOLVER.ADR.RecipientNotFound" in text and "correct it in officers.csv" in text


def test_a_delay_warning_for_our_assignment_moves_nothing(council: Council) -> None:
    assignment = _enquiry(council)[SAM]
    raw = answering(eml("ndr_exchange_delay_notice_plain_relayed.eml"),
                    str(assignment["Message-ID"]), sender=SAM)
    assert council.deliver(raw) == []
    assert council.case().officer_email == SAM and council.events("undeliverable") == []


@pytest.mark.parametrize("name", RECEIPTS)
def test_a_team_mailboxs_receipt_for_our_assignment_is_not_an_answer_or_an_absence(
    council: Council, name: str
) -> None:
    # Sam's address is a team mailbox behind a ticket system: its receipt must neither
    # stop the clock (an officer's reply would) nor pass the case on (an absence would).
    assignment = _enquiry(council)[SAM]
    raw = eml(name)
    sender = raw.split(b"\r\nFrom: ", 1)[1].split(b"\r\n", 1)[0]
    raw = raw.replace(sender, f"Highways <{SAM}>".encode(), 1)
    assert council.deliver(answering(raw, str(assignment["Message-ID"]))) == []
    case = council.case()
    assert (case.status, case.officer_email, case.responded_at) == ("open", SAM, None)
    assert council.events("officer out of office") == []
    last = rows(council.app, MessageRow)[-1]
    assert (last.status, last.automatic) == ("automatic", "receipt"), last.reason


@pytest.mark.parametrize(("subject", "body"), [
    ("Pothole on Castle Street", "I am out of the office next week, but please look at the "
     "pothole outside number 14."),
    ("Castle Street", "I’m on leave until Monday but please chase the contractor about the "
     "pothole outside number 14."),
    ("Re: Undeliverable bins", "The new bins still have not reached Mill Lane."),
    ("Parking", "Your reference number is PCN-88213, the letter to my resident says, and the "
     "appeal was refused. This is wrong: she had a valid permit."),
    ("Highways contractor", "A ticket has been raised with the contractor about the "
     "streetlight on Bramble Close, but nothing has happened for six weeks."),
])
def test_a_member_who_only_sounds_like_a_robot_gets_a_case(
    council: Council, subject: str, body: str
) -> None:
    out = council.deliver(council.mail(f"{JO[0]} <{JO[1]}>", subject, body))
    assert JO[1] in {str(m["To"]) for m in out}
    [row] = rows(council.app, MessageRow)
    assert (row.status, row.automatic) == ("processed", None), row.reason
    assert [c.member_email for c in rows(council.app, CaseRow)] == [JO[1]]


def test_a_bounce_of_our_acknowledgement_is_noticed_on_the_case_and_answered_by_nothing(
    council: Council,
) -> None:
    # The member's mail is forwarded on to a Gmail address that no longer exists.
    ack = _enquiry(council)[JO[1]]
    raw = answering(eml("ndr_gmail_address_not_found.eml"), str(ack["Message-ID"]))
    assert council.deliver(raw) == []
    [event] = council.events("undeliverable")
    assert event.case_id == council.case().id and "our ack" in event.detail
    assert council.case().officer_email == SAM
