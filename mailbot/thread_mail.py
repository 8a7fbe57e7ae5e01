"""The thread stage: mail about a case already open or answered.

An officer's answer to the member (from their own mailbox with the shared one copied, or
from Sent Items) stops the clock; the member writing again adds to the case, runs a
paused clock again or reopens an answered case; an officer writing in the thread without
the member gives a command or is told how to close the case; mail that may be forged
changes nothing and the officer is warned. Anyone else's mail in the thread (another
member's reply to all, a resident's) is on the case and its officer told who wrote
(thread_senders.py).

This module decides what the mail does to the case. Which case it is about is
thread_case.py; mail not taken at its word (may be forged, or from the officer a
complaint is about) is thread_trust.py; the member's mail while the case is paused (still
paused, or ended and the new date sent) is thread_pause.py; and what the officer is told
is thread_notices.py.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import getaddresses

from mailbot import (
    acknowledgement,
    answered,
    cases,
    commands,
    foi_pause,
    ledger,
    pause_letters,
    thread_senders,
)
from mailbot.addresses import address_key, same_address
from mailbot.complained_about import named_officers, never_named
from mailbot.confidentiality_chase import REQUESTED_IN_THREAD
from mailbot.intake import Intake, Outcome, receipt_time
from mailbot.member_thanks import member_thanks_only
from mailbot.model import FINISHED, Kind, MessageStatus
from mailbot.store.tables import CaseRow
from mailbot.thread import same_member
from mailbot.thread_case import case_of
from mailbot.thread_notices import (
    REOPENED,
    WROTE_AGAIN,
    WROTE_AGAIN_CLARIFIED,
    with_the_law_s_date,
    wrote_again_asks_news,
    wrote_again_clock_runs,
    wrote_again_fee_awaited,
    wrote_again_member_told,
    wrote_again_still_paused,
)
from mailbot.thread_pause import (
    asks_news_only,
    paused_for_someone_else,
    tell_member_clarified,
    tell_member_new_date,
)
from mailbot.thread_senders import staff, tell_officer
from mailbot.thread_trust import (
    complained_about_the_sender,
    failed_checks,
    not_the_response,
    untrusted_in_thread,
)


def follow_thread(it: Intake) -> Outcome | None:
    case = case_of(it)
    if case is None:
        if it.fetched.folder == "sent":
            return it.settle(MessageStatus.IGNORED, "sent item not about a case")
        return None
    sender = it.message.sender
    assert sender is not None
    # Clock events are dated when the mail was sent, not when we got round to it.
    at = cases.clock_time(it.session, case, receipt_time(it.message, it.row.received_at))
    if it.fetched.folder == "sent" and not answered.to_the_member(
        case, it.message, it.app.directory
    ):
        # Sent from the shared mailbox about the case, but not to the member (to a
        # colleague, say): no answer, so the clock runs on.
        return it.settle(MessageStatus.IGNORED, "sent item not to the member", case)
    forged = "" if it.fetched.folder == "sent" else failed_checks(it, case)
    if forged:
        return untrusted_in_thread(it, case, forged)
    if it.fetched.folder == "sent" or answered.is_response(
        case, it.message, it.app.directory, it.app.mailbox_address
    ):
        if it.fetched.folder != "sent":
            about = complained_about_the_sender(it, case)
            if about is not None:
                return not_the_response(it, case, perhaps=about == "perhaps")
        what = answered.record_answer(it.app, it.session, case, _answered_by(it), at)
        return it.settle(MessageStatus.PROCESSED, what, case)
    if staff(it.app, sender.email) and not same_member(
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
    the_member = same_member(it.app.directory, sender.email, case.member_email)
    colleague = not the_member and it.app.directory.member(sender.email) is not None
    if the_member and case.status in FINISHED:
        return _member_wrote_again(it, case, at)
    if the_member and _complains_of_its_officer(it, case):
        it.parent = case  # a new complaint, up the officer's line; this case stays theirs
        return None
    if the_member:
        cases.record_follow_up(it.session, case, it.row, sender.email, it.now)
        _confidential_on_request(it, case)
    else:
        thread_senders.record_other(it, case, sender.email)
    headline = WROTE_AGAIN
    thanks_only = not it.message.attachment_types and _thanks_only(it, case)
    # A thank-you (for the acknowledgement, say) is not the answer a pause waits for, nor
    # is anything the member says while it waits for someone else (pause_reason).
    held = paused_for_someone_else(it, case) if the_member and not thanks_only else None
    # Nor is a mail that only asks for news ("Any news?") while it waits for them.
    news_only = the_member and not thanks_only and held is None and asks_news_only(it, case)
    # Only the clarification an FOI request was paused for restarts it (FOIA s.1(3)).
    clarifies = foi_pause.member_reply_restarts(it.session, case)
    if the_member and not thanks_only and held is None and not news_only and (
        cases.resume_on_member_reply(it.app, it.session, case, it.row, at)
    ):
        headline = wrote_again_clock_runs(it.app, it.session, case)
        if clarifies and tell_member_clarified(it, case, at):
            headline = WROTE_AGAIN_CLARIFIED
        elif tell_member_new_date(it, case, at):
            headline = wrote_again_member_told(case, headline)
        headline = with_the_law_s_date(it, case, headline)
    elif the_member and foi_pause.waiting_for_fee(it.session, case):
        headline = wrote_again_fee_awaited(it, case, at.astimezone(cases.LONDON).date())
    elif held is not None:
        headline = wrote_again_still_paused(held, at.astimezone(cases.LONDON).date())
    elif news_only:
        headline = wrote_again_asks_news(at.astimezone(cases.LONDON).date())
    elif thanks_only:
        # A thank-you for the acknowledgement: on the case, but no mail to the officer.
        # "Thanks!" over an attached photo or plan is the file's covering note: it goes.
        return it.settle(MessageStatus.PROCESSED, "thanks added to the case", case)
    elif not the_member and not (colleague and _officer_copied(it, case)):
        # Anyone who has the thread (a resident copied in, or someone quoting the
        # reference) can write in it: the officer must not take them for the member. A
        # fellow member replying to all is named as one (thread_senders).
        headline = thread_senders.headline_for(it.app, it.session, case, it.message,
                                               named_only=False)
    elif _officer_copied(it, case):
        # The member wrote to the officer too: they have it, and a copy from us would
        # be the same words twice.
        return it.settle(MessageStatus.PROCESSED, "follow-up added; the officer was copied in",
                         case)
    if the_member and not thanks_only:  # "Any news?" while paused: a holding reply
        headline = pause_letters.answer_news(it, case, at, headline)
    tell_officer(it, case, headline, "update")
    return it.settle(MessageStatus.PROCESSED, "follow-up added to the case", case)


def _member_wrote_again(it: Intake, case: CaseRow, at: datetime) -> Outcome | None:
    """After the answer: within the pack's window the same case reopens with a fresh
    response clock; after it, a new case is opened, linked to this one. `at` is when the
    member wrote (cases.clock_time). A reply that only says thank you does neither."""
    if _thanks_only(it, case):
        ledger.record_event(
            it.session, at, case.member_email, "thanks", "the member thanked us for the answer",
            case=case, message=it.row,
        )
        return it.settle(MessageStatus.PROCESSED, "thanks for the answer; stays answered", case)
    if not cases.within_follow_up_window(it.app, case, at) or _complains_of_its_officer(
        it, case
    ):
        it.parent = case
        return None
    cases.reopen_case(it.app, it.session, case, it.row, case.member_email, at)
    _confidential_on_request(it, case)
    if acknowledgement.should_acknowledge(it.app, case):
        queued = commands.tell_member(
            it.app, it.session, case, it.row, it.now, "reopened", {}, in_reply_to=it.message
        )
        it.queued.extend(queued)
    tell_officer(it, case, REOPENED, "reopened")
    return it.settle(MessageStatus.PROCESSED, "case reopened by the member's follow-up", case)


def _complains_of_its_officer(it: Intake, case: CaseRow) -> bool:
    """The member's mail in the case's thread is a complaint about the officer who has
    the case ("I wish to make a formal complaint about Sam Patel's response"): where the
    pack sends complaints about an officer up their line, it is a new complaint case,
    routed so (routing.route_complaint), not an update to that officer or the answered
    case reopened with them. A complaint's own follow-up keeps its second-stage rules
    (cases.escalates_complaint)."""
    routes = it.app.policy.routing
    if (routes.about_an_officer != "their-director" or not case.officer_email
            or case.kind == Kind.COMPLAINT.value):
        return False
    named = named_officers(it.message, it.app.directory, never_named(routes))
    if not any(same_address(officer.email, case.officer_email) for officer in named):
        return False
    return it.app.classifier.classify(it.message).kind == Kind.COMPLAINT


def _confidential_on_request(it: Intake, case: CaseRow) -> None:
    """The member asks in the thread for the case to be kept confidential ("please keep
    this confidential"): it is from now on, as if they had asked in their first mail. The
    officer's mail about this message then leaves the content out and asks CONFIDENTIAL
    OK or NO, and the chase counts from now."""
    if case.confidential or case.kind == Kind.CONFIDENTIALITY.value:
        return
    if not it.app.classifier.classify(it.message).confidential:
        return
    case.confidential = True
    ledger.record_event(
        it.session, it.now, case.member_email, REQUESTED_IN_THREAD,
        "the member asked in the case's thread for it to be kept confidential",
        case=case, message=it.row,
    )


def _thanks_only(it: Intake, case: CaseRow) -> bool:
    """The mail only thanks us, the member's own sign-off (name, ward, council) aside."""
    member = it.app.directory.member(case.member_email)
    council = it.app.settings.council.name
    return member_thanks_only(it.message.text, it.message.subject, member, council)


def _answered_by(it: Intake) -> str:
    """Who answered, for the timeline: the sender, or the officer in Sender of mail sent on
    behalf of the shared mailbox (Outlook: From the mailbox, Sender the officer). Send As
    leaves no trace of the officer: the shared mailbox, then."""
    sender = it.message.sender
    assert sender is not None
    if same_address(sender.email, it.app.mailbox_address):
        on_behalf = [a for _, a in getaddresses([it.message.headers.get("sender", "")])]
        if on_behalf and "@" in on_behalf[0]:
            return on_behalf[0]
    return sender.email


def _officer_copied(it: Intake, case: CaseRow) -> bool:
    """The case's officer is among the mail's To and Cc."""
    if not case.officer_email:
        return False
    officer = address_key(case.officer_email)
    return any(address_key(a.email) == officer for a in (*it.message.to, *it.message.cc))
