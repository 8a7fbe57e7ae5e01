"""The loop guard: every header rule, the subject/body patterns in six languages, the
upstream spam verdicts, and the per-recipient cap on what we send automatically."""

from __future__ import annotations

import json
from datetime import timedelta
from email.header import Header
from pathlib import Path

import pytest
from helpers import JO, NOW, SHARED_MAILBOX, AppFactory, eml, rows, run, sent_to

from mailbot.app import App
from mailbot.jobs import flush_outbox, poll
from mailbot.loops import LOOP_HEADER, detect_automatic, outgoing_headers
from mailbot.model import Automatic, ParsedMessage
from mailbot.parse import parse_message
from mailbot.spam import spam_verdict
from mailbot.store.tables import OutboxRow

MEMBER = "Cllr Jo Bloggs <jo.bloggs@wiltshire.gov.uk>"


def build(
    headers: dict[str, str] | None = None,
    *,
    subject: str = "Pothole outside 14 Castle Street",
    body: str = "Could highways look at the pothole outside number 14, please?",
    sender: str = MEMBER,
    content_type: str = "text/plain; charset=utf-8",
    raw_body: bytes | None = None,
) -> ParsedMessage:
    """A real message as bytes, parsed by the real parser."""
    if not subject.isascii():  # as mail clients send it: an RFC 2047 encoded-word
        subject = Header(subject, "utf-8").encode()
    lines = [f"From: {sender}", f"To: {SHARED_MAILBOX}", f"Subject: {subject}",
             "Date: Wed, 25 Nov 2026 09:14:03 +0000", "Message-ID: <t1@mail.example>",
             "MIME-Version: 1.0", f"Content-Type: {content_type}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    payload = raw_body if raw_body is not None else body.encode("utf-8")
    message = parse_message("\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + payload)
    assert isinstance(message, ParsedMessage)
    return message


def kind(message: ParsedMessage) -> Automatic | None:
    verdict = detect_automatic(message)
    return verdict.automatic if verdict else None


def test_a_member_enquiry_is_not_automatic() -> None:
    assert detect_automatic(build()) is None


# --- header rules --------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "expected"), [
    ({"Auto-Submitted": "auto-replied"}, Automatic.AUTO_REPLY),
    ({"Auto-Submitted": "auto-generated"}, Automatic.AUTO_REPLY),
    ({"Auto-Submitted": "auto-notified; owner-email=x@y.example"}, Automatic.AUTO_REPLY),
    ({"Auto-Submitted": "Auto-Replied (vacation)"}, Automatic.AUTO_REPLY),
    ({"Precedence": "bulk"}, Automatic.BULK),
    ({"Precedence": "junk"}, Automatic.BULK),
    ({"Precedence": "list"}, Automatic.BULK),
    ({"Precedence": "auto_reply"}, Automatic.AUTO_REPLY),
    ({"X-Autoreply": "yes"}, Automatic.AUTO_REPLY),
    ({"X-Autorespond": "Thank you for your email"}, Automatic.AUTO_REPLY),
    ({"Return-Path": "<>"}, Automatic.BOUNCE),
    ({"X-Failed-Recipients": "nobody@wiltshire.gov.uk"}, Automatic.BOUNCE),
    ({"List-Id": "Castle Ward residents <castle.lists.example>"}, Automatic.BULK),
    ({"List-Unsubscribe": "<mailto:leave@lists.example>"}, Automatic.BULK),
], ids=lambda v: str(v) if isinstance(v, Automatic) else "+".join(v))
def test_header_rules(headers: dict[str, str], expected: Automatic) -> None:
    assert kind(build(headers)) == expected


@pytest.mark.parametrize("value", ["no", "No", "NO "])
def test_auto_submitted_no_is_a_person(value: str) -> None:
    assert detect_automatic(build({"Auto-Submitted": value})) is None


def test_empty_return_path_with_an_out_of_office_subject_is_an_auto_reply() -> None:
    message = build({"Return-Path": "< >"}, subject="Out of Office: back Monday")
    assert kind(message) == Automatic.AUTO_REPLY


@pytest.mark.parametrize("sender", [
    "MAILER-DAEMON@mx1.wiltshire.gov.uk",
    "Mail Delivery System <mailer-daemon@googlemail.com>",
    "postmaster@wiltshire.gov.uk",
    "Postmaster <POSTMASTER@outlook.example>",
])
def test_mailer_daemon_and_postmaster_senders_are_bounces(sender: str) -> None:
    message = build(sender=sender, subject="Hello", body="See attached.")
    verdict = detect_automatic(message)
    assert verdict is not None and verdict.automatic == Automatic.BOUNCE
    assert "mailer-daemon" in verdict.reason


