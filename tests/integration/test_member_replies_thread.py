"""Councillors answering our acknowledgement and the officer's answer as they really do,
from real mail clients: each reply saved in tests/data/member_reply_*.eml goes through the
real pipeline on the memory mailbox once Cllr Bloggs's pothole case exists, and what is
checked is what left (the officer's update, the member's letter, nothing at all), the case
rows and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text, rows, write_csv

from mailbot.store.tables import CaseRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
RESIDENT = "pat.resident@gmail.com"
DUE = date(2026, 12, 9)  # ten working days from Wednesday 25 November
ORIGINAL = "<t1@test.example>"
ANSWER = "<answer1@council.gov.uk>"
ANSWERED_AT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", DANA, ""),
                  ("Dana Reed", DANA, "Highways", "", "")],
        admins=["it@council.gov.uk"], threshold=0.0, mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def case_opened(council: Council) -> EmailMessage:
    """Cllr Bloggs writes about a pothole, copying Sam in: her acknowledgement."""
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole in Mill Lane",
                                       "A deep pothole outside no. 12 Mill Lane.", cc=SAM))
    assert sorted(m["To"] for m in out) == [JO, SAM]
    return next(m for m in out if m["To"] == JO)


def case_answered(council: Council) -> EmailMessage:
    """The case opened, then Sam's answer to Cllr Bloggs, the mailbox copied in."""
    ack = case_opened(council)
    answer = (f"From: Sam Patel <{SAM}>\r\nTo: {JO}\r\nCc: {MAILBOX}\r\n"
              "Subject: RE: Pothole in Mill Lane [MB-2026-00001]\r\n"
              f"Message-ID: {ANSWER}\r\nDate: Wed, 25 Nov 2026 14:00:00 +0000\r\n"
              f"In-Reply-To: {ORIGINAL}\r\nReferences: {ORIGINAL}\r\n\r\n"
              "The crew filled it this afternoon.\r\n").encode()
    assert council.deliver(answer, ANSWERED_AT) == []
    assert council.case().status == "responded"
    return ack


def filled(raw: bytes, ack: EmailMessage, at: datetime) -> bytes:
    """A member_reply_*.eml fixture with its placeholders filled in."""
    for holder, value in ((b"<ORIGINAL>", ORIGINAL), (b"<ANSWER>", ANSWER),
                          (b"<ACKNOWLEDGEMENT>", str(ack["Message-ID"])),
                          (b"<DATE>", at.strftime("%a, %d %b %Y %H:%M:%S +0000"))):
        raw = raw.replace(holder, value.encode())
    return raw


def _send(council: Council, name: str, ack: EmailMessage, at: datetime) -> list[EmailMessage]:
    """The fixture, its placeholders filled, sent at `at` and polled five minutes on."""
    return council.deliver(filled((DATA / name).read_bytes(), ack, at), at + timedelta(minutes=5))


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _last_message(council: Council) -> MessageRow:
    return rows(council.app, MessageRow)[-1]


LATER = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", [
    "member_reply_iphone_thanks_to_acknowledgement.eml",
    "member_reply_outlook_android_thank_you_much_appreciated.eml",
])
def test_thanks_for_the_acknowledgement_is_kept_and_mails_nobody(
    council: Council, name: str
) -> None:
    ack = case_opened(council)
    assert _send(council, name, ack, LATER) == []
    assert len(rows(council.app, CaseRow)) == 1
    case = council.case()
    assert (case.status, case.response_due) == ("open", DUE)
    assert _last_message(council).case_id == case.id
    assert [e.actor for e in council.events("follow-up")] == [JO]


@pytest.mark.parametrize("at", [
    LATER,  # within the follow-up window
    datetime(2026, 12, 14, 9, 0, tzinfo=UTC),  # after it
])
def test_thanks_for_the_answer_signed_with_name_and_ward_reopens_nothing(
    council: Council, at: datetime
) -> None:
    # Bug: "Thank you Sam, that's much appreciated." over "Jo / Cllr Jo Bloggs / Castle
    # Ward" (Outlook, HTML only, windows-1252) counted the sign-off as more than thanks:
    # within the window it reopened the case and wrote to the member that it was
    # reopened; after it, it opened a new case and acknowledged it.
    ack = case_answered(council)
    assert _send(council, "member_reply_outlook_html_1252_thank_you_for_answer.eml",
                 ack, at) == []
    assert len(rows(council.app, CaseRow)) == 1
    case = council.case()
    assert case.status == "responded"
    assert case.responded_at is not None
    assert [e.actor for e in council.events("thanks")] == [JO]
    assert council.events("reopened") == []


