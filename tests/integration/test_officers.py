"""Officers end to end: assignment emails, reply commands, out-of-office and bounces,
follow-ups. Real app (config file, CSV directory, SQLite with migrations) on the memory
mailbox; every assertion is on what left the system or on database rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import Council, body_text, by_recipient, parse_sent, rows

from mailbot import jobs
from mailbot.store.tables import CaseRow, ClockEventRow, EventRow, MessageRow, OutboxRow

MAILBOX = "memberenquiries@council.gov.uk"
JO = "jo.bloggs@council.gov.uk"
SAM = "sam.patel@council.gov.uk"
LEE = "lee.wong@council.gov.uk"
DANA = "dana.reed@council.gov.uk"
ALEX = "alex.morgan@council.gov.uk"
ADMIN = "it.admin@council.gov.uk"
# Wednesday 25 November 2026, 10:00 London; read at noon.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

MEMBERS = [
    ("Cllr Jo Bloggs", JO, "Castle", "en"),
    ("Cllr Siân Evans", "sian.evans@council.gov.uk", "Llandaff", "cy"),
]
OFFICERS = [
    ("Sam Patel", SAM, "highways", DANA, LEE),
    ("Lee Wong", LEE, "highways", DANA, ""),
    ("Dana Reed", DANA, "highways", "", ""),
    ("Alex Morgan", ALEX, "waste", "", ""),
]


def _council(home: Path, policy: str = "wiltshire") -> Council:
    """The test council's people under `policy`; unmatched mail goes to triage."""
    return Council(
        home, name="Test Council", policy=policy, mailbox=MAILBOX, members=MEMBERS,
        officers=OFFICERS, admins=[ADMIN],
        # Triage by classifier confidence is not what these tests are about.
        threshold=0.0,
        config='[routing]\ndefault_officer = "triage@council.gov.uk"\n'
        "[[routing.rules]]\n"
        f'name = "waste"\nofficer = "{ALEX}"\nkeywords = ["bin", "recycling"]\n',
        reply_quotes=5,
    )


def _open_pothole(
    council: Council, cc: str = SAM, subject: str = "Pothole on Castle Road"
) -> dict[str, EmailMessage]:
    return by_recipient(council.deliver(
        council.mail(f"Cllr Jo Bloggs <{JO}>", subject, "A deep pothole by no. 12.", cc=cc)
    ))


@pytest.fixture
def council(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "wiltshire") as made:
        yield made


@pytest.fixture
def colchester(tmp_path: Path) -> Iterator[Council]:
    with _council(tmp_path / "colchester", policy="colchester") as made:
        yield made


def _text(message: EmailMessage) -> str:
    return body_text(message, "plain")


# -- assignment ---------------------------------------------------------------------


def test_the_officer_copied_in_gets_the_assignment_and_the_ack_names_them(
    council: Council,
) -> None:
    out = _open_pothole(council)
    assert set(out) == {JO, SAM}
    ack, assignment = out[JO], out[SAM]
    assert "Sam Patel (highways) will respond by Wednesday 9 December 2026" in _text(ack)
    assert "please contact Sam Patel (sam.patel@council.gov.uk)" in _text(ack)
    text = _text(assignment)
    assert assignment["Subject"] == (
        "Enquiry from Cllr Jo Bloggs: Pothole on Castle Road [MB-2026-00001]"
    )
    assert "Reference: MB-2026-00001" in text
    assert "Reply by:  Wednesday 9 December 2026" in text
    assert "> A deep pothole by no. 12." in text
    assert "DONE" in text and 'EXTEND 5 "reason"' in text
    # Marked as ours and automatic (with [loops] officer_auto_replies it asks for the
    # officer's out-of-office instead: test_officer_letters.py).
    assert assignment["X-Mailbot-Loop"] and assignment["Auto-Submitted"] == "auto-replied"
    assert assignment["X-Auto-Response-Suppress"] == "All"
    assert council.case().officer_email == SAM


def test_a_rule_routes_by_keyword_and_unmatched_mail_goes_to_the_default(
    council: Council,
) -> None:
    out = _open_pothole(council, cc="", subject="Missed bin collection")
    assert set(out) == {JO, ALEX}
    out = _open_pothole(council, cc="", subject="Cabinet agenda")
    assert set(out) == {JO, "triage@council.gov.uk"}


