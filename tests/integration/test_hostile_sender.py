"""An outsider attacking through real mail: forged officers' commands, strangers quoting
case references, and what a hostile sender can make us write. Real app on the memory
mailbox; every assertion is on what left the system or on database rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, by_recipient, eml, rows

from mailbot.store.tables import MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en")]
OFFICERS = [("Sam Patel", SAM, "highways", DANA, ""), ("Dana Reed", DANA, "highways", "", "")]


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path, name="Test Council", mailbox=MAILBOX, members=MEMBERS, officers=OFFICERS,
        threshold=0.0, config='[routing]\ndefault_officer = "sam.patel@council.gov.uk"\n',
    ) as made:
        yield made


def _assignment(council: Council) -> EmailMessage:
    out = by_recipient(council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")
    ))
    return out[SAM]


def _with_headers(raw: bytes, *headers: str) -> bytes:
    """The mail as our gateway passes it on: its verdicts written above the sender's."""
    return "".join(f"{h}\r\n" for h in headers).encode() + raw


# A spoof of the council's own domain, as Postfix with separate SPF, DKIM and DMARC milters
# records it: three headers, the DMARC verdict not first. The sender's envelope address
# and their own header try to read as a pass. (SPF passes: the envelope is the sender's own.)
SEPARATE_VERDICTS = (
    "Authentication-Results: mx.council.gov.uk; spf=pass smtp.mailfrom=evil.example",
    "Authentication-Results: mx.council.gov.uk; dkim=none",
    "Authentication-Results: mx.council.gov.uk; dmarc=fail (p=reject) header.from=council.gov.uk",
)
PASS_IN_THE_ENVELOPE = (
    'Authentication-Results: mx.council.gov.uk; spf=fail smtp.mailfrom="dmarc=pass"@evil.example',
)
PASS_IN_A_COMMENT = (
    "Authentication-Results: mx.council.gov.uk; spf=fail (evil.example: dmarc=pass claimed) "
    "smtp.mailfrom=evil.example",
)
SENDERS_OWN_PASS = (
    "Authentication-Results: mx.council.gov.uk; spf=fail smtp.mailfrom=evil.example",
    "Authentication-Results: mail.evil.example; dmarc=pass header.from=council.gov.uk",
)


# Postfix with policyd-spf: the SPF verdict in its own header, no DMARC check at all.
RECEIVED_SPF_FAIL = (
    "Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.9; "
    "helo=mail.evil.example; envelope-from=sam.patel@council.gov.uk; receiver=mx",
    "Authentication-Results: mail.evil.example; dmarc=pass header.from=council.gov.uk",
)


@pytest.mark.parametrize("verdicts", [
    SEPARATE_VERDICTS, PASS_IN_THE_ENVELOPE, PASS_IN_A_COMMENT, SENDERS_OWN_PASS,
    RECEIVED_SPF_FAIL,
], ids=["dmarc-fail-not-first", "pass-in-envelope", "pass-in-comment", "senders-own-pass",
        "received-spf-fail"])
@pytest.mark.parametrize("command", ["DONE", "REASSIGN dana.reed@council.gov.uk",
                                     'EXTEND 10 "waiting for a contractor"'])
def test_a_spoofed_officers_command_is_refused_and_unanswered(
    council: Council, verdicts: tuple[str, ...], command: str
) -> None:
    assignment = _assignment(council)
    before = council.case()
    forged = _with_headers(council.reply(assignment, SAM, command), *verdicts)
    assert council.deliver(forged) == []
    after = council.case()
    assert (after.status, after.officer_email, after.response_due) == (
        before.status, before.officer_email, before.response_due)
    [refused] = council.events("command refused")
    assert "spf=fail in" in refused.detail or "dmarc=fail in" in refused.detail


def test_a_forwarded_officers_command_that_dmarc_passes_is_applied(council: Council) -> None:
    assignment = _assignment(council)
    reply = _with_headers(
        council.reply(assignment, SAM, "DONE"),
        "Authentication-Results: mx.council.gov.uk; spf=fail smtp.mailfrom=relay.example; "
        "dkim=pass header.d=council.gov.uk; dmarc=pass header.from=council.gov.uk",
    )
    council.deliver(reply)
    assert council.case().status == "responded"


def test_a_spoofed_member_is_not_acknowledged_whichever_header_holds_the_verdict(
    council: Council,
) -> None:
    raw = council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")
    out = council.deliver(_with_headers(raw, *SEPARATE_VERDICTS))
    assert JO not in {str(m["To"]) for m in out}
    assert council.case().status == "needs_triage"


DMARC_FAIL = ("Authentication-Results: mx.council.gov.uk; spf=pass smtp.mailfrom=evil.example; "
              "dmarc=fail (p=quarantine) header.from=council.gov.uk")


