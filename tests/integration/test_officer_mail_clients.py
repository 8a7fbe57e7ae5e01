"""Officers answering mailbot's mail from the clients councils use: real .eml replies in
tests/data/ (Outlook desktop HTML only, Outlook on the web, Outlook for iOS, Gmail, a Welsh
Outlook) through the real pipeline on the memory mailbox. Assertions are on the case row,
the events and the mail that left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DATA, PLAIN_UTF8, Council, body_text, write_csv

from mailbot import jobs, pipeline
from mailbot.model import FetchedMessage

MAILBOX = "memberenquiries@council.gov.uk"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
MEMBERS = [("Cllr Jo Bloggs", JO, "Castle", "en")]
OFFICERS = [
    ("Sam Patel", SAM, "Highways", DANA, ""),
    ("Dana Reed", DANA, "Highways", "", ""),
    ("Lee Wong", LEE, "Highways", DANA, ""),
]


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with Council(
        tmp_path / "council", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=["it@council.gov.uk"], threshold=0.0,
        mail_headers=PLAIN_UTF8,
    ) as made:
        yield made


def _assignment(council: Council) -> EmailMessage:
    """Cllr Bloggs writes about a pothole, copying Sam in: Sam's assignment."""
    out = council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                     "A deep pothole by no. 12.", cc=SAM)
    )
    return next(m for m in out if m["To"] == SAM)


def _answer(council: Council, name: str, to: EmailMessage) -> list[EmailMessage]:
    """The reply saved in tests/data/`name`, threaded onto our mail `to`."""
    raw = (DATA / name).read_bytes().replace(b"<ASSIGNMENT>", str(to["Message-ID"]).encode())
    return council.deliver(raw)


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain").replace("\r\n", "\n")


@pytest.mark.parametrize(
    "name",
    [
        "officer_reply_outlook_desktop_html_only_greeting.eml",
        "officer_reply_outlook_web_done.eml",
        "officer_reply_outlook_ios_done.eml",
    ],
)
def test_done_from_each_client_stops_the_clock_and_is_confirmed(
    council: Council, name: str
) -> None:
    out = _answer(council, name, _assignment(council))
    assert [m["To"] for m in out] == [SAM]
    assert _text(out[0]).startswith("Done.\n\nMB-2026-00001 is marked as answered")
    assert council.case().status == "responded"
    assert [e.detail.split(" (")[0] for e in council.events("command")] == ["DONE"]
    # The timeline says how the case was answered: by command, not a reply seen.
    assert [e.detail for e in council.events("responded")] == ["marked answered with DONE"]
    assert council.events("officer note") == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("officer_reply_gmail_extend_wrapped_attribution.eml",
         "waiting for the contractor's survey"),
        ("officer_reply_outlook_welsh_extend_unclosed_quote.eml",
         "aros am arolwg y contractwr"),
    ],
)
def test_an_extend_reason_missing_its_closing_quote_sends_the_member_only_the_reason(
    council: Council, name: str, reason: str
) -> None:
    out = _answer(council, name, _assignment(council))
    to_member = next(m for m in out if m["To"] == JO)
    text = _text(to_member)
    assert f"The reason, and what is being done: {reason}\n" in text
    # Nothing of our quoted assignment, the officer's name line or the client's header.
    for leaked in ("Why you", "Oddi wrth", "wrote:", "Reply to this email", "\nSam\n"):
        assert leaked not in text
    assert council.case().response_due == date(2026, 12, 16)


def test_a_colleagues_reply_all_without_the_member_does_not_stop_the_clock(
    council: Council,
) -> None:
    # Sam forwarded the member's mail to Lee, copying the mailbox; Lee answers Sam.
    _assignment(council)
    out = council.deliver((DATA / "colleague_reply_all_to_forward_without_member.eml").read_bytes())
    case = council.case()
    assert case.status == "open" and case.responded_at is None
    assert council.events("responded") == []
    # Lee is told nothing went to the member and how a case is answered or passed on.
    assert [m["To"] for m in out] == [LEE]
    assert "has not been passed on to the member" in _text(out[0])
    assert "I'll have a look" in council.events("officer note")[0].detail
    # So Sam is still reminded before the due date.
    monday = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
    jobs.send_reminders(council.app, monday)
    assert [m["To"] for m in council.flush(monday)] == [SAM]


