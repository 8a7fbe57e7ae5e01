"""The directory CSVs: validation errors name the file and line; edits are picked up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mailbot.directory import DirectoryError, emails_in, load_directory


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_members_and_officers_load_with_optional_columns(tmp_path: Path) -> None:
    members = _write(
        tmp_path / "members.csv",
        "name,email,ward,language,other_emails\n"
        "Cllr Siân Evans,Sian.Evans@Council.gov.uk,Llandaff,cy,sian@home.example.org\n"
        "Cllr Jo Bloggs,jo@council.gov.uk,,,\n",
    )
    officers = _write(
        tmp_path / "officers.csv",
        "name,email,service,manager_email,deputy_email\n"
        "Sam Patel,sam@council.gov.uk,highways,dana@council.gov.uk,lee@council.gov.uk\n"
        "Dana Reed,dana@council.gov.uk,highways,,\n",
    )
    found = load_directory(members, officers)
    sian = found.member("sian.evans@council.gov.uk")
    assert sian is not None and sian.language == "cy" and sian.ward == "Llandaff"
    assert found.member("SIAN@home.example.org") == sian  # a second address, same member
    jo = found.member("jo@council.gov.uk")
    assert jo is not None and jo.language == "en"
    assert found.manager_of("sam@council.gov.uk").email == "dana@council.gov.uk"  # type: ignore[union-attr]
    assert found.deputy_of("sam@council.gov.uk").email == "lee@council.gov.uk"  # type: ignore[union-attr]
    assert found.top_of_chain("sam@council.gov.uk") == "dana@council.gov.uk"
    assert [o.email for o in found.managed_by("dana@council.gov.uk")] == ["sam@council.gov.uk"]
    assert found.managed_by("nobody@council.gov.uk") == []  # a manager of no one: no crash


def test_missing_column_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "members.csv", "name,ward\nCllr A,North\n")
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, None)
    assert str(caught.value).startswith(f"{path}:1: missing column(s) email")


def test_duplicate_address_names_the_second_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "officers.csv",
        "name,email,service,manager_email,deputy_email\n"
        "Sam Patel,sam@council.gov.uk,highways,,\n"
        "Other Sam,SAM@council.gov.uk,waste,,\n",
    )
    with pytest.raises(DirectoryError) as caught:
        load_directory(None, path)
    assert str(caught.value).startswith(f"{path}:3: email sam@council.gov.uk is listed twice")


def test_nobody_is_both_member_and_officer(tmp_path: Path) -> None:
    members = _write(tmp_path / "m.csv", "name,email\nCllr A,a@council.gov.uk\n")
    officers = _write(tmp_path / "o.csv", "name,email\nA again,a@council.gov.uk\n")
    with pytest.raises(DirectoryError, match=r"o\.csv:2: .*listed twice \(first m\.csv line 2\)"):
        load_directory(members, officers)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,email\nCllr A,not-an-address\n", ":2: email 'not-an-address' is not an email"),
        ("name,email,language\nCllr A,a@c.gov.uk,fr\n", ":2: language must be en or cy"),
        ("name,email\n,a@c.gov.uk\n", ":2: name is empty"),
    ],
)
def test_bad_member_rows(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "members.csv", text)
    with pytest.raises(DirectoryError, match=message):
        load_directory(path, None)


def test_officer_cannot_manage_themselves(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "officers.csv",
        "name,email,service,manager_email,deputy_email\nSam,sam@c.gov.uk,x,sam@c.gov.uk,\n",
    )
    with pytest.raises(DirectoryError, match=":2: sam@c.gov.uk cannot be their own manager"):
        load_directory(None, path)


def test_refresh_picks_up_an_edit_and_keeps_the_last_good_copy(tmp_path: Path) -> None:
    path = _write(tmp_path / "members.csv", "name,email\nCllr A,a@c.gov.uk\n")
    directory = load_directory(path, None)
    assert directory.refresh() is False  # unchanged: nothing read

    _write(path, "name,email\nCllr A,a@c.gov.uk\nCllr B,b@c.gov.uk\n")
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert directory.refresh() is True
    assert directory.member("b@c.gov.uk") is not None

    _write(path, "name,email\nCllr A,a@c.gov.uk\nCllr Z,a@c.gov.uk\n")  # a bad edit
    os.utime(path, ns=(1, 3_000_000_000_000_000_000))
    assert directory.refresh() is False
    assert "listed twice" in directory.last_error
    assert directory.member("b@c.gov.uk") is not None  # the last good directory stays


def test_emails_in_free_text() -> None:
    note = "I am away until Monday. Please contact Lee Wong (Lee.Wong@council.gov.uk)."
    assert list(emails_in(note)) == ["lee.wong@council.gov.uk"]


def test_excel_export_in_windows_1252_with_its_quirks_loads_with_warnings(tmp_path: Path) -> None:
    # Excel's "CSV (Comma delimited)" on a UK machine: Windows-1252, CRLF, the columns in
    # the spreadsheet's order and spelling, extra columns, padded cells, empty rows at the end.
    members = tmp_path / "members.csv"
    members.write_bytes(
        "Ward,Name,Party,E-mail,Language\r\n"
        "Bro Aberffraw,Siân Jones,Plaid,  Sian.Jones@Anglesey.gov.uk ,Welsh\r\n"
        "Caergybi,Ll?r Hughes,Labour,llyr.hughes@anglesey.gov.uk,cy\r\n"
        "Lligwy,Vacant,,,\r\n"
        ",,,,\r\n,,,,\r\n".encode("cp1252")
    )
    officers = tmp_path / "officers.csv"
    officers.write_bytes(
        "\ufeffJob title,Email,Name,Manager Email,Service\r\n"
        "Engineer,gwen.parry@anglesey.gov.uk,Gwen Parry,Dewi.Roberts@anglesey.gov.uk ,Priffyrdd\r\n"
        "Head of Highways,dewi.roberts@anglesey.gov.uk,Dewi Roberts,,Priffyrdd\r\n".encode()
    )
    found = load_directory(members, officers)
    sian = found.member("sian.jones@anglesey.gov.uk")
    assert sian is not None and sian.name == "Siân Jones" and sian.language == "cy"
    assert sian.ward == "Bro Aberffraw"
    assert len(found.members) == 2  # the vacant seat and the blank rows are not members
    assert found.manager_of("gwen.parry@anglesey.gov.uk").name == "Dewi Roberts"  # type: ignore[union-attr]
    assert found.warnings == [
        f"{members}: not UTF-8, read as Windows-1252 (line 2 is the first such line); save it "
        'as "CSV UTF-8 (Comma delimited)" so Welsh letters such as ŵ and ŷ survive',
        f"{members}: column(s) party not used (mailbot reads name, email, ward, language, "
        "other_emails)",
        f"{members}:3: name 'Ll?r Hughes' has a '?' where the export probably lost a letter "
        '(save as "CSV UTF-8 (Comma delimited)")',
        f"{members}:4: Vacant has no email; skipped",
        f"{officers}: column(s) job_title not used (mailbot reads name, email, service, "
        "manager_email, deputy_email)",
    ]


def test_a_column_named_twice_is_refused_not_overwritten(tmp_path: Path) -> None:
    # csv.DictReader keeps the last "email": the member's work address would silently go.
    path = _write(
        tmp_path / "members.csv",
        "name,email,Email\nCllr A,a@council.gov.uk,a@home.example.org\n",
    )
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, None)
    assert str(caught.value) == f"{path}:1: column(s) email appear more than once"


def test_missing_column_says_what_the_header_has(tmp_path: Path) -> None:
    path = _write(tmp_path / "members.csv", "Councillor,Email address,Ward\nA,a@c.gov.uk,N\n")
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, None)
    assert str(caught.value) == (
        f"{path}:1: missing column(s) name (the header line must name name, email; "
        "found councillor, email, ward; if councillor is that column, head it name)"
    )


def test_a_column_mailbot_does_not_read_names_the_one_probably_meant(tmp_path: Path) -> None:
    """'Manager' and 'Deputy' headings, as people write them, are not read: the warning
    says which of mailbot's columns they probably are."""
    path = _write(tmp_path / "officers.csv",
                  "Name,Email,Manager,Deputy,Mobile\r\n"
                  "Sam Patel,sam@council.gov.uk,dana@council.gov.uk,,07700 900123\r\n"
                  "Dana Reed,dana@council.gov.uk,,,\r\n")
    found = load_directory(None, path)
    assert found.warnings == [
        f"{path}: column(s) manager, deputy, mobile not used (mailbot reads name, email, "
        "service, manager_email, deputy_email; head manager as manager_email, deputy as "
        "deputy_email if that is what they hold)"
    ]


