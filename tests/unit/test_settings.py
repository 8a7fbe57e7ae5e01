"""Config: one TOML file, every problem named with its key and file, env overrides."""

from __future__ import annotations

from datetime import time as dt_time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.policy import resolve_pack
from mailbot.settings import ConfigError, find_config, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "mailbot.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailbot.toml"
    path.write_text(text)
    return path


def test_every_problem_is_reported_with_key_and_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[council]\npolcy = "x"\n[mailbox.imap]\nport = "abc"\n[loops]\nmax_per_recipient = 0\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    lines = caught.value.lines()
    assert any(line.startswith(f"{path.resolve()}: council.polcy: unknown key") for line in lines)
    assert any("mailbox.imap.port" in line for line in lines)
    assert any("loops.max_per_recipient" in line for line in lines)
    assert len(lines) == 3


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[mailbox]\nbackend = "imap"\n[mailbox.imap]\nusername = "mb"\n')
    monkeypatch.setenv("MAILBOT_MAILBOX__IMAP__PASSWORD", "s3cret")
    monkeypatch.setenv("MAILBOT_COUNCIL__NAME", "Cardiff Council")
    settings = load_settings(path)
    assert settings.mailbox.imap.password == "s3cret"
    assert settings.council.name == "Cardiff Council"


@pytest.mark.own_database
def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\ndata_dir = "state"\n[directory]\nmembers = "m.csv"\n')
    settings = load_settings(path)
    assert settings.data_dir == tmp_path.resolve() / "state"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'state' / 'mailbot.db'}"
    assert settings.resolve(settings.directory.members) == tmp_path.resolve() / "m.csv"


def test_backend_needs_its_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mailbox\.imap\.username: required"):
        load_settings(write(tmp_path, '[mailbox]\nbackend = "imap"\n'))


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_settings(write(tmp_path, '[council]\nname = "unterminated\n'))


def test_example_config_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("members.csv", "officers.csv"):
        (tmp_path / name).write_text("name,email\n")
    copy = tmp_path / "mailbot.toml"
    copy.write_text(EXAMPLE.read_text())
    result = CliRunner().invoke(app, ["check-config", "--config", str(copy)])
    assert result.exit_code == 0, result.output
    assert "OK (policy colchester, backend imap)" in result.output


def test_check_config_exits_non_zero_with_one_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\npolicy = "nowhere"\n[mailbox]\nbacknd = "imap"\n')
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "mailbox.backnd: unknown key" in result.output
    assert "Traceback" not in result.output


def test_check_config_reports_unknown_pack_and_missing_directory(tmp_path: Path) -> None:
    path = write(tmp_path, '[council]\npolicy = "nowhere"\n[directory]\nmembers = "gone.csv"\n')
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "council.policy" in result.output and "nowhere" in result.output
    assert "directory.members: file" in result.output and "gone.csv" in result.output


def _one_line(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    lines = caught.value.lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{(tmp_path / 'mailbot.toml').resolve()}: ")
    return lines[0]


@pytest.mark.parametrize(
    ("written", "read"),
    [('"9:00"', dt_time(9, 0)), ('"08:30"', dt_time(8, 30)), ("07:15:00", dt_time(7, 15))],
)
def test_digest_time_as_people_write_it(tmp_path: Path, written: str, read: dt_time) -> None:
    settings = load_settings(write(tmp_path, f"[digest]\ntime = {written}\n"))
    assert settings.digest.time == read


@pytest.mark.parametrize("written", ['"25:00"', "9", '"9am"', '"08:00+01:00"', '"08:60"'])
def test_digest_time_that_is_no_time_of_day_is_refused(tmp_path: Path, written: str) -> None:
    # 9 would otherwise be read as nine seconds past midnight, and the digest go at 00:00.
    line = _one_line(tmp_path, f"[digest]\ntime = {written}\n")
    assert 'digest.time: ' in line and 'write it as "HH:MM"' in line


def test_misspelt_key_and_section_get_a_suggestion(tmp_path: Path) -> None:
    assert _one_line(tmp_path, '[council]\npolcy = "cardiff"\n').endswith(
        "council.polcy: unknown key; did you mean council.policy?"
    )
    assert _one_line(tmp_path, '[directroy]\nmembers = "m.csv"\n').endswith(
        "directroy: unknown key; did you mean directory?"
    )


def test_mistyped_environment_variable_is_named_not_blamed_on_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__IMAP__PASWORD", "s3cret")
    line = _one_line(tmp_path, "")
    assert "mailbox.imap.pasword: unknown key" in line
    assert "set by the environment variable MAILBOT_MAILBOX__IMAP__PASWORD, not the file" in line
    assert line.endswith("did you mean MAILBOT_MAILBOX__IMAP__PASSWORD?")
    assert "s3cret" not in line


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        # What Outlook and most mail programs call port 993's setting.
        ('[mailbox.imap]\nsecurity = "SSL"\n', "mailbox.imap.security: must be one of 'tls', "
         "'starttls' or 'none'; write \"tls\" for what mail programs call SSL or SSL/TLS"),
        ('[mailbox.smtp]\nsecurity = "start-tls"\n', "mailbox.smtp.security: must be one of "
         "'tls', 'starttls' or 'none'; did you mean \"starttls\"?"),
        ('[digest]\nday = "Mon"\n', "digest.day: must be one of 'monday', 'tuesday', "
         "'wednesday', 'thursday', 'friday', 'saturday' or 'sunday'; did you mean \"monday\"?"),
        ('[logging]\nlevel = "warn"\n', "logging.level: must be one of 'DEBUG', 'INFO', "
         "'WARNING' or 'ERROR'; did you mean \"WARNING\"?"),
    ],
)
def test_a_value_not_among_those_allowed_names_the_one_meant(
    tmp_path: Path, text: str, ending: str
) -> None:
    """'security = "SSL"' was told only the values allowed, not which of them it is."""
    assert _one_line(tmp_path, text).endswith(ending)