def test_an_officers_reply_all_to_the_member_is_the_answer(council: Council) -> None:
    _assignment(council)
    council.deliver(council.mail(
        f"Sam Patel <{SAM}>", "RE: Pothole on Castle Road", "Dear Cllr Bloggs, fixed Friday.",
        cc=f"Cllr Jo Bloggs <{JO}>", in_reply_to="<t1@test.example>",
    ))
    assert council.case().status == "responded"
    assert [e.actor for e in council.events("responded")] == [SAM]


def test_done_written_in_the_members_thread_without_the_member_is_applied(
    council: Council,
) -> None:
    _assignment(council)
    out = council.deliver(council.mail(
        f"Sam Patel <{SAM}>", "RE: Pothole on Castle Road", "Hi,\n\nDONE - phoned the councillor",
        in_reply_to="<t1@test.example>",
    ))
    assert council.case().status == "responded"
    assert [m["To"] for m in out] == [SAM]
    assert "is marked as answered" in _text(out[0])
    assert [e.detail for e in council.events("responded")] == [
        "marked answered with DONE: phoned the councillor"
    ]


def test_a_colleague_refused_is_told_who_holds_the_case_and_how_to_take_it_on(
    council: Council,
) -> None:
    assignment = _assignment(council)
    # Sam forwarded the assignment; Lee answers the forward to the mailbox with DONE.
    out = council.deliver(council.mail(
        f"Lee Wong <{LEE}>", f"RE: FW: {assignment['Subject']}", "DONE",
        in_reply_to="<sam-forward@council.gov.uk>",
    ))
    assert council.case().status == "open"
    assert [e.actor for e in council.events("command refused")] == [LEE]
    text = _text(out[0])
    assert out[0]["To"] == LEE and text.startswith("Not done.")
    assert f"It is with Sam Patel ({SAM})." in text
    assert f"ask them to reply to their assignment or a reminder with: REASSIGN {LEE}" in text


def test_a_reply_to_an_old_reminder_weeks_after_the_answer_changes_nothing(
    council: Council,
) -> None:
    assignment = _assignment(council)
    monday = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
    jobs.send_reminders(council.app, monday)
    [reminder] = council.flush(monday)
    council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", "DONE",
                                  date=monday), now=monday)
    # Five weeks on, Sam answers the old reminder: an EXTEND, then a note.
    later = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    out = council.deliver(council.reply(reminder, f"Sam Patel <{SAM}>",
                                        'EXTEND 5 "waiting for the contractor"', date=later),
                          now=later)
    assert [m["To"] for m in out] == [SAM]
    assert "MB-2026-00001 is already answered; nothing changed." in _text(out[0])
    out = council.deliver(council.reply(reminder, f"Sam Patel <{SAM}>",
                                        "Sorry, this was sorted in December.", date=later),
                          now=later)
    assert [m["To"] for m in out] == [SAM]
    assert _text(out[0]).startswith(
        "MB-2026-00001 was answered on Monday 7 December 2026: nothing more is needed unless "
        "the member writes again."
    )
    case = council.case()
    assert case.status == "responded" and case.response_due == date(2026, 12, 9)
    assert len(council.events("extension_notice queued")) == 0


def test_extend_to_a_date_not_later_is_refused_with_dates_a_person_reads(
    council: Council,
) -> None:
    assignment = _assignment(council)
    out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                        'EXTEND 4/12/2026 "survey"'))
    assert [m["To"] for m in out] == [SAM]
    assert (
        "Friday 4 December 2026 is not later than the current date, Wednesday 9 December 2026."
        in _text(out[0])
    )
    assert council.case().response_due == date(2026, 12, 9)


def test_a_reply_to_the_assignment_copied_to_the_members_other_address_is_the_answer(
    council: Council,
) -> None:
    # Cllr Bloggs also reads mail at a personal address (members.csv other_emails).
    write_csv(council.home / "members.csv", ("name", "email", "ward", "other_emails"),
              [("Cllr Jo Bloggs", JO, "Castle", "jo.bloggs@homemail.example")])
    assignment = _assignment(council)
    out = council.deliver(council.mail(
        f"Sam Patel <{SAM}>", f"RE: {assignment['Subject']}", "Dear Jo, filled on Friday.",
        cc="jo.bloggs@homemail.example", in_reply_to=str(assignment["Message-ID"]),
    ))
    assert out == []  # no help mail: it was an answer, not a command
    assert council.case().status == "responded"
    assert [e.actor for e in council.events("responded")] == [SAM]


