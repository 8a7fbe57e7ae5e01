"""Our mail to a member bouncing: the case's officer is told, once, which mail, to what
address, why in plain words and what to do; never the robot. A delay warning tells
nobody. Real app on the memory mailbox; assertions on the mail that left, outbox rows and
the case's events. The real-world DSN shapes come from the shared corpus
(../shared/corpus/bounce) when it is there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import NOW, Council, body_text, by_recipient, gmail_dsn, rows, shared_dir

from mailbot.jobs import poll
from mailbot.retention import anonymise_cases
from mailbot.store.tables import EventRow, OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
TRIAGE = "triage@council.gov.uk"
SHARED = shared_dir()
CORPUS = SHARED / "corpus" / "bounce" if SHARED else None


def _council(home: Path, routing: str = "") -> Council:
    return Council(
        home, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "highways", "", "")],
        admins=[ADMIN], threshold=0.0,
        config=routing or f'[routing]\ndefault_officer = "{SAM}"\n',
    )


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "council") as made:
        yield made


def _open_pothole(council: Council) -> dict[str, EmailMessage]:
    return by_recipient(council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")
    ))


def _text(message: EmailMessage) -> str:
    return " ".join(body_text(message, "plain").split())


def test_the_officer_is_told_once_that_the_acknowledgement_bounced(council: Council) -> None:
    ack = _open_pothole(council)[JO]
    ref = council.case().ref
    dsn = gmail_dsn(council, ack, JO)
    out = council.deliver(dsn)
    assert [m["To"] for m in out] == [SAM]  # the officer; nothing to the robot
    told = out[0]
    assert told["Subject"] == (
        f"Not delivered to the member: Enquiry from Cllr Jo Bloggs: Pothole on Castle Road [{ref}]"
    )
    text = _text(told)
    assert (
        "Our acknowledgement to Cllr Jo Bloggs (sent 25 November 2026) could not be delivered "
        f"to {JO}: no such user: the address does not exist (mistyped, or closed) (5.1.1: "
        "550-5.1.1 The email account that you tried to reach does not exist.)."
    ) in text
    assert "Cllr Jo Bloggs has not been told that their message was received." in text
    assert "contact Cllr Jo Bloggs another way" in text and "members.csv" in text
    # The same DSN again, a second DSN for the same mail, and another poll: nothing more.
    assert council.deliver(dsn) == []
    assert council.deliver(gmail_dsn(council, ack, JO)) == []
    poll(council.app, NOW + timedelta(minutes=5))
    assert council.flush(NOW + timedelta(minutes=5)) == []
    told_rows = rows(council.app, OutboxRow, OutboxRow.purpose == "member_bounce")
    assert [(r.recipients, r.status) for r in told_rows] == [(SAM, "sent")]
    assert len(council.events("undeliverable")) == 2  # each DSN recorded; one told
    [event] = council.events("member not reached")
    assert event.detail.startswith(f"our ack to {JO}: no such user") and event.detail.endswith(
        f"told {SAM}")
    assert not any("daemon" in r.recipients for r in rows(council.app, OutboxRow))


def test_a_full_mailbox_asks_for_another_way_but_not_for_the_directory(
    council: Council,
) -> None:
    ack = _open_pothole(council)[JO]
    out = council.deliver(gmail_dsn(council, ack, JO, status="5.2.2",
                               diagnostic="552 5.2.2 E4.12 user MAILBOX FULL"))
    text = _text(out[0])
    assert f"could not be delivered to {JO}: mailbox full (5.2.2: 552 5.2.2" in text
    assert "contact Cllr Jo Bloggs another way" in text and "members.csv" not in text


def test_a_delay_warning_tells_nobody(council: Council) -> None:
    ack = _open_pothole(council)[JO]
    out = council.deliver(gmail_dsn(council, ack, JO, action="delayed", status="4.4.1",
                               diagnostic="connect to mx: Connection timed out"))
    assert out == []
    assert council.events("member not reached") == []
    assert council.events("undeliverable") == []


def test_a_letter_giving_the_new_date_that_bounced_is_named(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    later = NOW + timedelta(days=6)
    out = by_recipient(council.deliver(
        council.reply(assignment, SAM, 'EXTEND 5 "the contractor surveys it on Monday"'),
        now=later,
    ))
    out = council.deliver(gmail_dsn(council, out[JO], JO), now=later)
    assert [m["To"] for m in out] == [SAM]
    text = _text(out[0])
    assert ("Our letter giving the new response date to Cllr Jo Bloggs (sent 1 December "
            "2026)") in text
    assert "Cllr Jo Bloggs has not had this letter giving the new response date." in text


def test_with_no_officer_the_stand_in_is_told(tmp_path: Path) -> None:
    # No default officer and no rule: the case is nobody's, so the first admin is told.
    with _council(tmp_path, routing="[routing]\n") as council:
        ack = _open_pothole(council)[JO]
        assert council.case().officer_email is None
        out = council.deliver(gmail_dsn(council, ack, JO))
        assert [m["To"] for m in out] == [ADMIN]
        assert "the case has no officer, so it comes to you" in _text(out[0])


def _corpus(name: str) -> bytes:
    if CORPUS is None or not (CORPUS / name).is_file():
        pytest.skip("the shared corpus is not here (../shared/corpus/bounce)")
    return (CORPUS / name).read_bytes()


def test_real_mailbox_full_bounce(council: Council) -> None:
    """AOL's postfix bounce (flanker's fixture), returned for our acknowledgement."""
    raw = _corpus("mailgun_flanker__tests_fixtures_messages_bounce_mailbox-full.eml")
    ack = _open_pothole(council)[JO]
    raw = raw.replace(b"user@aol.com", JO.encode()).replace(
        b"<4E326A95.3010907@example.com>", str(ack["Message-ID"]).encode())
    out = council.deliver(raw)
    assert [m["To"] for m in out] == [SAM]
    assert f"to {JO}: mailbox full (5.2.2: 552 5.2.2 E4.12 user MAILBOX FULL)" in _text(out[0])


def test_real_gave_up_after_days_is_told_as_temporary(council: Council) -> None:
    """sendmail's 'Cannot send message for 5 days' (Action: failed, Status 4.0.0)."""
    raw = _corpus("mailgun_flanker__tests_fixtures_messages_bounce_delayed.eml")
    ack = _open_pothole(council)[JO]
    raw = raw.replace(b"foo@example.com", JO.encode()).replace(
        b"Subject: Hello, how are you",
        f"Message-ID: {ack['Message-ID']}\nSubject: Hello, how are you".encode())
    out = council.deliver(raw)
    assert [m["To"] for m in out] == [SAM]
    text = _text(out[0])
    assert f"to {JO}: the receiving mail server could not be reached" in text
    assert "gave up after retrying a problem that may clear" in text


