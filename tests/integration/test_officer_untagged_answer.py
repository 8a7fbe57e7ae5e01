"""An officer answering a member with a new mail from Outlook: To the member, the shared
mailbox in Cc, no [MB-] reference and no thread (tests/data/officer_untagged_*.eml). It
opens no case: with one open case of theirs for that member it is that case's answer;
with several, or none, nothing is recorded on a case and the officer is asked, in one
mail, which case it answered. What is checked is what left, and the case rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text, rows

from mailbot.store.tables import CaseRow, MessageRow, OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
ALI = "ali.khan@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
NEW_MAIL = "officer_untagged_outlook_new_mail_to_member_cc_mailbox.eml"
OUT_OF_OFFICE = "officer_untagged_out_of_office_to_member_cc_mailbox.eml"
SAMS_MAIL = "<LO4P265MB4444NEW0001@LO4P265MB4444.GBRP265.PROD.OUTLOOK.COM>"  # NEW_MAIL's ID
SUBJECT = "Castle Road - pothole and street light"  # NEW_MAIL's subject


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    # Dana manages Sam; Lee stands in for nobody and is managed by nobody here.
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Ali Khan", ALI, "Harbour", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", ""),
                  ("Lee Wong", LEE, "Parks", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def _member_writes(council: Council, sender: str, subject: str, copied: str) -> str:
    """A member's enquiry, copying in the officer it goes to; its case's ref."""
    council.deliver(council.mail(f"Cllr <{sender}>", subject, f"About {subject}.", cc=copied))
    council.left()
    return council.case().ref


def _officer_writes(council: Council, name: str = NEW_MAIL, sender: str = SAM,
                    member: str = JO) -> list[EmailMessage]:
    raw = (DATA / name).read_bytes().replace(SAM.encode(), sender.encode())
    return council.deliver(raw.replace(JO.encode(), member.encode()), NOW)


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _cases(council: Council) -> dict[str, str]:
    return {case.ref: case.status for case in rows(council.app, CaseRow)}


def _officer_mail(council: Council) -> MessageRow:
    [row] = rows(council.app, MessageRow, MessageRow.sender == SAM)
    return row


def test_the_one_open_case_of_the_officer_for_that_member_is_answered(council: Council) -> None:
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    other = _member_writes(council, ALI, "Bins not collected", SAM)  # another member's
    assert _officer_writes(council) == []  # nothing to anyone: not the member, not Sam
    assert _cases(council) == {ref: "responded", other: "open"}  # no case opened
    case = council.case(ref)
    assert case.responded_at is not None
    [event] = [e for e in council.events("responded") if e.case_id == case.id]
    assert event.actor == SAM and "no reference" in event.detail
    assert _officer_mail(council).case_id == case.id  # in the case's mail, for the audit
    # The member's reply-all to Sam's mail is in that case's thread: a follow-up, not a
    # new case.
    council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", f"RE: {SUBJECT}", "Thank you Sam.",
                                 cc=SAM,
                                 in_reply_to=SAMS_MAIL), LATER)
    assert len(_cases(council)) == 2


def test_two_open_cases_record_nothing_and_ask_the_officer_which_once(council: Council) -> None:
    first = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    second = _member_writes(council, JO, "Street light out on Castle Road", SAM)
    out = _officer_writes(council)
    assert _cases(council) == {first: "open", second: "open"}
    [asked] = out
    assert asked["To"] == SAM and JO not in str(asked["Cc"] or "")
    assert str(asked["Subject"]) == f"Which case did this answer? {SUBJECT}"
    assert asked["In-Reply-To"] == SAMS_MAIL
    text = _text(asked)
    assert "you have 2 open cases for Cllr Jo Bloggs" in text
    assert f'{first}  "Pothole on Castle Road"' in text
    assert f'{second}  "Street light out on Castle Road"' in text
    assert f"DONE {first}" in text
    [noted] = council.events("officer's answer, no case")
    assert first in noted.detail and second in noted.detail and noted.case_id is None
    assert _officer_mail(council).case_id is None
    # The same mail fetched again is not asked about twice.
    assert _officer_writes(council) == []
    # Sam answers the question with the case's reference: that case is answered.
    reply = council.mail(f"Sam Patel <{SAM}>", f"RE: {asked['Subject']}", f"DONE {second}",
                         in_reply_to=str(asked["Message-ID"]))
    out = council.deliver(reply, LATER)
    assert _cases(council) == {first: "open", second: "responded"}
    assert [m["To"] for m in out] == [SAM]
    assert _text(out[0]).startswith("Done.")


def test_no_open_case_of_theirs_opens_none_and_says_so(council: Council) -> None:
    lees = _member_writes(council, JO, "Overgrown hedge in the park", LEE)
    out = _officer_writes(council)
    assert _cases(council) == {lees: "open"}  # Sam is not Lee's manager or deputy
    [asked] = out
    assert asked["To"] == SAM
    text = _text(asked)
    assert "you have no open case for Cllr Jo Bloggs" in text and lees not in text
    assert "No new case was opened for it, and nothing was sent to the member." in text
    assert "DONE MB-2026-NNNNN" in text  # a pattern, not a reference that may be a case


def test_the_mailbox_in_bcc_answers_the_case_too(council: Council) -> None:
    # Bcc leaves no trace in the copy delivered: To the member, no Cc, and nothing to her.
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    raw = (DATA / NEW_MAIL).read_bytes().replace(
        b"Cc: Member Enquiries <memberenquiries@council.gov.uk>\n", b"")
    assert MAILBOX.encode() not in raw
    assert council.deliver(raw, NOW) == []
    assert _cases(council) == {ref: "responded"}
    assert _officer_mail(council).reason.endswith("(new mail, no reference)")


def test_a_manager_answering_their_officers_one_case_answers_it(council: Council) -> None:
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    assert _officer_writes(council, sender=DANA) == []
    assert _cases(council) == {ref: "responded"}


def test_an_out_of_office_to_the_member_stays_automatic(council: Council) -> None:
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    assert _officer_writes(council, OUT_OF_OFFICE) == []
    assert _cases(council) == {ref: "open"}
    assert _officer_mail(council).status == "automatic"
    assert rows(council.app, OutboxRow, OutboxRow.purpose == "untagged_answer") == []


def test_a_member_writing_with_the_officer_copied_in_is_still_an_enquiry(
    council: Council,
) -> None:
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Dog fouling on the green",
                                       "Can the warden visit?", cc=SAM), NOW)
    assert len(_cases(council)) == 2 and _cases(council)[ref] == "open"
    assert sorted(str(m["To"]) for m in out) == [JO, SAM]  # acknowledgement, assignment


def test_mail_failing_dmarc_in_the_officers_name_answers_nothing(council: Council) -> None:
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    raw = (DATA / NEW_MAIL).read_bytes().replace(
        b"MIME-Version", b"Authentication-Results: mx.council.gov.uk; dmarc=fail "
        b"header.from=council.gov.uk\r\nMIME-Version", 1)
    council.deliver(raw, NOW)
    assert council.case(ref).status == "open"


def test_a_bilingual_council_asks_in_both_languages(tmp_path: Path) -> None:
    with Council(
        tmp_path / "cardiff", name="Cardiff Council", mailbox=MAILBOX, policy="cardiff",
        members=[("Cllr Jo Bloggs", JO, "Castle", "cy")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as council:
        _member_writes(council, JO, "Pothole on Castle Road", SAM)
        _member_writes(council, JO, "Street light out on Castle Road", SAM)
        [asked] = _officer_writes(council)
        text = _text(asked)
        assert str(asked["Subject"]).startswith("Pa achos a atebodd hwn? / Which case")
        assert text.index("mae gennych 2 achos agored") < text.index("you have 2 open cases")


def test_an_answer_to_the_members_own_mail_to_the_officer_counts_too(council: Council) -> None:
    # Sam replies in a thread mailbot never saw (the member wrote to Sam directly), adding
    # the mailbox: headers naming none of our mail are no thread of a case.
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    raw = (DATA / NEW_MAIL).read_bytes().replace(
        b"MIME-Version", b"In-Reply-To: <CAF=direct.to.sam@mail.gmail.com>\r\n"
        b"References: <CAF=direct.to.sam@mail.gmail.com>\r\nMIME-Version", 1)
    assert council.deliver(raw, NOW) == []
    assert _cases(council) == {ref: "responded"}


def test_a_confidential_case_is_listed_without_its_subject(council: Council) -> None:
    plain = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    private = _member_writes(council, JO, "CONFIDENTIAL: a resident's housing debt", SAM)
    assert council.case(private).confidential
    [asked] = _officer_writes(council)
    text = _text(asked)
    assert f"{private}  (confidential), received" in text and "housing debt" not in text
    assert f'{plain}  "Pothole on Castle Road"' in text
    assert "housing debt" not in body_text(asked, "html")


def test_where_the_director_acknowledges_the_first_new_mail_is_the_acknowledgement(
    tmp_path: Path,
) -> None:
    # Hackney 11.3: the first reply to the member of whoever holds a complaint (here the
    # default officer) acknowledges it; the response clock runs on until the next one, as
    # for replies in the thread.
    jo, sam, dana = "jo@hackney.gov.uk", "sam@hackney.gov.uk", "dana@hackney.gov.uk"
    with Council(
        tmp_path / "hackney", name="Hackney Council", mailbox="memberenquiries@hackney.gov.uk",
        policy="hackney", members=[("Cllr Jo Bloggs", jo, "Castle", "en")],
        officers=[("Sam Patel", sam, "Highways", dana, ""),
                  ("Dana Director", dana, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{sam}"\n', mail_headers=PLAIN_UTF8,
    ) as council:
        council.deliver(council.mail(
            f"Cllr Jo Bloggs <{jo}>", "Complaint about the bins",
            "I wish to make a formal complaint about the way the bins team handled my "
            "resident's case. It was rude and I want it investigated."), NOW)
        case = council.case()
        assert case.kind == "complaint" and case.officer_email == sam
        raw = ((DATA / NEW_MAIL).read_bytes().replace(SAM.encode(), sam.encode())
               .replace(JO.encode(), jo.encode()).replace(MAILBOX.encode(),
                                                          b"memberenquiries@hackney.gov.uk"))
        council.left()
        assert council.deliver(raw, LATER) == []
        case = council.case()
        assert len(_cases(council)) == 1
        assert case.status == "open" and case.acknowledged_at is not None
        assert case.responded_at is None
        second = raw.replace(b"NEW0001@", b"NEW0002@")
        council.deliver(second, LATER)
        assert council.case().status == "responded"


def test_an_answer_starting_with_done_is_an_answer_not_a_command(council: Council) -> None:
    # "Done - ..." to the member reads like DONE; mail to the member is an answer to them.
    ref = _member_writes(council, JO, "Pothole on Castle Road", SAM)
    raw = (DATA / NEW_MAIL).read_bytes().replace(
        b"Dear Cllr Bloggs,\n\nFollowing", b"Done - the crew has been out.\n\nFollowing", 1)
    assert raw.count(b"Done - the crew") == 1
    assert council.deliver(raw, NOW) == []  # no help mail about a command naming no case
    assert _cases(council) == {ref: "responded"}
    assert council.events("command without a case") == []