def test_confidential_cases_tell_the_officer_only_that_there_is_one(council: Council) -> None:
    out = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "CONFIDENTIAL: tenant's health and the damp flat",
            "Please keep this confidential. Mrs X at 4 Mill Lane has asthma made worse by damp.",
            cc=SAM,
        )
    )
    assignment = next(m for m in out if m["To"] == SAM)
    whole = assignment.as_string()
    assert "asthma" not in whole and "damp" not in whole and "Mill Lane" not in whole
    assert assignment["Subject"].strip().startswith("Confidential")
    text = _text(assignment)
    assert "mailbot case MB-2026-00001 --message" in text
    assert "CONFIDENTIAL OK" in text and 'CONFIDENTIAL NO "' in text


def test_foi_goes_to_the_foi_team_with_the_statutory_date(council: Council) -> None:
    out = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "Freedom of Information request: pothole repair costs",
            "Under the Freedom of Information Act please send me copies of the records "
            "of pothole repair costs for 2025.",
            cc=SAM,
        )
    )
    to = {str(m["To"]): m for m in out}
    assert set(to) == {JO, "foi@wiltshire.example"}
    assert "under the Freedom of Information Act 2000" in _text(to[JO])
    assert "(the statutory date under the FOIA)" in _text(to["foi@wiltshire.example"])


def _hackney_complaint(tmp_path: Path) -> tuple[Council, list[EmailMessage]]:
    """A formal complaint from Jo in Hackney, Sam copied in: (the council, what left)."""
    hackney = _council(tmp_path / "hackney", policy="hackney")
    out = hackney.deliver(
        hackney.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "Complaint about how my pothole reports were handled",
            "I wish to make a formal complaint: three reports were ignored and nobody "
            "replied. I want this investigated.",
            cc=SAM,
        )
    )
    return hackney, out


def _receipt(out: list[EmailMessage]) -> EmailMessage:
    [ack] = [m for m in out if str(m["To"]) == JO]
    return ack


def test_hackney_complaint_goes_to_the_director_who_must_acknowledge(tmp_path: Path) -> None:
    hackney, out = _hackney_complaint(tmp_path)
    with hackney:
        to = {str(m["To"]): m for m in out}
        assert DANA in to  # Sam's line goes up to Dana, the service's head
        assert "must acknowledge it by Monday 30 November 2026" in _text(to[DANA])
        assert "how long an investigation needs" in _text(to[DANA])
        # mailbot's own mail to the member is a receipt, not the Director's acknowledgement
        assert hackney.case().acknowledged_at is None


def _director_writes_to_member(hackney: Council, ack: EmailMessage, when: datetime) -> None:
    hackney.deliver(
        hackney.mail(
            f"Dana Reed <{DANA}>",
            f"RE: {ack['Subject']}",
            "Dear Cllr Bloggs, I have received your complaint and will investigate; "
            "you will have my findings within ten working days.",
            cc=JO,
            in_reply_to=str(ack["Message-ID"]),
            date=when,
        ),
        when,
    )