DSN = (b"--dsn1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
       b"--dsn1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx1\r\n\r\n"
       b"Final-Recipient: rfc822; gone@wiltshire.gov.uk\r\nAction: failed\r\nStatus: 5.1.1\r\n"
       b"\r\n--dsn1--\r\n")
MDN = (b"--mdn1\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
       b"--mdn1\r\nContent-Type: message/disposition-notification\r\n\r\n"
       b"Final-Recipient: rfc822; jo.bloggs@wiltshire.gov.uk\r\n"
       b"Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--mdn1--\r\n")
ICS = (b"--cal1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWard surgery, Saturday.\r\n"
       b"--cal1\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n"
       b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n--cal1--\r\n")


def test_multipart_report_delivery_status_is_a_bounce() -> None:
    message = build(content_type='multipart/report; report-type=delivery-status; '
                                 'boundary="dsn1"', raw_body=DSN, subject="Hello")
    assert kind(message) == Automatic.BOUNCE


def test_multipart_report_without_a_report_type_is_still_a_bounce() -> None:
    message = build(content_type='multipart/report; boundary="dsn1"', raw_body=DSN,
                    subject="Hello")
    assert kind(message) == Automatic.BOUNCE


def test_disposition_notification_report_is_a_receipt() -> None:
    message = build(content_type='multipart/report; report-type=disposition-notification; '
                                 'boundary="mdn1"', raw_body=MDN, subject="Pothole")
    assert kind(message) == Automatic.RECEIPT


def test_disposition_notification_headers_alone_are_a_receipt() -> None:
    message = build({"Original-Message-ID": "<t0@mail.example>",
                     "Disposition": "automatic-action/MDN-sent-automatically; displayed"})
    assert kind(message) == Automatic.RECEIPT


def test_asking_for_a_read_receipt_is_what_people_do_not_robots() -> None:
    message = build({"Disposition-Notification-To": MEMBER,
                     "Return-Receipt-To": "jo.bloggs@wiltshire.gov.uk"})
    assert detect_automatic(message) is None


def test_a_calendar_part_is_calendar_traffic() -> None:
    message = build(content_type='multipart/alternative; boundary="cal1"', raw_body=ICS,
                    subject="Castle ward surgery")
    assert kind(message) == Automatic.CALENDAR


def test_a_bare_calendar_message_is_calendar_traffic() -> None:
    message = build(content_type="text/calendar; method=REPLY",
                    body="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", subject="Surgery")
    assert kind(message) == Automatic.CALENDAR


@pytest.mark.parametrize("value", ["All", "DR, RN, NRN, OOF, AutoReply", "OOF"])
def test_inbound_x_auto_response_suppress_alone_is_not_automatic(value: str) -> None:
    # Outlook adds this to ordinary mail: it means "do not auto-reply to me", nothing more.
    assert detect_automatic(build({"X-Auto-Response-Suppress": value})) is None


def test_our_own_loop_header_wins_over_everything() -> None:
    verdict = detect_automatic(build({LOOP_HEADER: "mailbot"}))
    assert verdict is not None and verdict.automatic == Automatic.AUTO_REPLY
    assert "loop header" in verdict.reason


def test_our_own_ack_coming_back_is_recognised() -> None:
    message = parse_message(eml("own_ack_returned.eml"))
    assert isinstance(message, ParsedMessage)
    verdict = detect_automatic(message)
    assert verdict is not None and "loop header" in verdict.reason


def test_outgoing_headers_mark_our_mail_as_automatic() -> None:
    headers = outgoing_headers("wiltshire-live")
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert headers[LOOP_HEADER] == "wiltshire-live"


# --- subject and body patterns (clients that send no header) --------------------------

@pytest.mark.parametrize(("language", "subject"), [
    ("en", "Automatic reply: Pothole outside 14 Castle Street"),
    ("en", "Out of Office: Pothole outside 14 Castle Street"),
    ("en", "Autoreply: your message"),
    ("cy", "Ateb awtomatig: Pothole outside 14 Castle Street"),
    ("cy", "Allan o'r swyddfa: Twll yn y ffordd"),
    ("cy", "Ymateb Awtomatig: Biniau"),
    ("fr", "Réponse automatique : Nid-de-poule rue du Château"),
    ("fr", "Absent du bureau : votre message"),
    ("de", "Abwesenheitsnotiz: Schlagloch in der Schlossstraße"),
    ("de", "Automatische Antwort: Ihre Nachricht"),
    ("es", "Respuesta automática: Bache en la calle Mayor"),
    ("es", "Fuera de la oficina: su mensaje"),
    ("nl", "Automatisch antwoord: Gat in de weg"),
    ("nl", "Afwezigheidsbericht: uw bericht"),
    # Outlook's prefix follows the member's own mailbox language, not the council's
    ("pl", "Odpowiedź automatyczna: Pothole outside 14 Castle Street"),
    ("ur", "خودکار جواب: Pothole outside 14 Castle Street"),
    ("pa", "ਸਵੈਚਾਲਤ ਜਵਾਬ: Pothole outside 14 Castle Street"),
    ("bn", "স্বয়ংক্রিয় উত্তর: Pothole outside 14 Castle Street"),
    ("pt", "Resposta automática: Pothole outside 14 Castle Street"),
    ("ro", "Răspuns automat: Pothole outside 14 Castle Street"),
    ("lt", "Automatinis atsakymas: Pothole outside 14 Castle Street"),
    ("it", "Risposta automatica: Pothole outside 14 Castle Street"),
    ("ar", "رد تلقائي: Pothole outside 14 Castle Street"),
    ("zh", "自动回复：Pothole outside 14 Castle Street"),
])
def test_auto_reply_subjects_in_six_languages(language: str, subject: str) -> None:
    message = build(subject=subject, body="Thank you.")
    assert kind(message) == Automatic.AUTO_REPLY, language


@pytest.mark.parametrize(("language", "body"), [
    ("en", "Thank you for your email. I am currently out of the office until Monday 30 "
           "November with limited access to email."),
    ("en", "This is an automatic reply. Your message has been received."),
    ("cy", "Diolch am eich neges. Rwyf allan o'r swyddfa tan ddydd Llun."),
    ("cy", "Dw i allan o'r swyddfa ar hyn o bryd."),
    ("fr", "Bonjour, je suis absente jusqu'au 30 novembre."),
    ("de", "Vielen Dank. Ich bin bis zum 30. November nicht im Büro."),
    ("es", "Gracias. Estoy fuera de la oficina hasta el lunes."),
    ("nl", "Dank u. Ik ben tot en met maandag afwezig."),
    ("pl", "Dziękuję za wiadomość. Jestem poza biurem do 30 listopada."),
    ("ur", "آپ کی ای میل کا شکریہ۔ میں 30 نومبر تک دفتر سے باہر ہوں۔"),
    ("pt", "Obrigado. Estou fora do escritório até 30 de novembro."),
    ("ro", "Vă mulțumesc. Sunt în concediu până pe 30 noiembrie."),
])
def test_auto_reply_bodies_in_six_languages(language: str, body: str) -> None:
    message = build(subject="Re: Pothole outside 14 Castle Street [MB-2026-00001]", body=body)
    assert kind(message) == Automatic.AUTO_REPLY, language


# A receipt says the mail arrived; an unmonitored mailbox says nobody will read it (an
# auto-reply, which moves an officer's case on).
@pytest.mark.parametrize(("subject", "body", "expected"), [
    ("Your call reference is 3345221", "A member of our team will be in touch.",
     Automatic.RECEIPT),
    ("Your report of a pothole has been received", "Reference HW-123456.", Automatic.RECEIPT),
    ("Re: Pothole outside 14 Castle Street [#4521]",
     "Dear customer, ticket #4521 has been created for your request.", Automatic.RECEIPT),
    ("Re: Pothole outside 14 Castle Street", "This is an automated acknowledgement of your "
     "message. Please do not reply to this email.", Automatic.RECEIPT),
    ("Planning enforcement", "Thank you. This mailbox is not monitored.", Automatic.AUTO_REPLY),
])
def test_ticket_systems_and_notification_services_are_automatic(
    subject: str, body: str, expected: Automatic
) -> None:
    assert kind(build(subject=subject, body=body)) == expected


def test_mail_sent_in_a_members_name_by_a_noreply_system_is_automatic() -> None:
    message = build({"Sender": "SharePoint Online <no-reply@sharepointonline.com>"},
                    subject='Cllr Jo Bloggs shared the folder "Castle Street photos" with you',
                    body="Cllr Jo Bloggs shared a folder with you.")
    assert kind(message) == Automatic.BULK


def test_a_person_quoting_an_out_of_office_is_not_automatic() -> None:
    body = ("Gareth's auto-reply says he is away; who covers Bramble Close?\n\n"
            "On Tue, 24 Nov 2026 at 10:02, Gareth Hughes <g.hughes@wiltshire.gov.uk> wrote:\n"
            "> I am currently out of the office until Monday 30 November.\n")
    assert detect_automatic(build(subject="Streetlight out - Bramble Close", body=body)) is None


@pytest.mark.parametrize("subject", [
    "Undeliverable: Pothole outside 14 Castle Street",
    "Mail delivery failed: returning message to sender",
    "Delivery Status Notification (Failure)",
    "Unzustellbar: Ihre Nachricht",
    "Non remis : votre message",
    "Onbestelbaar: uw bericht",
])
def test_bounce_subjects(subject: str) -> None:
    assert kind(build(subject=subject, body="See attached.")) == Automatic.BOUNCE


@pytest.mark.parametrize(("subject", "expected"), [
    ("Read: Pothole outside 14 Castle Street", Automatic.RECEIPT),
    ("Accepted: Castle ward surgery", Automatic.CALENDAR),
    ("Declined: Castle ward surgery", Automatic.CALENDAR),
])
def test_receipt_and_calendar_subjects(subject: str, expected: Automatic) -> None:
    assert kind(build(subject=subject, body="")) == expected


@pytest.mark.parametrize(("subject", "body", "expected"), [
    ("Accepted: Ward surgery", "Margaret Ellery has accepted this meeting.", Automatic.CALENDAR),
    ("Declined: Licensing pre-meet", "Kevin Doran has declined this meeting.\n\nWhen: Tue 1 "
     "December 2026 14:00-15:00", Automatic.CALENDAR),
    ("Read: Pothole", "Your message\n\n  To: Highways\n  Subject: Pothole\n  Sent: 24/11/2026",
     Automatic.RECEIPT),
])
def test_calendar_and_receipt_subjects_with_their_robots_body(
    subject: str, body: str, expected: Automatic
) -> None:
    assert kind(build(subject=subject, body=body)) == expected


def test_raw_utf8_auto_reply_subject_is_recognised() -> None:
    raw = ("From: Marie Dupont <marie@mairie.example>\r\nSubject: Réponse automatique : "
           "votre message\r\nMessage-ID: <r1@mairie.example>\r\n\r\nMerci.\r\n").encode()
    message = parse_message(raw)
    assert isinstance(message, ParsedMessage)
    assert kind(message) == Automatic.AUTO_REPLY


def test_the_welsh_out_of_office_file_is_automatic_without_any_header() -> None:
    message = parse_message(eml("ooo_welsh_no_headers.eml"))
    assert isinstance(message, ParsedMessage)
    assert not {"auto-submitted", "precedence", "x-autoreply"} & message.headers.keys()
    assert kind(message) == Automatic.AUTO_REPLY


@pytest.mark.parametrize(("subject", "body"), [
    ("Absent landlord at 3 Mill Lane", "The landlord never answers residents."),
    ("Automatic number plate cameras on the A350", "Residents ask who runs them."),
    ("Reply needed: school crossing patrol", "Could someone reply to the head teacher?"),
    ("Invitation to the Castle ward residents' meeting", "Would an officer like to come?"),
])
def test_member_mail_that_only_sounds_automatic_is_not(subject: str, body: str) -> None:
    assert detect_automatic(build(subject=subject, body=body)) is None


@pytest.mark.parametrize(("subject", "body"), [
    ("Out of office hours noise from the Red Lion", "Residents cannot sleep."),
    ("Library staff on leave - reduced opening hours", "Residents ask why."),
    ("Delivery failure of the garden waste bins", "Twelve houses on Brook Road have none."),
    ("Undelivered council tax letters", "Residents on Mill Lane got no bill."),
    ("Non-delivery of the recycling boxes", "Still waiting after six weeks."),
    ("Your reference is wrong on my parking fine letter", "Can someone check it?"),
    ("Auto-enrolment for councillors' pensions", "Who do I ask about opting out?"),
    ("Auto-renewal of resident parking permits", "Residents were charged twice."),
    ("Away-day for the scrutiny committee", "Which room is booked?"),
    ("Annual leave: library staff", "Why is the library closed on Saturdays?"),
    ("Annual leave - bin collections over Christmas", "Will collections change?"),
    ("Vacation - rental properties on Mill Lane", "Residents report noise from holiday lets."),
    ("Invitation: residents' meeting on 3 December",
     "The residents' association meets at 7pm in the church hall. Could an officer attend?"),
    ("Declined: my resident's blue badge application", "Can you look into why?"),
    ("Cancelled: bin collection on Mill Lane", "Residents were told by text. Why?"),
    ("Delivered: new bins", "The new bins arrived on Mill Lane but three houses were missed."),
    ("Returned mail - residents say post is going astray", "Is the depot involved?"),
    ("Delivery failure - recycling boxes", "Twelve houses have none."),
    ("Delivery notification: garden waste bins", "When will Brook Road get theirs?"),
    ("Abuse report - dog fouling on the rec", "It is getting worse."),
    ("Complaint about message from the council", "The letter to residents was rude."),
    ("Ticket office at the station", "The ticket #2 machine has been broken for weeks."),
    ("Shop on Station Road", "The shop was left with no access to email or phone for a week "
                             "after the roadworks cut the line. Can highways explain?"),
])
def test_council_vocabulary_is_not_mistaken_for_automatic_mail(subject: str, body: str) -> None:
    assert detect_automatic(build(subject=subject, body=body)) is None


# --- upstream spam verdicts ------------------------------------------------------------

@pytest.mark.parametrize("subject", [
    "[SPAM] Invoice overdue", "***SPAM*** Your parcel", "*****SPAM***** x",
    "[Suspected Spam] Payment", "{Spam?} Prize",
])
def test_spam_tags_in_the_subject_are_a_verdict(subject: str) -> None:
    assert spam_verdict(build(subject=subject)) is not None


@pytest.mark.parametrize("subject", [
    "Spam calls to residents on Mill Lane", "Re: [MB-2026-00001] spam bins",
])
def test_the_word_spam_in_a_members_subject_is_not_a_verdict(subject: str) -> None:
    assert spam_verdict(build(subject=subject)) is None


@pytest.mark.parametrize(("subject", "expected"), [
    ("Relayed: Pothole outside 14 Castle Street", Automatic.RECEIPT),
    ("Message Recall Failure: Pothole outside 14 Castle Street", Automatic.RECEIPT),
    ("Meeting Forward Notification: Ward surgery", Automatic.CALENDAR),
])
def test_exchange_system_subjects(subject: str, expected: Automatic) -> None:
    assert kind(build(subject=subject, body="")) == expected


@pytest.mark.parametrize("headers", [
    {"X-Spam-Flag": "YES"},
    {"X-Spam-Flag": "yes"},
    {"X-Spam-Status": "Yes, score=9.1 required=5.0 tests=BAYES_99"},
    {"X-MS-Exchange-Organization-SCL": "5"},
    {"X-MS-Exchange-Organization-SCL": "9"},
    {"X-Forefront-Antispam-Report": "CIP:203.0.113.7;CTRY:;LANG:en;SCL:6;SRV:;IPV:NLI;"},
    {"X-Spam": "Yes"},  # rspamd
    {"X-Barracuda-Spam-Flag": "YES"},
    {"X-Proofpoint-Spam-Details": "rule=spam policy=default score=99 spamscore=99"},
], ids=lambda h: "+".join(f"{k}={v[:12]}" for k, v in h.items()))
def test_spam_verdicts_are_recognised(headers: dict[str, str]) -> None:
    assert spam_verdict(build(headers)) is not None


@pytest.mark.parametrize("headers", [
    {},
    {"X-Spam-Flag": "NO"},
    {"X-Spam-Status": "No, score=1.2 required=5.0"},
    {"X-MS-Exchange-Organization-SCL": "4"},
    {"X-MS-Exchange-Organization-SCL": "-1"},
    {"X-Forefront-Antispam-Report": "CIP:10.0.0.1;SCL:1;SRV:;"},
    {"X-Spam": "No"},
    {"X-Barracuda-Spam-Status": "No, SCORE=0.00 using global scores"},
    {"X-Proofpoint-Spam-Details": "rule=notspam policy=default score=0 spamscore=0"},
], ids=lambda h: "+".join(f"{k}={v[:12]}" for k, v in h.items()) or "none")
def test_clean_verdicts_are_not_spam(headers: dict[str, str]) -> None:
    assert spam_verdict(build(headers)) is None


def test_spam_from_a_members_address_is_recorded_and_never_answered(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(eml("spam_flagged.eml"))
    report, flushed = run(app)
    assert [o.status for o in report.outcomes] == ["ignored"]
    assert "X-Spam-Flag" in report.outcomes[0].reason
    assert server.outgoing == [] and flushed.sent == []  # no case, so nothing at all


# --- per-recipient cap -----------------------------------------------------------------

def enquiry(n: int) -> bytes:
    return (f"From: {MEMBER}\r\nTo: {SHARED_MAILBOX}\r\nSubject: Enquiry number {n} about "
            f"Castle Street\r\nMessage-ID: <cap-{n}@mail.wiltshire.gov.uk>\r\n"
            f"Date: Wed, 25 Nov 2026 09:00:00 +0000\r\n\r\nPlease look into item {n}.\r\n"
            ).encode()


def outbox_statuses(app: App) -> list[str]:
    return [row.status for row in rows(app, OutboxRow) if row.purpose == "ack"]


def test_twelve_messages_in_an_hour_get_at_most_ten_acks(app_factory: AppFactory) -> None:
    app, server = app_factory()  # defaults: 10 per recipient per 3 hours
    for n in range(12):
        at = NOW + timedelta(minutes=5 * n)
        server.deliver(enquiry(n))
        poll(app, at)
        flush_outbox(app, at)
    assert len(sent_to(server, JO[1])) == 10
    assert outbox_statuses(app) == ["sent"] * 10 + ["suppressed"] * 2


def test_the_cap_is_per_recipient_and_set_in_the_config(app_factory: AppFactory) -> None:
    app, server = app_factory(max_per_recipient=3, window_hours=1)
    for n in range(5):
        server.deliver(enquiry(n))
    server.deliver(enquiry(99).replace(b"Cllr Jo Bloggs <jo.bloggs@",
                                       b"Cllr Rhian Evans <rhian.evans@"))
    run(app)
    to_jo = sent_to(server, JO[1])
    to_rhian = sent_to(server, "rhian.evans@wiltshire.gov.uk")
    assert (len(to_jo), len(to_rhian)) == (3, 1)
    assert outbox_statuses(app).count("suppressed") == 2


def test_the_cap_window_slides(app_factory: AppFactory) -> None:
    app, server = app_factory(max_per_recipient=2, window_hours=1)
    for n in range(3):
        server.deliver(enquiry(n))
    run(app, NOW)
    assert len(sent_to(server, JO[1])) == 2
    server.deliver(enquiry(3))
    run(app, NOW + timedelta(minutes=61))
    assert len(sent_to(server, JO[1])) == 3
    assert outbox_statuses(app) == ["sent", "sent", "suppressed", "sent"]


@pytest.mark.parametrize("sender", [
    "Blue Badge team <blue.badge.wiltshire@notifications.service.gov.uk>",
    "Microsoft 365 security <quarantine@messaging.microsoft.com>",
    "Bookings <no_reply@bookings.example.gov.uk>",
    "Parking Services <do.not.reply@parking.example.gov.uk>",
    "Council Tax <ctax.no_reply@example.gov.uk>",
])
def test_notification_platforms_are_never_a_person(sender: str) -> None:
    message = build(sender=sender, subject="Your application", body="Dear Jo, we have it.")
    assert kind(message) == Automatic.BULK


def _authored() -> list[dict[str, object]]:
    """Every authored example in classifiers/data, with its sender and headers."""
    data = Path(__file__).resolve().parents[2] / "classifiers" / "data"
    return [json.loads(line) for path in sorted(data.rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_loop_guard_agrees_with_every_authored_automatic_label() -> None:
    # Includes people who only sound automatic: "I'm out of the office next week, so
    # could someone please make sure ...", "Re: Automatic reply: ..." answered by a
    # member, "Read receipt request - complaint"; and robots with no header at all.
    wrong = []
    for item in _authored():
        headers = {str(k): str(v) for k, v in dict(item.get("headers") or {}).items()}
        ctype = headers.pop("Content-Type", "text/plain; charset=utf-8")
        message = build(headers, subject=str(item.get("subject") or ""),
                        body=str(item.get("text") or ""), content_type=ctype,
                        sender=str(item.get("sender") or MEMBER))
        if (detect_automatic(message) is not None) != bool(item.get("automatic")):
            wrong.append((item["id"], item.get("automatic"), item.get("subject")))
    assert wrong == []


@pytest.mark.parametrize("body", [
    "I am out of the office until Monday. If it is urgent, could you please contact Sam Patel.",
    "I'm on leave until 30 November. Please let me know if it is urgent and I will reply.",
    "I am on annual leave until Monday. Can you please resend your email after then.",
])
def test_an_out_of_office_that_points_elsewhere_is_still_automatic(body: str) -> None:
    message = build(subject="Re: Pothole outside 14 Castle Street [MB-2026-00001]", body=body)
    assert kind(message) == Automatic.AUTO_REPLY


def test_a_member_away_next_week_who_asks_for_something_is_a_person() -> None:
    body = ("I'm out of the office next week on leave, so could someone please make sure the "
            "white lines outside the school are repainted while I'm away?")
    assert detect_automatic(build(subject="Away next week - white lines", body=body)) is None


@pytest.mark.parametrize(("language", "header_block"), [
    ("pl", "Od: Gareth Hughes <g.hughes@wiltshire.gov.uk>\nWysłane: wtorek, 24 listopada 2026 "
           "10:02\nDo: Bloggs, Jo (Cllr)\nTemat: Automatic reply: Streetlight out"),
    ("de", "Von: Gareth Hughes <g.hughes@wiltshire.gov.uk>\nGesendet: Dienstag, 24. November "
           "2026 10:02\nAn: Bloggs, Jo (Cllr)\nBetreff: Automatic reply: Streetlight out"),
    ("pt", "De: Gareth Hughes <g.hughes@wiltshire.gov.uk>\nEnviado: terça-feira, 24 de "
           "novembro de 2026 10:02\nPara: Bloggs, Jo (Cllr)\nAssunto: Automatic reply"),
])
def test_a_reply_quoting_an_out_of_office_under_a_localised_outlook_header_is_a_person(
    language: str, header_block: str
) -> None:
    body = ("Who covers Bramble Close while Gareth is away? The light is still out.\n\n"
            f"{header_block}\n\nI am currently out of the office until Monday 30 November.")
    message = build(subject="RE: Streetlight out - Bramble Close", body=body)
    assert detect_automatic(message) is None, language


@pytest.mark.parametrize("body", [
    "Rydw i allan o'r swyddfa tan ddydd Llun.",
    "Rwyf i ffwrdd o'r swyddfa tan 30 Tachwedd.",
    "Byddaf allan o'r swyddfa tan 30/11.",
    "Dydw i ddim yn y swyddfa tan ddydd Llun.",
    "Rwyf ar wyliau blynyddol tan 1 Rhagfyr.",
    "Diolch am eich e-bost. Rwy'n absennol o'r gwaith tan 2 Rhagfyr.",
    "Rydw i ar wyliau tan ddydd Llun. A allech chi gysylltu â'r tîm.",
])
def test_welsh_out_of_office_bodies_without_any_header(body: str) -> None:
    message = build(subject="Re: Twll yn y ffordd [MB-2026-00001]", body=body)
    assert kind(message) == Automatic.AUTO_REPLY


def test_a_welsh_member_away_next_week_who_asks_for_something_is_a_person() -> None:
    body = ("Rydw i ar wyliau wythnos nesaf. Allwch chi edrych ar y twll yn y ffordd ar Stryd "
            "y Castell cyn hynny?")
    assert detect_automatic(build(subject="Twll yn y ffordd", body=body)) is None


@pytest.mark.parametrize("body", [
    "Thank you for your email. I am currently away from my desk and will reply on my return.",
    "Thank you for your email. I will be away from the office until Monday 30 November.",
    "I'm away until Monday with no access to emails.",
    "I am currently on maternity leave. Please contact highways@wiltshire.gov.uk.",
    "I no longer work at Wiltshire Council. Please redirect your email to the team.",
    "I have now left Wiltshire Council.",
    "This mailbox is no longer monitored. Please contact the Highways Hub.",
])
def test_more_english_out_of_office_bodies(body: str) -> None:
    message = build(subject="Re: Pothole outside 14 Castle Street [MB-2026-00001]", body=body)
    assert kind(message) == Automatic.AUTO_REPLY


@pytest.mark.parametrize("body", [
    "Your email has been received and will be dealt with as soon as possible.",
    "Thank you for contacting Highways. We aim to respond within 10 working days.",
])
def test_service_receipt_bodies(body: str) -> None:
    message = build(subject="Re: Pothole outside 14 Castle Street [MB-2026-00001]", body=body)
    assert kind(message) == Automatic.RECEIPT


@pytest.mark.parametrize("body", [
    "I have left the council a voicemail twice and nobody has called back.",
    "I work part-time so can only attend evening meetings about the pothole.",
])
def test_a_member_who_only_sounds_away_is_a_person(body: str) -> None:
    assert detect_automatic(build(subject="Pothole on Castle Street", body=body)) is None


def test_a_service_auto_reply_that_says_please_visit_our_website_is_automatic() -> None:
    body = ("Thank you for contacting Highways. We aim to respond within 10 working days. "
            "Please visit our website or check the status of your report online.")
    assert kind(build(subject="Re: Pothole outside 14 Castle Street", body=body)) == (
        Automatic.RECEIPT)


@pytest.mark.parametrize("body", [
    "The pothole will be filled on Friday.\n\nKind regards\nSam Patel\nHighways | We aim to "
    "respond to all enquiries within 10 working days",
    "Filled on Friday.\n\nThanks,\nSam\nI work part-time (Mon-Wed) and will reply to emails "
    "on those days.",
    "Fixed today.\nRegards\nSam\nThis mailbox is not monitored outside office hours.",
])
def test_an_officers_answer_with_an_away_or_service_footer_is_a_person(body: str) -> None:
    assert detect_automatic(build(subject="RE: Pothole [MB-2026-00001]", body=body)) is None


def test_a_december_leave_notice_in_an_officers_signature_does_not_drop_the_answer() -> None:
    body = ("The pothole outside number 14 will be filled on Friday.\n\nKind regards\n"
            "Sam Patel\nHighways Officer\nI will be on annual leave from 21 December until "
            "4 January. I will be out of the office on Fridays.")
    assert detect_automatic(build(subject="RE: Pothole [MB-2026-00001]", body=body)) is None


@pytest.mark.parametrize("body", [
    "The following addresses failed to get their council tax letters this month: 3, 5 and 7 "
    "Mill Lane. Residents are worried about late payment charges.",
    "Residents say there is an invalid user address message on the parking permit site.",
    "Your message was not delivered to the planning team, the resident says. Can you check?",
    "I will be away until the 5th; could highways look at the pothole before then?",
])
def test_a_new_message_from_a_member_needs_more_than_a_robots_phrase(body: str) -> None:
    # A fresh subject, no In-Reply-To: a person starting something, not a robot answering.
    assert detect_automatic(build(subject="Pothole on Castle Street", body=body)) is None


def test_the_same_phrase_in_a_reply_is_a_robots() -> None:
    body = ("Your message was not delivered to the planning team because the mailbox is full. "
            "The following addresses failed: planning@wiltshire.gov.uk. Can you check?")
    message = build({"In-Reply-To": "<ack-1.mailbot@wiltshire.gov.uk>"},
                    subject="Pothole on Castle Street", body=body)
    assert kind(message) == Automatic.BOUNCE


# A delivery report sent under a member's own address (their server, a forwarding rule, a
# gateway that rewrites From): no robot's sender, subject or reply headers, only the words
# a mail server writes. Each body is a real MTA's template (Postfix, qmail, sendmail,
# Exchange, an SMTP transcript), trimmed.
@pytest.mark.parametrize(("subject", "body"), [
    ("Mail to planning", "This is the mail system at host mx1.example.net.\n\nI'm sorry to have "
     "to inform you that your message could not\nbe delivered to one or more recipients."),
    ("failure delivery", "Unable to deliver message to the following address(es).\n\n"
     "<planning@example.org>:\nI'm not going to try again; this message has been in the "
     "queue too long."),
    ("Nyaan", "...\n\nSent <<< RCPT TO:<planning@example.org>\nReceived >>> 550 5.1.1 "
     "<planning@example.org>... user unknown"),
    ("mail failed, returning to sender", "|------ Message log follows: ------|\n no valid "
     "recipients were found for this message\n|------ Failed addresses follow: ------|"),
    ("Test message", "Error: Invalid user address\n\nError message below:\n550 - Requested "
     "action not taken: no such user here"),
    ("Mail to planning", "Reporting-MTA: dns; mx1.example.net\n\nFinal-Recipient: rfc822; "
     "planning@example.org\nAction: failed\nStatus: 5.1.1"),
])
def test_a_mail_servers_report_under_a_members_address_is_a_bounce(
    subject: str, body: str
) -> None:
    assert kind(build(subject=subject, body=body)) == Automatic.BOUNCE


@pytest.mark.parametrize("body", [
    "I got this back when I wrote to planning - could someone check the address?\n\n"
    "Received >>> 550 5.1.1 <planning@example.org>... user unknown",
    "Why does the planning mailbox bounce?\n\nThis is the mail system at host mx1.example.net.",
    "Could someone please look into this error residents keep getting:\n"
    "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
])
def test_a_member_asking_about_a_report_they_pasted_is_a_person(body: str) -> None:
    assert detect_automatic(build(subject="Planning mailbox", body=body)) is None


# Delay warnings and receipts in a mail server's or client's own words, under a member's
# address and with no report headers: a warning is a receipt (the mail is still being
# retried), never a bounce, which would pass an officer's case to their deputy.
@pytest.mark.parametrize(("subject", "body"), [
    ("Warning: could not send message for past 4 hours",
     "**  THIS IS A WARNING MESSAGE ONLY  **\n**  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **"),
    ("Delivery delayed: Pothole", "Delivery is delayed to these recipients or groups:\n\n"
     "planning@example.org"),
    ("Pothole", "This is the mail system at host mx1.example.net.\n\n####### THIS IS A WARNING "
     "ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #######"),
    ("Return Receipt (displayed) - Pothole",
     "This is a Return Receipt for the mail that you sent to jo.bloggs@wiltshire.gov.uk."),
])
def test_warnings_and_receipts_in_a_servers_words_are_receipts(subject: str, body: str) -> None:
    assert kind(build(subject=subject, body=body)) == Automatic.RECEIPT


def test_a_person_whose_name_ends_in_no_reply_is_a_person() -> None:
    message = build(sender="Juno Reply <juno.reply@example.net>")
    assert detect_automatic(message) is None
