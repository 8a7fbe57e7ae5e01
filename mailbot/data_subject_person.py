"""The person a search of what mailbot holds is for, and whether something names them.

A person is given by their addresses and, if wanted, their names (person() checks them).
A Matcher says whether a mail's address headers (an address, or every word of a name in
a display name, in any order and case), a piece of text (with `in_text`: an address or a
name as a phrase, not part of a longer word) or a classifier corrections line names them;
people_in_mail lists everyone a mail names. The search itself is mailbot.data_subject.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

from mailbot.addresses import address_forms, same_address
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.plaintext import clean_header

ADDRESS_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc")
_ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_WORD_RE = re.compile(r"\w+")
# Header bytes that may decode to something other than themselves: beyond printable ASCII
# (8-bit, control characters clean_header drops) or an RFC 2047 encoded word.
_NOT_PLAIN = re.compile(rb"[^\t\r\n\x20-\x7e]|=\?")
_HEADERS_END = re.compile(rb"\n\r?\n")


class PersonError(ValueError):
    """The person to search for is not given well enough (one line, for the console)."""


@dataclass(frozen=True)
class Person:
    addresses: tuple[str, ...]  # lower-cased
    names: tuple[str, ...]
    in_text: bool = False

    def searched(self) -> list[str]:
        """What was searched for, in plain words."""
        lines = [f"the address {a}" for a in self.addresses]
        lines += [f"the name {n!r} (its words in any order, as a display name in mail "
                  "headers or the member's name on a case)" for n in self.names]
        if self.in_text:
            lines.append("the text of mail (subjects and bodies, mail forwarded as an "
                         "attachment included), case subjects, the audit trail and the "
                         "classifier corrections file, for each address and name (the name "
                         "as written, words in that order)")
        return lines


def person(
    addresses: Iterable[str], names: Iterable[str], *, in_text: bool, shared_mailbox: str
) -> Person:
    """The person to search for, checked: at least one address or name, each address one
    address, each name at least three letters, and never the shared mailbox itself (to
    which all mail is addressed)."""
    given_addresses = [unicodedata.normalize("NFC", a.strip()).lower() for a in addresses]
    for address in given_addresses:
        if not _ADDRESS_RE.fullmatch(address):
            raise PersonError(f"--address {address!r} is not an email address")
        if same_address(address, shared_mailbox):
            raise PersonError(f"--address {address} is the shared mailbox itself, not a person")
    # A domain beyond ASCII is searched in both its forms (caerdydd-ŵ.cymru and
    # xn--caerdydd--j9b.cymru): mail and the directory may hold either.
    found = tuple(dict.fromkeys(
        form for a in given_addresses for form in (a, *sorted(address_forms(a)))
    ))
    given = tuple(dict.fromkeys(" ".join(n.split()) for n in names))
    for name in given:
        if len("".join(_WORD_RE.findall(name))) < 3:
            raise PersonError(f"--name {name!r} is too short to search for")
    if not found and not given:
        raise PersonError("give the person's --address, --name, or both")
    return Person(found, given, in_text)


class Matcher:
    """Whether a header, a piece of text or a corrections line names the person."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.addresses = set(person.addresses)
        self.name_words = [_words(name) for name in person.names]
        self.phrases = [_phrase(re.escape(a)) for a in person.addresses]
        self.phrases += [_phrase(r"\s+".join(map(re.escape, n.split()))) for n in person.names]
        # What plain ASCII headers must hold, lower-cased, to name the person: an address,
        # or every word of a name (a name with a word beyond ASCII cannot be in them).
        self.plain_addresses = [a.encode() for a in self.addresses if a.isascii()]
        self.plain_names = [[word.encode() for word in words] for words in self.name_words
                            if words and all(word.isascii() for word in words)]

    def may_be_in_headers(self, raw: bytes) -> bool:
        """False only when the mail's headers cannot name the person, without parsing
        them: they are plain ASCII (so decode to themselves) and hold none of their
        addresses and not every word of any of their names. The header block is taken up
        to the first empty line, at or after where the parser ends it."""
        end = _HEADERS_END.search(raw)
        block = raw[: end.start()] if end else raw
        if _NOT_PLAIN.search(block):
            return True
        lowered = block.lower()
        return any(address in lowered for address in self.plain_addresses) or any(
            all(word in lowered for word in words) for words in self.plain_names
        )

    def in_headers(self, headers: Message | dict[str, str]) -> list[str]:
        """The address headers that name the person: 'Cc', or 'To (name)' for a name."""
        why = []
        for header in ADDRESS_HEADERS:
            values = _header_values(headers, header)
            decoded = [clean_header(value) for value in values]
            if any(self.addresses & set(addresses_in(value)) for value in decoded):
                why.append(header)
            elif self.name_words and any(self.named(display) for value in decoded
                                         for display, _ in _pairs(value)):
                why.append(f"{header} (name)")
        return why

    def named(self, display_name: str) -> bool:
        """A display name or a case's member name with every word of a name given."""
        words = _words(display_name)
        return any(wanted <= words for wanted in self.name_words if wanted)

    def in_text(self, *texts: str) -> bool:
        return any(phrase.search(text) for phrase in self.phrases for text in texts if text)

    def in_correction(self, row: dict[str, Any], message_ids: set[str]) -> list[str]:
        why = []
        headers = row.get("headers")
        if isinstance(headers, dict):
            why += self.in_headers({str(k): str(v) for k, v in headers.items()})
        if str(row.get("who", "")).lower() in self.addresses:
            why.append("written by them")
        if str(row.get("id", "")) in message_ids:
            why.append("a message found")
        if self.person.in_text and self.in_text(str(row.get("subject", "")),
                                                str(row.get("text", ""))):
            why.append("text")
        return why


def people_in_mail(raw: bytes) -> dict[str, str]:
    """Every address a mail gives, lower-cased, with how to show it ('Name <address>'
    where a header names it): in its address headers, and in its subject and text (a
    forwarded mail's From, a resident's address pasted in)."""
    found: dict[str, str] = {}
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    for header in ADDRESS_HEADERS:
        for value in headers.get_all(header) or []:
            for display, address in _pairs(clean_header(str(value))):
                address = unicodedata.normalize("NFC", address).lower()
                if _ADDRESS_RE.fullmatch(address) and address not in found:
                    found[address] = f"{display} <{address}>" if display else address
    parsed = parse_message(raw)
    text = (f"{parsed.subject}\n{parsed.text}" if isinstance(parsed, ParsedMessage)
            else raw.decode("utf-8", "replace"))
    for address in addresses_in(text):
        found.setdefault(address, address)
    return found


def _phrase(pattern: str) -> re.Pattern[str]:
    # Not part of a longer word or address: "jo@x.uk" is not in "tojo@x.uk".
    return re.compile(rf"(?<![\w.+-]){pattern}(?![\w-]|\.\w)", re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _WORD_RE.findall(text))


def _header_values(headers: Message | dict[str, str], name: str) -> list[str]:
    if isinstance(headers, Message):
        return [str(value) for value in headers.get_all(name) or []]
    value = headers.get(name.lower())
    return [value] if value else []


def addresses_in(value: str) -> list[str]:
    return [found.lower() for found in _ADDRESS_RE.findall(unicodedata.normalize("NFC", value))]


def _pairs(value: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([value])
    except RecursionError:  # thousands of junk tokens: the addresses alone
        return [("", found) for found in addresses_in(value)]
