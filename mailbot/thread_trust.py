"""Mail in a case's thread not taken at its word (the thread stage: thread_mail.py).

Mail that may be forged (a failed check in an officer's or anyone else's name, DMARC in
the member's) changes nothing on the case, and the officer is warned; an officer a
complaint is (or may be) about writing to the member has not given the council's
response, so the clock runs on and whoever has the case is told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot import commands, ledger
from mailbot.addresses import address_key
from mailbot.assignment import Headline
from mailbot.commands.authority import disowned
from mailbot.complained_about import complained_about, perhaps_complained_about
from mailbot.intake import Intake, Outcome
from mailbot.languages import welsh_of
from mailbot.model import MessageStatus, ParsedMessage
from mailbot.store.tables import CaseRow
from mailbot.thread import same_member
from mailbot.thread_senders import tell_officer

if TYPE_CHECKING:
    from mailbot.app import App


def failed_checks(it: Intake, case: CaseRow) -> str:
    return failed_checks_of(it.app, case, it.message)


def failed_checks_of(app: App, case: CaseRow, message: ParsedMessage) -> str:
    """Why mail in a case's thread may be forged, or "". In an officer's or anyone else's
    name, any failed check counts, as for a command (a forged answer to the member would
    stop the clock like DONE); in the member's name, only DMARC, as for a new case (SPF
    alone fails on ordinary forwarding)."""
    sender = message.sender
    assert sender is not None
    if same_member(app.directory, sender.email, case.member_email):
        return disowned(message)
    return commands.failed_authentication(message)


def untrusted_in_thread(it: Intake, case: CaseRow, forged: str) -> Outcome:
    """Mail the receiving server says may be forged changes nothing on the case (no
    answer recorded, no reopening, no clock started again); the officer sees it, warned."""
    sender = it.message.sender
    assert sender is not None
    ledger.record_event(
        it.session, it.now, sender.email, "not trusted",
        f"{forged}; may be forged, the case is unchanged",
        case=case, message=it.row,
    )
    tell_officer(it, case, untrusted(sender.email, forged), "update")
    return it.settle(MessageStatus.PROCESSED, f"not trusted ({forged}); case unchanged", case)


def untrusted(sender: str, forged: str) -> Headline:
    return Headline(
        f"Mail in this case's thread in the name of {sender} could not be checked as "
        f"theirs ({forged}), so it may be forged and has changed nothing. Check with the "
        "sender another way before acting on it.",
        f"Ni ellid gwirio bod post yn edefyn yr achos hwn yn enw {sender} yn dod "
        f"ganddynt ({welsh_of(forged)}), felly gallai fod yn ffug ac nid yw wedi newid dim. "
        "Holwch yr anfonwr mewn ffordd arall cyn gweithredu arno.",
    )


def complained_about_the_sender(it: Intake, case: CaseRow) -> str | None:
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


def not_the_response(it: Intake, case: CaseRow, *, perhaps: bool) -> Outcome:
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
