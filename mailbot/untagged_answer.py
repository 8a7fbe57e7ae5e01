"""An officer's answer to a member written as a new mail: no [MB-] tag in the subject and
not a reply in the case's thread, To the member with the shared mailbox copied in (as
officers often write from Outlook), or in Bcc (so the member does not see it, and
their reply-all does not come back to the mailbox). It is not a member's enquiry, so no
case is opened for it. When the officer holds exactly one open case for the member it is
that case's answer, recorded as a tagged answer would be; otherwise mailbot does not
guess: the mail is recorded on no case and the officer is asked, once per mail, which
case it answers.

The sender decides: a member writing with an officer copied in is a member's enquiry, and
never comes here. Automatic mail (an officer's out-of-office) was settled by the loop
guard before this stage, and mail that fails the receiving server's checks is left to
the stages after it (a person looks at it in triage), since a forged answer would stop a
clock like DONE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mailbot import answered, assignment, cases, ledger, outbox
from mailbot.addresses import address_key, same_address
from mailbot.commands.authority import failed_authentication, role_of
from mailbot.compose import Envelope, untagged_subject
from mailbot.directory import Member
from mailbot.intake import Intake, Outcome, receipt_time
from mailbot.languages import staff_languages
from mailbot.member_cases import shown_as_confidential, subjects_erased
from mailbot.model import FINISHED, MessageStatus
from mailbot.plaintext import header_safe
from mailbot.store.tables import CaseRow
from mailbot.thread import same_member

if TYPE_CHECKING:
    from mailbot.app import App

PURPOSE = "untagged_answer"  # the outbox purpose (and template) of the question to the officer
TEAM_ROLES = ("manager", "deputy")  # who else may answer an officer's case (commands' rule)


def officer_answer_without_case(it: Intake) -> Outcome | None:
    """The stage: an officer's new mail to a member that reached the shared mailbox (it
    is in its Inbox), whether the mailbox was in To or Cc, in Bcc, or reached through an
    alias: Bcc leaves no trace in the copy delivered, so the mailbox need not be named."""
    sender = it.message.sender
    if sender is None or it.fetched.folder != "inbox":
        return None
    directory = it.app.directory
    if directory.officer(sender.email) is None or directory.member(sender.email) is not None:
        return None
    members = addressed_members(it)
    if not members or failed_authentication(it.message):
        return None
    candidates = open_cases_of(it.app, it, sender.email, members)
    if not candidates and not _written_to_a_member(it, members):
        # To the mailbox, the member only copied in, and no case of theirs to answer: a
        # member-support officer or PA raising an enquiry for the councillor
        # (mailbot/on_behalf.py), which open_case makes the councillor's.
        return None
    if len(candidates) == 1:
        case = candidates[0]
        at = cases.clock_time(it.session, case, receipt_time(it.message, it.row.received_at))
        what = answered.record_answer(
            it.app, it.session, case, sender.email, at,
            why="the officer's new mail to the member seen (no reference: the one open "
                "case they hold for this member)",
        )
        return it.settle(MessageStatus.PROCESSED, f"{what} (new mail, no reference)", case)
    return _ask_which(it, members, candidates)


def addressed_members(it: Intake) -> list[Member]:
    """The members in the mail's To and Cc, once each (a member listed at two addresses),
    and anyone else there who has a case (a resident, a councillor not yet in
    members.csv), named as their case names them."""
    found: list[Member] = []
    for address in (*it.message.to, *it.message.cc):
        member = it.app.directory.member(address.email) or _correspondent(it, address.email)
        if member is not None and member not in found:
            found.append(member)
    return found


def _correspondent(it: Intake, address: str) -> Member | None:
    """Someone not in members.csv with a case of theirs, running or answered, as the member
    of this mail; never staff or the shared mailbox (mail from them may have opened a case
    in triage)."""
    directory = it.app.directory
    if directory.officer(address) is not None or same_address(address, it.app.mailbox_address):
        return None
    kept = CaseRow.anonymised_at.is_(None)
    running = it.session.scalars(select(CaseRow).where(CaseRow.status.not_in(FINISHED), kept))
    case = next((c for c in running if same_address(c.member_email, address)), None)
    if case is None:
        case = it.session.scalars(
            select(CaseRow).where(CaseRow.member_email.in_({address, address.lower()}), kept)
        ).first()
    return Member(case.member_name or case.member_email, case.member_email) if case else None


def _written_to_a_member(it: Intake, members: Sequence[Member]) -> bool:
    return any(
        same_member(it.app.directory, address.email, member.email)
        for address in it.message.to for member in members
    )


def open_cases_of(
    app: App, it: Intake, officer: str, members: Sequence[Member]
) -> list[CaseRow]:
    """The open cases of these members that `officer` holds; if none, those their team
    holds (an officer they manage or stand in for, who may also command them), but not a
    complaint about `officer`: neither answered by them nor shown to them."""
    rows = it.session.scalars(
        select(CaseRow)
        .where(CaseRow.status.not_in(FINISHED), CaseRow.anonymised_at.is_(None))
        .order_by(CaseRow.id)
    )
    theirs = [
        case for case in rows
        if any(same_member(app.directory, m.email, case.member_email) for m in members)
    ]
    own = [c for c in theirs if address_key(c.officer_email or "") == address_key(officer)]
    if own:
        return own
    return [c for c in theirs if role_of(app, c, officer, it.session) in TEAM_ROLES]


def _ask_which(it: Intake, members: list[Member], candidates: list[CaseRow]) -> Outcome:
    """Several open cases could be the one answered, or none: nothing is recorded on a
    case, no case is opened, and the officer is asked which case it was."""
    sender = it.message.sender
    assert sender is not None
    refs = ", ".join(c.ref for c in candidates)
    could_be = f"{len(candidates)} open cases could be it ({refs})" if candidates else (
        "they hold no open case for this member"
    )
    names = ", ".join(m.name for m in members)
    ledger.record_event(
        it.session, it.now, sender.email, "officer's answer, no case",
        f"a new mail to {names} with no reference; {could_be}; recorded on no case, "
        "the officer was asked which case it answers",
        message=it.row,
    )
    queued = queue_question(it.app, it, members[0], candidates)
    it.queued.extend(queued)
    what = "an officer's answer naming no case"
    return it.settle(MessageStatus.IGNORED, f"{what}; officer asked" if queued else what)


def queue_question(
    app: App, it: Intake, member: Member, candidates: list[CaseRow]
) -> list[str]:
    """The one short mail to the officer: which case does your mail answer? Threaded under
    their mail; its reply with `DONE MB-...` is applied to the case it names."""
    sender = it.message.sender
    assert sender is not None
    their_subject = untagged_subject(it.message.subject) or "(no subject)"
    erased = subjects_erased(it.session, [c.id for c in candidates if not c.subject])
    context: dict[str, Any] = {
        "council": assignment.council_context(app),
        "member": member.name,
        "their_subject": header_safe(their_subject, limit=150),
        "cases": [_listed(app, case, sender.email, case.id in erased) for case in candidates],
        # A made-up reference would be a real case one day: a pattern, never a number.
        "example": candidates[0].ref if candidates else f"MB-{it.now.year}-NNNNN",
    }
    languages = staff_languages(app.policy.language, member.language)
    row = outbox.queue(
        it.session,
        purpose=PURPOSE,
        dedup_key=f"{PURPOSE}:{it.message.message_id}"[:200],
        case=None,
        rendered=app.renderer.render(PURPOSE, context, languages),
        envelope=Envelope(
            sender=app.mailbox_address,
            sender_name=app.settings.mailbox.display_name,
            to=(sender.email,),
            cc=(),
            in_reply_to=it.message.message_id,
            references=[*it.message.references, it.message.message_id],
            instance=app.settings.council.instance,
        ),
        now=it.now,
    )
    return [PURPOSE] if row is not None else []


def _listed(app: App, case: CaseRow, sender: str, erased: bool) -> dict[str, Any]:
    """One candidate as the question lists it: a confidential case without its subject;
    one without a subject says whether an erasure on request blanked it."""
    holder = case.officer_email or ""
    confidential = shown_as_confidential(case)
    return {
        "ref": case.ref,
        "subject": "" if confidential else untagged_subject(case.subject)[:120],
        "confidential": confidential,
        "erased": erased and not confidential,
        "received": case.received_at.astimezone(cases.LONDON).date(),
        "response_due": case.response_due,
        "with": "" if address_key(holder) == address_key(sender) else app.directory.display(
            holder
        ),
    }