@pytest.mark.parametrize(
    "address",
    ["mailto:a@council.gov.uk", "Cllr A <a@council.gov.uk>", "a\u200b@council.gov.uk"],
)
def test_an_address_that_would_never_match_a_sender_is_refused(
    tmp_path: Path, address: str
) -> None:
    path = _write(tmp_path / "members.csv", f'name,email\nCllr A,"{address}"\n')
    with pytest.raises(DirectoryError, match=r":2: email .* is not an email address"):
        load_directory(path, None)


def test_semicolon_separated_export_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "members.csv", "Name;Email;Ward\nCllr A;a@council.gov.uk;North\n")
    member = load_directory(path, None).member("a@council.gov.uk")
    assert member is not None and member.ward == "North"


def test_utf16_export_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes("Name\tEmail\r\nCllr A\ta@council.gov.uk\r\n".encode("utf-16"))
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, None)
    assert str(caught.value).startswith(f"{path}: is UTF-16")


def test_header_only_file_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "members.csv", "name,email\r\n")
    assert load_directory(path, None).warnings == [
        f"{path}: lists no members, so no sender is a known member"
    ]


@pytest.mark.parametrize("start", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_an_excel_workbook_named_as_the_directory_is_refused_in_one_line(
    tmp_path: Path, start: bytes
) -> None:
    # members.xlsx read as text gave "not UTF-8" or a header of binary noise.
    path = tmp_path / "members.xlsx"
    path.write_bytes(start + b"\x00\x14\x00\x06\x00" * 50)
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, None)
    assert str(caught.value).startswith(f"{path}: is an Excel workbook, not CSV;")


