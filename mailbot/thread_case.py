"""Which case mail in a thread is about, for the thread stage (thread_mail.py).

By its headers or tag (thread.find_case); for staff's mail (an officer's, or sent as the
shared mailbox) also by its Outlook conversation or the member's mail it forwards; for a
member chasing, by their first mail sent again. And two questions the pipeline asks before
the thread stage: is an officer's mail that reads like a robot's their answer to the
member, and is mail from the shared mailbox in its Inbox an answer sent as the mailbox.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from mailbot import answered
from mailbot.addresses import same_address
from mailbot.intake import Intake
from mailbot.loops import detect_automatic
from mailbot.member_cases import passed_on_by_staff, sent_again
from mailbot.store.tables import CaseRow, OutboxRow
from mailbot.thread import case_by_conversation, find_case
from mailbot.thread_senders import staff


def case_of(it: Intake) -> CaseRow | None:
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
    case = case_of(it)
    return case is not None and answered.to_the_member(case, it.message, it.app.directory)


def answers_as_the_mailbox(it: Intake) -> bool:
    """Mail from the shared mailbox itself in its Inbox that answers a case's member: an
    officer's reply sent as the mailbox (Send As, or on behalf) in Outlook, whose Reply All
    from the mailbox's own folder keeps the mailbox among the recipients. Without
    watch_sent that copy is all mailbot sees of the answer, and with it the Sent Items
    copy comes after it as the same mail. Our own mail coming back is not (its Message-ID
    is one we sent)."""
    case = case_of(it)
    if case is None or not answered.to_the_member(case, it.message, it.app.directory):
        return False
    ours = select(OutboxRow.id).where(OutboxRow.message_id == it.message.message_id)
    return it.session.scalar(ours.limit(1)) is None
