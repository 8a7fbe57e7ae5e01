"""One key for an address, whichever form its domain is written in: the function itself,
and the places that compare by it (the directory, the From read from mail, the person
searched for by `mailbot person`)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from helpers import eml
from hypothesis import given
from hypothesis import strategies as st

from mailbot.addresses import address_forms, address_key, domain_key, same_address
from mailbot.data_subject import PersonError, person
from mailbot.directory import DirectoryError, emails_in, load_directory
from mailbot.model import ParsedMessage
from mailbot.parse import parse_message
from mailbot.policy.rules import Routing
from mailbot.render import greeting, route_greetings

UNICODE = "caerdydd-\u0175.cymru"
ASCII = "xn--caerdydd--j9b.cymru"
KEY = f"cllr.jones@{ASCII}"


@pytest.mark.parametrize("written", [
    f"cllr.jones@{UNICODE}",
    f"cllr.jones@{ASCII}",
    f"Cllr.Jones@{UNICODE.upper()}",  # a capital Ŵ
    f"CLLR.JONES@{ASCII.upper()}",
    unicodedata.normalize("NFD", f"cllr.jones@{UNICODE}"),  # w and a combining circumflex
    f"  cllr.jones@{UNICODE}. ",  # a trailing dot and spaces
])
def test_every_form_of_the_address_has_one_key(written: str) -> None:
    assert address_key(written) == KEY
    assert same_address(written, f"cllr.jones@{UNICODE}")


def test_the_local_part_stays_as_written_in_lower_case() -> None:
    # Not mapped to ASCII: siân and sian are two mailboxes.
    assert address_key(f"Siân@{UNICODE}") == f"siân@{ASCII}"
    assert not same_address(f"siân@{UNICODE}", f"sian@{UNICODE}")
    assert address_key("Jo.Bloggs@Council.gov.uk") == "jo.bloggs@council.gov.uk"


def test_different_people_and_domains_stay_different() -> None:
    assert not same_address(f"cllr.jones@{UNICODE}", "cllr.jones@caerdydd-w.cymru")
    assert not same_address(f"cllr.jones@{UNICODE}", f"cllr.davies@{UNICODE}")


@pytest.mark.parametrize("domain", [
    "a..\u0175.cymru",  # an empty label
    "\u0175" * 80 + ".cymru",  # a label longer than 63 letters in ASCII form
    "ex\u200bample.org",  # a zero-width space
    "xn--zz.cymru",  # not Punycode at all
    "",
])
def test_a_domain_idna_cannot_write_falls_back_without_raising(domain: str) -> None:
    key = address_key(f"Jo@{domain}")
    assert key.startswith("jo@") and key == address_key(f"jo@{domain.upper()}")
    assert address_forms(f"jo@{domain}")  # never raises either


@given(st.text(max_size=80))
def test_no_text_makes_the_key_raise(text: str) -> None:
    key = address_key(text)
    assert address_key(key) == key  # and a key is its own key


def test_the_forms_searched_for_are_both_spellings_of_the_domain() -> None:
    assert address_forms(f"Cllr.Jones@{ASCII}") == {KEY, f"cllr.jones@{UNICODE}"}
    assert address_forms("jo@council.gov.uk") == {"jo@council.gov.uk"}
    assert domain_key(f"{UNICODE}.") == ASCII


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("listed", "writes"), [(UNICODE, ASCII), (ASCII, UNICODE)])
def test_the_directory_finds_people_in_either_form(
    tmp_path: Path, listed: str, writes: str
) -> None:
    members = _write(tmp_path / "members.csv",
                     f"name,email,other_emails\nCllr Eleri Jones,Cllr.Jones@{listed},"
                     f"eleri@{listed}\n")
    officers = _write(tmp_path / "officers.csv",
                      "name,email,service,manager_email\n"
                      f"Sam Patel,sam@{listed},Highways,dana@{listed}\n"
                      f"Dana Reed,dana@{listed},Highways,\n")
    found = load_directory(members, officers)
    jones = found.member(f"cllr.jones@{writes}")
    assert jones is not None and jones.name == "Cllr Eleri Jones"
    assert found.member(f"ELERI@{writes.upper()}") == jones
    # Shown to people as the file wrote it.
    assert jones.email == f"cllr.jones@{listed}"
    sam = found.officer(f"sam@{writes}")
    assert sam is not None and sam.email == f"sam@{listed}"
    assert [o.name for o in found.managed_by(f"dana@{writes}")] == ["Sam Patel"]
    assert found.manager_of(f"sam@{writes}").name == "Dana Reed"  # type: ignore[union-attr]
    assert not [w for w in found.warnings if "no row of its own" in w]


def test_one_address_in_both_forms_is_listed_twice(tmp_path: Path) -> None:
    members = _write(tmp_path / "members.csv",
                     f"name,email\nCllr A,a@{UNICODE}\nCllr B,a@{ASCII}\n")
    twice = rf"members.csv:3: email a@{ASCII} is listed twice \(first members.csv line 2\)"
    with pytest.raises(DirectoryError, match=twice):
        load_directory(members, None)
    officers = _write(tmp_path / "officers.csv",
                      f"name,email,manager_email\nSam,sam@{UNICODE},sam@{ASCII}\n")
    with pytest.raises(DirectoryError, match="cannot be their own manager"):
        load_directory(None, officers)


def test_a_decomposed_letter_in_the_directory_is_read(tmp_path: Path) -> None:
    members = _write(tmp_path / "members.csv",
                     "name,email\nCllr Eleri Jones,"
                     + unicodedata.normalize("NFD", f"cllr.jones@{UNICODE}") + "\n")
    assert load_directory(members, None).member(f"cllr.jones@{ASCII}") is not None


@pytest.mark.parametrize("name", [
    "idn_member_from_ascii_form.eml",
    "idn_member_from_utf8_header.eml",
    "idn_member_from_decomposed_capitals.eml",
])
def test_the_sender_of_each_form_is_read_with_the_same_key(name: str) -> None:
    parsed = parse_message(eml(name))
    assert isinstance(parsed, ParsedMessage) and parsed.sender is not None
    assert address_key(parsed.sender.email) == KEY
    assert parsed.sender.email in {KEY, f"cllr.jones@{UNICODE}"}  # as written, composed


def test_an_rfc_6532_from_keeps_its_encoded_name() -> None:
    parsed = parse_message(eml("idn_member_from_utf8_header.eml"))
    assert isinstance(parsed, ParsedMessage) and parsed.sender is not None
    assert parsed.sender.name == "Cllr Eleri Jones (Cyngôr)"
    assert parsed.sender.email == f"cllr.jones@{UNICODE}"


def test_a_person_is_searched_for_in_both_forms_and_never_as_the_shared_mailbox() -> None:
    who = person([f"Cllr.Jones@{ASCII}"], [], in_text=False,
                 shared_mailbox=f"ymholiadau@{UNICODE}")
    assert set(who.addresses) == {KEY, f"cllr.jones@{UNICODE}"}
    with pytest.raises(PersonError, match="shared mailbox itself"):
        person([f"ymholiadau@{ASCII}"], [], in_text=False,
               shared_mailbox=f"ymholiadau@{UNICODE}")


def test_an_address_in_an_away_note_is_found_with_decomposed_letters() -> None:
    note = unicodedata.normalize("NFD", f"I am away. Please contact Lee.Wong@{UNICODE}.")
    assert list(emails_in(note)) == [f"lee.wong@{UNICODE}"]


def test_a_packs_route_is_greeted_by_its_role_in_either_form_of_its_domain() -> None:
    roles = route_greetings(Routing(
        foi_team=f"foi@{UNICODE}", complaints=f"complaints@{UNICODE}",
        monitoring_officer=f"monitoring.officer@{ASCII}", source="test",
    ))
    assert greeting(f"FOI@{ASCII}", roles) == "FOI team"
    assert greeting(f"monitoring.officer@{UNICODE}", roles, welsh=True) == "Swyddog Monitro"
    assert greeting(f"someone@{UNICODE}", roles) == "colleague"
