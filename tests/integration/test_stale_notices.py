"""The out-of-office redirect and the reopened-case notice are queued when the auto-reply
or the member's follow-up is read, but may go much later (sending held: an outage, a
password changed). At send time the flush checks each against the case as it is now
(mailbot.still_due): one whose reason has gone (the case answered or closed, moved to
someone else, the absent officer back at work) is withdrawn, kept with the reason, and
never sent. Read as the mail that left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fixtures.smtpd import SmtpServer
from helpers import Council, body_text, parse_sent, rows
from test_stale_reminders import (
    ALEX,
    JO,
    MORGAN,
    SAM,
    SendingRefused,
    SendsThroughSmtp,
    council,
    put_right,
)

from mailbot import leavers
from mailbot.store.tables import OutboxRow

RECEIVED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning
D = JO.partition("@")[2]


def colchester(home: Path) -> Council:
    """Colchester pauses the clock while the officer is away, until someone redirects."""
    return Council(
        home, mailbox=f"memberenquiries@{D}", name="Colchester City Council",
        policy="colchester",
        members=[("Cllr Jo Bloggs", JO, "Castle", "en")],
        officers=[("Sam Patel", SAM, "Highways", MORGAN, ""),
                  ("Alex Jones", ALEX, "Highways", "", ""),
                  ("Morgan Lee", MORGAN, "Highways", "", "")],
        config=f'[routing]\ndefault_officer = "{SAM}"\n',
    )


def enquiry(it: Council) -> EmailMessage:
    left = it.deliver(it.mail(f"Cllr Jo Bloggs <{JO}>", "Pothole on Castle Road",
                              "There is a deep pothole outside no. 12. Can it be repaired?",
                              date=RECEIVED), RECEIVED)
    [assignment] = [m for m in left if str(m["To"]) == SAM]
    return assignment


def auto_reply(it: Council, to: EmailMessage, at: datetime) -> bytes:
    return it.mail(f"Sam Patel <{SAM}>", f"Automatic reply: {to['Subject']}",
                   "I am on leave until 7 December.", in_reply_to=str(to["Message-ID"]),
                   extra="Auto-Submitted: auto-replied", date=at)


def away_while_sending_is_held(it: Council) -> tuple[EmailMessage, SendingRefused]:
    """Sam's assignment goes; his auto-reply is read while the server refuses to send."""
    assignment = enquiry(it)
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    at = RECEIVED + timedelta(minutes=10)
    assert it.deliver(auto_reply(it, assignment, at), at) == []
    return assignment, backend


def handed_to_alex_then_sent(
    it: Council, backend: SendingRefused, later: datetime, reason: str
) -> list[EmailMessage]:
    """While sending is held, an administrator hands the case to Alex at `later`, and
    sending resumes an hour on: the mail that left then."""
    leavers.hand_over(it.app, refs=[it.case().ref], from_officer="", to=ALEX, who="admin",
                      reason=reason, now=later)
    put_right(it, backend, later + timedelta(hours=1))
    return it.flush(later + timedelta(hours=1))


def handed_to_alex_while_held(it: Council, later: datetime) -> list[EmailMessage]:
    """Sam is away while sending is held, and the case goes to Alex (as above)."""
    _, backend = away_while_sending_is_held(it)
    return handed_to_alex_then_sent(it, backend, later, "Alex covers Castle ward")


def tagged(it: Council, sender: str, line: str, at: datetime) -> list[EmailMessage]:
    ref = it.case().ref
    return it.deliver(it.mail(sender, f"RE: Pothole on Castle Road [{ref}]", line, date=at), at)


def redirects(it: Council) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == "ooo_redirect")


def reopened(it: Council) -> list[OutboxRow]:
    return rows(it.app, OutboxRow, OutboxRow.purpose == "reopened")


def to_and_subject(left: list[EmailMessage]) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"])) for m in left]


# -- the out-of-office redirect -------------------------------------------------------