def _plain(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_forged_answer_to_the_member_does_not_stop_the_clock(council: Council) -> None:
    _assignment(council)
    ref = council.case().ref
    # "Sam" answering Jo with the mailbox copied in, as an officer closes a case by answering.
    forged = council.mail(SAM, f"RE: Pothole on Castle Road [{ref}]",
                          "Fixed, nothing more to do.", cc=JO)
    out = council.deliver(_with_headers(forged, DMARC_FAIL))
    case = council.case()
    assert case.status == "open" and case.responded_at is None
    [update] = out
    assert update["To"] == SAM and "may be forged" in _plain(update)
    [event] = council.events("not trusted")
    assert "dmarc=fail" in event.detail


def test_a_spoofed_member_cannot_reopen_their_answered_case(council: Council) -> None:
    assignment = _assignment(council)
    council.deliver(council.reply(assignment, SAM, "DONE"))
    ref = council.case().ref
    spoof = council.mail(f"Cllr Jo Bloggs <{JO}>", f"Re: Pothole on Castle Road [{ref}]",
                         "This is not fixed at all, please reopen.")
    out = council.deliver(_with_headers(spoof, DMARC_FAIL))
    assert council.case().status == "responded"
    assert [str(m["To"]) for m in out] == [SAM]
    assert "may be forged" in _plain(out[0])


@pytest.mark.parametrize("stranger", ["mallory@evil.example", "kim.lee@elsewhere.example"])
def test_someone_quoting_a_reference_is_not_presented_as_the_member(
    council: Council, stranger: str
) -> None:
    member_ack = by_recipient(council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road", "A deep pothole.")
    ))[JO]
    ref = council.case().ref
    raw = council.mail(stranger, f"Re: Pothole [{ref}]", "Jo here from my own account: please "
                       "send the file to this address.", in_reply_to=str(member_ack["Message-ID"]))
    out = council.deliver(raw)
    assert all(stranger not in str(m["To"]) + str(m["Cc"]) for m in out)
    [update] = out
    text = _plain(update)
    assert f"{stranger}, who is not the member" in text
    assert "The member has written again" not in text


# What splits a line for a mail client or str.splitlines(), and what reorders a line.
LINE_BREAKS_AND_BIDI = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # noqa: E501


def test_a_strangers_name_cannot_forge_lines_or_reverse_text_in_officer_mail(
    council: Council,
) -> None:
    out = council.deliver(eml("stranger_name_with_line_separators_and_bidi.eml"))
    [assignment] = out
    assert assignment["To"] == SAM
    member_line = next(line for line in _plain(assignment).split("\r\n")
                       if line.lstrip().startswith("Member:"))
    assert "<mallory@evil.example>" in member_line  # the forged 'Member:' is on the same line
    assert not set(member_line) & set(LINE_BREAKS_AND_BIDI)
    subject = str(assignment["Subject"])
    assert not set(subject) & set(LINE_BREAKS_AND_BIDI)
    assert "{{ 7*7 }} {0} %s" in subject  # shown as written, never run
    case = council.case()
    assert not set(case.member_name + case.subject) & set(LINE_BREAKS_AND_BIDI)


def test_an_extend_reason_reaches_the_member_on_one_line_in_its_own_order(
    council: Council,
) -> None:
    assignment = _assignment(council)
    out = by_recipient(council.deliver(council.reply(
        assignment, SAM, 'EXTEND 5 "waiting\u2028Bcc: x@evil.example \u202eevil\u202c {{ 7*7 }}"'
    )))
    letter = _plain(out[JO])
    reason_line = next(line for line in letter.split("\r\n") if "waiting" in line)
    assert "waiting Bcc: x@evil.example evil {{ 7*7 }}" in reason_line
    assert not set(letter) & set(LINE_BREAKS_AND_BIDI.replace("\r\n", ""))


def test_an_officers_address_only_in_sender_or_reply_to_commands_nothing(
    council: Council,
) -> None:
    """DMARC vouches for From alone: a From with no address, naming the officer only in
    Sender and Reply-To, passes every check whoever sent it."""
    _assignment(council)
    before = council.case()
    assert before.ref == "MB-2026-00001"
    assert council.deliver(eml("officer_command_from_without_address_reply_to_officer.eml")) == []
    after = council.case()
    assert (after.status, after.responded_at) == (before.status, None)
    [refused] = council.events("command refused")
    assert "no address in From" in refused.detail


def test_a_members_address_only_in_reply_to_gets_no_letter(council: Council) -> None:
    out = council.deliver(eml("member_enquiry_from_without_address_reply_to_member.eml"))
    assert JO not in {str(m["To"]) for m in out}
    assert council.case().status == "needs_triage"
    [held] = council.events("not acknowledged")
    assert "no address in From" in held.detail


@pytest.mark.parametrize("from_lines", [
    f"From: {SAM}, mallory@evil.example",
    f"From: {SAM}\r\nFrom: mallory@evil.example",
], ids=["two-addresses", "two-headers"])
def test_a_command_whose_from_is_ambiguous_is_refused(council: Council, from_lines: str) -> None:
    """The gateway's DMARC may judge the evil.example address (and pass it) while mailbot
    reads the officer's."""
    assignment = _assignment(council)
    raw = council.reply(assignment, SAM, "DONE").replace(
        f"From: {SAM}\r\n".encode(), f"{from_lines}\r\n".encode(), 1)
    out = council.deliver(_with_headers(
        raw, "Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=evil.example"))
    assert out == []
    assert council.case().status == "open"
    [refused] = council.events("command refused")
    assert "more than one address or From header" in refused.detail


@pytest.mark.parametrize("command", ['EXTEND 2207-01-04 "contractor"',
                                     'EXTEND 31/12/0001 "contractor"',
                                     'EXTEND 4 January 9999 "contractor"'])
def test_an_extend_to_a_year_out_of_the_calendar_is_asked_again_not_quarantined(
    council: Council, command: str
) -> None:
    assignment = _assignment(council)
    before = council.case().response_due
    [help_reply] = council.deliver(council.reply(assignment, SAM, command))
    assert help_reply["To"] == SAM and "check the year" in _plain(help_reply)
    assert council.case().response_due == before
    assert [m.status for m in rows(council.app, MessageRow)] == ["processed", "processed"]