def test_real_delay_warning_tells_nobody(council: Council) -> None:
    """Postfix's 'Delayed Mail (still being retried)' (flanker's no-mx fixture)."""
    raw = _corpus("mailgun_flanker__tests_fixtures_messages_bounce_no-mx.eml")
    ack = _open_pothole(council)[JO]
    raw = raw.replace(b"user@example.com", JO.encode()).replace(
        b"<19E44CA63F984902B7D654F8FF40F89D@bo>", str(ack["Message-ID"]).encode())
    assert council.deliver(raw) == []
    assert council.events("member not reached") == []


def test_cardiff_tells_both_in_welsh_and_english(tmp_path: Path) -> None:
    """A bilingual council: the officer's update and the admins' alert in both languages."""
    with Council(
        tmp_path, name="Cardiff Council", policy="cardiff", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "highways", "", "")], admins=[ADMIN], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        ack = _open_pothole(council)[JO]
        [told] = council.deliver(gmail_dsn(council, ack, JO, status="5.2.2", diagnostic="552 full"))
        assert told["Subject"] == (
            "Not delivered to the member / Heb gyrraedd yr aelod: Enquiry / Ymholiad from Cllr "
            "Jo Bloggs: Pothole on Castle Road [MB-2026-00001]")
        text = _text(told)
        assert f"could not be delivered to {JO}: mailbox full (5.2.2: 552 full)" in text
        assert (f"Nid oedd modd anfon ein cydnabyddiaeth at Cllr Jo Bloggs i {JO}: mae'r "
                "blwch post yn llawn (5.2.2: 552 full).") in text
        assert "Nid yw Cllr Jo Bloggs wedi cael gwybod bod eu neges wedi dod i law." in text
        # Sam's own address bounces the update: the admins are told, in both languages.
        dsn = gmail_dsn(council, told, JO, status="5.1.1", diagnostic="550 5.1.1 User unknown")
        out = council.deliver(dsn.replace(f"rfc822; {JO}".encode(), f"rfc822; {SAM}".encode()))
        # The first admin is asked to pass the case on (Sam has no deputy or manager), and
        # told that Sam's address is dead.
        assert [m["To"] for m in out] == [ADMIN, ADMIN]
        alert = out[1]
        assert alert["Subject"].startswith(
            f"Mail to {SAM} bounced: check officers.csv / Gwrthodwyd neges at {SAM}")
        text = _text(alert)
        assert "correct it in officers.csv" in text and "cywirwch ef yn officers.csv" in text


