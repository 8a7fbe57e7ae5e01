"""One form of an email address for comparing: who is a member, an officer, ourselves.

A domain beyond ASCII can be written two ways, caerdydd-ŵ.cymru or its IDNA (ASCII)
form xn--caerdydd--j9b.cymru, and a Unicode one in several more (composed or not,
capital letters). Mail reaches us in either (an RFC 6532 UTF-8 header, an encoded word,
a client that writes the ASCII form), and members.csv may hold either, so every
comparison of addresses goes through `address_key`: the local part as written, in
lower case (as mailbot has always compared it), the domain in its lower-case IDNA form.

The key is for comparing only. People are shown an address in the form it was written.
"""

from __future__ import annotations

import contextlib
import unicodedata
from functools import lru_cache

import idna


def address_key(address: str) -> str:
    """The form two addresses are compared in; never raises. An address with no @, or
    a domain IDNA cannot write (an emoji, a stray character), keeps its domain in
    composed lower-case Unicode, so it still equals itself however it was typed."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return unicodedata.normalize("NFC", address.strip()).lower()
    return f"{unicodedata.normalize('NFC', local).lower()}@{domain_key(domain)}"


@lru_cache(maxsize=4096)  # a poll asks about the same few domains again and again
def domain_key(domain: str) -> str:
    """caerdydd-ŵ.cymru, CAERDYDD-Ŵ.CYMRU (or its decomposed letters) and
    xn--caerdydd--j9b.cymru all give xn--caerdydd--j9b.cymru; a trailing dot goes."""
    name = domain.strip().rstrip(".")
    return ascii_domain_name(name) or unicodedata.normalize("NFC", name).lower()


def ascii_domain_name(domain: str) -> str | None:
    """The domain in its lower-case IDNA (ASCII) form, as mail to it is addressed, or None
    for one IDNA cannot write. Current mail clients' rules (IDNA 2008, with UTS 46's
    mapping of capitals, width and decomposed letters) come first: under the older
    IDNA 2003, straße.de would be strasse.de, another domain. A name only IDNA 2003
    takes (one with a symbol) is written as that takes it."""
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def ascii_address(address: str) -> str:
    """The address with its domain in ASCII (IDNA) form, as our headers and the SMTP
    envelope write it: jo@xn--caerdydd--j9b.cymru for jo@caerdydd-ŵ.cymru. A domain IDNA
    cannot write, or no @ at all, leaves it as it is; the local part is never changed."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    written = ascii_domain_name(domain) if at else None
    return f"{local}@{written}" if written else address


def same_address(one: str, other: str) -> bool:
    """Whether two addresses name the same mailbox, whichever form each is written in."""
    return address_key(one) == address_key(other)


def address_keys(addresses: str) -> frozenset[str]:
    """The keys of a comma-separated list of addresses (an outbox row's recipients)."""
    return frozenset(address_key(a) for a in addresses.split(",") if a.strip())


@lru_cache(maxsize=4096)  # each new case's member is looked up in every form twice
def address_forms(address: str) -> frozenset[str]:
    """The ways a stored row may hold this address (lower case): as given, its key, and
    its domain in Unicode; for a search in the database, which cannot compute keys."""
    key = address_key(address)
    local, _, domain = key.rpartition("@")
    forms = {address.strip().lower(), key}
    with contextlib.suppress(idna.IDNAError, UnicodeError, ValueError):
        forms.add(f"{local}@{idna.decode(domain)}" if local else key)
    return frozenset(forms)
