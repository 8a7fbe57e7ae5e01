"""TOML mistakes an administrator makes in mailbot.toml or a council's own policy pack
(a table written twice, text without quotes, a Windows path, curly quotes from a word
processor, a time without quotes) get one line naming the file, the line, the key and
what to write: not tomllib's "Cannot declare ('council',) twice" or "Invalid value"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

COUNCIL = (
    '[council]\nname = "Thornfield District Council"\npolicy = "wiltshire"\n'
    'telephone = "01945 555100"\ndata_dir = "var"\n'
    '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@thornfield.gov.uk"\n'
)


def check_config(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        ('[council]\nname = "Again"\n',
         "line 9: the table [council] appears twice (or its keys were already set as "
         "council.KEY = ...); keep one [council] with all its keys"),
        ("[scheduler]\npoll_seconds = 60\npoll_seconds = 30\n",
         "line 11: scheduler.poll_seconds: is set twice; keep one of them"),
        ("[digest]\nday = Monday\n",
         'line 10: digest.day: not a TOML value; write text in double quotes'),
        ("[scheduler]\nidle = True\n",
         "line 10: scheduler.idle: not a TOML value; write text in double quotes "
         '("Thornfield District Council", "08:00"), true and false in lower case'),
        ('[directory]\nmembers = "D:\\mailbot\\members.csv"\n',
         "line 10: directory.members: a backslash in double quotes starts an escape; write "
         "text with backslashes (a Windows path, a password) in single quotes instead: "
         "'C:\\mailbot\\members.csv'"),
        ('[directory]\nmembers = "C:\\Users\\priya\\members.csv"\n',
         "line 10: directory.members: a backslash in double quotes starts an escape"),
        ("[directory]\nmembers = \u201cmembers.csv\u201d\n",
         "line 10: directory.members: curly quotes"),
        ("[digest]\ntime = 08:00\n",
         "line 10: digest.time: something follows the value on this line; write text (a "
         'time, a telephone number) in double quotes: time = "08:00"'),
        ('[directory]\nadmins = "a@thornfield.gov.uk", "b@thornfield.gov.uk"\n',
         "line 10: directory.admins: something follows the value on this line"),
        ('[directory]\nmembers = "members.csv\n',
         "line 10: directory.members: the text has no closing quote on the same line"),
        ('[directory]\nadmins = ["a@thornfield.gov.uk"\n',
         "at the end of the file: a list opened with [ is not closed with ]"),
        ("[policy.calendar]\nclosures = [{ start = 2026-12-29,\n    end = 2026-12-31 }]\n",
         "line 10: policy.calendar.closures: a { ... } table must be closed on the same line"),
        ('[policy.calendar]\nclosures = [{ start = 2026-12-29, name = "Xmas", }]\n',
         "line 10: policy.calendar.closures: a { ... } table must be closed on the same line, "
         "with no comma after its last value"),
        ('[policy.calendar]\nclosures = [{ start = 2026-12-32, name = "Xmas" }]\n',
         "a date that exists: YYYY-MM-DD"),
    ],
    ids=["table twice", "key twice", "unquoted text", "True", "D: path", "C:\\Users path",
         "curly quotes", "time unquoted", "list without brackets", "no closing quote",
         "list not closed", "inline table over lines", "inline table trailing comma",
         "date that does not exist"],
)
def test_a_toml_mistake_in_the_config_is_one_line_saying_what_to_write(
    tmp_path: Path, mistake: str, expected: str
) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(COUNCIL + mistake, encoding="utf-8")
    code, lines = check_config(config)
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {config}: not valid TOML: ")
    assert expected in lines[0]
    assert "Cannot declare" not in lines[0] and "Invalid value" not in lines[0]


def test_a_telephone_number_without_quotes_is_to_be_quoted(tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(COUNCIL.replace('telephone = "01945 555100"',
                                      "telephone = 01945 555100   # switchboard"))
    code, lines = check_config(config)
    assert code == 2
    assert lines == [
        f"mailbot: error: {config}: not valid TOML: line 4: council.telephone: something "
        "follows the value on this line; write text (a time, a telephone number) in double "
        'quotes: telephone = "01945 555100"'
    ]


def test_a_toml_mistake_in_a_councils_own_pack_names_the_pack_and_the_key(
    tmp_path: Path,
) -> None:
    shipped = Path(__file__).parents[2] / "config" / "policies" / "wiltshire.toml"
    pack = tmp_path / "policies" / "thornfield.toml"
    pack.parent.mkdir()
    pack.write_text(shipped.read_text(encoding="utf-8") + "\n[clock]\ncutoff = \"16:30\"\n",
                    encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(COUNCIL.replace('"wiltshire"', '"policies/thornfield.toml"'),
                      encoding="utf-8")
    code, lines = check_config(config)
    assert code == 2
    errors = [line for line in lines if line.startswith("mailbot: error: ")]
    assert len(errors) == 1, lines
    assert f"{pack}: not valid TOML: line " in errors[0]
    assert "the table [clock] appears twice" in errors[0]