def _dsn_quoting_subject_only(
    council: Council, subject: str, recipient: str = JO, text: str = ""
) -> bytes:
    """A bounce that returns only the original's Subject: none of our Message-IDs."""
    council.count += 1
    return (
        "From: MAILER-DAEMON <postmaster@mx.example>\r\n"
        f"To: {MAILBOX}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{council.count}@mx.example>\r\n"
        "Date: Wed, 25 Nov 2026 11:00:00 +0000\r\nAuto-Submitted: auto-replied\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        f"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.{text}\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Subject: {subject}\r\n\r\n"
        "--b--\r\n"
    ).encode()


def test_a_bounce_without_our_message_id_is_matched_by_reference_and_address(
    council: Council,
) -> None:
    ack = _open_pothole(council)[JO]
    ref = council.case().ref
    assert f"[{ref}]" in str(ack["Subject"])
    out = council.deliver(_dsn_quoting_subject_only(council, str(ack["Subject"])))
    assert [m["To"] for m in out] == [SAM]
    assert f"Our acknowledgement to Cllr Jo Bloggs (sent 25 November 2026) could not be " \
           f"delivered to {JO}: no such user" in _text(out[0])
    # Another such bounce of the same mail: the same dedup key, nobody told again.
    assert council.deliver(_dsn_quoting_subject_only(council, str(ack["Subject"]))) == []
    told = rows(council.app, OutboxRow, OutboxRow.purpose == "member_bounce")
    ack_row = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")[0]
    assert [(r.recipients, r.dedup_key) for r in told] == [
        (SAM, f"member_bounce:{ack_row.id}:{JO}")]
    matched = council.events("bounce matched by reference")
    assert len(matched) == 2 and all(e.case_id == ack_row.case_id for e in matched)
    assert matched[0].detail.endswith(f"taken for our last ack to {JO}")
    assert len(council.events("member not reached")) == 1


def test_a_bounce_naming_two_cases_or_a_stranger_is_not_guessed(council: Council) -> None:
    ack = _open_pothole(council)[JO]
    ref = council.case().ref
    other = ref[:-1] + ("2" if ref[-1] != "2" else "3")
    two = _dsn_quoting_subject_only(council, str(ack["Subject"]), text=f" See also [{other}].")
    assert council.deliver(two) == []
    stranger = _dsn_quoting_subject_only(council, str(ack["Subject"]),
                                         recipient="someone@elsewhere.example")
    assert council.deliver(stranger) == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "member_bounce") == []
    assert council.events("bounce matched by reference") == []
    assert council.events("undeliverable") == []