def test_an_unknown_key_names_the_example_config_where_it_is_installed(tmp_path: Path) -> None:
    """It said "check the spelling against config/mailbot.example.toml", a folder of the
    source that a council installing the wheel does not have."""
    from mailbot.resources import EXAMPLE_CONFIG

    line = _one_line(tmp_path, "[digest]\nxyzzy = 1\n")
    assert line.endswith(f"digest.xyzzy: unknown key (check the spelling against the example "
                         f"config, {EXAMPLE_CONFIG})")
    assert EXAMPLE_CONFIG.is_file()


def test_a_variable_naming_the_wrong_table_names_the_right_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__PASSWORD", "s3cret")
    line = _one_line(tmp_path, "")
    assert "mailbox.password: unknown key (set by the environment variable " in line
    assert line.endswith(
        "it belongs in another table: did you mean MAILBOT_MAILBOX__IMAP__PASSWORD, "
        "MAILBOT_MAILBOX__SMTP__PASSWORD or MAILBOT_MAILBOX__EWS__PASSWORD?"
    )
    assert "s3cret" not in line


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("MAILBOT_MAILBOXX__IMAP__PASSWORD", "no [mailboxx] section (did you mean [mailbox]?)"),
        ("MAILBOT_MAILBOX_IMAP_PASSWORD", "sections and keys are separated by two underscores"),
    ],
)
def test_environment_variable_for_no_section_is_an_error_not_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, message: str
) -> None:
    # pydantic-settings alone ignores these, leaving the password silently empty.
    monkeypatch.setenv(variable, "s3cret")
    line = _one_line(tmp_path, "")
    assert f"environment variable {variable}: " in line and message in line


def test_bad_value_from_the_environment_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_SCHEDULER__POLL_SECONDS", "sixty")
    monkeypatch.setenv("MAILBOT_CONFIG", str(tmp_path / "mailbot.toml"))
    monkeypatch.setenv("MAILBOT_DEBUG", "")
    line = _one_line(tmp_path, "")
    assert "scheduler.poll_seconds:" in line
    assert "(set by the environment variable MAILBOT_SCHEDULER__POLL_SECONDS" in line


def test_shared_mailbox_address_is_trimmed(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, '[mailbox]\naddress = " MemberEnquiries@council.gov.uk "\n')
    )
    assert settings.mailbox.address == "MemberEnquiries@council.gov.uk"


