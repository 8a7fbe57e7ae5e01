"""The ordered stages for one message, all inside one database transaction.

ledger → parse → spam verdict → loop guard → sender check → officer commands → thread →
an officer's answer to a member naming no case (untagged_answer.py) → a command that names
no case → a thank-you naming no case → classify → case + clock → outbox rows. Each stage either
settles the message (returns an Outcome) or lets the next one look at it. Stages write
rows; none of them sends anything. The message on its way is an Intake
(mailbot/intake.py); mail about a case already open or answered is the thread stage's
(mailbot/thread_mail.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import absence, acknowledgement, answered, assignment, cases, commands, ledger
from mailbot.addresses import same_address
from mailbot.assignment import Headline
from mailbot.commands.authority import disowned, may_answer
from mailbot.commands.verify import may_be_forged
from mailbot.digest.keys import PURPOSE as DIGEST
from mailbot.intake import Intake, Outcome, Stage, receipt_time
from mailbot.loops import detect_automatic
from mailbot.member_thanks import thanks_in_reply
from mailbot.model import CaseStatus, FetchedMessage, MessageStatus, ParsedMessage
from mailbot.own_relay import as_sent_before_relay
from mailbot.parse import ParseFailure, parse_message
from mailbot.recall import member_recall
from mailbot.reminders import SUMMARY
from mailbot.spam import spam_verdict
from mailbot.store.tables import CaseRow, MessageRow
from mailbot.thread import (
    answers_caseless_mail,
    our_mail_answered,
    same_member,
    sent_to_officer,
    tagged_case,
)
from mailbot.thread_case import answers_as_the_mailbox, officers_answer_in_robots_words
from mailbot.thread_mail import follow_thread
from mailbot.thread_senders import follow_named_case
from mailbot.untagged_answer import PURPOSE as UNTAGGED_ANSWER
from mailbot.untagged_answer import officer_answer_without_case

if TYPE_CHECKING:
    from mailbot.app import App


def reject_spam(it: Intake) -> Outcome | None:
    verdict = spam_verdict(it.message)
    return it.settle(MessageStatus.IGNORED, f"spam filter verdict: {verdict}") if verdict else None


def drop_automatic(it: Intake) -> Outcome | None:
    verdict = detect_automatic(it.message)
    if verdict is None or officers_answer_in_robots_words(it):
        return None
    it.row.automatic = verdict.automatic.value
    ledger.record_event(
        it.session,
        it.now,
        "loop-guard",
        "automatic",
        f"{verdict.automatic}: {verdict.reason}",
        message=it.row,
    )
    # A member's Outlook recall is never answered either, but their case's officer is
    # told of it (or a person, if it matches no case): mailbot/recall.py.
    recalled = member_recall(it)
    if recalled is not None:
        return recalled
    # An officer's out-of-office or a bounce of our mail tells us about a case; it is
    # still automatic mail and is never answered.
    case = absence.note_automatic(it.app, it.session, it.row, it.message, verdict, it.now)
    return it.settle(MessageStatus.AUTOMATIC, f"{verdict.automatic}: {verdict.reason}", case)


def require_sender(it: Intake) -> Outcome | None:
    if it.message.sender is None:
        return it.settle(MessageStatus.QUARANTINED, "no usable From address")
    return None


def ignore_own_mailbox(it: Intake) -> Outcome | None:
    sender = it.message.sender
    inbox = it.fetched.folder == "inbox"
    if inbox and sender and same_address(sender.email, it.app.mailbox_address):
        if answers_as_the_mailbox(it):
            return None  # an officer's answer sent as the mailbox: the thread stage's
        return it.settle(MessageStatus.IGNORED, "sent from the shared mailbox itself")
    return None


def officer_commands(it: Intake) -> Outcome | None:
    """A reply to our mail to an officer (assignment, reminder, redirect) carries a
    command or a question for us, not an answer to the member. A message that only
    names a case by its [MB-] tag is looked at too when its first line is a command, so
    a command from the wrong person is refused and recorded against the case."""
    if it.fetched.folder != "inbox":
        return None
    sender = it.message.sender
    assert sender is not None
    found = our_mail_answered(it.session, it.message)
    if found is not None and sent_to_officer(*found):
        case, via = found[1], "reply"
    else:
        digest = answers_caseless_mail(it.session, it.message)
        if digest is not None and digest.purpose in ASKS_FOR_A_REFERENCE and isinstance(
            commands.parse_command(it.message.text), commands.Command
        ) and may_answer(it.app, sender.email):
            # DONE in answer to an officer's daily summary, which lists many cases, to a
            # manager's weekly digest, or to the question which case their new mail
            # answered ("DONE MB-2026-00042"):
            # staff_command_without_case applies it to the case it names, or tells the
            # officer it named no case and how to name one. From anyone else (a
            # whole-council reader of the digest who is not staff) nothing would apply it:
            # it is left alone below, never opened as a member's enquiry.
            return None
        if digest is not None and it.app.directory.member(sender.email) is None:
            # A manager answering the weekly digest is talking to people, not to us:
            # recorded, and no case is opened for it.
            ledger.record_event(
                it.session,
                it.now,
                sender.email,
                "reply to our mail",
                f"a reply to our {digest.purpose}; not a case",
                message=it.row,
            )
            return it.settle(MessageStatus.IGNORED, f"reply to our {digest.purpose}")
        tagged = tagged_case(it.session, it.message)
        if tagged is None or not isinstance(
            commands.parse_command(it.message.text), commands.Command
        ):
            return None
        case, via = tagged, "subject tag"
    if same_member(it.app.directory, sender.email, case.member_email) or answered.to_the_member(
        case, it.message, it.app.directory
    ):
        return None  # the member writing (from any of their addresses), or an answer to them
    given_at = cases.clock_time(it.session, case, receipt_time(it.message, it.row.received_at))
    what, queued = commands.handle(
        it.app, it.session, case, it.message, it.row, it.now, via=via, given_at=given_at
    )
    it.queued.extend(queued)
    status = MessageStatus.IGNORED if what == "command refused" else MessageStatus.PROCESSED
    return it.settle(status, what, case)


def staff_command_without_case(it: Intake) -> Outcome | None:
    """A command from staff that nothing above tied to a case: not a reply to our mail,
    no case tag, not in a case's thread. It is not a member's enquiry, so no case is
    opened for it; the sender is told how to name the case. From anyone else (or a member
    who is also on the staff list) it goes on as ordinary mail."""
    sender = it.message.sender
    assert sender is not None
    if it.fetched.folder != "inbox" or it.app.directory.member(sender.email) is not None:
        return None
    if not may_answer(it.app, sender.email):
        return None
    command = commands.parse_command(it.message.text)
    if not isinstance(command, commands.Command):
        return None
    what, queued = commands.handle_without_case(
        it.app, it.session, command, it.message, it.row, it.now
    )
    it.queued.extend(queued)
    return it.settle(MessageStatus.IGNORED, what)


def _hold_for_a_person(it: Intake, case: CaseRow, why: str) -> None:
    """Mail in a member's name that may not be theirs (their own domain disowns it, or
    From named no address to check) may be forged: the member is not written to about
    something they may never have sent, and the case waits in triage for a person."""
    case.status = CaseStatus.NEEDS_TRIAGE
    ledger.record_event(
        it.session, it.now, "mailbot", "not acknowledged",
        f"{why}, so it may be forged; not acknowledged, left for triage",
        case=case, message=it.row,
    )


def ignore_thanks_without_case(it: Intake) -> Outcome | None:
    """A thank-you in a thread mailbot has no case for (the officer answered the member
    from their own mailbox, without the shared one) is not an enquiry: no case is opened,
    so nobody is told it will be answered."""
    sender = it.message.sender
    assert sender is not None
    member = it.app.directory.member(sender.email)
    if it.parent is not None or not thanks_in_reply(
        it.message, member, it.app.settings.council.name
    ):
        return None
    return it.settle(MessageStatus.IGNORED, "thanks in a thread with no case; no case opened")


def open_case(it: Intake) -> Outcome | None:
    classification = it.app.classifier.classify(it.message)
    # Counted from when the mail reached us, which is `now` except when a quarantined
    # message is run again later (`mailbot quarantine retry`).
    received = receipt_time(it.message, it.row.received_at)
    case = cases.open_case(
        it.app,
        it.session,
        it.message,
        classification,
        received=received,
        now=it.now,
        parent=it.parent,
    )
    assigned = cases.assign_case(it.app, it.session, case, it.message, it.now, parent=it.parent)
    held = disowned(it.message)
    if held:
        _hold_for_a_person(it, case, held)
    elif acknowledgement.should_acknowledge(it.app, case):
        it.queued.append(
            acknowledgement.queue_acknowledgement(it.app, it.session, case, it.message, it.now)
        )
    if case.officer_email:
        queued = assignment.queue_officer_mail(
            it.app,
            it.session,
            case,
            to=case.officer_email,
            purpose="assignment",
            dedup_key=f"assignment:{it.message.message_id}"[:200],
            headline=_assignment_headline(it, case, held),
            why=assigned.why,
            message=it.message,
            now=it.now,
        )
        if queued:
            it.queued.append(queued)
    return it.settle(MessageStatus.PROCESSED, f"opened as {case.kind}", case)


def _assignment_headline(it: Intake, case: CaseRow, held: str) -> Headline:
    if held:  # the officer must not act on it, nor take the member to have been told
        return may_be_forged(case.member_name or case.member_email, held)
    if it.parent is not None:
        ref = it.parent.ref
        return Headline(
            f"A new case, following up {ref} (answered earlier), is with you.",
            f"Mae achos newydd, yn dilyn {ref} (a atebwyd yn gynharach), gyda chi.",
        )
    if not case.known_member:
        return Headline(
            "This message is not from a known member: please check it and route it.",
            "Nid yw'r neges hon gan aelod hysbys: gwiriwch hi a'i chyfeirio.",
        )
    return Headline("A new case is with you.", "Mae achos newydd gyda chi.")


STAGES: tuple[Stage, ...] = (
    reject_spam,
    drop_automatic,
    require_sender,
    ignore_own_mailbox,
    officer_commands,
    follow_thread,
    # Mail from an address on no list naming a case in its subject: on that case, not
    # taken as its member's (thread_senders).
    follow_named_case,
    # Before commands naming no case: mail to the member is an answer to them, not a
    # command to us, even if it starts "Done - the crew filled it" (as officer_commands).
    officer_answer_without_case,
    staff_command_without_case,
    ignore_thanks_without_case,
    open_case,
)

# Our caseless mail whose reply is a command naming its case by reference: the officer's
# daily summary, the question which case a mail answered, and the weekly digest, whose
# lists of cases a manager acts on ("MB-2026-00042 REASSIGN name@..."); a reply to the
# digest with no command ("Thanks, noted") is still left alone (officer_commands).
ASKS_FOR_A_REFERENCE = (SUMMARY, UNTAGGED_ANSWER, DIGEST)


def _parse(app: App, raw: bytes) -> ParsedMessage | ParseFailure:
    """The message as its sender sent it: past the council's own list relay, if any."""
    parsed = parse_message(raw)
    if isinstance(parsed, ParseFailure):
        return parsed
    return as_sent_before_relay(parsed, app.settings.loops.relay_list_ids)