def test_other_emails_separated_by_commas_in_one_cell(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "members.csv",
        'name,email,other_emails\nCllr A,a@council.gov.uk,"a@home.example.org, A@Work.example"\n',
    )
    directory = load_directory(path, None)
    assert directory.member("a@home.example.org") is directory.member("a@work.example")
    assert directory.member("a@work.example") is not None


def test_international_addresses_are_members(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "members.csv",
        "name,email\nCllr Siân Jones,Siân.Jones@Caerdydd.example\nCllr B,b@cyngor.llyw.cymru\n",
    )
    directory = load_directory(path, None)
    assert directory.member("siân.jones@caerdydd.example") is not None
    assert directory.member("b@cyngor.llyw.cymru") is not None


def test_a_row_repeated_exactly_is_skipped_but_a_conflicting_one_is_refused(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "members.csv",
        "name,email,ward\nCllr A,a@c.gov.uk,North\nCllr B,b@c.gov.uk,South\n"
        "Cllr A,A@C.gov.uk ,North\n",
    )
    directory = load_directory(path, None)
    assert len(directory.members) == 2
    assert directory.warnings == [f"{path}:4: repeats members.csv line 2 exactly; skipped"]

    _write(path, "name,email,ward\nCllr A,a@c.gov.uk,North\nCllr A,a@c.gov.uk,South\n")
    with pytest.raises(DirectoryError, match=r"members\.csv:3: email a@c\.gov\.uk is listed twice"):
        load_directory(path, None)