def test_the_same_extend_sent_twice_tells_the_member_once(council: Council) -> None:
    assignment = _assignment(council)
    first = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                          'EXTEND 5 "waiting for the survey"'))
    assert sorted(m["To"] for m in first) == [JO, SAM]
    # No confirmation seen yet, so Sam sends it again (a new message, a new Message-ID).
    again = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                          'EXTEND 5 "waiting for the survey"'))
    assert [m["To"] for m in again] == [SAM]
    assert "was already extended to Wednesday 16 December 2026 by the same EXTEND" in _text(
        again[0]
    )
    assert council.case().response_due == date(2026, 12, 16)
    assert len(council.events("extension_notice queued")) == 1
    # A further extension, for a new reason, is a new one.
    later = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>",
                                          'EXTEND 2 "the contractor is ill"'))
    assert sorted(m["To"] for m in later) == [JO, SAM]
    assert council.case().response_due == date(2026, 12, 18)


def test_an_answer_in_a_thread_running_through_two_cases_answers_the_newer(
    council: Council,
) -> None:
    _assignment(council)  # the member's <t1@test.example>: MB-2026-00001
    council.deliver(council.mail(f"Sam Patel <{SAM}>", "RE: Pothole on Castle Road",
                                 "Dear Jo, it will be fixed.", cc=JO,
                                 in_reply_to="<t1@test.example>"))  # <t2@...>
    # Weeks on, past the follow-up window, the member answers that: a new, linked case.
    later = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "RE: Pothole on Castle Road", "Still not fixed.",
        extra="In-Reply-To: <t2@test.example>\r\nReferences: <t1@test.example> <t2@test.example>",
        date=later,
    ), now=later)  # <t3@...>
    newer = council.case()
    assert newer.ref == "MB-2027-00001" and newer.parent_id is not None
    # Sam answers the new mail; its References still name the first case's messages.
    council.deliver(council.mail(
        f"Sam Patel <{SAM}>", "RE: Pothole on Castle Road", "Dear Jo, crew booked Friday.",
        cc=JO, date=later,
        extra="In-Reply-To: <t3@test.example>\r\n"
        "References: <t1@test.example> <t2@test.example> <t3@test.example>",
    ), now=later)
    assert council.case("MB-2027-00001").status == "responded"
    assert [e.case_id for e in council.events("responded")] == [
        council.case("MB-2026-00001").id, newer.id
    ]


def test_the_officer_is_copied_in_when_their_manager_changes_their_case(
    council: Council,
) -> None:
    assignment = _assignment(council)
    left = council.deliver(council.reply(assignment, f"Dana Reed <{DANA}>",
                                         f"REASSIGN {LEE} - Sam is on leave"))
    confirmation = next(m for m in left if m["To"] == DANA)
    assert confirmation["Cc"] == SAM
    assert f"MB-2026-00001 is now with Lee Wong ({LEE})." in _text(confirmation)
    assert council.case().officer_email == LEE
    # An officer's own command is confirmed to them alone.
    new_assignment = next(m for m in left if m["To"] == LEE)
    out = council.deliver(council.reply(new_assignment, f"Lee Wong <{LEE}>", "DONE"))
    assert [(m["To"], m["Cc"]) for m in out] == [(LEE, None)]


def test_a_confirmation_names_the_case_as_the_assignment_did(council: Council) -> None:
    # An officer with twenty cases, answering by a new mail tagged with the reference only.
    _assignment(council)
    out = council.deliver(council.mail(f"Sam Patel <{SAM}>", "MB-2026-00001",
                                       'PAUSE "waiting for the member"'))
    # The member is told what the pause waits for (pause_letters); the officer confirmed.
    assert sorted(m["To"] for m in out) == sorted([SAM, JO])
    [confirmation] = [m for m in out if m["To"] == SAM]
    assert (
        'Case MB-2026-00001 (the enquiry from Cllr Jo Bloggs, Castle ward: "Pothole on Castle '
        f'Road"): paused, with Sam Patel ({SAM}).' in " ".join(_text(confirmation).split())
    )


