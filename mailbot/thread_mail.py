"""The thread stage: mail about a case already open or answered.

An officer's answer to the member (from their own mailbox with the shared one copied, or
from Sent Items) stops the clock; the member writing again adds to the case, runs a
paused clock again or reopens an answered case; an officer writing in the thread without
the member gives a command or is told how to close the case; mail that may be forged
changes nothing and the officer is warned. Anyone else's mail in the thread (another
member's reply to all, a resident's) is on the case and its officer told who wrote
(thread_senders.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from email.utils import getaddresses
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot import (
    acknowledgement,
    answered,
    case_notice,
    cases,
    commands,
    foi_pause,
    ledger,
    outbox,
    pause_letters,
    pause_reason,
    thread_senders,
)
from mailbot.access_request_notice import law_date_beside_pause
from mailbot.addresses import address_key, same_address
from mailbot.assignment import Headline
from mailbot.commands.authority import disowned
from mailbot.commands.pause import new_date_letter_to_go
from mailbot.complained_about import (
    complained_about,
    named_officers,
    never_named,
    perhaps_complained_about,
)
from mailbot.confidentiality_chase import REQUESTED_IN_THREAD
from mailbot.intake import Intake, Outcome, receipt_time
from mailbot.languages import welsh_of
from mailbot.loops import detect_automatic
from mailbot.member_cases import passed_on_by_staff, sent_again
from mailbot.member_thanks import member_asks_news_only, member_thanks_only
from mailbot.model import FINISHED, CaseStatus, Kind, MessageStatus, ParsedMessage
from mailbot.parse import ParseFailure, parse_message
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow
from mailbot.thread import case_by_conversation, find_case, same_member
from mailbot.thread_senders import UPDATE, staff, tell_officer
from mailbot.written_for import pause_waits_for

if TYPE_CHECKING:
    from mailbot.app import App


def follow_thread(it: Intake) -> Outcome | None:
    case = _case_of(it)
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
    forged = "" if it.fetched.folder == "sent" else _failed_checks(it, case)
    if forged:
        return _untrusted_in_thread(it, case, forged)
    if it.fetched.folder == "sent" or answered.is_response(
        case, it.message, it.app.directory, it.app.mailbox_address
    ):
        if it.fetched.folder != "sent":
            about = _complained_about_the_sender(it, case)
            if about is not None:
                return _not_the_response(it, case, perhaps=about == "perhaps")
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
    held = _paused_for_someone_else(it, case) if the_member and not thanks_only else None
    # Nor is a mail that only asks for news ("Any news?") while it waits for them.
    news_only = the_member and not thanks_only and held is None and _asks_news_only(it, case)
    # Only the clarification an FOI request was paused for restarts it (FOIA s.1(3)).
    clarifies = foi_pause.member_reply_restarts(it.session, case)
    if the_member and not thanks_only and held is None and not news_only and (
        cases.resume_on_member_reply(it.app, it.session, case, it.row, at)
    ):
        headline = _wrote_again_clock_runs(it.app, it.session, case)
        if clarifies and _tell_member_clarified(it, case, at):
            headline = WROTE_AGAIN_CLARIFIED
        elif _tell_member_new_date(it, case, at):
            headline = _wrote_again_member_told(case, headline)
        headline = _with_the_law_s_date(it, case, headline)
    elif the_member and foi_pause.waiting_for_fee(it.session, case):
        headline = _wrote_again_fee_awaited(it, case, at.astimezone(cases.LONDON).date())
    elif held is not None:
        headline = _wrote_again_still_paused(held, at.astimezone(cases.LONDON).date())
    elif news_only:
        headline = _wrote_again_asks_news(at.astimezone(cases.LONDON).date())
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


def _paused_for_someone_else(it: Intake, case: CaseRow) -> pause_reason.WaitsFor | None:
    """Whom the officer's PAUSE holding an enquiry or complaint waits for, when its reason
    does not say the member ("other" or "unclear", pause_reason): the member's mail then
    leaves it paused. None otherwise (not paused, an out-of-office's pause, which their
    mail never ends, or an FOI request's, read by foi_pause)."""
    if case.status != CaseStatus.PAUSED or case.kind == Kind.FOI.value:
        return None
    pause = foi_pause.last_pause(it.session, case)
    if pause is None or pause.why.startswith(cases.OOO_PAUSE):
        return None
    waits = pause_waits_for(it.app, it.session, case, pause.why)
    return None if waits == "member" else waits


def _wrote_again_still_paused(waits: pause_reason.WaitsFor, wrote_on: date) -> Headline:
    """The update when the member wrote while the pause waits for someone else, or for
    whom its reason does not say: the clock stays paused, no new date went to the member,
    and RESUME (with the day, if it was earlier) ends it."""
    typed = f"{wrote_on:%d/%m/%Y}"
    if waits == "other":
        return Headline(
            f"{WROTE_AGAIN.en} The clock stays paused: the pause waits for someone other "
            "than the member, so their mail does not end it, and they have not been sent a "
            f"new date. Reply RESUME when what it waits for has come (RESUME {typed} if it "
            "came on that day).",
            f"{WROTE_AGAIN.cy} Mae'r cloc yn dal wedi'i oedi: mae'r oedi'n aros am rywun "
            "heblaw'r aelod, felly nid yw eu neges yn dod ag ef i ben, ac nid ydynt wedi "
            "cael dyddiad newydd. Atebwch RESUME pan ddaw'r hyn y mae'n aros amdano "
            f"(RESUME {typed} os daeth ar y diwrnod hwnnw).",
        )
    return Headline(
        f"{WROTE_AGAIN.en} The clock stays paused: mailbot cannot tell from the pause's "
        "reason whether it waits for the member, so it has not ended it, and has not sent "
        f"them a new date. If their mail is what it waited for, reply RESUME {typed} (the "
        "day they wrote): the days from then count. Otherwise reply RESUME when it should "
        "run again.",
        f"{WROTE_AGAIN.cy} Mae'r cloc yn dal wedi'i oedi: ni all mailbot ddweud o reswm yr "
        "oedi a yw'n aros am yr aelod, felly nid yw wedi dod ag ef i ben, ac nid yw wedi "
        "anfon dyddiad newydd atynt. Os eu neges yw'r hyn yr oedd yn aros amdano, atebwch "
        f"RESUME {typed} (y diwrnod yr ysgrifennon nhw): mae'r diwrnodau o hynny ymlaen yn "
        "cyfrif. Fel arall atebwch RESUME pan ddylai redeg eto.",
    )


def _wrote_again_fee_awaited(it: Intake, case: CaseRow, wrote_on: date) -> Headline:
    """The update when the member wrote while an FOI request waits for its fee: their mail
    never ends that pause, but one that does more than ask for news may say the fee was
    paid, and the officer is told how to end it with that day (a mail asking for news
    only has the holding reply instead: pause_letters)."""
    if pause_letters.asks_news(it, case):
        return WROTE_AGAIN_FEE_AWAITED
    typed = f"{wrote_on:%d/%m/%Y}"
    return Headline(
        f"{WROTE_AGAIN_FEE_AWAITED.en} If their mail says the fee has been paid, check it "
        f"was received and reply RESUME {typed} if it came that day.",
        f"{WROTE_AGAIN_FEE_AWAITED.cy} Os yw eu neges yn dweud bod y ffi wedi'i thalu, "
        f"gwiriwch ei bod wedi dod i law ac atebwch RESUME {typed} os daeth y diwrnod "
        "hwnnw.",
    )


def _asks_news_only(it: Intake, case: CaseRow) -> bool:
    """The member's mail only asks for news, with nothing attached, while the case is
    paused for what they give (photos, an FOI request's clarification): it does not end
    the pause (nor is the member sent a new date, or thanked for clarifying). Not for an
    out-of-office's pause or a fees notice's, which their mail never ends."""
    if case.status != CaseStatus.PAUSED or it.message.attachment_types:
        return False
    pause = foi_pause.last_pause(it.session, case)
    if (pause is None or pause.why.startswith(cases.OOO_PAUSE)
            or foi_pause.waiting_for_fee(it.session, case)):
        return False
    member = it.app.directory.member(case.member_email)
    council = it.app.settings.council.name
    return member_asks_news_only(it.message.text, it.message.subject, member, council)


def _wrote_again_asks_news(wrote_on: date) -> Headline:
    """The update when the member only asked for news while the pause waits for them."""
    typed = f"{wrote_on:%d/%m/%Y}"
    return Headline(
        f"{WROTE_AGAIN.en} They only ask for news, so the clock stays paused: their mail "
        "does not give what the pause waits for, and they have not been sent a new date. "
        f"If it does, reply RESUME {typed} (the day they wrote).",
        f"{WROTE_AGAIN.cy} Dim ond gofyn am newyddion y maent, felly mae'r cloc yn dal "
        "wedi'i oedi: nid yw eu neges yn rhoi'r hyn y mae'r oedi'n aros amdano, ac nid "
        f"ydynt wedi cael dyddiad newydd. Os yw'n gwneud hynny, atebwch RESUME {typed} (y "
        "diwrnod yr ysgrifennon nhw).",
    )


def _tell_member_clarified(it: Intake, case: CaseRow, at: datetime) -> bool:
    """The member's reply was the clarification an FOI request waited for: a fresh 20
    working days run from it (FOIA s.1(3)), and they are told the new date in reply."""
    if case.kind != Kind.FOI.value:
        return False
    queued = commands.tell_member_clarification_received(
        it.app, it.session, case, at.astimezone(cases.LONDON).date(), it.now,
        in_reply_to=it.message,
    )
    it.queued.extend(queued)
    return bool(queued)


def _tell_member_new_date(it: Intake, case: CaseRow, at: datetime) -> bool:
    """The member's reply ended an officer's PAUSE with a resume (an enquiry's or
    complaint's, or an FOI request's the Act does not know): the paused working days do
    not count, so the date they were given may now be later. If it is, or they were told
    it would follow, they are told the new date in reply
    (commands.tell_member_reply_moved_the_date)."""
    queued = commands.tell_member_reply_moved_the_date(
        it.app, it.session, case, at.astimezone(cases.LONDON).date(), it.now,
        in_reply_to=it.message,
    )
    it.queued.extend(queued)
    return bool(queued)


def _with_the_law_s_date(it: Intake, case: CaseRow, headline: Headline) -> Headline:
    """A subject access request's update, once the member's reply ended its pause, says
    what the officer's own RESUME would: the law's date did not move with the pause, and
    whether the protocol's date now falls after it (access_request_notice)."""
    law = law_date_beside_pause(it.app, case, resumed=True)
    if law is None:
        return headline
    return Headline(f"{headline.en} {law}", f"{headline.cy} {welsh_of(law)}")


def _wrote_again_clock_runs(app: App, session: Session, case: CaseRow) -> Headline:
    """The update when the member's reply ended the pause: "The clock you paused" to the
    officer who paused it; to anyone else holding the case (an FOI request relabelled
    since, now the FOI team's, or a case passed on while paused) it names who did, "The
    clock Sam Patel paused": they did not pause it."""
    pause = foi_pause.last_pause(session, case)
    if pause is None or same_address(pause.who, case.officer_email or ""):
        return WROTE_AGAIN_CLOCK_RUNS
    name = app.directory.display(pause.who)
    return Headline(
        f"{WROTE_AGAIN.en} The clock {name} paused is running again: see the new date below.",
        f"{WROTE_AGAIN.cy} Mae'r cloc a oedwyd gan {name} yn rhedeg eto: gweler y dyddiad "
        "newydd isod.",
    )


def _wrote_again_member_told(case: CaseRow, runs: Headline) -> Headline:
    """The update `runs` (_wrote_again_clock_runs) when the letter with the new date is
    queued for the member: it goes unless the case is answered or paused again first (then
    it is withdrawn, and that command's confirmation says so)."""
    assert case.response_due is not None
    to_go = new_date_letter_to_go(case.response_due)
    return Headline(f"{runs.en} {to_go}", f"{runs.cy} {to_go.cy}")


def _case_of(it: Intake) -> CaseRow | None:
    """The case this mail is about: by its headers or tag (thread.find_case), or, for
    staff's mail (an officer's, or sent as the shared mailbox), by its Outlook
    conversation, which is all an Outlook forward, or a reply that lost its References,
    has to go by, or by the member's mail it forwards. A member's mail is read as they
    wrote it: a new matter in an old conversation is a new case."""
    case = find_case(it.session, it.message, it.app.directory)
    if case is None and _written_by_staff(it):
        # Or, forwarding mail from a member not on Outlook, by what the forward carries.
        found = (case_by_conversation(it.session, it.message)
                 or passed_on_by_staff(it.session, it.message))
        if found is not None and not _to_another_member(it, found):
            case = found
    if case is None and it.fetched.folder == "inbox":
        # A member chasing by sending their first mail again, forwarded or as it was.
        case = sent_again(it.session, it.app.directory, it.message)
    return case


def _to_another_member(it: Intake, case: CaseRow) -> bool:
    """Mail in one member's conversation written to another member, not to them (an
    officer forwarding one councillor's report to a ward colleague as their answer): a
    new mail to that member (untagged_answer), not mail on this case."""
    if answered.to_the_member(case, it.message, it.app.directory):
        return False
    return any(it.app.directory.member(a.email) for a in (*it.message.to, *it.message.cc))


def _written_by_staff(it: Intake) -> bool:
    sender = it.message.sender
    return it.fetched.folder == "sent" or (sender is not None and (
        same_address(sender.email, it.app.mailbox_address) or staff(it.app, sender.email)
    ))


def _complained_about_the_sender(it: Intake, case: CaseRow) -> str | None:
    """Whether the mail is from an officer the complaint is about ("surely":
    complained_about) or may be about ("perhaps": 'Mr Patel' of two Patels,
    perhaps_complained_about): the member copied them in, and they wrote back to the
    member in its thread. None when it is from neither."""
    sender = it.message.sender
    if sender is None:
        return None
    key = address_key(sender.email)
    if key in complained_about(it.session, case.id):
        return "surely"
    if key in perhaps_complained_about(it.session, case.id):
        return "perhaps"
    return None


def _not_the_response(it: Intake, case: CaseRow, *, perhaps: bool) -> Outcome:
    """An officer a complaint is (or may be) about writing to the member is not the
    council's response to it, which the head of their line gives (Wiltshire 16.2): the
    clock runs on, and whoever has the case is told."""
    sender = it.message.sender
    assert sender is not None
    name = it.app.directory.display(sender.email)
    is_about = "may be about" if perhaps else "is about"
    ledger.record_event(
        it.session, it.now, sender.email, "follow-up",
        f"the officer the complaint {is_about} wrote to the member; not taken as the response",
        case=case, message=it.row,
    )
    amdanynt = "y gall y gŵyn hon fod amdanynt" if perhaps else "y mae'r gŵyn hon amdanynt"
    tell_officer(it, case, Headline(
        f"{name}, whom this complaint {is_about}, has written to the member in its thread. "
        "mailbot has not taken it as the response to the complaint: that is yours to send, "
        "and the clock runs on.",
        f"Mae {name}, {amdanynt}, wedi ysgrifennu at yr aelod yn ei "
        "edefyn. Nid yw mailbot wedi'i gymryd fel yr ymateb i'r gŵyn: chi sydd i anfon "
        "hwnnw, ac mae'r cloc yn dal i redeg.",
    ), "update")
    return it.settle(MessageStatus.PROCESSED,
                     f"the officer the complaint {is_about} wrote to the member; "
                     "not the response", case)


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


def officers_answer_in_robots_words(it: Intake) -> bool:
    """An officer's reply to a case's member that only its words made look automatic ("I
    am out of the office until Monday, but the crew fills it on Friday", "your enquiry has
    been received and logged; ..."): its headers and subject say nothing of a robot, and
    a robot answers the sender alone, never the member with the shared mailbox copied in.
    It is read as the officer's mail in the thread (the answer), not as an auto-reply."""
    sender = it.message.sender
    if sender is None or it.app.directory.officer(sender.email) is None:
        return False
    if detect_automatic(replace(it.message, text="")) is not None:
        return False  # its headers or subject are a robot's
    case = _case_of(it)
    return case is not None and answered.to_the_member(case, it.message, it.app.directory)


def answers_as_the_mailbox(it: Intake) -> bool:
    """Mail from the shared mailbox itself in its Inbox that answers a case's member: an
    officer's reply sent as the mailbox (Send As, or on behalf) in Outlook, whose Reply All
    from the mailbox's own folder keeps the mailbox among the recipients. Without
    watch_sent that copy is all mailbot sees of the answer, and with it the Sent Items
    copy comes after it as the same mail. Our own mail coming back is not (its Message-ID
    is one we sent)."""
    case = _case_of(it)
    if case is None or not answered.to_the_member(case, it.message, it.app.directory):
        return False
    ours = select(OutboxRow.id).where(OutboxRow.message_id == it.message.message_id)
    return it.session.scalar(ours.limit(1)) is None


def _officer_copied(it: Intake, case: CaseRow) -> bool:
    """The case's officer is among the mail's To and Cc."""
    if not case.officer_email:
        return False
    officer = address_key(case.officer_email)
    return any(address_key(a.email) == officer for a in (*it.message.to, *it.message.cc))


def _failed_checks(it: Intake, case: CaseRow) -> str:
    return _failed_checks_of(it.app, case, it.message)


def _failed_checks_of(app: App, case: CaseRow, message: ParsedMessage) -> str:
    """Why mail in a case's thread may be forged, or "". In an officer's or anyone else's
    name, any failed check counts, as for a command (a forged answer to the member would
    stop the clock like DONE); in the member's name, only DMARC, as for a new case (SPF
    alone fails on ordinary forwarding)."""
    sender = message.sender
    assert sender is not None
    if same_member(app.directory, sender.email, case.member_email):
        return disowned(message)
    return commands.failed_authentication(message)


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
    tell_officer(it, case, _untrusted(sender.email, forged), "update")
    return it.settle(MessageStatus.PROCESSED, f"not trusted ({forged}); case unchanged", case)


def _untrusted(sender: str, forged: str) -> Headline:
    return Headline(
        f"Mail in this case's thread in the name of {sender} could not be checked as "
        f"theirs ({forged}), so it may be forged and has changed nothing. Check with the "
        "sender another way before acting on it.",
        f"Ni ellid gwirio bod post yn edefyn yr achos hwn yn enw {sender} yn dod "
        f"ganddynt ({welsh_of(forged)}), felly gallai fod yn ffug ac nid yw wedi newid dim. "
        "Holwch yr anfonwr mewn ffordd arall cyn gweithredu arno.",
    )


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


def notice_for_holder(
    app: App, session: Session, case: CaseRow, dedup_key: str
) -> outbox.Rewritten | None:
    """The officer's notice of mail in the case's thread (queued under `dedup_key` by
    _tell_officer: "reopened" or "update"), written again for whoever holds the case now
    (else the stand-in, case_notice): a case passed on since is new to its officer, whose
    assignment quotes only the first message. An update says again what the message is (the
    member writing again, someone else, or mail that may be forged), without "the clock you
    paused": that was the last officer's pause. None if nobody is to be told or the
    message can no longer be read (erased, say)."""
    purpose, _, message_id = dedup_key.partition(":")
    raw = session.scalar(select(MessageRow.raw).where(MessageRow.message_id == message_id))
    if case_notice.reader(app, case) is None or not raw:
        return None
    message = parse_message(raw)
    if isinstance(message, ParseFailure) or message.sender is None:
        return None
    sender = message.sender.email
    headline = REOPENED if purpose == "reopened" else WROTE_AGAIN
    if purpose != "reopened":
        if forged := _failed_checks_of(app, case, message):
            headline = _untrusted(sender, forged)
        elif not same_member(app.directory, sender, case.member_email):
            headline = thread_senders.headline_for(app, session, case, message)
    return case_notice.notice(app, case, headline, message, UPDATE)


# What an officer is told when a member writes again about a case of theirs.
WROTE_AGAIN = Headline(
    "The member has written again about this case.",
    "Mae'r aelod wedi ysgrifennu eto am yr achos hwn.",
)
WROTE_AGAIN_CLOCK_RUNS = Headline(
    f"{WROTE_AGAIN.en} The clock you paused is running again: see the new date below.",
    f"{WROTE_AGAIN.cy} Mae'r cloc a oedwyd gennych yn rhedeg eto: gweler y dyddiad newydd isod.",
)
# An FOI request's clarification, which the member has been sent the new date for.
WROTE_AGAIN_CLARIFIED = Headline(
    f"{WROTE_AGAIN.en} It is taken for the clarification the case was paused for: a fresh "
    "20 working days run from it (see the new date below). The member will be sent the "
    "new date unless the case is answered or paused again before it goes. If it does not "
    'make the request clear, reply PAUSE "clarification: ..." again.',
    f"{WROTE_AGAIN.cy} Fe'i cymerir yn eglurhad yr oedd yr achos wedi'i oedi ar ei gyfer: "
    "mae 20 diwrnod gwaith newydd yn rhedeg ohono (gweler y dyddiad newydd isod). Bydd yr "
    "aelod yn cael y dyddiad newydd oni bai bod yr achos yn cael ei ateb neu ei oedi eto "
    "cyn iddo fynd. Os nad yw'n gwneud y cais yn glir, atebwch PAUSE "
    '"clarification: ..." eto.',
)
# An FOI request held by a fees notice: the member writing is not the fee received.
WROTE_AGAIN_FEE_AWAITED = Headline(
    f"{WROTE_AGAIN.en} Its clock stays paused for the fees notice: reply RESUME on the day "
    "the fee is received (the days until then do not count).",
    f"{WROTE_AGAIN.cy} Mae ei gloc yn dal wedi'i oedi ar gyfer yr hysbysiad ffioedd: "
    "atebwch RESUME ar y diwrnod y daw'r ffi i law (nid yw'r diwrnodau tan hynny yn cyfrif).",
)
REOPENED = Headline(
    "The member has written again after the answer, so the case is open again with a new "
    "response date.",
    "Mae'r aelod wedi ysgrifennu eto ar ôl yr ateb, felly mae'r achos ar agor eto gyda "
    "dyddiad ymateb newydd.",
)
