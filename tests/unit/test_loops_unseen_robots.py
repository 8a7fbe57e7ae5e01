"""The loop guard's patterns for robots the corpus lacks, one signal at a time: the typed
apostrophe Outlook and phones use, old Exchange's subject, Welsh councils' bilingual
subjects, out-of-office sentences in German, French, Polish and Romanian, ticket systems'
receipts, Microsoft 365's quarantine notice, KnowBe4's phishing simulation; and members'
own words that sound like them. Whole messages are in test_loops_robots_on_the_wire.py
(integration)."""

from __future__ import annotations

import pytest
from test_loops import build

from mailbot.loops import detect_automatic
from mailbot.model import Automatic
from mailbot.spam import spam_verdict

REPLY = "Re: Pothole outside 14 Castle Street [MB-2026-00001]"


def kind(subject: str, body: str) -> Automatic | None:
    verdict = detect_automatic(build(subject=subject, body=body))
    return verdict.automatic if verdict else None


@pytest.mark.parametrize("body", [
    "I’m on leave until Monday 30 November with no access to email.",
    "I’m currently out of the office until Monday.",
    "Rwyf allan o’r swyddfa tan ddydd Llun.",
])
def test_a_typed_curly_apostrophe_is_read_as_a_straight_one(body: str) -> None:
    assert kind(REPLY, body) == Automatic.AUTO_REPLY


@pytest.mark.parametrize("subject", [
    "Out of Office AutoReply: Pothole outside 14 Castle Street",
    "Allan o’r Swyddfa / Out of Office",
    "Ateb Awtomatig / Automatic Reply: Pothole",
])
def test_old_exchange_and_bilingual_out_of_office_subjects(subject: str) -> None:
    assert kind(subject, "Diolch. Thank you.") == Automatic.AUTO_REPLY


@pytest.mark.parametrize(("language", "body"), [
    ("de", "Vielen Dank für Ihre Nachricht. Ich befinde mich bis einschließlich 27.11. im "
           "Urlaub."),
    ("de", "Ich befinde mich derzeit außer Haus."),
    ("fr", "Je suis actuellement en congés jusqu'au 29 novembre inclus."),
    ("fr", "Je suis actuellement absente, avec un accès limité à ma messagerie."),
    ("pl", "Dziękuję za wiadomość. Jestem na urlopie do 30 listopada."),
    ("pl", "Nie ma mnie w biurze do poniedziałku."),
    ("ro", "Vă mulțumesc pentru mesaj. Momentan nu sunt la birou."),
])
def test_out_of_office_sentences_in_the_languages_of_members_mailboxes(
    language: str, body: str
) -> None:
    assert kind(REPLY, body) == Automatic.AUTO_REPLY, language


@pytest.mark.parametrize(("subject", "body"), [
    ("Incident INC0048213 -- opened on your behalf", "Short description: Pothole."),
    ("Ticket Received - Pothole", "We would like to acknowledge that we have received your "
     "request and a ticket has been created."),
    (REPLY, "Your request (48213) has been received and is being reviewed by our support staff."),
    (REPLY, "Thank you for contacting Somerset Council. We confirm receipt of your email."),
    (REPLY, "Thank you for contacting Wiltshire Council. We will respond within 10 working days."),
    ("Case 00481327: Pothole", "Reply keeping the reference.\n\nref:!00D8d0BQxy.!5008d01AbCd:ref"),
    ("RE: Pothole", "Thank you for contacting the office of Alex Smith MP. Alex can only help "
     "constituents."),
    ("RE: Pothole", "Thank you for contacting the office of Jane Hutt MS. We will be in touch."),
    ("RE: Pothole", "Thank you for your email to Alex Cole-Hamilton MSP."),
])
def test_ticket_systems_and_offices_logging_our_mail_are_receipts(subject: str, body: str) -> None:
    assert kind(subject, body) == Automatic.RECEIPT


@pytest.mark.parametrize(("subject", "body"), [
    ("Microsoft 365 security: You have messages in quarantine", "Review These Messages"),
    ("Quarantine", "2 messages are being held for you to review as of 25/11/2026 06:00."),
])
def test_microsoft_365_quarantine_notices_under_any_sender(subject: str, body: str) -> None:
    assert kind(subject, body) == Automatic.BULK