def test_a_confirmation_on_a_confidential_case_leaves_out_its_subject(
    council: Council,
) -> None:
    out = council.deliver(council.mail(
        f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: tenant's asthma and the damp flat",
        "Please keep this confidential. Mrs X has asthma made worse by damp.", cc=SAM,
    ))
    assignment = next(m for m in out if m["To"] == SAM)
    out = council.deliver(council.reply(assignment, f"Sam Patel <{SAM}>", "CONFIDENTIAL OK"))
    confirmation = next(m for m in out if m["To"] == SAM)
    whole = confirmation.as_string()
    assert "asthma" not in whole and "damp" not in whole
    assert "from Cllr Jo Bloggs, Castle ward)" in " ".join(_text(confirmation).split())


def test_extend_on_a_strangers_case_does_not_claim_the_sender_was_told(
    tmp_path: Path,
) -> None:
    with Council(
        tmp_path / "triage", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        out = council.deliver(council.mail("A Resident <resident@mail.example>", "Fly-tipping",
                                           "Mattresses dumped behind the shops."))
        assert [m["To"] for m in out] == [SAM]  # no automatic mail to a stranger
        out = council.deliver(council.reply(out[0], f"Sam Patel <{SAM}>",
                                            'EXTEND 5 "waiting for the enforcement team"'))
        assert [m["To"] for m in out] == [SAM]
        text = " ".join(_text(out[0]).split())
        assert "The member has been sent" not in text
        assert (
            "The member was NOT written to: resident@mail.example is not in the members "
            "directory, and mailbot writes only to known members. Tell them yourself." in text
        )


def test_a_reminder_on_a_strangers_case_does_not_promise_mail_to_them(tmp_path: Path) -> None:
    with Council(
        tmp_path / "triage", name="Test Council", mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, threshold=0.0, mail_headers=PLAIN_UTF8,
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    ) as council:
        council.deliver(council.mail("A Resident <resident@mail.example>", "Fly-tipping",
                                     "Mattresses dumped behind the shops."))
        monday = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
        jobs.send_reminders(council.app, monday)
        [reminder] = council.flush(monday)
        assert reminder["To"] == SAM
        assert "mailbot will send" not in _text(reminder)


def _sent_item(council: Council, raw: bytes) -> str:
    """A mail an officer sent from the shared mailbox, read from its Sent folder: the
    reason the pipeline gives it."""
    with council.app.store.transaction() as session:
        outcome = pipeline.process(
            council.app, session, FetchedMessage(ref="sent-1", raw=raw, folder="sent"), NOW
        )
    return outcome.reason


def test_a_sent_item_to_a_colleague_about_the_case_is_not_the_answer(council: Council) -> None:
    _assignment(council)
    reason = _sent_item(council, council.mail(
        f"Member Enquiries <{MAILBOX}>", "FW: Pothole on Castle Road [MB-2026-00001]",
        "Lee, can you look at this one?", in_reply_to="<t1@test.example>",
    ).replace(f"To: {MAILBOX}".encode(), f"To: {LEE}".encode()))
    assert reason == "sent item not to the member"
    assert council.case().status == "open"
    reason = _sent_item(council, council.mail(
        f"Member Enquiries <{MAILBOX}>", "RE: Pothole on Castle Road [MB-2026-00001]",
        "Dear Jo, it is booked for Friday.", in_reply_to="<t1@test.example>",
    ).replace(f"To: {MAILBOX}".encode(), f"To: {JO}".encode()))
    assert reason == "response to the member recorded"
    assert council.case().status == "responded"


def test_a_sent_item_blind_copied_to_the_member_is_the_answer(council: Council) -> None:
    _assignment(council)
    reason = _sent_item(council, council.mail(
        f"Member Enquiries <{MAILBOX}>", "Pothole repairs in Castle ward",
        "Dear councillors, the repairs are booked for Friday.",
        in_reply_to="<t1@test.example>", extra=f"Bcc: Cllr Jo Bloggs <{JO}>",
    ))
    assert reason == "response to the member recorded"