def test_a_redirect_held_back_goes_once_sending_resumes(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        _, backend = away_while_sending_is_held(it)
        put_right(it, backend, RECEIVED + timedelta(hours=1))
        left = it.flush(RECEIVED + timedelta(hours=1))
        [redirect] = redirects(it)
    assert MORGAN in [to for to, _ in to_and_subject(left)]
    assert "Sam Patel is out of the office" in body_text(
        next(m for m in left if str(m["To"]) == MORGAN), "plain")
    assert redirect.status == "sent"


def test_a_redirect_for_a_case_answered_meanwhile_is_withdrawn(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        _, backend = away_while_sending_is_held(it)
        later = RECEIVED + timedelta(hours=1)
        tagged(it, f"Morgan Lee <{MORGAN}>", "DONE", later)
        put_right(it, backend, later + timedelta(hours=1))
        left = it.flush(later + timedelta(hours=1))
        [redirect] = redirects(it)
    assert [s for to, s in to_and_subject(left) if to == MORGAN and not s.startswith("RE:")] == []
    assert redirect.status == "withdrawn" and redirect.sent_at is None
    assert redirect.last_error == "the case was answered"
    # Nor is Jo told, after her answer, that Morgan will now respond.
    assert JO not in [to for to, _ in to_and_subject(left)]
    [told] = rows(it.app, OutboxRow, OutboxRow.purpose == "alternative_contact")
    assert told.status == "withdrawn"


def test_a_redirect_for_a_case_handed_to_someone_else_is_withdrawn(tmp_path: Path) -> None:
    """The administrator moved the case on: Morgan is not told it is now theirs."""
    with council(tmp_path) as it:
        left = to_and_subject(handed_to_alex_while_held(it, RECEIVED + timedelta(hours=1)))
        [redirect] = redirects(it)
    assert MORGAN not in [to for to, _ in left]
    assert ALEX in [to for to, _ in left]
    assert redirect.status == "withdrawn"
    assert redirect.last_error == f"the case is now with {ALEX}"


def test_a_withdrawn_redirect_gives_its_recipient_no_say_over_the_case(
    tmp_path: Path,
) -> None:
    """Morgan could act on the case only because mailbot asked him to. That request was
    withdrawn, never sent, once Alex took the case: Morgan's DONE must not answer it."""
    with council(tmp_path) as it:
        later = RECEIVED + timedelta(hours=1)
        handed_to_alex_while_held(it, later)
        [redirect] = redirects(it)
        assert redirect.status == "withdrawn"
        tagged(it, f"Morgan Lee <{MORGAN}>", "DONE", later + timedelta(hours=2))
        case = it.case()
    assert case.status == "open" and case.officer_email == ALEX


def test_a_request_to_redirect_is_withdrawn_once_the_officer_is_back(tmp_path: Path) -> None:
    """Colchester: the clock paused while Sam is away and Morgan asked to pass the case
    on; Sam is back and resumes it before the request could go."""
    with colchester(tmp_path) as it:
        _, backend = away_while_sending_is_held(it)
        [asked] = redirects(it)
        assert asked.recipients == MORGAN and it.case().status == "paused"
        back = RECEIVED + timedelta(days=1)
        tagged(it, f"Sam Patel <{SAM}>", "RESUME", back)
        put_right(it, backend, back + timedelta(hours=1))
        left = to_and_subject(it.flush(back + timedelta(hours=1)))
        [asked] = redirects(it)
        case = it.case()
    assert case.status == "open" and case.officer_email == SAM
    assert MORGAN not in [to for to, _ in left]
    assert asked.status == "withdrawn"
    assert asked.last_error == f"{SAM} is back: they have acted on the case since"


def test_a_request_to_redirect_is_withdrawn_once_someone_took_the_case(
    tmp_path: Path,
) -> None:
    with colchester(tmp_path) as it:
        left = to_and_subject(handed_to_alex_while_held(it, RECEIVED + timedelta(hours=2)))
        [asked] = redirects(it)
    assert MORGAN not in [to for to, _ in left]
    assert asked.status == "withdrawn"
    assert asked.last_error == f"the case is now with {ALEX}"


def test_a_request_to_redirect_still_goes_while_the_officer_is_away(tmp_path: Path) -> None:
    with colchester(tmp_path) as it:
        _, backend = away_while_sending_is_held(it)
        put_right(it, backend, RECEIVED + timedelta(days=1))
        left = it.flush(RECEIVED + timedelta(days=1))
        [asked] = redirects(it)
    [to_morgan] = [m for m in left if str(m["To"]) == MORGAN]
    assert str(to_morgan["Subject"]).startswith("Please redirect: ")
    assert asked.status == "sent"


# -- the reopened case ----------------------------------------------------------------


def answered_then_reopened_while_held(it: Council) -> tuple[EmailMessage, SendingRefused]:
    """Sam answers with DONE; Jo writes again the next day while sending is held."""
    assignment = enquiry(it)
    answered_at = RECEIVED + timedelta(hours=2)
    it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=answered_at),
               answered_at)
    assert it.case().status == "responded"
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    again = RECEIVED + timedelta(days=1)
    tagged(it, f"Cllr Jo Bloggs <{JO}>", "Thank you, but the pothole is still there.", again)
    assert it.case().status == "open"
    return assignment, backend