@pytest.mark.own_database
@pytest.mark.parametrize(
    ("url", "message"),
    [
        # PostgreSQL as psql and hosting dashboards write it, which SQLAlchemy does not
        # read: it was told "'postgres' is not a database mailbot can use (SQLite or
        # PostgreSQL)", though it is PostgreSQL.
        ("postgres://mb:pw123@db/mailbot", "'postgres://' is PostgreSQL as psql and some "
         "hosting services write it; mailbot needs it written postgresql: start the URL "
         "postgresql+psycopg:// and keep the rest as it is"),
        ("postgres+psycopg://mb:pw123@db/mailbot", "'postgres+psycopg://' is PostgreSQL as"),
        ("mysql://mb:pw123@db/mailbot", "'mysql' is not a database mailbot can use"),
        ("postgresql+psycopg2://mb:pw123@db/mailbot", "driver for 'postgresql+psycopg2'"),
        ("db.internal/mailbot", "not a database URL"),
        # A password with @ in it, not %40: the login would go to a host "pw123@db".
        ("postgresql+psycopg://mb:x@pw123@db/mailbot", "a password with @ in it must be "
         "written %40"),
        ("postgresql+psycopg://mb:pw123@db:/mailbot", "the port after the host's ':' is "
         "not a number"),
    ],
)
def test_database_url_the_store_cannot_open_is_a_config_error(
    tmp_path: Path, url: str, message: str
) -> None:
    line = _one_line(tmp_path, f'[database]\nurl = "{url}"\n')
    assert "database.url: " in line and message in line
    assert "pw123" not in line


def test_data_dir_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text("name,email\n")
    line = _one_line(tmp_path, '[council]\ndata_dir = "members.csv"\n')
    file = tmp_path.resolve() / "members.csv"
    assert line.endswith(f"council.data_dir: {file} is a file, not a folder")


def test_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_bytes('\ufeff[council]\nname = "Cyngor Sir Ynys Môn"\n'.encode())
    assert load_settings(path).council.name == "Cyngor Sir Ynys Môn"


