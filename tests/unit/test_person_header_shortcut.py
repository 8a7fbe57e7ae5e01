"""`mailbot person find` parses a mail's headers only when they may name the person
(Matcher.may_be_in_headers): for every mail in tests/data and every address and display
name in its headers, the shortcut never says "cannot" where the full reading finds them."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

import pytest

from mailbot.data_subject import ADDRESS_HEADERS, Matcher, person
from mailbot.plaintext import clean_header

DATA = Path(__file__).resolve().parent.parent / "data"
MAIL = sorted(DATA.glob("*.eml"))
SHARED = "memberenquiries@wiltshire.gov.uk"


def _people_in(raw: bytes) -> tuple[set[str], set[str]]:
    """The addresses and display names its address headers give, as find reads them."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    addresses, names = set(), set()
    for header in ADDRESS_HEADERS:
        for value in headers.get_all(header) or []:
            for name, address in getaddresses([clean_header(str(value))]):
                if "@" in address and address.lower() != SHARED:
                    addresses.add(address.lower())
                if len("".join(ch for ch in name if ch.isalnum())) >= 3:
                    names.add(name)
    return addresses, names


def test_there_is_mail_to_check() -> None:
    assert len(MAIL) > 50


@pytest.mark.parametrize("path", MAIL, ids=[p.name for p in MAIL])
def test_the_shortcut_never_skips_headers_that_name_the_person(path: Path) -> None:
    raw = path.read_bytes()
    addresses, names = _people_in(raw)
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    people = [([a], []) for a in addresses] + [([], [n]) for n in names]
    people.append((["nobody.here@example.org"], ["Zebedee Quill"]))
    for given_addresses, given_names in people:
        try:
            who = person(given_addresses, given_names, in_text=False, shared_mailbox=SHARED)
        except ValueError:
            continue  # not a person find would search for
        matcher = Matcher(who)
        if matcher.in_headers(headers):
            assert matcher.may_be_in_headers(raw), (given_addresses, given_names)