def test_a_reopened_notice_held_back_goes_once_sending_resumes(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        _, backend = answered_then_reopened_while_held(it)
        put_right(it, backend, RECEIVED + timedelta(days=1, hours=1))
        left = to_and_subject(it.flush(RECEIVED + timedelta(days=1, hours=1)))
        notices = {row.recipients: row.status for row in reopened(it)}
    assert notices == {SAM: "sent", JO: "sent"}
    assert [to for to, s in left if s.startswith("Update: ")] == [SAM]


def test_a_reopened_notice_for_a_case_answered_again_is_withdrawn(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        assignment, backend = answered_then_reopened_while_held(it)
        later = RECEIVED + timedelta(days=1, hours=2)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = to_and_subject(it.flush(later + timedelta(hours=1)))
        notices = {row.recipients: (row.status, row.last_error) for row in reopened(it)}
    assert [s for to, s in left if s.startswith("Update: ")] == []
    # Nor is Jo told her case is reopened and will be answered by a date: it has been.
    assert JO not in [to for to, _ in left]
    assert notices == {SAM: ("withdrawn", "the case was answered"),
                       JO: ("withdrawn", "the case was answered")}


def test_a_reopened_notice_for_a_case_moved_on_goes_to_its_new_officer(
    tmp_path: Path,
) -> None:
    """Handed to Alex before the notice could go: Sam is not told of a case no longer his,
    and Alex, whose assignment quotes only Jo's first message, is told of her follow-up."""
    with council(tmp_path) as it:
        _, backend = answered_then_reopened_while_held(it)
        later = RECEIVED + timedelta(days=1, hours=2)
        left = handed_to_alex_then_sent(it, backend, later, "Sam is on leave")
        notices = {row.recipients: row.status for row in reopened(it)}
    updates = [m for m in left if str(m["Subject"]).startswith("Update: ")]
    assert [str(m["To"]) for m in updates] == [ALEX]
    for part in ("plain", "html"):
        said = " ".join(body_text(updates[0], part).split())
        assert "Dear Alex Jones" in said
        assert "The member has written again after the answer" in said
        assert "the pothole is still there" in said
    assert notices == {ALEX: "sent", JO: "sent"}
    assert SAM not in [str(m["To"]) for m in left]


@pytest.mark.timeout(60)
def test_smtp_busy_while_a_reopened_case_is_answered_again_sends_neither_notice(
    tmp_path: Path, smtpd: SmtpServer,
) -> None:
    """A real SMTP server answering 451 to everything while Jo's follow-up reopens the
    case and Sam answers it again: once it accepts mail, only the answer to DONE goes."""
    smtpd.reset()
    with council(tmp_path) as it:
        assignment = enquiry(it)
        answered_at = RECEIVED + timedelta(hours=2)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=answered_at),
                   answered_at)
        it.app.backend_override = SendsThroughSmtp(it, smtpd)
        smtpd.fail_next(1000)  # "451 try again later", all day
        again = RECEIVED + timedelta(days=1)
        tagged(it, f"Cllr Jo Bloggs <{JO}>", "Thank you, but the pothole is still there.", again)
        later = again + timedelta(hours=3)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=later), later)
        smtpd.fail_next(0)
        it.flush(later + timedelta(hours=1))
        notices = {row.recipients: (row.status, row.last_error) for row in reopened(it)}
    received = [parse_sent(mail.raw) for mail in smtpd.received]
    assert [(str(m["To"]), str(m["Subject"])[:3]) for m in received] == [(SAM, "RE:")]
    assert "is marked as answered" in body_text(received[0], "plain")
    assert notices == {SAM: ("withdrawn", "the case was answered"),
                       JO: ("withdrawn", "the case was answered")}