def test_first_and_last_name_columns_make_the_name(tmp_path: Path) -> None:
    # An HR system's export: no "name" column, the parts in their own columns.
    path = _write(
        tmp_path / "officers.csv",
        "Employee ID,Forename,Surname,Email,Service\r\n"
        "E104,Gwen,Parry,gwen.parry@ynysmon.example,Priffyrdd\r\n",
    )
    directory = load_directory(None, path)
    gwen = directory.officer("gwen.parry@ynysmon.example")
    assert gwen is not None and gwen.name == "Gwen Parry"
    assert directory.warnings == [
        f"{path}: column(s) employee_id not used (mailbot reads name, email, service, "
        "manager_email, deputy_email)"
    ]


def test_a_name_written_surname_first_is_a_warning_with_the_name_turned_round(
    tmp_path: Path,
) -> None:
    """Outlook's address book and HR systems export "Patel, Sam"; letters then greet
    "Dear Patel, Sam". Honours and degrees after a comma are part of a name as written."""
    members = _write(
        tmp_path / "members.csv",
        'name,email\n"Jones, Cllr Siân",sian@council.gov.uk\n"Jo Bloggs, OBE",jo@council.gov.uk\n',
    )
    officers = _write(
        tmp_path / "officers.csv",
        "name,email\n"
        '"Patel, Sam",sam@council.gov.uk\n'
        '"van der Berg, Anna",anna@council.gov.uk\n'
        '"Lee Wong, PhD",lee@council.gov.uk\n'
        '"Highways team, North",highways.north@council.gov.uk\n'
        "Dana Reed,dana@council.gov.uk\n",
    )
    found = load_directory(members, officers)
    assert found.officer("sam@council.gov.uk").name == "Patel, Sam"  # type: ignore[union-attr]
    tail = "looks written surname first, as Outlook and HR systems export it, and letters " \
        "would greet them so; write it"
    assert found.warnings == [
        f"{members}:2: name 'Jones, Cllr Siân' {tail} 'Cllr Siân Jones'",
        f"{officers}:2: name 'Patel, Sam' {tail} 'Sam Patel'",
        f"{officers}:3: name 'van der Berg, Anna' {tail} 'Anna van der Berg'",
    ]


def test_a_manager_written_by_name_names_their_address(tmp_path: Path) -> None:
    """HR's export gives the manager's name where officers.csv wants their address: the
    error says which address that is, from the manager's own row."""
    path = _write(tmp_path / "officers.csv",
                  "name,email,manager_email,deputy_email\r\n"
                  "Sam Patel,sam.patel@council.gov.uk,Lee Chan,\r\n"
                  "Lee Chan,Lee.Chan@council.gov.uk,,\r\n")
    with pytest.raises(DirectoryError) as caught:
        load_directory(None, path)
    assert str(caught.value) == (
        f"{path}:2: manager_email 'Lee Chan' is a name, not an email address; write "
        "Lee.Chan@council.gov.uk (their row, line 3)"
    )


def test_managers_that_manage_each_other_are_a_warning(tmp_path: Path) -> None:
    """Sam's manager Lee, Lee's manager Sam (a row copied and not corrected): the line has
    no head, so a complaint for the service Director (Hackney 11.3) went to the officer
    complained of, and escalations went round the loop. Named once, at its first line."""
    path = _write(tmp_path / "officers.csv",
                  "name,email,manager_email\r\n"
                  "Sam Patel,sam.patel@council.gov.uk,lee.chan@council.gov.uk\r\n"
                  "Lee Chan,lee.chan@council.gov.uk,Sam.Patel@council.gov.uk\r\n"
                  "Dana Reed,dana.reed@council.gov.uk,sam.patel@council.gov.uk\r\n")
    found = load_directory(None, path)
    assert found.warnings == [
        f"{path}:2: manager_email goes round in a loop (Sam Patel → Lee Chan → Sam Patel), "
        "so their line has no head: escalations go round it and a complaint for the service "
        "Director goes to one of them; give the head of the line an empty manager_email"
    ]
