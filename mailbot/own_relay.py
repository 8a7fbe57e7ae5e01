"""The council's own list relay: mail that reached the shared mailbox through a Google
Group or a Mailman list named in [loops] relay_list_ids is read as its sender sent it.

Such a relay adds list headers (List-Id, List-Unsubscribe, Precedence: list) that would
have every member's mail dropped as list mail, and may put its own address in From.
`as_sent_before_relay` takes off what the relay added, right after parsing; mail from any
other list keeps its headers and is still dropped (mailbot.loops). Reading again the mail
dropped before the relay was named is mailbot.relayed.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Collection
from dataclasses import replace

from mailbot.addresses import address_key
from mailbot.loops.headers import LIST_HEADERS
from mailbot.model import Address, ParsedMessage

# What a list relay adds to the mail it passes on and the rules of mailbot.loops read: RFC
# 2369 and 2919 list headers, and Precedence: list.
RELAY_ADDED = (*LIST_HEADERS, "precedence")
ORIGINAL_SENDER_HEADERS = ("x-original-sender", "x-original-from", "reply-to")


def as_sent_before_relay(msg: ParsedMessage, relay_list_ids: Collection[str]) -> ParsedMessage:
    """Mail that reached the shared mailbox through the council's own relay (a Google Group
    or a Mailman list named in [loops] relay_list_ids), as its sender sent it: without the
    relay's list headers, and from the original sender where the relay put its own address
    in From (as Google Groups and Mailman do for senders whose domain has a strict DMARC
    policy). Mail from another list, and robots' mail, keep every header of their own, so
    they are still dropped. Anything else is returned unchanged."""
    ids = set(relay_list_ids)
    if not came_through_relay(msg, ids):
        return msg
    marks = _relay_marks(msg, ids)
    headers = dict(msg.headers)
    repeated = dict(msg.repeated_headers)
    for name in RELAY_ADDED:
        kept = [v for v in header_values(msg, name) if not _from_relay(name, v, ids, marks)]
        headers.pop(name, None)
        repeated.pop(name, None)
        if kept:
            headers[name] = kept[0]
        if len(kept) > 1:
            repeated[name] = kept
    sender = _original_sender(msg, ids)
    return replace(msg, headers=headers, repeated_headers=repeated, sender=sender)


def came_through_relay(msg: ParsedMessage, relay_list_ids: Collection[str]) -> bool:
    """Does the mail carry the List-Id of one of the council's own relays?"""
    return any(_list_id(v) in relay_list_ids for v in header_values(msg, "list-id"))


def header_values(msg: ParsedMessage, name: str) -> list[str]:
    """Every value of a header, top first."""
    if name in msg.repeated_headers:
        return list(msg.repeated_headers[name])
    return [msg.headers[name]] if name in msg.headers else []


def _list_id(value: str) -> str:
    found = re.search(r"<([^<>]+)>", value)
    return (found.group(1) if found else value).strip().lower()


def _relay_marks(msg: ParsedMessage, ids: set[str]) -> re.Pattern[str]:
    """What the relay writes in its List-Post, List-Unsubscribe, Mailing-list ... values: its
    list name (before the id's first dot, as in memberenquiries@..., .../group/memberenquiries/,
    memberenquiries-request@...) or Google's group number (googlegroups-manage+NUMBER+...)."""
    names = {i.split(".", 1)[0] for i in ids}
    names |= {v.strip() for v in header_values(msg, "x-google-group-id") if v.strip().isdigit()}
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?=[+@/>-]|$)", re.IGNORECASE)


def _from_relay(name: str, value: str, ids: set[str], marks: re.Pattern[str]) -> bool:
    if name == "list-id":
        return _list_id(value) in ids
    if name == "precedence":
        return value.strip().lower() == "list"  # a sender's own is bulk or junk
    return marks.search(value) is not None


def _original_sender(msg: ParsedMessage, ids: set[str]) -> Address | None:
    sender = msg.sender
    if sender is None or not _is_relay(sender.email, ids):
        return sender
    for name in ORIGINAL_SENDER_HEADERS:
        for display, address in email.utils.getaddresses(header_values(msg, name)[:1]):
            address = address.strip().lower()
            if "@" in address and not _is_relay(address, ids):
                return Address(name=display.strip(), email=address)
    return sender


def _is_relay(address: str, ids: set[str]) -> bool:
    """Whether the address is a relay's own (its list id is the address, @ made a dot).
    List ids are ASCII (RFC 2919), so the address is compared with its domain in ASCII
    form: a relay on caerdydd-ŵ.cymru may write its From in either form."""
    return address_key(address).replace("@", ".", 1) in ids