def test_knowbe4_phishing_simulation_is_a_filter_verdict() -> None:
    message = build({"X-PHISHTEST": "8f1e2d3c4b5a69788796a5b4c3d2e1f0"},
                    subject="Urgent: resident complaint")
    assert spam_verdict(message) == "phishing simulation (X-PHISHTEST header)"


@pytest.mark.parametrize(("subject", "body"), [
    ("Pothole on Castle Street", "I am out of the office next week, but please look at the "
     "pothole outside number 14."),
    ("Castle Street", "I’m on leave until Monday, so please make sure the contractor fills the "
     "pothole before the weekend."),
    ("Re: Undeliverable bins", "The new bins still have not reached Mill Lane."),
    ("Parking", "Your reference number is PCN-88213, the letter to my resident says, and the "
     "appeal was refused. This is wrong: she had a valid permit."),
    ("Highways contractor", "A ticket has been raised with the contractor about the streetlight "
     "on Bramble Close, but nothing has happened for six weeks."),
    ("Ticket received - parking fine on Castle Street", "A resident got a ticket while loading."),
    ("Resident's complaint", "The resident was told 'we will respond within 10 working days' "
     "in March. Could you find out why nobody has?"),
    ("Alex Smith MP", "Thank you for contacting Alex Smith MP about the bypass; he asked me to "
     "pass this on. Residents want a crossing."),
    ("RE: Pothole", "Thank you for contacting Ms Jones about this, she will call the resident."),
])
def test_members_who_only_sound_like_these_robots_are_people(subject: str, body: str) -> None:
    assert detect_automatic(build(subject=subject, body=body)) is None


@pytest.mark.parametrize("body", [
    "I am on annual leave until Monday. For cover please check the Highways contacts page.",
    "I am out of the office until Monday. Please make sure you include your postcode.",
])
def test_an_out_of_office_that_tells_the_reader_what_to_do_is_still_automatic(body: str) -> None:
    assert kind(REPLY, body) == Automatic.AUTO_REPLY


@pytest.mark.parametrize("body", [
    "I am away from the 23rd to the 30th November and will reply when I am back.",
    "I am currently on leave and will be back in the office on 30 November.",
    "I am currently on jury service until 4 December. For urgent matters ring 01225 713000.",
    "Cllr Bloggs is away until 30 November. Your email will be read on her return.",
    "Cllr Bloggs is currently on leave, returning on Monday 30 November.",
    "Thank you for your email. I am on leave this week with no access to emails.",
    "Thank you for your email. Please note I am not checking emails until Monday.",
    "Thanks for your message. I’m currently travelling with limited access to email.",
    "Dziękuję za wiadomość. Przebywam na zwolnieniu lekarskim do 30.11.",
    "Danke für Ihre E-Mail. Ich bin ab dem 30.11. wieder im Büro.",
    "شکریہ۔ میں چھٹی پر ہوں اور 30 نومبر کو واپس آؤں گا۔",
    "ਤੁਹਾਡੀ ਈਮੇਲ ਲਈ ਧੰਨਵਾਦ। ਮੈਂ ਛੁੱਟੀ ’ਤੇ ਹਾਂ।",
])
def test_more_ways_an_out_of_office_answering_our_mail_is_worded(body: str) -> None:
    assert kind(REPLY, body) == Automatic.AUTO_REPLY


@pytest.mark.parametrize(("subject", "body"), [
    ("Drain on Mill Lane", "Mrs Smith is away until Monday, so could someone please check the "
     "drain outside her house before then?"),
    (REPLY, "Thanks. I am on leave next week, back on the 7th, so please chase the contractor "
     "in the meantime."),
])
def test_a_member_saying_who_is_away_and_asking_is_a_person(subject: str, body: str) -> None:
    assert detect_automatic(build(subject=subject, body=body)) is None


@pytest.mark.parametrize("subject", ["Recall: Pothole outside 14 Castle Street",
                                     "Rückruf: Pothole outside 14 Castle Street"])
def test_an_outlook_recall_with_no_words_of_its_own_is_a_receipt(subject: str) -> None:
    assert kind(subject, "") == Automatic.RECEIPT


def test_a_member_whose_subject_starts_with_recall_is_a_person() -> None:
    body = "Residents want the old collection schedule back. Can you check with waste?"
    assert kind("Recall: bin collections on Mill Lane", body) is None