def test_config_not_in_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mailbot.toml"
    path.write_bytes('[council]\n\nname = "Cyngor Sir Ynys Môn"\n'.encode("cp1252"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.lines() == [
        f"{path.resolve()}: line 3: not UTF-8 text (save the file as UTF-8)"
    ]


@pytest.mark.parametrize(
    ("given", "kept"),
    [("01206 282222", "01206 282222"), (" +44 (0)1206  282222 ", "+44 (0)1206 282222"),
     ("0300-123-4567", "0300-123-4567"), ("", "")],
)
def test_council_telephone_numbers_are_kept_as_written(
    tmp_path: Path, given: str, kept: str
) -> None:
    path = write(
        tmp_path, f'[council]\ntelephone = "{given}"\nout_of_hours_telephone = "{given}"\n'
    )
    council = load_settings(path).council
    assert (council.telephone, council.out_of_hours_telephone) == (kept, kept)


@pytest.mark.parametrize("given", ["Ring Sue on extension 4", "memberservices@council.gov.uk",
                                   "01206 282222 or 01206 282223 or 01206 282224", "12"])
def test_a_council_telephone_that_is_not_a_number_is_one_line_naming_the_key(
    tmp_path: Path, given: str
) -> None:
    # Printed after "please telephone the council on" in every acknowledgement.
    path = write(tmp_path, f'[council]\nout_of_hours_telephone = "{given}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [line] = caught.value.lines()
    assert line.startswith(f"{path.resolve()}: council.out_of_hours_telephone: {given!r} is not "
                           "a telephone number")


def test_check_config_warns_about_what_is_accepted_but_probably_wrong(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[mailbox]\nbackend = "imap"\n[mailbox.imap]\nusername = "mb"\npassword = ""\n'
        '[mailbox.smtp]\nhost = "smtp.council.gov.uk"\nsecurity = "none"\n',
    )
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "warning" in line]
    assert warnings == [
        f"mailbot: warning: {path.resolve()}: council.name is 'Demo Borough Council', the "
        "demo's (and what it is when not set), so every letter says it; set the council's own",
        f"mailbot: warning: {path.resolve()}: mailbox.address is "
        "'memberenquiries@example.gov.uk', the demo's (and what it is when not set), so every "
        "letter says it; set the council's own",
        f"mailbot: warning: {path.resolve()}: council.telephone is not set, so an "
        "acknowledgement tells a member whose matter cannot wait to ring the council on its "
        "usual number without giving it",
        f"mailbot: warning: {path.resolve()}: mailbox.imap.password is empty, so the IMAP "
        "login will be refused; set MAILBOT_MAILBOX__IMAP__PASSWORD",
        f'mailbot: warning: {path.resolve()}: mailbox.smtp.security = "none" sends the password '
        "and members' mail unencrypted to smtp.council.gov.uk; use tls or starttls unless the "
        "server is on this machine",
        f"mailbot: warning: {path.resolve()}: directory.members is not set, so no sender is a "
        "known member and nobody gets an acknowledgement",
        *(
            f"mailbot: warning: {path.resolve()}: policy.routing.{key}: {address} is a "
            f"placeholder that never receives mail, so {what} would go to nobody and members "
            f"would be told to contact it; set {key} under [policy.routing] in this file"
            for key, address, what in (
                ("foi_team", "foi@wiltshire.example", "FOI requests"),
                ("complaints", "complaints@wiltshire.example", "complaints"),
                ("monitoring_officer", "monitoring.officer@wiltshire.example",
                 "confidentiality requests"),
            )
        ),
        # The demo's name beside Wiltshire's pack: one of the two is not this council's.
        f"mailbot: warning: {resolve_pack('wiltshire')}: council: is 'Wiltshire Council', but "
        "council.name is 'Demo Borough Council': check council.policy names your council's "
        'protocol. If it is your own pack, set council = "Demo Borough Council" in it; if '
        "Demo Borough Council has adopted Wiltshire Council's protocol, say so with council = "
        '"Demo Borough Council" under [policy] in the config (mail names Demo Borough Council '
        "either way)",
        f"mailbot: warning: {path.resolve()}: routing.default_officer is empty, so an enquiry "
        "no rule matches is assigned to nobody and nobody is told: only mailbot cases --triage, "
        "mailbot status and the weekly digest show it",
    ]
    assert "OK (policy wiltshire, backend imap)" in result.output


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        (
            '[routing]\nmonitoring_officer = "mo@council.gov.uk"\n',
            "routing.monitoring_officer: unknown key; it is a policy pack setting: put it under "
            "[policy.routing]",
        ),
        (
            '[calendar]\nclosures = []\n',
            "calendar: unknown key; it is a policy pack setting: put it under [policy.calendar]",
        ),
        (
            '[council]\ntimezone = "Europe/London"\n',
            "council.timezone: unknown key; mailbot keeps UK time (Europe/London) and has no "
            "time zone setting",
        ),
        # A key of mailbot.toml written in the wrong table: it said only "check the
        # spelling", which is right, so the administrator had nowhere to look.
        (
            '[directory]\ndefault_officer = "dana.reed@council.gov.uk"\n',
            "directory.default_officer: unknown key; it belongs in another table: put it "
            "under [routing]",
        ),
        (
            '[council]\nadmins = ["it@council.gov.uk"]\n',
            "council.admins: unknown key; it belongs in another table: put it under "
            "[directory]",
        ),
        (
            '[classifier]\nwatch_sent = true\n',
            "classifier.watch_sent: unknown key; it belongs in another table: put it under "
            "[mailbox.imap], [mailbox.ews] or [mailbox.graph]",
        ),
        (
            '[mailbox]\npassword = "Winter2026"\n',
            "mailbox.password: unknown key; it belongs in another table: put it under "
            "[mailbox.imap], [mailbox.smtp] or [mailbox.ews]",
        ),
        (
            'backend = "maildir"\n[council]\nname = "Test Council"\n',
            "backend: unknown key; it belongs in another table: put it under [mailbox]",
        ),
        (
            '[routing]\nkeywords = ["pothole"]\n',
            "routing.keywords: unknown key; it belongs in another table: put it under "
            "[[routing.rules]]",
        ),
    ],
)
def test_unknown_key_says_where_it_belongs(tmp_path: Path, text: str, ending: str) -> None:
    # docs/deadlines.md describes packs as "[routing] monitoring_officer": an administrator
    # copying that into mailbot.toml is told the table it belongs in.
    assert _one_line(tmp_path, text).endswith(ending)


@pytest.mark.parametrize(
    ("variable", "value", "ending"),
    [
        (
            "MAILBOT_DIRECTORY__ADMINS",
            "it@council.gov.uk",
            "directory.admins is a list, so write it as JSON, e.g. "
            """MAILBOT_DIRECTORY__ADMINS='["first", "second"]'""",
        ),
        (
            "MAILBOT_MAILBOX",
            "imap",
            """mailbox is a table, so write it as JSON, e.g. MAILBOT_MAILBOX='{"key": "value"}'""",
        ),
    ],
)
def test_list_from_the_environment_that_is_not_json_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, ending: str
) -> None:
    # pydantic-settings raised SettingsError ("error parsing value for field 'directory'"),
    # shown as "mailbot: error: SettingsError: ..." with exit 1 and no variable named.
    monkeypatch.setenv(variable, value)
    line = _one_line(tmp_path, "")
    assert f"environment variable {variable}: " in line and line.endswith(ending)


def test_list_from_the_environment_as_json_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_DIRECTORY__ADMINS", '["it@council.gov.uk"]')
    assert load_settings(write(tmp_path, "")).directory.admins == ["it@council.gov.uk"]


