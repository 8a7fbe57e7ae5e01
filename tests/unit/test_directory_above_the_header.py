"""A spreadsheet saved with something above its header line (an HR export's title row,
Excel's "sep=;" hint): the error says which line has the headings and what to delete,
rather than that the columns are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.directory import DirectoryError, load_directory


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Thornfield DC officers, November 2026,,\r\nName,Email,Service\r\n"
         "Dale Whitcombe,dale.whitcombe@thornfield.gov.uk,Waste\r\n", 2),
        ("sep=;\r\nname;email\r\nDale Whitcombe;dale.whitcombe@thornfield.gov.uk\r\n", 2),
        ("Officers\r\n\r\nname,email\r\nDale,dale.whitcombe@thornfield.gov.uk\r\n", 3),
    ],
    ids=["title row", "sep= line", "title and a blank line"],
)
def test_a_line_above_the_header_is_named_to_delete(
    tmp_path: Path, text: str, line: int
) -> None:
    path = tmp_path / "officers.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(DirectoryError) as caught:
        load_directory(None, path)
    assert str(caught.value) == (
        f"{path}:1: the header line must be the first line, and line {line} has the "
        f"headings; delete the line(s) above it"
    )


def test_a_file_with_no_header_at_all_still_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_text("Dale Whitcombe,dale.whitcombe@thornfield.gov.uk\r\n")
    with pytest.raises(DirectoryError, match=r":1: missing column\(s\) name, email"):
        load_directory(None, path)


def test_a_utf8_mark_on_a_windows_1252_file_is_not_read_as_a_heading(tmp_path: Path) -> None:
    """A CSV UTF-8 file, added to later by a tool writing Windows-1252 (ó as one byte):
    its byte-order mark was read as part of the first heading, 'ï»¿name', and the file
    was refused for a missing name column."""
    path = tmp_path / "members.csv"
    path.write_bytes(b"\xef\xbb\xbfname,email\r\n"
                     b"Cllr Tomasz Wr\xf3bel,t.wrobel@thornfield.gov.uk\r\n")
    found = load_directory(path, None)
    member = found.member("t.wrobel@thornfield.gov.uk")
    assert member is not None and member.name == "Cllr Tomasz Wróbel"
    assert any("read as Windows-1252" in warning for warning in found.warnings)
