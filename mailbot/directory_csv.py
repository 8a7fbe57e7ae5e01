"""A directory CSV file read into rows: its text (UTF-8, or Windows-1252 with a warning;
an Excel workbook or UTF-16 refused in words), its delimiter, its heading line and its
columns as spreadsheets write them ("Manager E-mail", first and last name columns), each
fault a DirectoryError naming the file and the line, what is probably wrong a warning.
The people in the rows are checked in mailbot.directory.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from pathlib import Path

REQUIRED_COLUMNS = ("name", "email")


class DirectoryError(ValueError):
    """A directory file problem; the message names the file and the line."""


def read_rows(
    path: Path, columns: tuple[str, ...], warnings: list[str]
) -> list[tuple[int, dict[str, str]]]:
    text = _read_text(path, warnings)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        header = [_column_name(h) for h in next(reader, [])]
        split_name = _split_name_columns(header)
        headings_at = None if _has_required(header) else _heading_line(text)
        if headings_at is not None:
            raise DirectoryError(
                f"{path}:1: the header line must be the first line, and line {headings_at} "
                "has the headings; delete the line(s) above it"
            )
        _check_header(path, header, columns, split_name, warnings)
        rows = []
        for cells in reader:
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
            if split_name:
                row["name"] = " ".join(row.get(part, "") for part in split_name).strip()
            rows.append((reader.line_num, row))
        return rows
    except csv.Error as exc:
        raise DirectoryError(f"{path}: not a valid CSV file: {exc}") from None


def _has_required(header: list[str]) -> bool:
    present = [*header, "name"] if _split_name_columns(header) else header
    return all(column in present for column in REQUIRED_COLUMNS)


def _heading_line(text: str, lines_looked_at: int = 10) -> int | None:
    """The line holding the headings when something is above them (a title row of an HR
    export, Excel's "sep=;" hint), among the first few; None if none does."""
    lines = text.splitlines()[1:lines_looked_at]
    for number, line in enumerate(lines, start=2):
        cells = next(csv.reader([line], delimiter=_delimiter(line)), [])
        if _has_required([_column_name(cell) for cell in cells]):
            return number
    return None


def _read_text(path: Path, warnings: list[str]) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror}") from None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise DirectoryError(
            f"{path}: is an Excel workbook, not CSV; in Excel use Save As, \"CSV UTF-8 (Comma "
            "delimited)\", and name the .csv file in [directory]"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DirectoryError(
            f"{path}: is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 (Comma "
            "delimited)\""
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
    try:
        # Excel's plain "CSV (Comma delimited)" on a UK Windows machine writes Windows-1252:
        # read it so "Siân" stays Siân, but say so, since letters such as ŵ and ŷ do not
        # exist there and were already lost as '?'.
        # Without a UTF-8 byte-order mark left at the start of the first heading.
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("cp1252")
    except UnicodeDecodeError:
        raise DirectoryError(
            f"{path}:{bad_line}: not UTF-8 text; save it as \"CSV UTF-8 (Comma delimited)\""
        ) from None
    warnings.append(
        f"{path}: not UTF-8, read as Windows-1252 (line {bad_line} is the first such line); "
        "save it as \"CSV UTF-8 (Comma delimited)\" so Welsh letters such as ŵ and ŷ survive"
    )
    return text


def _delimiter(text: str) -> str:
    """Comma, unless the header has none and uses ';' (Excel in some locales) or a tab."""
    header_line = text.split("\n", 1)[0]
    if "," not in header_line:
        for other in (";", "\t"):
            if other in header_line:
                return other
    return ","


def _column_name(heading: str) -> str:
    """Our name for a heading as a spreadsheet writes it: "Manager E-mail" -> manager_email."""
    name = re.sub(r"[\s-]+", "_", heading.strip().lower()).replace("e_mail", "email")
    return "email" if name == "email_address" else name


def _split_name_columns(header: list[str]) -> tuple[str, ...]:
    """First and last name columns to join when there is no name column (an HR export)."""
    if "name" in header:
        return ()
    first = next((c for c in ("first_name", "forename", "given_name") if c in header), None)
    last = next((c for c in ("last_name", "surname", "family_name") if c in header), None)
    return (first, last) if first and last else ()


def _check_header(
    path: Path,
    header: list[str],
    columns: tuple[str, ...],
    split_name: tuple[str, ...],
    warnings: list[str],
) -> None:
    present = [*header, "name"] if split_name else header
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        found = ", ".join(h for h in header if h) or "nothing"
        others = [h for h in header if h and h not in columns]
        # "Councillor" or "Officer" over the names: the one heading left is that column.
        hint = (f"; if {others[0]} is that column, head it {missing[0]}"
                if len(missing) == 1 and len(others) == 1 else "")
        raise DirectoryError(
            f"{path}:1: missing column(s) {', '.join(missing)} (the header line must name "
            f"{', '.join(REQUIRED_COLUMNS)}; found {found}{hint})"
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        # csv would keep only the last one: a second "email" column would silently win.
        raise DirectoryError(f"{path}:1: column(s) {', '.join(twice)} appear more than once")
    unused = [h for h in header if h and h not in columns and h not in split_name]
    if unused:
        meant = [(h, _column_meant(h, columns)) for h in unused]
        hints = ", ".join(f"{h} as {column}" for h, column in meant if column)
        warnings.append(
            f"{path}: column(s) {', '.join(unused)} not used (mailbot reads "
            f"{', '.join(columns)}"
            + (f"; head {hints} if that is what they hold)" if hints else ")")
        )


def _column_meant(heading: str, columns: tuple[str, ...]) -> str | None:
    """The column a heading mailbot does not read probably is: "manager" for
    manager_email, "langauge" for language; None if none is close."""
    if heading in columns:
        return None
    starting = [c for c in columns if c.startswith(f"{heading}_")]
    if len(starting) == 1:
        return starting[0]
    close = difflib.get_close_matches(heading, columns, n=1, cutoff=0.8)
    return close[0] if close else None
