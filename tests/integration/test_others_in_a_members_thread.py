"""Mail in a member's case from someone who is not that member, end to end: another
councillor (members.csv) replying to all in the thread, co-signing or adding to the case,
and an address not on the members list (the member's personal gmail, perhaps, or not)
naming the case's reference in its subject. Each joins the case's timeline and its officer
is told who wrote; neither is answered, opens a case, reopens one or moves its clock. What
is checked is what left (the officer's update, nothing to the sender) and the rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PLAIN_UTF8, Council, body_text, rows, write_csv

from mailbot.store.tables import CaseRow, ClockEventRow, MessageRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
KIM = "kim.lee@council.gov.uk"  # Jo's fellow Castle ward member
SAM = "sam.patel@council.gov.uk"
GMAIL = "jo.bloggs.castle@gmail.com"  # on no list
OPENED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX,
        members=[("Cllr Jo Bloggs", JO, "Castle", "en"), ("Cllr Kim Lee", KIM, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", "", "")],
        admins=["it@council.gov.uk"], threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as made:
        yield made


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


def _jo_writes_copying_kim(council: Council) -> dict[str, EmailMessage]:
    """Cllr Bloggs reports the pothole to the mailbox, her ward colleague in Cc."""
    out = council.deliver(council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole in Mill Lane",
                                       "A deep pothole outside no. 12 Mill Lane.",
                                       cc=f"Cllr Kim Lee <{KIM}>", date=OPENED), OPENED)
    by_to = {str(m["To"]): m for m in out}
    assert sorted(by_to) == [JO, SAM]
    return by_to


def _kim_replies_to_all(council: Council, *, headers: bool = True) -> bytes:
    """Kim's reply to all to Jo's mail: the mailbox in To, Jo in Cc; in the thread by its
    headers, or (headers=False, a client that dropped them) by the tag alone."""
    first = rows(council.app, MessageRow)[0].message_id
    ref = council.case().ref
    return council.mail(
        f"Cllr Kim Lee <{KIM}>", f"RE: Pothole in Mill Lane [{ref}]",
        "I support this: residents have raised it with me too, two cars damaged.",
        cc=f"Cllr Jo Bloggs <{JO}>", in_reply_to=first if headers else "", date=LATER)


def _clock(council: Council) -> list[tuple[str, str]]:
    return [(e.clock, e.action) for e in rows(council.app, ClockEventRow)]


@pytest.mark.parametrize("headers", [True, False])
def test_a_ward_colleagues_reply_to_all_is_added_to_the_case_as_theirs(
    council: Council, headers: bool
) -> None:
    _jo_writes_copying_kim(council)
    case_before = council.case()
    due, clock = case_before.response_due, _clock(council)
    raw = _kim_replies_to_all(council, headers=headers)
    out = council.deliver(raw, LATER)
    assert [str(m["To"]) for m in out] == [SAM]  # nothing to Kim, nothing to Jo
    assert out[0]["Subject"].startswith("Update: ")
    text = _text(out[0])
    assert text.startswith(
        "Dear Sam Patel,\n\nCllr Kim Lee, another member (members.csv), has written in this "
        "case's thread, co-signing or adding to Cllr Jo Bloggs's case.")
    assert "who is not the member" not in text
    assert "two cars damaged" in text
    [case] = rows(council.app, CaseRow)
    assert (case.member_email, case.status, case.response_due) == (JO, "open", due)
    assert _clock(council) == clock
    assert rows(council.app, MessageRow)[-1].case_id == case.id
    event = council.events("follow-up")[-1]
    assert event.actor == KIM and "Cllr Kim Lee, another member" in event.detail
    # Fetched again, nothing more.
    assert council.deliver(raw, LATER) == []


def test_a_ward_colleagues_reply_to_all_copying_the_officer_is_not_sent_again(
    council: Council,
) -> None:
    # As for the member's own follow-up: Sam has it from Kim, so no "Update:" from us.
    _jo_writes_copying_kim(council)
    first = rows(council.app, MessageRow)[0].message_id
    raw = council.mail(f"Cllr Kim Lee <{KIM}>", "RE: Pothole in Mill Lane",
                       "I support this.", cc=f"{JO}, {SAM}", in_reply_to=first, date=LATER)
    assert council.deliver(raw, LATER) == []
    [case] = rows(council.app, CaseRow)
    assert rows(council.app, MessageRow)[-1].case_id == case.id
    assert council.events("follow-up")[-1].actor == KIM


def test_a_ward_colleagues_reply_to_all_leaves_a_paused_clock_paused(council: Council) -> None:
    assignment = _jo_writes_copying_kim(council)[SAM]
    council.deliver(council.reply(assignment, SAM, 'PAUSE "asked the member for photos"',
                                  date=OPENED), OPENED)
    assert council.case().status == "paused"
    clock = _clock(council)
    out = council.deliver(_kim_replies_to_all(council), LATER)
    assert [str(m["To"]) for m in out] == [SAM]
    assert "The clock stays paused" in _text(out[0])
    assert council.case().status == "paused"
    assert _clock(council) == clock


def test_a_ward_colleagues_reply_to_all_after_the_answer_reopens_nothing(
    council: Council,
) -> None:
    _jo_writes_copying_kim(council)
    first = rows(council.app, MessageRow)[0].message_id
    ref = council.case().ref
    council.deliver(council.mail(f"Sam Patel <{SAM}>", f"RE: Pothole in Mill Lane [{ref}]",
                                 "The crew filled it this afternoon.", cc=JO,
                                 in_reply_to=first, date=OPENED), OPENED)
    assert council.case().status == "responded"
    clock = _clock(council)
    out = council.deliver(_kim_replies_to_all(council), LATER)
    assert [str(m["To"]) for m in out] == [SAM]
    assert "co-signing or adding to Cllr Jo Bloggs's case" in _text(out[0])
    [case] = rows(council.app, CaseRow)
    assert case.status == "responded"
    assert _clock(council) == clock
    assert council.events("reopened") == []


def test_a_ward_colleagues_new_mail_of_their_own_is_their_own_case(council: Council) -> None:
    _jo_writes_copying_kim(council)
    out = council.deliver(council.mail(f"Cllr Kim Lee <{KIM}>", "Streetlight out on Elm Road",
                                       "The light outside no. 3 has been out a week.",
                                       date=LATER), LATER)
    assert sorted(str(m["To"]) for m in out) == [KIM, SAM]
    first, second = rows(council.app, CaseRow)
    assert (first.member_email, second.member_email) == (JO, KIM)


def _from_gmail(council: Council) -> bytes:
    ref = council.case().ref
    return council.mail(f"Jo Bloggs <{GMAIL}>", f"Pothole in Mill Lane {ref}",
                        f"Any news on {ref}? Please reply to this address.", date=LATER)


def test_an_unlisted_address_naming_the_case_is_on_it_but_not_as_the_member(
    council: Council,
) -> None:
    _jo_writes_copying_kim(council)
    due, clock = council.case().response_due, _clock(council)
    raw = _from_gmail(council)
    out = council.deliver(raw, LATER)
    assert [str(m["To"]) for m in out] == [SAM]  # nothing to the gmail address
    text = _text(out[0])
    assert text.startswith(
        f"Dear Sam Patel,\n\nMail from {GMAIL}, an address not on the members list, "
        "names this case.")
    assert "Check with the member before sending anything to that address." in text
    assert "The member has written again" not in text
    assert "Please reply to this address" in text
    [case] = rows(council.app, CaseRow)
    assert (case.member_email, case.status, case.response_due) == (JO, "open", due)
    assert _clock(council) == clock
    assert rows(council.app, MessageRow)[-1].case_id == case.id
    event = council.events("follow-up")[-1]
    assert event.actor == GMAIL and "not on the members list" in event.detail
    assert council.deliver(raw, LATER) == []


def test_an_unlisted_address_leaves_a_paused_or_answered_case_as_it_is(
    council: Council,
) -> None:
    assignment = _jo_writes_copying_kim(council)[SAM]
    council.deliver(council.reply(assignment, SAM, 'PAUSE "asked the member for photos"',
                                  date=OPENED), OPENED)
    clock = _clock(council)
    out = council.deliver(_from_gmail(council), LATER)
    assert [str(m["To"]) for m in out] == [SAM]
    assert council.case().status == "paused"
    assert _clock(council) == clock


def test_the_members_listed_second_address_follows_up_as_the_member(council: Council) -> None:
    write_csv(council.home / "members.csv",
              ("name", "email", "ward", "language", "other_emails"),
              [("Cllr Jo Bloggs", JO, "Castle", "en", GMAIL),
               ("Cllr Kim Lee", KIM, "Castle", "en", "")])
    _jo_writes_copying_kim(council)
    out = council.deliver(_from_gmail(council), LATER)
    assert [str(m["To"]) for m in out] == [SAM]
    assert _text(out[0]).startswith(
        "Dear Sam Patel,\n\nThe member has written again about this case.")
    assert len(rows(council.app, CaseRow)) == 1
    assert council.events("follow-up")[-1].detail == "member wrote again in the thread"