@pytest.mark.parametrize("name", [
    "member_reply_gmail_adds_information.eml",
    # The client dropped the [MB-] tag but kept In-Reply-To (Apple Mail).
    "member_reply_tag_stripped_in_reply_to_kept.eml",
    # The tag is kept but In-Reply-To is gone and References name only the phone's
    # own copy (Outlook for iOS).
    "member_reply_outlook_mobile_tag_broken_references.eml",
])
def test_more_information_goes_to_the_officer_once(council: Council, name: str) -> None:
    ack = case_opened(council)
    out = _send(council, name, ack, LATER)
    assert [m["To"] for m in out] == [SAM]
    assert out[0]["Subject"].startswith("Update: ")
    assert "[MB-2026-00001]" in out[0]["Subject"]
    text = _text(out[0])
    assert text.startswith("Dear Sam Patel,\n\nThe member has written again about this case.")
    assert len(rows(council.app, CaseRow)) == 1
    assert council.case().response_due == DUE  # an update does not move the date
    # The same mail fetched again (a second poll, a restart) tells Sam nothing more.
    assert _send(council, name, ack, LATER) == []


def test_the_officer_update_leaves_out_the_quoted_acknowledgement(council: Council) -> None:
    # Bug: Apple Mail quotes its attribution line with the rest ("> On 25 Nov 2026, at
    # 10:02, Member Enquiries wrote:"), and the officer's update quoted our own
    # acknowledgement back to them under the member's words.
    ack = case_opened(council)
    out = _send(council, "member_reply_tag_stripped_in_reply_to_kept.eml", ack, LATER)
    text = _text(out[0])
    assert "> Forgot to say: it is on the bend by the bus stop" in text
    assert "wrote:" not in text and "Dear Cllr Jo Bloggs" not in text


def test_a_new_matter_in_the_thread_is_an_update_on_the_old_case(council: Council) -> None:
    # As built: no second case; Sam gets the bins question as an update on the pothole
    # and must pass it on (reported, not changed).
    ack = case_opened(council)
    out = _send(council, "member_reply_outlook_android_new_matter.eml", ack, LATER)
    assert [m["To"] for m in out] == [SAM]
    assert "the bins in Elm Road" in _text(out[0])
    assert len(rows(council.app, CaseRow)) == 1


@pytest.mark.parametrize("name", [
    "member_reply_exchange_out_of_office.eml",
    "member_reply_personal_vacation_no_headers.eml",
])
def test_the_members_out_of_office_is_never_answered(council: Council, name: str) -> None:
    ack = case_opened(council)
    assert _send(council, name, ack, LATER) == []
    assert council.flush(LATER + timedelta(days=1)) == []
    assert len(rows(council.app, CaseRow)) == 1
    assert _last_message(council).status == "automatic"
    assert council.case().response_due == DUE


def test_a_resident_replying_to_all_gets_nothing_and_the_officer_is_warned(
    council: Council,
) -> None:
    ack = case_opened(council)
    out = _send(council, "member_reply_resident_reply_all_to_forward.eml", ack, LATER)
    assert [m["To"] for m in out] == [SAM]
    text = _text(out[0])
    assert f"{RESIDENT}, who is not the member, has written in this case's thread" in text
    # Said as for an unlisted address naming the case: what was and was not done.
    assert "nothing has been sent to them, and the case's clock is unchanged" in " ".join(
        text.split())
    assert "my car's tyre was\n> damaged" in text
    assert len(rows(council.app, CaseRow)) == 1
    assert council.case().member_email == JO
    # Bug: the case's timeline said "member wrote again in the thread" of the resident.
    follow_up = council.events("follow-up")[-1]
    assert follow_up.actor == RESIDENT and "other than the case's member" in follow_up.detail