def test_admins_are_trimmed_and_lowered_so_they_match_senders(tmp_path: Path) -> None:
    # Reply commands compare the sender with admins lower-cased but not trimmed: an admin
    # written " IT@Council.gov.uk " could never command a case.
    settings = load_settings(write(tmp_path, '[directory]\nadmins = [" IT@Council.gov.uk "]\n'))
    assert settings.directory.admins == ["it@council.gov.uk"]
    line = _one_line(tmp_path, '[directory]\nadmins = ["IT Desk <it@council.gov.uk>"]\n')
    assert line.endswith("directory.admins: 'IT Desk <it@council.gov.uk>' is not an email address")


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        (
            '[mailbox]\nbackend = "ews"\n[mailbox.ews]\nusername = "COUNCIL\\\\mb"\n',
            "mailbox.ews.password: required for ntlm or basic login (set "
            "MAILBOT_MAILBOX__EWS__PASSWORD)",
        ),
        (
            '[mailbox]\nbackend = "ews"\n[mailbox.ews]\nauth_type = "oauth"\ntenant_id = "t"\n'
            'client_id = "c"\n',
            "mailbox.ews.client_secret: required for oauth (set "
            "MAILBOT_MAILBOX__EWS__CLIENT_SECRET)",
        ),
        (
            '[mailbox]\nbackend = "graph"\n[mailbox.graph]\ntenant_id = "t"\nclient_id = "c"\n',
            "mailbox.graph.client_secret: required unless graph.certificate_path is set (set "
            "MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET)",
        ),
    ],
)
def test_exchange_backend_without_its_secret_fails_check_config_not_the_first_poll(
    tmp_path: Path, text: str, ending: str
) -> None:
    # check-config said OK; poll then stopped with "ews auth_type 'ntlm' needs password".
    assert _one_line(tmp_path, text).endswith(ending)


def test_exchange_secret_from_the_environment_is_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILBOT_MAILBOX__GRAPH__CLIENT_SECRET", "from-the-vault")
    settings = load_settings(
        write(tmp_path, '[mailbox]\nbackend = "graph"\n[mailbox.graph]\ntenant_id = "t"\n'
                        'client_id = "c"\n')
    )
    assert settings.mailbox.graph.client_secret == "from-the-vault"


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        ('[digest]\nrecipients = "ceo@council.gov.uk"\n',
         'digest.recipients: must be a list in square brackets, e.g. ["first", "second"]'),
        ('[mailbox.imap]\nport = "nine-nine-three"\n',
         "mailbox.imap.port: must be a whole number (without quotes)"),
        ('[directory]\nacknowledge_unknown_senders = "sometimes"\n',
         "directory.acknowledge_unknown_senders: must be true or false (without quotes)"),
        ('[mailbox]\nimap = "imap.council.gov.uk"\n',
         "mailbox.imap: must be a table: a [mailbox.imap] section with its keys on the lines "
         "below it"),
        ("[mailbox.imap]\npassword = 462913\n",
         'mailbox.imap.password: must be text in double quotes, e.g. "like this"'),
    ],
)
def test_type_mistakes_say_what_to_write(tmp_path: Path, text: str, ending: str) -> None:
    line = _one_line(tmp_path, text)
    assert line.endswith(ending)
    assert "462913" not in line  # a value is never echoed: it may be a password


def test_config_path_from_the_environment_may_start_with_a_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path, '[council]\nname = "Cyngor Sir Ynys Môn"\n')
    monkeypatch.setenv("MAILBOT_CONFIG", "~/mailbot.toml")
    assert load_settings(find_config(None)).council.name == "Cyngor Sir Ynys Môn"


def test_the_demos_name_and_address_copied_into_a_config_are_called_so(tmp_path: Path) -> None:
    # A council that started from `mailbot demo`'s mailbot.toml has set both keys: "is not
    # set" sent its administrator looking for a key that is there.
    path = write(
        tmp_path,
        '[council]\nname = "Demo Borough Council"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@example.gov.uk"\n',
    )
    result = CliRunner().invoke(app, ["check-config", "--config", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (f"mailbot: warning: {path.resolve()}: council.name is 'Demo Borough Council', the "
            "demo's (and what it is when not set), so every letter says it; set the council's "
            "own") in lines
    assert (f"mailbot: warning: {path.resolve()}: mailbox.address is "
            "'memberenquiries@example.gov.uk', the demo's (and what it is when not set), so "
            "every letter says it; set the council's own") in lines
