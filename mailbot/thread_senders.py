"""Mail on a member's case from someone who is not that member, and the officer's notice.

Three kinds of sender, none of whom is answered, and none of whose mail opens a case,
reopens an answered one or moves its clock (a paused clock stays paused):

- another member (members.csv) writing in the case's thread: a ward colleague the member
  copied in, replying to all, co-signing or adding to the case;
- an address not on the members list naming the case's reference in its subject, to the
  mailbox alone (the member from a personal address, perhaps, or someone else quoting the
  reference): on the case, but not taken as the member's, and the officer is told to
  check with the member before sending anything there (follow_named_case, a pipeline
  stage after the thread's);
- anyone else who has the thread (a resident the member forwarded it to, replying to all).

The mail goes on the case's timeline and its officer is told who wrote (tell_officer, the
"Update:" mail every piece of thread mail sends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailbot import case_notice, ledger
from mailbot.addresses import address_key, same_address
from mailbot.assignment import Headline
from mailbot.intake import Intake, Outcome
from mailbot.model import CaseStatus, MessageStatus, ParsedMessage
from mailbot.store.tables import CaseRow
from mailbot.thread import find_case, tagged_case

if TYPE_CHECKING:
    from mailbot.app import App

UPDATE = "Update: "  # the subject prefix of every mail about a case already with the officer

# The timeline's word for mail in the thread from anyone but a member.
SOMEONE_ELSE = "someone other than the case's member wrote in the thread"
UNLISTED = ("mail from an address not on the members list named this case; not taken as "
            "the member's")


def staff(app: App, address: str) -> bool:
    """An officer in the directory or an administrator: people mailbot answers."""
    admins = {address_key(a) for a in app.settings.directory.admins}
    return app.directory.officer(address) is not None or address_key(address) in admins


def record_other(it: Intake, case: CaseRow, sender: str, *, named_only: bool = False) -> None:
    """The mail on the case's timeline as someone else's: another member's, an unlisted
    address naming the case (`named_only`: found by its subject's reference alone), or
    anyone else's in the thread."""
    colleague = it.app.directory.member(sender)
    if colleague is not None:
        detail = (f"{colleague.name}, another member, wrote in the thread, co-signing or "
                  "adding to it")
    else:
        detail = UNLISTED if named_only else SOMEONE_ELSE
    case.updated_at = it.now
    ledger.record_event(it.session, it.now, sender, "follow-up", detail, case=case,
                        message=it.row)


def headline_for(
    app: App, session: Session, case: CaseRow, message: ParsedMessage,
    *, named_only: bool | None = None,
) -> Headline:
    """What the officer is told of mail in the case's thread from someone other than its
    member. `named_only` (None: work it out) is mail that found the case by its subject's
    reference alone, from the mailbox's sender alone."""
    sender = message.sender
    assert sender is not None
    colleague = app.directory.member(sender.email)
    if colleague is not None:
        said = another_member(colleague.name, case.member_name or case.member_email)
    else:
        if named_only is None:
            named_only = find_case(session, message, app.directory) is None
        said = names_this_case(sender.email) if named_only else not_the_member(sender.email)
    return with_clock_paused(said) if case.status == CaseStatus.PAUSED else said


def follow_named_case(it: Intake) -> Outcome | None:
    """Mail to the mailbox from an address on no list (not a member's, an officer's or an
    administrator's), not in any case's thread, whose subject names a case's reference
    ("Pothole in Mill Lane MB-2026-00042" from the member's personal gmail, perhaps): put
    on that case as an unlisted address's mail, and its officer told to check with the
    member. Nothing goes to the address; no case is opened; the clock is unchanged."""
    sender = it.message.sender
    if it.fetched.folder != "inbox" or sender is None:
        return None
    address = sender.email
    if (it.app.directory.member(address) is not None or staff(it.app, address)
            or same_address(address, it.app.mailbox_address)):
        return None
    case = tagged_case(it.session, it.message)
    if case is None or case.anonymised_at is not None:
        return None
    record_other(it, case, address, named_only=True)
    headline = headline_for(it.app, it.session, case, it.message, named_only=True)
    tell_officer(it, case, headline, "update")
    return it.settle(MessageStatus.PROCESSED,
                     "from an address not on the members list, naming the case", case)


def tell_officer(it: Intake, case: CaseRow, headline: Headline, purpose: str) -> None:
    """The officer's notice of mail in the case's thread ("reopened" or "update"), once
    for each message; while the case has no officer, to whoever settles such cases
    (case_notice)."""
    queued = case_notice.queue(
        it.app, it.session, case, purpose=purpose,
        dedup_key=f"{purpose}:{it.row.message_id}"[:200],
        headline=headline, message=it.message, now=it.now, prefix=UPDATE,
    )
    if queued:
        it.queued.append(queued)


def another_member(name: str, member: str) -> Headline:
    return Headline(
        f"{name}, another member (members.csv), has written in this case's thread, "
        f"co-signing or adding to {member}'s case. Their mail is on this case: no case was "
        "opened for it, they have not been sent an acknowledgement, and the case's clock is "
        "unchanged.",
        f"Mae {name}, aelod arall (members.csv), wedi ysgrifennu yn edefyn yr achos hwn, "
        f"gan gyd-lofnodi neu ychwanegu at achos {member}. Mae eu neges ar yr achos hwn: "
        "nid agorwyd achos ar ei chyfer, nid ydynt wedi cael cydnabyddiaeth, ac nid yw "
        "cloc yr achos wedi newid.",
    )


def names_this_case(sender: str) -> Headline:
    return Headline(
        f"Mail from {sender}, an address not on the members list, names this case. It may "
        "not be from the member, so it has not been taken as theirs: it is on the case, "
        "nothing has been sent to that address, and the case's clock is unchanged. Check "
        "with the member before sending anything to that address.",
        f"Mae post gan {sender}, cyfeiriad nad yw ar y rhestr aelodau, yn enwi'r achos "
        "hwn. Efallai nad yw gan yr aelod, felly nid yw wedi'i gymryd fel eu post hwy: mae "
        "ar yr achos, nid oes dim wedi'i anfon i'r cyfeiriad hwnnw, ac nid yw cloc yr achos "
        "wedi newid. Holwch yr aelod cyn anfon unrhyw beth i'r cyfeiriad hwnnw.",
    )


def not_the_member(sender: str) -> Headline:
    return Headline(
        f"{sender}, who is not the member, has written in this case's thread. Their mail "
        "is on this case: nothing has been sent to them, and the case's clock is "
        "unchanged. Check who they are before acting on it or sending them anything about "
        "the case.",
        f"Mae {sender}, nad yw'n aelod, wedi ysgrifennu yn edefyn yr achos hwn. Mae eu "
        "neges ar yr achos hwn: nid oes dim wedi'i anfon atynt, ac nid yw cloc yr achos "
        "wedi newid. Gwiriwch pwy ydynt cyn gweithredu arno neu anfon unrhyw beth atynt am "
        "yr achos.",
    )


def with_clock_paused(said: Headline) -> Headline:
    return Headline(
        f"{said.en} The clock stays paused: mail from anyone but the member does not end "
        "the pause. Reply RESUME if this gives what it waits for.",
        f"{said.cy} Mae'r cloc yn dal wedi'i oedi: nid yw post gan unrhyw un heblaw'r aelod "
        "yn dod â'r oedi i ben. Atebwch RESUME os yw hwn yn rhoi'r hyn y mae'n aros amdano.",
    )
