"""A member's Outlook recall ("Recall This Message") of mail they sent the shared mailbox.

Exchange passes a recall on as mail: Subject "Recall: <the original subject>" (German
Outlook "Rückruf:"), Thread-Topic the original subject, a Thread-Index in the original's
conversation, and either no body or one line, '<name> would like to recall the message,
"<subject>".' The loop guard takes it for a receipt (mailbot/loops), so nobody is ever
answered. It cannot take the mail back: mailbot read it when it came, and a shared
mailbox keeps it. What the member wanted must still reach a person:

- a recall of mail that opened or joined a case of theirs is put on that case's timeline
  and its officer is told to check with the member whether they still want it answered;
  the case, its status and its clock are left as they are;
- the notice follows the case while it waits in the outbox: written again for whoever
  holds it when it goes, withdrawn once it is answered or closed (check_at_send);
- a listed member's recall matching no case (the original not seen yet, or never a case)
  is left for a person in the quarantine list with the reason, to be run again or marked
  dealt with;
- anyone else's recall matching no case (an address on no list) is noise: recorded as
  automatic mail with the reason, never quarantined, nobody answered.

The case is found by the member and the recalled subject, then by Outlook's conversation
(Thread-Index), then by In-Reply-To/References or
the case's [MB-] tag when the recall has them. Staff's recalls
(an officer's DONE, say) are left to the loop guard as before: a command read is not undone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from mailbot import case_notice, ledger
from mailbot.addresses import address_key, same_address
from mailbot.assignment import Headline
from mailbot.cases import LONDON
from mailbot.intake import Intake, Outcome
from mailbot.languages import long_date_cy
from mailbot.member_cases import shown_as_confidential
from mailbot.model import FINISHED, CaseStatus, MessageStatus, ParsedMessage
from mailbot.outbox import Rewritten
from mailbot.render import long_date
from mailbot.store.tables import CaseRow, MessageRow, OutboxRow
from mailbot.thread import cases_with_guid, conversation_guid, find_case, same_member

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mailbot.app import App

RECALL_SUBJECT = re.compile(r"^\s*(?:recall|rückruf)\s*:\s*(?P<subject>.*?)\s*$",
                            re.IGNORECASE | re.DOTALL)
PURPOSE = "recall"  # the officer's notice, in the outbox
EVENT = "recall"  # on the case's timeline (or on no case)
UNMATCHED = "an Outlook recall of a message that opened no case"


def recalled_subject(message: ParsedMessage) -> str | None:
    """The subject of the mail a recall asks back, or None if this is not a recall."""
    found = RECALL_SUBJECT.match(message.subject)
    return " ".join(found["subject"].split()) if found else None


def _staff(app: App, address: str) -> bool:
    admins = {address_key(a) for a in app.settings.directory.admins}
    return app.directory.officer(address) is not None or address_key(address) in admins


def member_recall(it: Intake) -> Outcome | None:
    """Settle a recall from anyone but staff or the mailbox itself; None for other mail."""
    subject = recalled_subject(it.message)
    sender = it.message.sender
    if subject is None or sender is None or _staff(it.app, sender.email):
        return None
    if same_address(sender.email, it.app.mailbox_address):
        return None
    found = recalled_mail(it.app, it, subject)
    if found is None and it.app.directory.member(sender.email) is None:
        reason = (f'{UNMATCHED} ("{subject}" from {sender.email}, not on the members '
                  "list); recorded only: nobody was answered")
        ledger.record_event(it.session, it.now, sender.email, EVENT, reason, message=it.row)
        return it.settle(MessageStatus.AUTOMATIC, reason)
    if found is None:
        reason = (f'{UNMATCHED} ("{subject}" from {sender.email}); nobody was answered: '
                  "check with the sender which message they meant")
        ledger.record_event(it.session, it.now, sender.email, EVENT, reason, message=it.row)
        return it.settle(MessageStatus.QUARANTINED, reason)
    case, original = found
    sent_on = original.received_at.astimezone(LONDON).date()
    ledger.record_event(
        it.session, it.now, sender.email, EVENT,
        f'the member tried to recall their message "{original.subject or subject}" of '
        f"{long_date(sent_on)}; it stays in the shared mailbox and on the case, unchanged",
        case=case, message=it.row,
    )
    queued = case_notice.queue(
        it.app, it.session, case, purpose=PURPOSE,
        dedup_key=f"{PURPOSE}:{original.message_id}"[:200],
        headline=_headline(case, original.subject or subject, sent_on),
        message=None, now=it.now, prefix="Update: ",
    )
    if queued:
        it.queued.append(queued)
    return it.settle(MessageStatus.AUTOMATIC, f"recall of a message on {case.ref}", case)


def check_at_send(
    app: App, session: Session, case: CaseRow, row: OutboxRow, *, now: datetime
) -> Rewritten | str:
    """The recall notice as it leaves the outbox (still_due): withdrawn once the case is
    answered or closed (nothing is left to check with the member); written again for
    whoever is told of the case now (case_notice) if it has moved since; else as queued."""
    if case.status in FINISHED:
        return ("the case was answered" if case.status == CaseStatus.RESPONDED
                else "the case was closed")
    reader = case_notice.reader(app, case)
    if reader is not None and same_address(row.recipients.partition(",")[0].strip(), reader):
        return ""
    message_id = row.dedup_key.partition(":")[2]
    original = session.scalar(select(MessageRow).where(MessageRow.message_id == message_id))
    rewritten = None if original is None else case_notice.notice(
        app, case, _headline(case, original.subject or "(no subject)",
                             original.received_at.astimezone(LONDON).date()),
        None, "Update: ", now=now,
    )
    return rewritten or f"the case is now with {case.officer_email or 'nobody'}"


def recalled_mail(app: App, it: Intake, subject: str) -> tuple[CaseRow, MessageRow] | None:
    """The member's mail a recall asks back, and its case: by sender and subject, else the
    newest mail of the member in the case the conversation or the headers name."""
    sender = it.message.sender
    assert sender is not None
    session = it.session
    mine = (
        select(MessageRow)
        .join(CaseRow, CaseRow.id == MessageRow.case_id)
        .where(CaseRow.anonymised_at.is_(None), MessageRow.id != it.row.id)
        .order_by(MessageRow.id.desc())
    )
    same_subject = session.scalars(
        mine.where(func.lower(MessageRow.subject) == subject[:300].lower()).limit(50)
    )
    for row in same_subject:
        if same_member(app.directory, sender.email, row.sender):
            case = session.get(CaseRow, row.case_id)
            if case is not None and same_member(app.directory, sender.email, case.member_email):
                return case, row
    case = _by_conversation(app, it) or find_case(session, it.message, app.directory)
    if case is None or case.anonymised_at is not None or not same_member(
        app.directory, sender.email, case.member_email
    ):
        return None
    for row in session.scalars(mine.where(MessageRow.case_id == case.id).limit(50)):
        if same_member(app.directory, sender.email, row.sender):
            return case, row
    return None


def _by_conversation(app: App, it: Intake) -> CaseRow | None:
    """The member's one case holding mail of the recall's Outlook conversation (the same
    GUID in its Thread-Index); None if none, or two (mailbot does not guess)."""
    guid = conversation_guid(it.message.headers.get("thread-index", ""))
    sender = it.message.sender
    if guid is None or sender is None:
        return None
    found = [case for case_id in cases_with_guid(it.session, guid)
             if (case := it.session.get(CaseRow, case_id)) is not None
             and same_member(app.directory, sender.email, case.member_email)]
    return found[0] if len(found) == 1 else None


def _headline(case: CaseRow, subject: str, sent_on: date) -> Headline:
    """What the officer is told; a confidential case's subject is not repeated."""
    member = case.member_name or case.member_email
    private = shown_as_confidential(case)
    what = "their message" if private else f'their message "{subject}"'
    what_cy = "eu neges" if private else f'eu neges "{subject}"'
    return Headline(
        f"{member} tried to recall {what} of {long_date(sent_on)} with Outlook. The recall "
        "does not withdraw it from the shared mailbox: the case and its dates are "
        "unchanged, and the member has not been written to. Check with the member whether "
        "they still want it answered.",
        f"Ceisiodd {member} alw {what_cy} a anfonwyd {long_date_cy(sent_on)} yn ôl gydag "
        "Outlook. Nid yw galw neges yn ôl yn ei thynnu o'r blwch post a rennir: nid yw'r "
        "achos na'i ddyddiadau wedi newid, ac nid oes neb wedi ysgrifennu at yr aelod. "
        "Holwch yr aelod a ydynt am gael ateb iddi o hyd.",
    )
