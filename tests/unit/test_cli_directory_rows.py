"""check-config names every bad row of members.csv and officers.csv, not only the first:
an administrator fixing an export puts them all right in one go (exit 2)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mailbot.cli import app


def _council(tmp_path: Path, members: str, officers: str) -> Path:
    (tmp_path / "members.csv").write_text(members, encoding="utf-8")
    (tmp_path / "officers.csv").write_text(officers, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Isle of Anglesey County Council"\npolicy = "cardiff"\n'
        'telephone = "01248 750057"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "ymholiadau@anglesey.gov.uk"\n'
        '[directory]\nmembers = "members.csv"\nofficers = "officers.csv"\n'
    )
    return config


def _check_config_errors(config: Path) -> list[str]:
    """check-config's error lines; it must exit 2."""
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 2, result.output
    return [line for line in result.output.splitlines() if line.startswith("mailbot: error")]


def test_every_bad_row_of_both_files_is_one_error_line(tmp_path: Path) -> None:
    config = _council(
        tmp_path,
        "name,email,language\r\nCllr Siân Jones,sian.jones@anglesey.gov.uk,cy\r\n"
        "Cllr Bad Language,bad.language@anglesey.gov.uk,fr\r\n"
        "Cllr Bad Address,not-an-address,en\r\n",
        "name,email\r\nSam Patel,sam.patel@anglesey.gov.uk\r\nBad Officer,bad@@x\r\n",
    )
    errors, folder = _check_config_errors(config), tmp_path.resolve()
    assert errors == [
        f"mailbot: error: {folder}/members.csv:3: language must be en or cy, not 'fr'",
        f"mailbot: error: {folder}/members.csv:4: email 'not-an-address' is not an email "
        "address",
        f"mailbot: error: {folder}/officers.csv:3: email 'bad@@x' is not an email address",
    ]


def test_poll_still_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    config = _council(
        tmp_path,
        "name,email,language\r\nCllr Bad Language,bad.language@anglesey.gov.uk,fr\r\n"
        "Cllr Bad Address,not-an-address,en\r\n",
        "name,email\r\nSam Patel,sam.patel@anglesey.gov.uk\r\n",
    )
    result = CliRunner().invoke(app, ["poll", "--once", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"mailbot: error: {tmp_path.resolve()}/members.csv:2: language must be en or cy, "
        "not 'fr'"
    ]


def test_a_mistake_in_the_config_does_not_hide_the_bad_rows(tmp_path: Path) -> None:
    """A section with a mistake is left out for the rest of the check: the directory the
    file names is still read, so one run names both."""
    config = _council(
        tmp_path,
        "name,email\r\nCllr Siân Jones,sian.jones@anglesey.gov.uk\r\n",
        "name,email\r\nSam Patel,sam.patel@anglesey.gov.uk\r\nBad Officer,bad@@x\r\n",
    )
    config.write_text(config.read_text() + "[scheduler]\npoll_seconds = 0\n")
    errors, folder = _check_config_errors(config), tmp_path.resolve()
    assert errors == [
        f"mailbot: error: {folder}/mailbot.toml: scheduler.poll_seconds: must be 5 or more",
        f"mailbot: error: {folder}/officers.csv:3: email 'bad@@x' is not an email address",
    ]


def test_a_broken_directory_section_is_reported_alone(tmp_path: Path) -> None:
    config = _council(tmp_path, "name,email\r\n", "name,email\r\nBad Officer,bad@@x\r\n")
    config.write_text(config.read_text().replace('officers = "officers.csv"',
                                                 'officers = "officers.csv"\nadmin = "x"'))
    result = CliRunner().invoke(app, ["check-config", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "officers.csv" not in result.output  # the section that names it is not trusted
    assert "directory.admin: unknown key" in result.output


def test_a_broken_directory_section_leaves_routing_unchecked(tmp_path: Path) -> None:
    """`admins` written as a string breaks [directory]: the officers file is not read, so
    [routing] default_officer, who is in it, must not be called missing from it."""
    config = _council(tmp_path, "name,email\r\n",
                      "name,email\r\nMember Support,member.support@anglesey.gov.uk\r\n")
    config.write_text(config.read_text().replace(
        'officers = "officers.csv"',
        'officers = "officers.csv"\nadmins = "it@anglesey.gov.uk"\n'
        '[routing]\ndefault_officer = "member.support@anglesey.gov.uk"'))
    errors = _check_config_errors(config)
    assert errors == [f"mailbot: error: {tmp_path.resolve()}/mailbot.toml: directory.admins: "
                      'must be a list in square brackets, e.g. ["first", "second"]']


def test_a_mistake_in_another_section_does_not_hide_a_misspelt_policy(tmp_path: Path) -> None:
    config = _council(tmp_path, "name,email\r\n", "name,email\r\n")
    config.write_text(config.read_text().replace('policy = "cardiff"', 'policy = "cardif"')
                      .replace('address = "ymholiadau', 'adress = "ymholiadau'))
    errors = _check_config_errors(config)
    folder = tmp_path.resolve()
    assert errors[0] == (f"mailbot: error: {folder}/mailbot.toml: mailbox.adress: unknown key; "
                         "did you mean mailbox.address?")
    assert errors[1].startswith(f"mailbot: error: {folder}/mailbot.toml: council.policy / "
                                "[policy]: unknown policy 'cardif'")
    assert len(errors) == 2, errors