def test_an_officer_bounce_without_our_message_id_alerts_the_admins(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(_dsn_quoting_subject_only(council, str(assignment["Subject"]),
                                                    recipient=SAM))
    assert ADMIN in [m["To"] for m in out]
    assert any(str(m["Subject"]).startswith(f"Mail to {SAM} bounced") for m in out)
    [event] = council.events("bounce matched by reference")
    assert event.detail.endswith(f"taken for our last assignment to {SAM}")


def test_a_bounce_after_the_case_was_answered_tells_nobody(council: Council) -> None:
    """The member has had their answer: "contact them another way" is no work left (as
    for a notice that waited while the case was answered: still_due withdraws it)."""
    out = _open_pothole(council)
    ack, assignment = out[JO], out[SAM]
    council.deliver(council.reply(assignment, SAM, "DONE"))
    assert council.deliver(gmail_dsn(council, ack, JO)) == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "member_bounce") == []
    [event] = council.events("bounce not told")
    assert event.detail == f"our ack to {JO} bounced; the case was answered"
    assert len(council.events("undeliverable")) == 1


def test_a_bounce_from_where_the_member_forwards_their_mail_is_theirs(
    council: Council,
) -> None:
    """A councillor's address forwarding to a personal mailbox that bounced: the report's
    Final-Recipient is the personal address, its Original-Recipient the one we wrote to
    (iCloud, Postfix aliases in the corpus). The officer is told of the member's address."""
    ack = _open_pothole(council)[JO]
    _told_of_a_forward(council, gmail_dsn(council, ack, JO))
    [event] = council.events("member not reached")
    assert event.detail.startswith(f"our ack to {JO}: no such user")


def test_a_forwarded_bounce_without_our_message_id_is_matched_by_reference(
    council: Council,
) -> None:
    ack = _open_pothole(council)[JO]
    _told_of_a_forward(council, _dsn_quoting_subject_only(council, str(ack["Subject"])))


def _told_of_a_forward(council: Council, dsn: bytes) -> None:
    """Deliver `dsn` made to say Jo's address forwarded to a personal mailbox that
    failed: Sam is told that mail to Jo's address, the one we wrote to, bounced."""
    out = council.deliver(dsn.replace(
        f"Final-Recipient: rfc822; {JO}\r\n".encode(),
        f"Original-Recipient: rfc822; {JO}\r\n"
        "Final-Recipient: rfc822; jo.personal@mail.example\r\n".encode(),
    ))
    assert [m["To"] for m in out] == [SAM]
    assert f"could not be delivered to {JO}: no such user" in _text(out[0])


def test_a_utf8_bounce_for_an_address_beyond_ascii_is_read(tmp_path: Path) -> None:
    """Mail to an address beyond ASCII goes with SMTPUTF8, and Postfix returns it with a
    message/global-delivery-status part (RFC 6533), here quoting only the Subject."""
    zoe = "zoë.ökten@council.gov.uk"
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Zoë Ökten", zoe, "Castle", "en")],
        officers=[("Sam Patel", SAM, "highways", "", "")], admins=[ADMIN], threshold=0.0,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        [ack] = [m for m in council.deliver(council.mail(
            f"Cllr Zoë Ökten <{zoe}>", "Pothole on Castle Road", "Deep.")) if zoe in m["To"]]
        raw = (
            "From: MAILER-DAEMON <postmaster@mx.example>\r\n"
            f"To: {MAILBOX}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            "Message-ID: <bounce-utf8@mx.example>\r\nDate: Wed, 25 Nov 2026 11:00:00 +0000\r\n"
            "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--b\r\nContent-Type: message/global-delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example\r\n\r\n"
            f"Final-Recipient: utf-8; {zoe}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
            f"Diagnostic-Code: smtp; 552 5.2.2 <{zoe}>: mailbox full\r\n\r\n"
            "--b\r\nContent-Type: message/global-headers\r\n\r\n"
            f"Subject: {ack['Subject']}\r\n\r\n--b--\r\n"
        ).encode()
        out = council.deliver(raw)
        assert [m["To"] for m in out] == [SAM]
        assert f"could not be delivered to {zoe}: mailbox full (5.2.2: 552 5.2.2" in _text(
            out[0])