def process(app: App, session: Session, fetched: FetchedMessage, now: datetime) -> Outcome:
    """Run one fetched message through every stage. Never raises for bad mail."""
    message_id, seen = ledger.ledger_key(session, fetched.raw)
    if seen is not None:
        ledger.count_duplicate(session, seen, now)
        return Outcome(message_id, MessageStatus.DUPLICATE, "Message-ID seen before")
    parsed = _parse(app, fetched.raw)
    if isinstance(parsed, ParsedMessage) and parsed.message_id != message_id:
        # A reused Message-ID: this mail's own key, so its case, acknowledgement and
        # assignment are its own (their dedup keys are made from it).
        parsed = replace(parsed, message_id=message_id)
    row = ledger.record_message(session, fetched, message_id, now, parsed)
    return _run_stages(app, session, row, parsed, fetched, now)


def reprocess(app: App, session: Session, row: MessageRow, now: datetime) -> Outcome:
    """Run a recorded message through the stages again, from the raw bytes the ledger kept:
    a quarantined one after a fix, or once its sender is in the directory; list mail from
    the council's own relay once [loops] relay_list_ids names it (mailbot/relayed.py).
    Its row is reused, so it is still one message, and its clock counts from when it
    first arrived."""
    fetched = FetchedMessage(ref=row.backend_ref, raw=row.raw, folder=row.folder)
    parsed = _parse(app, row.raw)
    ledger.note_parsed(row, parsed)
    row.status, row.reason = MessageStatus.RECEIVED, ""
    row.automatic = None  # judged afresh: mail once taken for a robot's may not be one
    return _run_stages(app, session, row, parsed, fetched, now)


def _run_stages(
    app: App,
    session: Session,
    row: MessageRow,
    parsed: ParsedMessage | ParseFailure,
    fetched: FetchedMessage,
    now: datetime,
) -> Outcome:
    if isinstance(parsed, ParseFailure):
        ledger.record_event(session, now, "parser", "quarantined", parsed.reason, message=row)
        row.status, row.reason = MessageStatus.QUARANTINED, parsed.reason
        return Outcome(row.message_id, MessageStatus.QUARANTINED, parsed.reason)
    app.directory.refresh()  # a stat of each CSV: edits apply to the next message
    intake = Intake(app, session, row, parsed, fetched, now)
    for stage in STAGES:
        outcome = stage(intake)
        if outcome is not None:
            return outcome
    raise AssertionError("open_case always settles the message")
