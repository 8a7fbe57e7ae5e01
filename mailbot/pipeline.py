"""The ordered stages for one message, all inside one database transaction.

ledger → parse → spam verdict → loop guard → sender check → officer commands → thread →
classify → case + clock → outbox rows. Each stage either settles the message (returns an
Outcome) or lets the next one look at it. Stages write rows; none of them sends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import absence, assignment, cases, commands, ledger
from mailbot.assignment import Headline
from mailbot.classify.text import is_thanks_only
from mailbot.commands.authority import disowned
from mailbot.loops import detect_automatic
from mailbot.model import FINISHED, CaseStatus, FetchedMessage, MessageStatus, ParsedMessage
from mailbot.own_relay import as_sent_before_relay
from mailbot.parse import ParseFailure, parse_message
from mailbot.spam import spam_verdict
from mailbot.store.tables import CaseRow, MessageRow
from mailbot.thread import (
    answers_caseless_mail,
    find_case,
    our_mail_answered,
    same_member,
    sent_to_officer,
    tagged_case,
)

if TYPE_CHECKING:
    from mailbot.app import App

PLAUSIBLE_DATE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Outcome:
    message_id: str
    status: MessageStatus
    reason: str = ""
    case_ref: str | None = None
    queued: tuple[str, ...] = ()  # outbox purposes written for this message


@dataclass
class Intake:
    """One message on its way through the stages."""

    app: App
    session: Session
    row: MessageRow
    message: ParsedMessage
    fetched: FetchedMessage
    now: datetime
    queued: list[str] = field(default_factory=list)
    parent: CaseRow | None = None  # an answered case this message follows up, past its window

    def settle(
        self, status: MessageStatus, reason: str = "", case: CaseRow | None = None
    ) -> Outcome:
        self.row.status = status
        self.row.reason = reason
        if case is not None:
            self.row.case_id = case.id
        return Outcome(
            self.row.message_id, status, reason, case.ref if case else None, tuple(self.queued)
        )


Stage = Callable[[Intake], Outcome | None]


def receipt_time(message: ParsedMessage, now: datetime) -> datetime:
    """When the member sent it, if their Date header is believable; else when we saw it.

    A daemon that was down over a weekend must not push a Friday message's clock to
    Monday, but a wrong or forged Date must not move a deadline into the past either.
    """
    if message.date and now - PLAUSIBLE_DATE_WINDOW <= message.date <= now:
        return message.date
    return now


def reject_spam(it: Intake) -> Outcome | None:
    verdict = spam_verdict(it.message)
    return it.settle(MessageStatus.IGNORED, f"spam filter verdict: {verdict}") if verdict else None


def drop_automatic(it: Intake) -> Outcome | None:
    verdict = detect_automatic(it.message)
    if verdict is None:
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
    if it.fetched.folder == "inbox" and sender and sender.email == it.app.mailbox_address:
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
    if same_member(it.app.directory, sender.email, case.member_email) or cases.to_the_member(
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


def follow_thread(it: Intake) -> Outcome | None:
    case = find_case(it.session, it.message, it.app.directory)
    if case is None:
        if it.fetched.folder == "sent":
            return it.settle(MessageStatus.IGNORED, "sent item not about a case")
        return None
    sender = it.message.sender
    assert sender is not None
    # Clock events are dated when the mail was sent, not when we got round to it.
    at = cases.clock_time(it.session, case, receipt_time(it.message, it.row.received_at))
    if it.fetched.folder == "sent" and not cases.to_the_member(case, it.message, it.app.directory):
        # Sent from the shared mailbox about the case, but not to the member (to a
        # colleague, say): no answer, so the clock runs on.
        return it.settle(MessageStatus.IGNORED, "sent item not to the member", case)
    forged = "" if it.fetched.folder == "sent" else _failed_checks(it, case)
    if forged:
        return _untrusted_in_thread(it, case, forged)
    if it.fetched.folder == "sent" or cases.is_response(
        case, it.message, it.app.directory, it.app.mailbox_address
    ):
        if cases.officer_acknowledges(it.app, case):
            cases.record_acknowledgement(it.session, case, sender.email, at)
            return it.settle(
                MessageStatus.PROCESSED,
                "acknowledgement to the member recorded; the response clock runs on",
                case,
            )
        cases.record_response(it.session, case, sender.email, at)
        return it.settle(MessageStatus.PROCESSED, "response to the member recorded", case)
    if _staff(it.app, sender.email) and not same_member(
        it.app.directory, sender.email, case.member_email
    ):
        # An officer writing in the thread without the member (to a colleague, or a note to
        # the mailbox) has not answered them: a command there is applied as one, anything
        # else is noted and the officer told how to close the case.
        what, queued = commands.handle(
            it.app, it.session, case, it.message, it.row, it.now, via="thread", given_at=at
        )
        it.queued.extend(queued)
        status = MessageStatus.IGNORED if what == "command refused" else MessageStatus.PROCESSED
        return it.settle(status, what, case)
    if sender.email == case.member_email and case.status in FINISHED:
        return _member_wrote_again(it, case, at)
    cases.record_follow_up(it.session, case, it.row, sender.email, it.now)
    headline = WROTE_AGAIN
    if sender.email == case.member_email and cases.resume_on_member_reply(
        it.app, it.session, case, it.row, at
    ):
        headline = WROTE_AGAIN_CLOCK_RUNS
    elif is_thanks_only(it.message.text, it.message.subject):
        # A thank-you for the acknowledgement: on the case, but no mail to the officer.
        return it.settle(MessageStatus.PROCESSED, "thanks added to the case", case)
    elif not same_member(it.app.directory, sender.email, case.member_email):
        # Anyone who has the thread (a resident copied in, or someone quoting the
        # reference) can write in it: the officer must not take them for the member.
        headline = _not_the_member(sender.email)
    _tell_officer(it, case, headline, "update")
    return it.settle(MessageStatus.PROCESSED, "follow-up added to the case", case)


def _failed_checks(it: Intake, case: CaseRow) -> str:
    """Why mail in a case's thread may be forged, or "". In an officer's or anyone else's
    name, any failed check counts, as for a command (a forged answer to the member would
    stop the clock like DONE); in the member's name, only DMARC, as for a new case (SPF
    alone fails on ordinary forwarding)."""
    sender = it.message.sender
    assert sender is not None
    if same_member(it.app.directory, sender.email, case.member_email):
        return disowned(it.message)
    return commands.failed_authentication(it.message)


def _untrusted_in_thread(it: Intake, case: CaseRow, forged: str) -> Outcome:
    """Mail the receiving server says may be forged changes nothing on the case (no
    answer recorded, no reopening, no clock started again); the officer sees it, warned."""
    sender = it.message.sender
    assert sender is not None
    ledger.record_event(
        it.session, it.now, sender.email, "not trusted",
        f"{forged}; may be forged, the case is unchanged",
        case=case, message=it.row,
    )
    _tell_officer(it, case, Headline(
        f"Mail in this case's thread in the name of {sender.email} could not be checked as "
        f"theirs ({forged}), so it may be forged and has changed nothing. Check with the "
        "sender another way before acting on it.",
        f"Ni ellid gwirio bod post yn edefyn yr achos hwn yn enw {sender.email} yn dod "
        f"ganddynt ({forged}), felly gallai fod yn ffug ac nid yw wedi newid dim. Holwch yr "
        "anfonwr mewn ffordd arall cyn gweithredu arno.",
    ), "update")
    return it.settle(MessageStatus.PROCESSED, f"not trusted ({forged}); case unchanged", case)


def _not_the_member(sender: str) -> Headline:
    return Headline(
        f"{sender}, who is not the member, has written in this case's thread. Check who "
        "they are before acting on it or sending them anything about the case.",
        f"Mae {sender}, nad yw'n aelod, wedi ysgrifennu yn edefyn yr achos hwn. Gwiriwch "
        "pwy ydynt cyn gweithredu arno neu anfon unrhyw beth atynt am yr achos.",
    )


def _staff(app: App, address: str) -> bool:
    """An officer in the directory or an administrator: people mailbot answers."""
    admins = {a.lower() for a in app.settings.directory.admins}
    return app.directory.officer(address) is not None or address in admins


def _member_wrote_again(it: Intake, case: CaseRow, at: datetime) -> Outcome | None:
    """After the answer: within the pack's window the same case reopens with a fresh
    response clock; after it, a new case is opened, linked to this one. `at` is when the
    member wrote (cases.clock_time). A reply that only says thank you does neither."""
    if is_thanks_only(it.message.text, it.message.subject):
        ledger.record_event(
            it.session, at, case.member_email, "thanks", "the member thanked us for the answer",
            case=case, message=it.row,
        )
        return it.settle(MessageStatus.PROCESSED, "thanks for the answer; stays answered", case)
    if not cases.within_follow_up_window(it.app, case, at):
        it.parent = case
        return None
    cases.reopen_case(it.app, it.session, case, it.row, case.member_email, at)
    if cases.should_acknowledge(it.app, case):
        queued = commands.tell_member(
            it.app, it.session, case, it.row, it.now, "reopened", {}, in_reply_to=it.message
        )
        it.queued.extend(queued)
    _tell_officer(it, case, REOPENED, "reopened")
    return it.settle(MessageStatus.PROCESSED, "case reopened by the member's follow-up", case)


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


def _tell_officer(it: Intake, case: CaseRow, headline: Headline, purpose: str) -> None:
    if not case.officer_email:
        return
    queued = assignment.queue_officer_mail(
        it.app,
        it.session,
        case,
        to=case.officer_email,
        purpose=purpose,
        dedup_key=f"{purpose}:{it.row.message_id}"[:200],
        headline=headline,
        why="",
        message=it.message,
        now=it.now,
        subject_prefix="Update: ",
    )
    if queued:
        it.queued.append(queued)


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
    elif cases.should_acknowledge(it.app, case):
        it.queued.append(cases.queue_acknowledgement(it.app, it.session, case, it.message, it.now))
    if case.officer_email:
        queued = assignment.queue_officer_mail(
            it.app,
            it.session,
            case,
            to=case.officer_email,
            purpose="assignment",
            dedup_key=f"assignment:{it.message.message_id}"[:200],
            headline=_assignment_headline(it, case),
            why=assigned.why,
            message=it.message,
            now=it.now,
        )
        if queued:
            it.queued.append(queued)
    return it.settle(MessageStatus.PROCESSED, f"opened as {case.kind}", case)


def _assignment_headline(it: Intake, case: CaseRow) -> Headline:
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


# What an officer is told when a member writes again about a case of theirs.
WROTE_AGAIN = Headline(
    "The member has written again about this case.",
    "Mae'r aelod wedi ysgrifennu eto am yr achos hwn.",
)
WROTE_AGAIN_CLOCK_RUNS = Headline(
    f"{WROTE_AGAIN.en} The clock you paused is running again: see the new date below.",
    f"{WROTE_AGAIN.cy} Mae'r cloc a oedwyd gennych yn rhedeg eto: gweler y dyddiad newydd isod.",
)
REOPENED = Headline(
    "The member has written again after the answer, so the case is open again with a new "
    "response date.",
    "Mae'r aelod wedi ysgrifennu eto ar ôl yr ateb, felly mae'r achos ar agor eto gyda "
    "dyddiad ymateb newydd.",
)


STAGES: tuple[Stage, ...] = (
    reject_spam,
    drop_automatic,
    require_sender,
    ignore_own_mailbox,
    officer_commands,
    follow_thread,
    open_case,
)


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