def _bounce_of_officers_own_mail(council: Council, ack: EmailMessage, references: str) -> bytes:
    """Sam's own mail to Jo, sent from the shared mailbox in Outlook (its Message-ID is
    Outlook's, not ours) in the case's thread, returned whole by Jo's server."""
    council.count += 1
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        f"To: {MAILBOX}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{council.count}@mx.example>\r\n"
        "Date: Wed, 25 Nov 2026 11:00:00 +0000\r\nAuto-Submitted: auto-replied\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {JO}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: Member Enquiries <{MAILBOX}>\r\nTo: {JO}\r\n"
        f"Subject: RE: {ack['Subject']}\r\nDate: Wed, 25 Nov 2026 10:50:00 +0000\r\n"
        "Message-ID: <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com>\r\n"
        f"{references}\r\n"
        "Hello Jo, the crew is booked for Monday.\r\n"
        "--b--\r\n"
    ).encode()


def test_a_bounce_of_an_officers_own_mail_is_not_told_as_ours(council: Council) -> None:
    """An officer writing to the member from the shared mailbox (Send As) in the case's
    thread: the report returns that mail, with its own Message-ID. It is not our
    acknowledgement, whether the mail's References name it or only the subject's
    reference is left to go by: nobody is told 'our acknowledgement was not delivered'."""
    ack = _open_pothole(council)[JO]
    in_thread = _bounce_of_officers_own_mail(
        council, ack, f"In-Reply-To: {ack['Message-ID']}\r\nReferences: {ack['Message-ID']}\r\n")
    assert council.deliver(in_thread) == []
    by_subject = _bounce_of_officers_own_mail(council, ack, "")
    assert council.deliver(by_subject) == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "member_bounce") == []
    assert council.events("member not reached") == []


def test_a_late_bounce_for_an_erased_case_names_nobody(council: Council) -> None:
    """Jo's answered case erased on request (person erase: anonymised as the retention
    purge does), then a report that the server gave up on our acknowledgement days ago.
    The case's mail has no recipients left, so the member's address must not be taken
    for a dead staff address, nor written back into the erased case's trail."""
    out = _open_pothole(council)
    ack, assignment = out[JO], out[SAM]
    council.deliver(council.reply(assignment, SAM, "DONE"))
    case_id = council.case().id
    with council.app.store.transaction() as session:
        anonymise_cases(session, [case_id], NOW + timedelta(days=1))
    sent = council.deliver(gmail_dsn(council, ack, JO, status="4.4.7", diagnostic="gave up"),
                           now=NOW + timedelta(days=2))
    assert sent == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "officer_bounce_alert") == []
    trail = rows(council.app, EventRow, EventRow.case_id == case_id)
    assert not any(JO in e.detail or JO in e.actor for e in trail)


def test_the_officers_reply_quoting_the_notice_is_no_bounce(council: Council) -> None:
    """The notice gives the server's words ("does not exist"); an officer's answer quoting
    it is theirs, not a bounce of our mail to them: no admin is told their address is
    dead, and their DONE is obeyed."""
    ack = _open_pothole(council)[JO]
    [told] = council.deliver(gmail_dsn(council, ack, JO))
    later = NOW + timedelta(hours=2)
    council.reply_quotes = 40
    council.deliver(council.reply(told, SAM, "DONE rang Cllr Bloggs at home instead"), later)
    assert council.events("officer address bounced") == []
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "officer_bounce_alert") == []
    assert council.case().status in ("responded", "closed")