def test_hackney_directors_first_reply_is_the_acknowledgement_and_the_case_stays_open(
    tmp_path: Path,
) -> None:
    hackney, out = _hackney_complaint(tmp_path)
    ack = _receipt(out)
    with hackney:
        due = hackney.case().response_due
        thursday = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
        _director_writes_to_member(hackney, ack, thursday)
        case = hackney.case()
        assert case.status == "open" and case.responded_at is None
        assert case.acknowledged_at == thursday and case.response_due == due
        assert [e.action for e in hackney.events("acknowledged")] == ["acknowledged"]
        assert [(c.clock, c.action) for c in rows(hackney.app, ClockEventRow)] == [("ack", "stop")]
        # Acknowledged in time: no acknowledgement reminder on the due day (Monday 30th).
        jobs.send_reminders(hackney.app, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
        assert [r for r in rows(hackney.app, OutboxRow) if r.purpose == "ack_reminder"] == []

        _director_writes_to_member(hackney, ack, datetime(2026, 12, 4, 11, 0, tzinfo=UTC))
        case = hackney.case()
        assert case.status == "responded" and case.acknowledged_at == thursday


def test_hackney_director_is_reminded_once_to_acknowledge(tmp_path: Path) -> None:
    hackney, out = _hackney_complaint(tmp_path)
    ack = _receipt(out)
    with hackney:
        before = jobs.send_reminders(hackney.app, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
        assert before.queued == []  # Friday: not due until Monday
        monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        jobs.send_reminders(hackney.app, monday)
        jobs.flush_outbox(hackney.app, monday)  # sent the day it is written for
        jobs.send_reminders(hackney.app, monday + timedelta(days=1))  # Tuesday: not again
        jobs.flush_outbox(hackney.app, monday + timedelta(days=1))
        reminders = [parse_sent(m) for r, m in hackney.server.outgoing
                     if "Acknowledge" in str(parse_sent(m)["Subject"])]
        [reminder] = reminders
        assert str(reminder["To"]) == DANA
        assert str(reminder["Subject"]).startswith("Acknowledge today: complaint from Cllr Jo")
        text = _text(reminder)
        assert "to be acknowledged today, Monday 30 November 2026" in text
        assert "copying in " + MAILBOX in text
        _director_writes_to_member(hackney, ack, monday + timedelta(days=1, hours=1))
        assert hackney.case().status == "open"
        assert hackney.case().acknowledged_at is not None


# -- reply commands -----------------------------------------------------------------


def test_done_stops_the_clock_and_is_confirmed(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(council.reply(assignment, SAM, "DONE"))
    assert [m["To"] for m in out] == [SAM]
    assert out[0]["In-Reply-To"] == "<t2@test.example>"
    assert "MB-2026-00001 is marked as answered" in _text(out[0])
    case = council.case()
    # Answered when the officer sent DONE (its Date, two hours before we read it)
    assert case.status == "responded" and case.responded_at == NOW - timedelta(hours=2)
    stop = rows(council.app, ClockEventRow, ClockEventRow.action == "stop")
    assert [(s.who, s.clock) for s in stop] == [(SAM, "response")]
    [event] = council.events("command")
    assert event.actor == SAM and event.detail.startswith("DONE (assigned officer, reply)")


def test_an_html_only_outlook_reply_is_read(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    html = (
        "<html><body><div>Extend 3 &ldquo;waiting for the gully tanker&rdquo;</div>"
        "<div><br></div><hr><div><b>From:</b> Member Enquiries<br><b>Sent:</b> 25 November"
        "</div><div>DONE the member has had their answer</div></body></html>"
    )
    raw = council.mail(
        SAM, f"RE: {assignment['Subject']}", html, in_reply_to=assignment["Message-ID"]
    ).replace(b"\r\n\r\n", b"\r\nContent-Type: text/html; charset=utf-8\r\n\r\n", 1)
    out = council.deliver(raw)
    assert {str(m["To"]) for m in out} == {SAM, JO}
    case = council.case()
    assert case.status == "open" and case.response_due.isoformat() == "2026-12-14"  # type: ignore[union-attr]
    assert "waiting for the gully tanker" in _text(next(m for m in out if m["To"] == JO))


def test_extend_moves_the_date_and_the_member_is_told_why(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    later = NOW + timedelta(days=6)  # Tuesday 1 December
    out = council.deliver(
        council.reply(assignment, SAM, 'EXTEND 5 "the contractor surveys it on Monday"'),
        now=later,
    )
    to = {str(m["To"]): m for m in out}
    assert set(to) == {SAM, JO}
    member = _text(to[JO])
    assert "will not be ready by Wednesday 9 December 2026" in member
    assert "the contractor surveys it on Monday" in member
    assert "full response by Wednesday 16 December 2026" in member
    assert to[JO]["In-Reply-To"] == "<t1@test.example>"  # in the member's own thread
    assert "now Wednesday 16 December 2026 (was Wednesday 9 December 2026)" in _text(to[SAM])
    case = council.case()
    assert case.response_due.isoformat() == "2026-12-16"  # type: ignore[union-attr]
    [extend] = rows(council.app, ClockEventRow, ClockEventRow.action == "extend")
    assert (extend.who, extend.why) == (SAM, "the contractor surveys it on Monday")


def test_reassign_sends_the_new_officer_the_case(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(council.reply(assignment, SAM, f"REASSIGN {LEE} on the rota"))
    to = {str(m["To"]): m for m in out}
    assert set(to) == {SAM, LEE, JO}
    assert "Sam Patel has passed this case to you" in _text(to[LEE])
    # Colchester 16(1): the member is told promptly that the enquiry was redirected.
    assert "it has been passed to Lee Wong (highways), who is now dealing with it" in _text(
        to[JO])
    assert "> A deep pothole by no. 12." in _text(to[LEE])
    assert council.case().officer_email == LEE
    # The new officer can now command the case from their own assignment.
    out = council.deliver(council.reply(to[LEE], LEE, "DONE"))
    assert council.case().status == "responded"


def test_reassign_to_someone_unknown_changes_nothing(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(council.reply(assignment, SAM, "REASSIGN someone@gmail.example"))
    assert [m["To"] for m in out] == [SAM]
    assert "not in the officers directory" in _text(out[0])
    assert council.case().officer_email == SAM


def test_pause_and_resume(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    # A pause for someone else: the member is not written to (one for them is: see
    # test_member_hears_of_pause).
    council.deliver(council.reply(assignment, SAM, 'PAUSE "waiting for the contractor"'))
    case = council.case()
    assert case.status == "paused" and case.response_due is None
    # Resumed a week later (five working days paused): the date moves on by as many.
    out = council.deliver(council.reply(assignment, SAM, "RESUME"), now=NOW + timedelta(days=7))
    case = council.case()
    assert case.status == "open"
    assert case.response_due is not None and case.response_due.isoformat() > "2026-12-09"
    # The member was told nothing, and the officer is told so: found reading a simulated
    # fortnight, where the confirmation gave the later date as if it were everyone's.
    [confirmation] = out
    assert confirmation["To"] == SAM
    assert ("The member has not been told of the pause or of this date, and still expects "
            "the date they were given.") in _text(confirmation)


def test_the_members_reply_ends_a_pause_that_waited_for_them(council: Council) -> None:
    out = _open_pothole(council)
    council.deliver(council.reply(out[SAM], SAM, 'PAUSE "asked the member which lamp"'))
    assert council.case().status == "paused"
    later = NOW + timedelta(days=2)
    sent = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            f"Re: {out[JO]['Subject']}",
            "It is the one outside no. 12.",
            in_reply_to=out[JO]["Message-ID"],
        ),
        now=later,
    )
    case = council.case()
    assert case.status == "open" and case.response_due is not None
    [update] = [m for m in sent if m["To"] == SAM]
    assert "The clock you paused is running again" in _text(update)
    assert "> It is the one outside no. 12." in _text(update)
    assert [r.action for r in rows(council.app, ClockEventRow)] == ["pause", "resume"]


def test_confidential_no_tells_the_member_at_once(council: Council) -> None:
    out = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            "CONFIDENTIAL: a neighbour dispute",
            "Please keep this private between us.",
            cc=SAM,
        )
    )
    assignment = next(m for m in out if m["To"] == SAM)
    out = council.deliver(
        council.reply(assignment, SAM, 'CONFIDENTIAL NO "a safeguarding duty applies"')
    )
    to = {str(m["To"]): m for m in out}
    assert "has said that this is not possible" in _text(to[JO])
    assert "a safeguarding duty applies" in _text(to[JO])
    assert council.events("confidentiality declined")[0].actor == SAM


def test_manager_and_admin_may_command_but_another_officer_may_not(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(council.reply(assignment, ALEX, "DONE"))
    assert [m["To"] for m in out] == [ALEX]
    assert "was not applied" in _text(out[0])
    assert council.case().status == "open"
    [refused] = council.events("command refused")
    assert refused.actor == ALEX and "DONE" in refused.detail
    council.deliver(council.reply(assignment, ADMIN, 'PAUSE "checking with legal"'))
    assert council.case().status == "paused"
    council.deliver(council.reply(assignment, DANA, "RESUME"))
    assert council.case().status == "open"


def test_forged_tag_from_a_stranger_is_refused_recorded_and_unanswered(council: Council) -> None:
    _open_pothole(council)
    before = council.case("MB-2026-00001").status
    out = council.deliver(
        council.mail("mallory@evil.example", "Re: Pothole [MB-2026-00001]", "DONE")
    )
    assert out == []
    assert council.case("MB-2026-00001").status == before
    [refused] = council.events("command refused")
    assert refused.actor == "mallory@evil.example"
    assert refused.case_id == council.case("MB-2026-00001").id


def test_a_forged_from_that_fails_dmarc_is_refused(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    raw = council.reply(assignment, SAM, "DONE").replace(
        b"\r\n\r\n",
        b"\r\nAuthentication-Results: mx.council.gov.uk; dmarc=fail header.from=council.gov.uk"
        b"\r\n\r\n",
        1,
    )
    assert council.deliver(raw) == []
    assert council.case().status == "open"
    assert "dmarc=fail" in council.events("command refused")[0].detail


def test_unknown_commands_get_help_once_a_day(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(council.reply(assignment, SAM, "Thanks, I will look on Monday"))
    assert [m["To"] for m in out] == [SAM]
    assert "did not find a command" in _text(out[0]) and "CONFIDENTIAL NO" in _text(out[0])
    assert council.deliver(council.reply(assignment, SAM, "And another thing")) == []
    # A command it could not read gets a short "Not done." each time (1fe5b81), not the list.
    out = council.deliver(council.reply(assignment, SAM, "EXTEND 5"))  # same day
    assert [m["To"] for m in out] == [SAM]
    assert "Not done." in _text(out[0]) and "CONFIDENTIAL NO" not in _text(out[0])
    out = council.deliver(council.reply(assignment, SAM, "Hm"), now=NOW + timedelta(days=1))
    assert [m["To"] for m in out] == [SAM]
    assert council.case().status == "open"


# -- out of office and bounces -------------------------------------------------------


def _auto_reply(council: Council, to: EmailMessage, sender: str, note: str) -> bytes:
    return council.mail(
        sender,
        f"Automatic reply: {to['Subject']}",
        note,
        in_reply_to=to["Message-ID"],
        extra="Auto-Submitted: auto-replied",
    )


def test_out_of_office_redirects_to_the_deputy_once(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(_auto_reply(council, assignment, SAM, "I am away until 7 December."))
    assert [m["To"] for m in out] == [LEE, JO]  # nothing to the robot; the member told
    assert "Sam Patel is out of the office" in _text(out[0])
    case = council.case()
    assert case.officer_email == LEE and case.status == "open"
    row = rows(council.app, MessageRow)[-1]
    assert row.status == "automatic" and row.case_id == case.id
    # Another auto-reply (to a reminder, say) changes nothing and sends nothing.
    assert council.deliver(_auto_reply(council, assignment, SAM, "Away.")) == []
    assert len(council.events("officer out of office")) == 2
    # A new case while Sam is away goes straight to the deputy, and the ack names them.
    out = _open_pothole(council, subject="Another pothole")
    assert set(out) == {JO, LEE}
    assert "Lee Wong (highways) will respond" in _text(out[JO])


def test_out_of_office_naming_a_known_colleague_is_followed(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(
        _auto_reply(council, assignment, SAM, f"Away. For waste matters contact {ALEX}.")
    )
    assert [m["To"] for m in out] == [ALEX, JO]
    assert council.case().officer_email == ALEX


def test_colchester_pauses_the_clock_until_the_case_is_redirected(colchester: Council) -> None:
    assignment = _open_pothole(colchester)[SAM]
    due = colchester.case().response_due
    out = colchester.deliver(_auto_reply(colchester, assignment, SAM, "On leave."))
    assert [m["To"] for m in out] == [LEE]
    assert "response clock is paused" in _text(out[0])
    case = colchester.case()
    assert case.status == "paused" and case.response_due is None and case.officer_email == SAM
    # Lee takes it two days later: the clock runs again and the date moves on.
    out = colchester.deliver(
        colchester.reply(out[0], LEE, f"REASSIGN {LEE}"), now=NOW + timedelta(days=2)
    )
    case = colchester.case()
    assert case.status == "open" and case.officer_email == LEE
    assert case.response_due is not None and due is not None and case.response_due > due
    assert colchester.events("command")[0].detail.startswith(f"REASSIGN {LEE} (deputy, reply)")


def _bounce(council: Council, original: EmailMessage, failed: str) -> bytes:
    council.count += 1
    return (
        "From: Mail Delivery System <MAILER-DAEMON@council.gov.uk>\r\n"
        f"To: {MAILBOX}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{council.count}@council.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 11:00:00 +0000\r\n"
        f"X-Failed-Recipients: {failed}\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original['Message-ID']}\r\nSubject: {original['Subject']}\r\n\r\n"
        "--b--\r\n"
    ).encode()


def test_a_bouncing_officer_address_causes_no_storm(council: Council) -> None:
    assignment = _open_pothole(council)[SAM]
    out = council.deliver(_bounce(council, assignment, SAM))
    # Redirected to the deputy, once; the admin is told Sam's address in officers.csv is
    # dead ("no such user"), once.
    assert [m["To"] for m in out] == [LEE, JO, ADMIN]
    assert council.case().officer_email == LEE
    assert out[2]["Subject"].startswith(f"Mail to {SAM} bounced: check officers.csv")
    alert = _text(out[2])
    assert "(Sam Patel in officers.csv)" in alert and "no such user" in alert
    assert "correct it in officers.csv" in alert and f"is now with {LEE}" in alert
    # The deputy bounces too: Lee has no deputy, so the manager gets it; then nothing more.
    out = council.deliver(_bounce(council, out[0], LEE))
    assert [m["To"] for m in out] == [DANA, JO, ADMIN]
    for _ in range(3):
        assert council.deliver(_bounce(council, assignment, SAM)) == []
    assert len(council.events("undeliverable")) == 5
    assert [e.detail.split(":")[0] for e in council.events("officer address bounced")] == [
        SAM, LEE]
    sent = rows(council.app, OutboxRow)
    assert not any("mailer-daemon" in r.recipients.lower() for r in sent)


# -- follow-ups ---------------------------------------------------------------------


def _answer(council: Council, ack: EmailMessage, now: datetime) -> None:
    council.deliver(
        council.mail(
            f"Sam Patel <{SAM}>",
            f"RE: {ack['Subject']}",
            "It was filled this morning.",
            cc=JO,
            in_reply_to=ack["Message-ID"],
        ),
        now=now,
    )


def test_a_follow_up_within_the_window_reopens_the_same_case(council: Council) -> None:
    ack = _open_pothole(council)[JO]
    _answer(council, ack, NOW + timedelta(days=1))  # answered Thursday 26 November
    assert council.case().status == "responded"
    later = NOW + timedelta(days=6)  # Tuesday 1 December: 3 working days on
    out = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            f"Re: {ack['Subject']}",
            "It is back already.",
            in_reply_to=ack["Message-ID"],
            date=later,  # the reopened clock counts from when the member wrote
        ),
        now=later,
    )
    to = {str(m["To"]): m for m in out}
    assert set(to) == {JO, SAM}
    assert "reopened" in _text(to[JO]) and "Tuesday 15 December 2026" in _text(to[JO])
    assert len(rows(council.app, CaseRow)) == 1
    case = council.case()
    assert case.status == "open" and case.response_due.isoformat() == "2026-12-15"  # type: ignore[union-attr]
    assert len(council.events("reopened")) == 1
    assert [r.action for r in rows(council.app, ClockEventRow)] == ["stop", "restart"]


def test_a_follow_up_after_the_window_opens_a_linked_case(council: Council) -> None:
    ack = _open_pothole(council)[JO]
    _answer(council, ack, NOW + timedelta(days=1))
    later = NOW + timedelta(days=14)  # 9 December: past 5 working days
    out = council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>",
            f"Re: {ack['Subject']}",
            "It is back again.",
            in_reply_to=ack["Message-ID"],
        ),
        now=later,
    )
    first, second = rows(council.app, CaseRow)
    assert second.parent_id == first.id and first.status == "responded"
    assert second.officer_email == SAM  # the officer of the earlier case
    to = {str(m["To"]): m for m in out}
    assert set(to) == {JO, SAM}
    assert "following up MB-2026-00001" in _text(to[SAM])
    assert council.events("follow-up case")[0].case_id == second.id


# -- directory ----------------------------------------------------------------------


def test_a_member_added_to_the_csv_is_known_at_the_next_message(council: Council) -> None:
    newcomer = "new.member@council.gov.uk"
    out = council.deliver(council.mail(newcomer, "Pothole", "Hello", cc=SAM))
    # A stranger: triage, no reply to them, and they cannot pick an officer by copying one in.
    assert [m["To"] for m in out] == ["triage@council.gov.uk"]
    assert "not from a known member" in _text(out[0])
    assert council.case().status == "needs_triage"
    members = council.home / "members.csv"
    with members.open("a", encoding="utf-8") as handle:
        handle.write(f"Cllr New Member,{newcomer},Castle,en\n")
    os.utime(members, ns=(1, 4_000_000_000_000_000_000))
    out = council.deliver(council.mail(newcomer, "Pothole again", "Hello", cc=SAM))
    assert {str(m["To"]) for m in out} == {newcomer, SAM}
    assert council.case().known_member is True


# -- the command line ----------------------------------------------------------------


def test_cases_by_officer_and_case_with_its_officer_mail_and_timeline(council: Council) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app as cli
    from mailbot.console import describe_case, query_cases

    assignment = _open_pothole(council)[SAM]
    _open_pothole(council, cc="", subject="Missed bin collection")
    council.deliver(
        council.mail(
            f"Cllr Jo Bloggs <{JO}>", "CONFIDENTIAL: rent arrears", "Private: Mr Y owes.", cc=SAM
        )
    )
    council.deliver(council.reply(assignment, SAM, 'EXTEND 2 "parts on order"'))
    mine = query_cases(council.app, NOW, officer=SAM.upper())
    assert [c.ref for c in mine] == ["MB-2026-00001", "MB-2026-00003"]
    assert mine[1].subject == "(confidential)"

    text = describe_case(council.app, "mb-2026-00001")
    assert text is not None
    assert "officer: Sam Patel <sam.patel@council.gov.uk>, highways" in text
    assert "alternative contact: Lee Wong <lee.wong@council.gov.uk>" in text
    assert "assignment" in text and "extension_notice" in text and "command_reply" in text
    assert 'EXTEND 2 "parts on order" (assigned officer, reply)' in text
    assert "Extended on" in text  # the clock explanation says why the date moved

    confidential = describe_case(council.app, "MB-2026-00003")
    assert confidential is not None and "Mr Y" not in confidential and "arrears" not in confidential

    config = str(council.home / "mailbot.toml")
    runner = CliRunner()
    shown = runner.invoke(cli, ["case", "MB-2026-00003", "--message", "--config", config])
    assert shown.exit_code == 0 and "Private: Mr Y owes." in shown.output
    listed = runner.invoke(cli, ["cases", "--officer", SAM, "--json", "--config", config])
    assert listed.exit_code == 0
    assert [line.count(SAM) > 0 for line in listed.output.strip().splitlines()] == [True, True]
    missing = runner.invoke(cli, ["case", "MB-2026-09999", "--config", config])
    assert missing.exit_code != 0


def test_a_managers_reply_to_the_digest_opens_no_case(council: Council) -> None:
    from mailbot import outbox
    from mailbot.compose import Envelope
    from mailbot.digest.keys import digest_key
    from mailbot.render import Rendered

    with council.app.store.transaction() as session:
        digest = outbox.queue(
            session,
            purpose="digest",
            dedup_key=digest_key(DANA, "council", f"{NOW:%G-W%V}"),
            case=None,
            rendered=Rendered("Weekly digest", "text", "<p>html</p>"),
            envelope=Envelope(sender=MAILBOX, sender_name="Member Enquiries", to=(DANA,)),
            now=NOW,
        )
        assert digest is not None
        digest_id = digest.message_id
    council.deliver(
        council.mail(DANA, "RE: Weekly digest", "Thanks, noted.", in_reply_to=digest_id)
    )
    assert rows(council.app, CaseRow) == []
    assert rows(council.app, MessageRow)[-1].reason == "reply to our digest"
    # Nothing answered the manager: the digest is all the outbox holds (it is itself
    # withdrawn at send time: Dana gets no digest in this council's config).
    [digest_row] = rows(council.app, OutboxRow)
    assert digest_row.purpose == "digest", digest_row.last_error
    assert digest_row.last_error == f"{DANA} no longer gets the council digest"
    assert DANA not in [str(parse_sent(mime)["To"]) for _, mime in council.server.outgoing]


@pytest.mark.parametrize(
    ("answered", "wrote", "within"),
    [
        # Answered Thursday 26 Nov; 5 working days on is Thursday 3 Dec (end of that day).
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), datetime(2026, 12, 3, 22, 0, tzinfo=UTC), True),
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC), False),
        # Answered Friday 18 Dec: day 5 is Tuesday 29 Dec, as Christmas Day and Boxing Day
        # (moved to Monday 28th) do not count.
        (
            datetime(2026, 12, 18, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 29, 20, 0, tzinfo=UTC),
            True,
        ),
        (
            datetime(2026, 12, 18, 15, 0, tzinfo=UTC),
            datetime(2026, 12, 30, 9, 0, tzinfo=UTC),
            False,
        ),
    ],
)
def test_the_follow_up_window_counts_working_days(
    council: Council, answered: datetime, wrote: datetime, within: bool
) -> None:
    from mailbot.cases import within_follow_up_window

    case = CaseRow(responded_at=answered)
    assert within_follow_up_window(council.app, case, wrote) is within


def test_a_strangers_tag_is_not_trusted_even_on_their_own_case(council: Council) -> None:
    stranger = "resident@home.example"
    council.deliver(council.mail(stranger, "Bins", "My bin was missed."))
    first = council.case()
    assert first.status == "needs_triage"
    council.deliver(council.mail(stranger, f"More about it [{first.ref}]", "And again."))
    # On the case it names, for a person to check, but not as the member's follow-up:
    # nobody is answered and the case still waits in triage (thread_senders.py).
    [case] = rows(council.app, CaseRow)
    assert case.status == "needs_triage"
    [note] = [e for e in rows(council.app, EventRow) if e.action == "follow-up"]
    assert note.case_id == case.id and "not taken as the member's" in note.detail
    assert stranger not in {r.recipients for r in rows(council.app, OutboxRow)}


def test_relabelling_to_a_kind_the_officer_acknowledges_moves_the_duty_to_them(
    tmp_path: Path,
) -> None:
    from mailbot.model import Kind
    from mailbot.triage import relabel_case

    with _council(tmp_path / "hackney", policy="hackney") as hackney:
        hackney.deliver(
            hackney.mail(f"Cllr Jo Bloggs <{JO}>", "Potholes on Castle Road",
                         "Could highways look at the potholes on Castle Road?", cc=SAM)
        )
        case = hackney.case()
        assert case.kind == "enquiry" and case.acknowledged_at == NOW  # mailbot's ack counts
        later = NOW + timedelta(hours=1)
        relabel_case(hackney.app, case.ref, Kind.COMPLAINT, who=ADMIN, now=later)
        case = hackney.case()
        assert case.acknowledged_at is None  # the receipt is not the Director's acknowledgement
        monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        jobs.send_reminders(hackney.app, monday)
        assert [r.recipients for r in rows(hackney.app, OutboxRow)
                if r.purpose == "ack_reminder"] == [case.officer_email]
        relabel_case(hackney.app, case.ref, Kind.ENQUIRY, who=ADMIN, now=later)
        assert hackney.case().acknowledged_at == NOW  # back to mailbot's, when it was queued


def test_a_bilingual_council_sends_officers_the_assignment_in_welsh_and_english(
    tmp_path: Path,
) -> None:
    """Cardiff (policy language cy-en): like its reminders, the assignment is in both
    languages, Welsh first for a member who prefers Welsh, the member's words quoted once."""
    with _council(tmp_path / "cardiff", policy="cardiff") as cardiff:
        out = cardiff.deliver(
            cardiff.mail("Cllr Siân Evans <sian.evans@council.gov.uk>", "Twll yn y ffordd",
                         "Mae twll mawr yn y ffordd ger yr ysgol.", cc=SAM)
        )
        [to_sam] = [m for m in out if str(m["To"]) == SAM]
        assert str(to_sam["Subject"]).startswith("Ymholiad / Enquiry from Cllr Siân Evans")
        text = _text(to_sam)
        assert text.index("Annwyl Sam Patel") < text.index("Dear Sam Patel")
        assert "Mae achos newydd gyda chi." in text and "A new case is with you." in text
        assert text.count("> Mae twll mawr yn y ffordd ger yr ysgol.") == 1
        assert "The message is quoted in the Welsh part above." in text
        assert "REASSIGN enw@council.gov.uk" in text and "REASSIGN name@council.gov.uk" in text

        out = cardiff.deliver(
            cardiff.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole by the school",
                         "There is a large pothole by the school.", cc=SAM)
        )
        [to_sam] = [m for m in out if str(m["To"]) == SAM]
        text = _text(to_sam)
        assert text.index("Dear Sam Patel") < text.index("Annwyl Sam Patel")  # English first
        assert text.count("> There is a large pothole by the school.") == 1
        assert "Mae'r neges wedi'i dyfynnu yn y rhan Saesneg uchod." in text
        html = body_text(to_sam, "html")
        assert "Annwyl Sam Patel" in html and "Dear Sam Patel" in html