def test_a_chasing_mail_without_the_thread_opens_a_second_case(council: Council) -> None:
    # As built (reported): a new case, acknowledged, and here unassigned, since only the
    # first mail's copy to Sam routed the first case.
    case_opened(council)
    out = _send(council, "member_reply_new_mail_chasing_outlook.eml", EmailMessage(),
                datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert [m["To"] for m in out] == [JO]
    assert [c.ref for c in rows(council.app, CaseRow)] == ["MB-2026-00001", "MB-2026-00002"]
    assert council.case().parent_id is None


def test_not_resolved_within_the_window_reopens_the_case(council: Council) -> None:
    ack = case_answered(council)
    out = _send(council, "member_reply_outlook_1252_still_not_fixed.eml", ack,
                datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday: 2 working days on
    assert sorted(m["To"] for m in out) == [JO, SAM]
    letter = next(m for m in out if m["To"] == JO)
    assert "We have reopened it, and Sam Patel (Highways) will respond by Friday 11 " \
           "December 2026." in _text(letter)
    update = next(m for m in out if m["To"] == SAM)
    assert "so the case is open again with a new response date" in _text(update)
    assert "> The pothole is still there – I drove past" in _text(update)
    case = council.case()
    assert (case.status, case.response_due, case.responded_at) == (
        "open", date(2026, 12, 11), None)
    assert len(rows(council.app, CaseRow)) == 1


def test_not_resolved_after_the_window_opens_a_linked_case(council: Council) -> None:
    ack = case_answered(council)
    out = _send(council, "member_reply_outlook_1252_still_not_fixed.eml", ack,
                datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # 13 working days on
    assert sorted(m["To"] for m in out) == [JO, SAM]
    old, new = rows(council.app, CaseRow)
    assert old.status == "responded"
    assert (new.parent_id, new.member_email, new.officer_email) == (old.id, JO, SAM)
    assert new.response_due == date(2026, 12, 30)
    letter = next(m for m in out if m["To"] == JO)
    assert "[MB-2026-00002]" in letter["Subject"]
    assert "will respond by Wednesday 30 December 2026" in _text(letter)
    assignment = next(m for m in out if m["To"] == SAM)
    assert "A new case, following up MB-2026-00001 (answered earlier)" in _text(assignment)


def test_not_resolved_from_the_members_other_address_reopens_the_case(
    council: Council,
) -> None:
    # Bug: from the personal address on the member's phone (members.csv other_emails),
    # the reply after the answer did not reopen the case: it stayed answered and Sam was
    # told only that the member had "written again about this case".
    write_csv(council.home / "members.csv", ("name", "email", "ward", "language", "other_emails"),
              [("Cllr Jo Bloggs", JO, "Castle", "en", "jo.castle.ward@gmail.com")])
    ack = case_answered(council)
    out = _send(council, "member_reply_iphone_personal_address_not_fixed.eml", ack,
                datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert sorted(m["To"] for m in out) == [JO, SAM]
    assert "We have reopened it" in _text(next(m for m in out if m["To"] == JO))
    case = council.case()
    assert (case.status, case.response_due) == ("open", date(2026, 12, 11))
    assert len(rows(council.app, CaseRow)) == 1


def test_a_resident_replying_to_all_without_the_thread_joins_the_members_case(
    council: Council,
) -> None:
    # Bug: the resident's client (answering an Outlook forward) kept the tag but none of
    # the thread's Message-IDs; a stranger's tag being untrusted, a second case opened in
    # the resident's name, in triage with no officer, and Sam was told nothing.
    ack = case_opened(council)
    out = _send(council, "member_reply_resident_reply_all_outlook_forward_no_references.eml",
                ack, LATER)
    assert [m["To"] for m in out] == [SAM]
    assert f"{RESIDENT}, who is not the member, has written in this case's thread" in _text(
        out[0])
    [case] = rows(council.app, CaseRow)
    assert (case.member_email, case.status, case.response_due) == (JO, "open", DUE)
    assert _last_message(council).case_id == case.id


def test_a_strangers_tag_to_the_mailbox_alone_is_on_the_case_as_an_unlisted_address(
    council: Council,
) -> None:
    # Once a triage case in the resident's name; now on the case it names, as mail from an
    # address not on the members list: Sam is told to check with the member before
    # sending anything there, the resident is sent nothing and the case is unchanged.
    case_opened(council)
    raw = council.mail(f"Pat Resident <{RESIDENT}>", "Re: Pothole in Mill Lane [MB-2026-00001]",
                       "Add my claim to this case and send me what you hold.")
    [update] = council.deliver(raw, LATER)
    assert update["To"] == SAM
    assert f"Mail from {RESIDENT}, an address not on the members list, names this case." in (
        _text(update))
    [case] = rows(council.app, CaseRow)
    assert (case.member_email, case.status, case.response_due) == (JO, "open", DUE)
    assert _last_message(council).case_id == case.id


def test_thanks_over_an_attached_photo_goes_to_the_officer(council: Council) -> None:
    # Bug: "Thanks!" was all the member typed over the photo of the pothole they attached
    # (Gmail): taken for a thank-you, it was kept on the case and Sam never heard of it.
    ack = case_opened(council)
    out = _send(council, "member_reply_gmail_thanks_with_photo_attached.eml", ack, LATER)
    assert [m["To"] for m in out] == [SAM]
    assert out[0]["Subject"].startswith("Update: ")
    assert council.case().response_due == DUE


def test_more_information_sent_to_the_officer_too_is_not_sent_again(council: Council) -> None:
    # Bug: the member wrote to Sam with the mailbox copied in; Sam had it from her, and
    # an "Update:" from us put the same words in front of him a second time.
    ack = case_opened(council)
    out = _send(council, "member_reply_gmail_adds_information_to_the_officer.eml", ack, LATER)
    assert out == []
    assert [e.actor for e in council.events("follow-up")] == [JO]
    assert _last_message(council).case_id == council.case().id
