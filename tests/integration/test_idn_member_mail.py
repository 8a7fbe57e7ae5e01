"""A council on an internationalised domain (caerdydd-ŵ.cymru, in ASCII
xn--caerdydd--j9b.cymru): its people are the same people in whichever form an address
is written, in members.csv and officers.csv or in the From of their mail (an RFC 6532
UTF-8 header, a client that writes the ASCII form, decomposed letters and capitals).

Real .eml files (tests/data/idn_*.eml) go through the pipeline; the assertions are on
what left (the outbox, the mail sent) and on the rows written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import NOW, Council, body_text, eml, parse_sent, rows
from typer.testing import CliRunner

from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.backends.smtp import SmtpSettings
from mailbot.cli import app as cli
from mailbot.compose import Envelope, compose, new_message_id
from mailbot.jobs import poll
from mailbot.model import OutgoingMail
from mailbot.render import Rendered
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

UNICODE = "caerdydd-\u0175.cymru"
ASCII = "xn--caerdydd--j9b.cymru"
JONES, SAM, LEE, MAILBOX = "cllr.jones", "sam.patel", "lee.wong", "ymholiadau"

MEMBER_MAIL = (
    "idn_member_from_ascii_form.eml",
    "idn_member_from_utf8_header.eml",
    "idn_member_from_decomposed_capitals.eml",
)


def _council(home: Path, listed: str, mailbox: str = UNICODE, config: str = "") -> Council:
    """Cllr Jones, Sam and Sam's deputy Lee listed in members.csv / officers.csv on the
    domain written as `listed`; the shared mailbox on `mailbox`; Sam gets every case."""
    return Council(
        home, name="Cyngor Caerdydd", mailbox=f"{MAILBOX}@{mailbox}",
        members=[("Cllr Eleri Jones", f"{JONES}@{listed}", "Castell", "en")],
        officers=[("Sam Patel", f"{SAM}@{listed}", "Highways", "", f"{LEE}@{listed}"),
                  ("Lee Wong", f"{LEE}@{listed}", "Highways", "", "")],
        threshold=0.0, config=f'[routing]\ndefault_officer = "{SAM}@{listed}"\n' + config,
    )


@pytest.fixture(params=[UNICODE, ASCII], ids=["listed-unicode", "listed-ascii"])
def council(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path, request.param) as made:
        yield made


def _on_domain(address: str) -> bool:
    return address.endswith((f"@{UNICODE}", f"@{ASCII}"))


@pytest.mark.parametrize("name", MEMBER_MAIL)
def test_a_member_is_known_and_acknowledged_in_either_form_of_the_domain(
    council: Council, name: str
) -> None:
    council.server.deliver(eml(name))
    poll(council.app, NOW)
    [message] = rows(council.app, MessageRow)
    assert message.status == "processed", message.reason
    [case] = rows(council.app, CaseRow)
    # The case is the member's: known, named from members.csv, not held for triage.
    assert case.known_member and case.member_name == "Cllr Eleri Jones"
    assert case.status == "open"
    assert case.member_email.split("@")[0] == JONES and _on_domain(case.member_email)
    [ack] = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
    assert ack.recipients == case.member_email
    council.flush(NOW)
    sent = {recipients: mime for recipients, mime in council.server.outgoing}
    to_member = [mime for recipients, mime in sent.items() if recipients[0].startswith(JONES)]
    assert len(to_member) == 1
    # The acknowledgement names the member's address in its ASCII form on the wire.
    assert f"To: {JONES}@{ASCII}\r\n".encode() in to_member[0]


@pytest.mark.parametrize("name", ["idn_officer_done_from_ascii_form.eml",
                                  "idn_officer_done_from_utf8_header.eml"])
def test_an_officer_command_from_either_form_is_obeyed(council: Council, name: str) -> None:
    council.server.deliver(eml("idn_member_from_utf8_header.eml"))
    poll(council.app, NOW)
    council.flush(NOW)
    assert _on_domain(council.case().officer_email or "")
    council.server.deliver(eml(name))
    poll(council.app, NOW)
    case = council.case()
    assert case.status == "responded"
    [event] = council.events("command")
    assert event.detail.startswith("DONE (assigned officer"), event.detail
    stops = rows(council.app, ClockEventRow, ClockEventRow.action == "stop")
    assert [s.clock for s in stops] == ["response"]
    # The officer is told it was done, at the address they wrote from.
    council.flush(NOW)
    confirmations = [r for r, mime in council.server.outgoing if b"is marked as answered" in mime]
    assert [r[0].split("@")[0] for r in confirmations] == [SAM]


def test_a_case_reassigned_to_the_other_form_is_stored_as_officers_csv_writes_it(
    council: Council,
) -> None:
    council.server.deliver(eml("idn_member_from_utf8_header.eml"))
    poll(council.app, NOW)
    council.flush(NOW)
    listed = (council.case().officer_email or "").partition("@")[2]
    council.server.deliver(eml("idn_officer_reassign_ascii_form.eml"))
    poll(council.app, NOW)
    # One officer's cases under one address: the form officers.csv uses.
    assert council.case().officer_email == f"{LEE}@{listed}"
    [event] = council.events("command")
    assert event.detail.startswith("REASSIGN lee.wong@"), event.detail
    assert "(assigned officer" in event.detail and "is now with Lee Wong" in event.detail
    council.flush(NOW)
    assignments = rows(council.app, OutboxRow, OutboxRow.purpose == "assignment")
    assert [a.recipients for a in assignments] == [f"{SAM}@{listed}", f"{LEE}@{listed}"]
    assert [a.status for a in assignments] == ["sent", "sent"]


def test_cases_of_an_officer_are_listed_and_moved_by_either_form(council: Council) -> None:
    council.server.deliver(eml("idn_member_from_utf8_header.eml"))
    poll(council.app, NOW)
    listed = (council.case().officer_email or "").partition("@")[2]
    other = ASCII if listed == UNICODE else UNICODE
    config = str(council.home / "mailbot.toml")
    runner = CliRunner()
    shown = runner.invoke(cli, ["cases", "--officer", f"{SAM}@{other}", "--json",
                                "--config", config])
    assert shown.exit_code == 0, shown.output
    assert [json.loads(line)["ref"] for line in shown.output.splitlines()] == ["MB-2026-00001"]
    moved = runner.invoke(cli, ["reassign", "--from", f"{SAM}@{other}",
                                "--to", f"{LEE}@{other}", "--config", config])
    assert moved.exit_code == 0, moved.output
    assert council.case().officer_email == f"{LEE}@{listed}"


def _bounce(original_id: str, failed: str) -> bytes:
    """The council's mail server returning our mail: it names the recipient as the SMTP
    envelope had it, the domain in its ASCII form."""
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@{ASCII}>\r\nTo: {MAILBOX}@{ASCII}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example>\r\n"
        f"Date: Wed, 25 Nov 2026 11:00:00 +0000\r\nX-Failed-Recipients: {failed}\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: Pothole\r\n\r\n--b--\r\n"
    ).encode()


def test_a_bounce_naming_the_officer_in_ascii_form_moves_the_case_to_the_deputy(
    tmp_path: Path,
) -> None:
    with _council(tmp_path, UNICODE) as council:
        council.server.deliver(eml("idn_member_from_utf8_header.eml"))
        poll(council.app, NOW)
        council.flush(NOW)
        [assignment] = rows(council.app, OutboxRow, OutboxRow.purpose == "assignment")
        council.server.deliver(_bounce(assignment.message_id, f"{SAM}@{ASCII}"))
        poll(council.app, NOW)
        case = council.case()
        assert case.officer_email == f"{LEE}@{UNICODE}"
        council.flush(NOW)
        redirected = rows(council.app, OutboxRow, OutboxRow.purpose == "ooo_redirect")
        assert [r.recipients for r in redirected] == [f"{LEE}@{UNICODE}"]
        assert [r.status for r in redirected] == ["sent"]


def test_the_rate_limit_counts_mail_to_either_form_as_one_person(tmp_path: Path) -> None:
    with _council(tmp_path, UNICODE, config="[loops]\nmax_per_recipient = 1\n") as council:
        council.server.deliver(eml("idn_member_from_utf8_header.eml"))
        poll(council.app, NOW)
        council.flush(NOW)
        council.server.deliver(eml("idn_member_from_ascii_form.eml").replace(
            b"Pothole on Heol y Castell", b"Street light out on Heol y Bont"))
        poll(council.app, NOW)
        council.flush(NOW)
        acks = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
        assert [a.recipients for a in acks] == [f"{JONES}@{UNICODE}", f"{JONES}@{ASCII}"]
        assert [a.status for a in acks] == ["sent", "suppressed"]
        to_member = [r for r, _ in council.server.outgoing if r[0].startswith(JONES)]
        assert len(to_member) == 1


@pytest.mark.parametrize("mailbox", [UNICODE, ASCII])
def test_our_own_mail_coming_back_under_the_other_form_is_ignored(
    tmp_path: Path, mailbox: str
) -> None:
    raw = eml("idn_own_mail_back_ascii_form.eml")
    if mailbox == ASCII:  # the same mail, written with the Unicode form
        raw = raw.replace(f"{MAILBOX}@{ASCII}".encode(), f"{MAILBOX}@{UNICODE}".encode())
    with _council(tmp_path, UNICODE, mailbox=mailbox) as council:
        council.server.deliver(raw)
        poll(council.app, NOW)
        [message] = rows(council.app, MessageRow)
        assert (message.status, message.reason) == (
            "ignored", "sent from the shared mailbox itself"
        )
        assert rows(council.app, CaseRow) == [] and rows(council.app, OutboxRow) == []


def test_person_erase_by_one_form_erases_what_was_written_in_the_other(tmp_path: Path) -> None:
    with _council(tmp_path, UNICODE) as council:
        council.server.deliver(eml("idn_member_from_utf8_header.eml"))
        poll(council.app, NOW)
        council.server.deliver(eml("idn_officer_done_from_ascii_form.eml"))
        poll(council.app, NOW)
        council.flush(NOW)
        assert council.case().member_email == f"{JONES}@{UNICODE}"
        config = str(council.home / "mailbot.toml")
        done = CliRunner().invoke(
            cli, ["person", "erase", "--address", f"{JONES}@{ASCII}", "--yes",
                  "--config", config])
        assert done.exit_code == 0, done.output
        case = council.case()
        assert (case.member_email, case.member_name, case.subject) == ("", "", "")
        assert all(not m.raw for m in rows(council.app, MessageRow)
                   if m.message_id == "<idn-utf8-1@mx.xn--caerdydd--j9b.cymru>")
        acks = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
        assert acks and all(o.recipients == "" for o in acks)
        assert not [e for e in rows(council.app, EventRow)
                    if JONES in e.actor or JONES in e.detail]


def test_mail_to_a_domain_with_a_sharp_s_goes_to_that_domain_not_another(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """IDNA 2003 (Python's codec) writes straße.de as strasse.de, someone else's domain;
    mail goes to xn--strae-oqa.de, the form current clients use and address_key compares,
    in the envelope (a real SMTP server) and in To alike."""
    envelope = Envelope(sender=f"{MAILBOX}@{UNICODE}", sender_name="Ymholiadau",
                        to=("jo@stra\u00dfe.de",))
    message_id = new_message_id(envelope.sender)
    mime = compose(Rendered("Pothole", "We have your email.", "<p>We have your email.</p>"),
                   envelope, message_id=message_id, now=NOW)
    backend = MaildirMailbox(
        tmp_path / "mailbox", address=envelope.sender, backoff=Backoff(attempts=1),
        smtp=SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="none"),
    )
    try:
        backend.send(OutgoingMail(message_id, tuple(envelope.to), mime))
    finally:
        backend.close()
    [received] = smtp_server.received
    assert received.recipients == ("jo@xn--strae-oqa.de",)
    assert received.mail_from == f"{MAILBOX}@{ASCII}"
    assert b"\r\nTo: jo@xn--strae-oqa.de\r\n" in received.raw


def test_our_acknowledgement_quoted_under_the_ascii_form_is_left_out_for_the_officer(
    tmp_path: Path,
) -> None:
    """A client quoting our acknowledgement by its From address alone shows the ASCII
    form (compose writes our From so); the officer is sent the member's new words, not
    our acknowledgement again."""
    with _council(tmp_path, UNICODE) as council:
        council.server.deliver(eml("idn_member_from_utf8_header.eml"))
        poll(council.app, NOW)
        council.flush(NOW)
        [ack] = rows(council.app, OutboxRow, OutboxRow.purpose == "ack")
        update = (
            f"From: Cllr Eleri Jones <{JONES}@{UNICODE}>\r\nTo: {MAILBOX}@{UNICODE}\r\n"
            "Subject: Re: Pothole on Heol y Castell [MB-2026-00001]\r\n"
            f"Message-ID: <idn-update-1@mx.example>\r\nIn-Reply-To: {ack.message_id}\r\n"
            "Date: Wed, 25 Nov 2026 11:00:00 +0000\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "The drain beside it is blocked as well now.\r\n\r\n"
            f"On Wed, 25 Nov 2026 at 10:00, {MAILBOX}@{ASCII} wrote:\r\n"
            "> Thank you for your email about the pothole. Your reference is MB-2026-00001.\r\n"
        ).encode()
        seen = len(council.server.outgoing)
        council.server.deliver(update)
        poll(council.app, NOW)
        council.flush(NOW)
        to_sam = [mime for r, mime in council.server.outgoing[seen:] if r[0].startswith(SAM)]
        assert len(to_sam) == 1
        text = body_text(parse_sent(to_sam[0]), "plain")
        assert "> The drain beside it is blocked as well now." in text
        assert "Thank you for your email about the pothole" not in text
