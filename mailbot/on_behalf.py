"""Mail a member-support officer or a councillor's PA sends for a councillor from their
own address: From the PA, the councillor in Cc or Reply-To. The case is the councillor's.

Send on behalf in Outlook (From the councillor, Sender the PA) needs nothing here: From
is the member, so the case and the acknowledgement are theirs, and the PA's Sender or
Reply-To is not who the case is for. A PA writing from their own mailbox is taken to
write for a councillor only when nothing is left to guess: the sender is at the council
(the shared mailbox's domain, or an officer's) and not in members.csv, and exactly one
member is in Cc or Reply-To. Anyone else's mail copying a councillor (a resident, a
stranger, a PA copying two) stays the sender's, in triage for a person. Mail the
receiving server's DMARC check disowns is held for a person as any mail in a member's
name is (pipeline.open_case), so the councillor is not written to about it.
"""

from __future__ import annotations

from email.utils import getaddresses
from typing import TYPE_CHECKING

from mailbot.addresses import domain_key
from mailbot.directory import Member
from mailbot.model import ParsedMessage

if TYPE_CHECKING:
    from mailbot.app import App


def councillor_written_for(app: App, message: ParsedMessage) -> tuple[str, Member] | None:
    """The address and the member a council colleague writes for, or None."""
    sender = message.sender
    directory = app.directory
    if sender is None or directory.member(sender.email) is not None:
        return None
    if _domain(sender.email) not in _council_domains(app):
        return None
    found: dict[Member, str] = {}
    for address in _cc_and_reply_to(message):
        member = directory.member(address)
        if member is not None:
            found.setdefault(member, address)
    if len(found) != 1:
        return None
    [(member, address)] = found.items()
    return directory.as_listed(address), member


def _cc_and_reply_to(message: ParsedMessage) -> list[str]:
    reply_to = [a for _, a in getaddresses([message.headers.get("reply-to", "")]) if "@" in a]
    return [*(a.email for a in message.cc), *(a.lower() for a in reply_to)]


def _council_domains(app: App) -> set[str]:
    domains = {_domain(app.mailbox_address)}
    domains |= {_domain(address) for address in app.directory.officers}
    return domains - {""}


def _domain(address: str) -> str:
    return domain_key(address.rpartition("@")[2])