def test_an_extension_letter_held_back_is_withdrawn_once_the_case_is_answered(
    tmp_path: Path,
) -> None:
    """Sam extends, then answers Jo the same afternoon from his own mailbox while sending
    is held: Jo is not told afterwards that her full response is still to come."""
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = SendingRefused(it.server)
        it.app.backend_override = backend
        at = RECEIVED + timedelta(days=3)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", 'EXTEND 5 "waiting for a survey"',
                            date=at), at)
        later = at + timedelta(hours=3)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = to_and_subject(it.flush(later + timedelta(hours=1)))
        [letter] = rows(it.app, OutboxRow, OutboxRow.purpose == "extension_notice")
    assert JO not in [to for to, _ in left]
    assert letter.status == "withdrawn" and letter.last_error == "the case was answered"


def test_an_extension_letter_held_back_still_goes_while_the_case_is_open(
    tmp_path: Path,
) -> None:
    with council(tmp_path) as it:
        assignment = enquiry(it)
        backend = SendingRefused(it.server)
        it.app.backend_override = backend
        at = RECEIVED + timedelta(days=3)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", 'EXTEND 5 "waiting for a survey"',
                            date=at), at)
        put_right(it, backend, at + timedelta(hours=1))
        left = it.flush(at + timedelta(hours=1))
    [letter] = [m for m in left if str(m["To"]) == JO]
    assert "The reason, and what is being done: waiting for a survey" in body_text(
        letter, "plain")


# -- an update: more mail in an open case's thread -------------------------------------


def wrote_again_while_held(it: Council) -> tuple[EmailMessage, SendingRefused]:
    """Jo's enquiry is with Sam; she writes more the next morning while sending is held."""
    assignment = enquiry(it)
    backend = SendingRefused(it.server)
    it.app.backend_override = backend
    again = RECEIVED + timedelta(days=1)
    tagged(it, f"Cllr Jo Bloggs <{JO}>", "Residents say a car has damaged a tyre on it now.",
           again)
    return assignment, backend


def updates(left: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in left if str(m["Subject"]).startswith("Update: ")]


def test_an_update_for_a_case_moved_on_goes_to_its_new_officer(tmp_path: Path) -> None:
    with council(tmp_path) as it:
        _, backend = wrote_again_while_held(it)
        later = RECEIVED + timedelta(days=1, hours=2)
        left = handed_to_alex_then_sent(it, backend, later, "Sam is on leave")
    [update] = updates(left)
    assert str(update["To"]) == ALEX
    for part in ("plain", "html"):
        said = " ".join(body_text(update, part).split())
        assert "Dear Alex Jones" in said
        assert "The member has written again about this case." in said
        assert "a car has damaged a tyre on it now" in said
    assert SAM not in [str(m["To"]) for m in left]


def test_an_update_still_goes_to_its_officer_after_the_case_is_answered(
    tmp_path: Path,
) -> None:
    """The member's new words may still need an answer: the update is not withdrawn."""
    with council(tmp_path) as it:
        assignment, backend = wrote_again_while_held(it)
        later = RECEIVED + timedelta(days=1, hours=2)
        it.deliver(it.reply(assignment, f"Sam Patel <{SAM}>", "DONE", date=later), later)
        put_right(it, backend, later + timedelta(hours=1))
        left = it.flush(later + timedelta(hours=1))
    [update] = updates(left)
    assert str(update["To"]) == SAM
    assert "a car has damaged a tyre on it now" in body_text(update, "plain")
