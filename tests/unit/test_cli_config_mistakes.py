"""An administrator's mistakes stop every command with one line naming the key or the
row and the file, exit 2 and no traceback: not only check-config."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailbot.cli import app

COMMANDS = [["check-config"], ["status"], ["cases"], ["poll", "--once"], ["run"]]

GOOD_MEMBERS = "name,email\r\nCllr Siân Jones,sian.jones@anglesey.gov.uk\r\n"


def _council(tmp_path: Path, extra: str = "", members: str = GOOD_MEMBERS) -> Path:
    (tmp_path / "members.csv").write_text(members, encoding="utf-8")
    config = tmp_path / "mailbot.toml"
    config.write_text(
        '[council]\nname = "Isle of Anglesey County Council"\npolicy = "cardiff"\n'
        'telephone = "01632 960001"\n'
        'data_dir = "var"\n[mailbox]\nbackend = "maildir"\n'
        'address = "ymholiadau@anglesey.gov.uk"\n'
        f'[directory]\nmembers = "members.csv"\n{extra}'
    )
    return config


def _run(command: list[str], config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, [*command, "--config", str(config)])
    return result.exit_code, result.output.splitlines()


@pytest.mark.own_database
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("extra", "members", "expected"),
    [
        ('[digest]\ntime = "25:00"\n', GOOD_MEMBERS, "mailbot.toml: digest.time: '25:00'"),
        ("[scheduler]\npoll_second = 30\n", GOOD_MEMBERS, "scheduler.poll_second: unknown key"),
        ('[database]\nurl = "postgres://mb:pw@db/mb"\n', GOOD_MEMBERS,
         "database.url: 'postgres://' is PostgreSQL"),
        ("", "name,email,email\r\nA,a@anglesey.gov.uk,b@x.org\r\n", "members.csv:1: column(s)"),
        ("", "name,ward\r\nA,North\r\n", "members.csv:1: missing column(s) email"),
    ],
    ids=["time", "key", "database", "column twice", "column missing"],
)
def test_every_command_stops_with_one_line(
    tmp_path: Path, command: list[str], extra: str, members: str, expected: str
) -> None:
    code, lines = _run(command, _council(tmp_path, extra, members))
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {tmp_path.resolve()}")
    assert expected in lines[0]


def test_poll_logs_what_check_config_warns_about(tmp_path: Path) -> None:
    config = _council(tmp_path, members="name,email,party\r\nVacant,,\r\n")
    code, lines = _run(["poll", "--once"], config)
    assert code == 0, lines
    assert any(
        "WARNING" in line and "members.csv:2: Vacant has no email; skipped" in line
        for line in lines
    )
    assert any("column(s) party not used" in line for line in lines)


def test_shared_mailbox_listed_as_a_member_is_a_warning(tmp_path: Path) -> None:
    config = _council(tmp_path, members="name,email\r\nShared box,Ymholiadau@Anglesey.gov.uk\r\n")
    code, lines = _run(["check-config"], config)
    assert code == 0, lines
    assert (
        f"mailbot: warning: {config.resolve()}: mailbox.address ymholiadau@anglesey.gov.uk is "
        "also in the members or officers directory: mail the shared mailbox sends to itself "
        "would be handled as a person's"
    ) in lines


@pytest.mark.parametrize(
    ("data_dir", "expected"),
    [
        ("members.csv/var", "council.data_dir: {tmp}/members.csv is a file, not a folder"),
        # A folder that cannot be made (no permission, a read-only or virtual file system).
        ("/proc/mailbot-cannot-be-here/var", "council.data_dir: cannot create /proc/mailbot"),
    ],
)
def test_data_dir_that_cannot_be_made_names_the_key(
    tmp_path: Path, data_dir: str, expected: str
) -> None:
    config = _council(tmp_path)
    config.write_text(config.read_text().replace('data_dir = "var"', f'data_dir = "{data_dir}"'))
    code, lines = _run(["status"], config)
    assert code == 2
    assert len(lines) == 1 and expected.format(tmp=tmp_path.resolve()) in lines[0], lines


@pytest.mark.own_database
def test_database_that_is_down_is_one_line_without_the_password(tmp_path: Path) -> None:
    # Was three lines of psycopg and SQLAlchemy text ending in a help link.
    config = _council(
        tmp_path, '[database]\nurl = "postgresql+psycopg://mailbot:pw-9431@127.0.0.1:1/mailbot"\n'
    )
    code, lines = _run(["cases"], config)
    assert code == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "mailbot: error: database postgresql+psycopg://mailbot:***@127.0.0.1:1/mailbot: "
        "connection failed"
    )
    assert "pw-9431" not in lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('[policy.calendar]\nextra_holiday = []\n', "council.policy / [policy]: "),
        ('officers = "officers.csv"\n', "directory.officers: file {tmp}/officers.csv does not"),
    ],
    ids=["policy override", "missing file"],
)
def test_every_command_names_the_config_key_like_check_config(
    tmp_path: Path, command: list[str], extra: str, expected: str
) -> None:
    # status, cases, poll and run said only "<pack>.toml (with the council's overrides):
    # calendar.extra_holiday: unknown key" or "officers.csv: cannot read".
    code, lines = _run(command, _council(tmp_path, extra))  # extra goes in [directory]
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mailbot: error: {tmp_path.resolve()}/mailbot.toml: ")
    assert expected.format(tmp=tmp_path.resolve()) in lines[0]


@pytest.mark.parametrize("command", [*COMMANDS, ["outbox", "list"], ["digest", "--preview"]],
                         ids=" ".join)
def test_a_council_command_without_any_config_refuses_instead_of_an_empty_council(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    # `mailbot cases` run without --config (or after sudo dropped MAILBOT_CONFIG) made
    # ./var/mailbot.db and printed "0 case(s)"; `mailbot run` started on an empty Maildir.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILBOT_CONFIG", raising=False)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "mailbot: error: no config file: give --config PATH or set MAILBOT_CONFIG (there is "
        f"no mailbot.toml in {tmp_path})"
    ]
    assert list(tmp_path.iterdir()) == []  # nothing made


def test_classify_needs_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILBOT_CONFIG", raising=False)
    message = tmp_path / "ooo.eml"
    message.write_bytes(b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n\r\nAway\r\n")
    result = CliRunner().invoke(app, ["classify", "--json", "--rules-only", str(message)])
    assert result.exit_code == 0, result.output
    assert '"automatic": "auto_reply"' in result.output


@pytest.mark.parametrize("command", [["check-config"], ["poll", "--once"]], ids=" ".join)
def test_a_shipped_packs_placeholder_routing_addresses_are_a_warning(
    tmp_path: Path, command: list[str]
) -> None:
    # A council on a shipped pack that did not set [policy.routing] had every FOI request
    # assigned to foi@cardiff.example, and members told to contact it, with check-config OK.
    code, lines = _run(command, _council(tmp_path))
    assert code == 0, lines
    for key, address in (
        ("foi_team", "foi@cardiff.example"),
        ("complaints", "complaints@cardiff.example"),
        ("monitoring_officer", "monitoring.officer@cardiff.example"),
    ):
        assert any(
            f"{tmp_path.resolve()}/mailbot.toml: policy.routing.{key}: {address} is a "
            "placeholder that never receives mail" in line
            and f"set {key} under [policy.routing]" in line
            for line in lines
        ), (key, lines)


def test_routing_addresses_set_by_the_council_give_no_placeholder_warning(tmp_path: Path) -> None:
    extra = (
        '[policy.routing]\nfoi_team = "foi@anglesey.gov.uk"\n'
        'complaints = "cwynion@anglesey.gov.uk"\nmonitoring_officer = "swyddog@anglesey.gov.uk"\n'
    )
    code, lines = _run(["check-config"], _council(tmp_path, extra=extra))
    assert code == 0, lines
    assert not any("placeholder" in line for line in lines), lines


@pytest.mark.own_database
@pytest.mark.parametrize("command", [["check-config"], ["status"]], ids=" ".join)
def test_a_missing_file_set_from_the_environment_says_so(
    tmp_path: Path, command: list[str]
) -> None:
    """The file names members.csv, which is there; the variable names another: the line
    must point at the variable, or the administrator looks in the file for nothing."""
    config = _council(tmp_path)
    result = CliRunner(env={"MAILBOT_DIRECTORY__MEMBERS": "/srv/mailbot/members.csv"}).invoke(
        app, [*command, "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"mailbot: error: {config.resolve()}: directory.members: file /srv/mailbot/members.csv "
        "does not exist (set by the environment variable MAILBOT_DIRECTORY__MEMBERS, not the "
        "file); export it from Excel as \"CSV UTF-8 (Comma delimited)\" with a header line "
        "name,email (then ward, language, other_emails if wanted) and one person per line "
        "(docs/officers.md)"
    ]


@pytest.mark.parametrize("there", ["Members.csv", "member.csv"])
def test_a_directory_file_spelt_otherwise_is_the_one_named(tmp_path: Path, there: str) -> None:
    """Saved from Excel as Members.csv, or named member.csv: the line says which file
    was probably meant, not only that members.csv is missing."""
    config = _council(tmp_path)
    (tmp_path / "members.csv").rename(tmp_path / there)
    code, lines = _run(["check-config"], config)
    assert code == 2
    assert lines == [
        f"mailbot: error: {config.resolve()}: directory.members: file "
        f"{tmp_path.resolve() / 'members.csv'} does not exist; did you mean "
        f"{tmp_path.resolve() / there}?"
    ]


def test_a_graph_certificate_that_is_not_there_is_found_by_check_config(tmp_path: Path) -> None:
    config = _council(tmp_path).read_text().replace('backend = "maildir"', 'backend = "graph"')
    config += ('[mailbox.graph]\ntenant_id = "anglesey.onmicrosoft.com"\n'
               'client_id = "11111111-2222-3333-4444-555555555555"\n'
               'certificate_path = "mailbot-graph.pem"\n')
    (tmp_path / "mailbot.toml").write_text(config)
    code, lines = _run(["check-config"], tmp_path / "mailbot.toml")
    assert code == 2
    assert [line for line in lines if "error" in line] == [
        f"mailbot: error: {tmp_path.resolve() / 'mailbot.toml'}: mailbox.graph.certificate_path: "
        f"file {tmp_path.resolve() / 'mailbot-graph.pem'} does not exist"
    ]


@pytest.mark.own_database
@pytest.mark.parametrize("command", [["check-config"], ["status"], ["run"]], ids=" ".join)
def test_an_install_without_its_templates_stops_with_how_to_install(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install that lost its package data (a copied package folder, a source tree whose
    links were not kept). Nothing may start that would fail at every acknowledgement."""
    from mailbot import resources

    monkeypatch.setattr(resources, "TEMPLATES", tmp_path / "site-packages" / "templates")
    code, lines = _run(command, _council(tmp_path))
    assert code == 2
    assert [line for line in lines if "error" in line] == [
        f"mailbot: error: {tmp_path / 'site-packages' / 'templates'}: mailbot's templates are "
        "not there; the installed package is incomplete: install mailbot again from its "
        "wheel or source folder (docs/deployment.md)"
    ]


def test_the_examples_council_left_in_a_copy_is_a_warning(tmp_path: Path) -> None:
    """README: cp config/mailbot.example.toml mailbot.toml. Thornfield changed the policy and
    the mailbox but not the example's council name and instance: every letter would be
    signed Colchester City Council, with no word from check-config."""
    from mailbot.resources import EXAMPLE_CONFIG

    (tmp_path / "members.csv").write_text(GOOD_MEMBERS, encoding="utf-8")
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace('policy = "colchester"', 'policy = "wiltshire"')
    text = text.replace('backend = "imap"', 'backend = "maildir"')
    text = text.replace("memberenquiries@colchester.gov.uk", "members@thornfield.gov.uk")
    text = text.replace('host = "smtp.colchester.gov.uk"', 'host = ""')
    text = text.replace('officers = "officers.csv"', "")
    config = tmp_path / "mailbot.toml"
    config.write_text(text, encoding="utf-8")
    code, lines = _run(["check-config"], config)
    assert code == 0, lines
    warnings = [line for line in lines if "the example's" in line]
    where = f"mailbot: warning: {config.resolve()}: "
    assert warnings == [
        f"{where}council.name is still the example's 'Colchester City Council' (from "
        "config/mailbot.example.toml), so every letter says it; set the council's own",
        f"{where}council.instance is still the example's 'mailbot-colchester' (from "
        "config/mailbot.example.toml), so our loop header names another council; set the "
        "council's own",
    ]


def test_colchester_using_the_example_as_it_stands_is_not_warned(tmp_path: Path) -> None:
    from mailbot.resources import EXAMPLE_CONFIG

    (tmp_path / "members.csv").write_text(GOOD_MEMBERS, encoding="utf-8")
    (tmp_path / "officers.csv").write_text("name,email\r\nA,a@colchester.gov.uk\r\n")
    config = tmp_path / "mailbot.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    code, lines = _run(["check-config"], config)
    assert code == 0, lines
    assert not [line for line in lines if "the example's" in line]


def test_every_mistake_in_the_policy_overrides_is_named_in_one_run(tmp_path: Path) -> None:
    """Working hours written as people say them and a Welsh council's region as 'wales':
    each is one line, not one per run of check-config."""
    config = _council(tmp_path, '[policy]\nregion = "wales"\n[policy.reminders]\n'
                                'working_hours = { start = "9am", end = "5:30pm" }\n')
    code, lines = _run(["check-config"], config)
    assert code == 2
    errors = [line.split("(with the council's overrides): ", 1)[1]
              for line in lines if line.startswith("mailbot: error")]
    assert errors == [
        "policy.region: must be one of 'england-and-wales', 'scotland' or "
        "'northern-ireland', not 'wales' (did you mean 'england-and-wales'?)",
        'policy.reminders.working_hours.start: must be a time of day such as "09:00" or '
        "\"17:00\" (24-hour clock, London time), not '9am'",
        'policy.reminders.working_hours.end: must be a time of day such as "09:00" or '
        "\"17:00\" (24-hour clock, London time), not '5:30pm'",
    ]
    assert all(line.startswith(f"mailbot: error: {config.resolve()}: council.policy / "
                               "[policy]: ") for line in lines if "error" in line)


@pytest.mark.parametrize(
    ("section", "written", "expected"),
    [
        ("imap", "imaps://mail.anglesey.gov.uk:993",
         "mailbox.imap.host: 'imaps://mail.anglesey.gov.uk:993' is an address with a scheme; "
         'write the server\'s name alone, host = "mail.anglesey.gov.uk", and the port as '
         "port = 993"),
        ("smtp", "smtp.anglesey.gov.uk:587",
         "mailbox.smtp.host: 'smtp.anglesey.gov.uk:587' has the port in it; write the "
         'server\'s name alone, host = "smtp.anglesey.gov.uk", and the port as port = 587'),
        ("imap", "mail.anglesey.gov.uk/owa",
         "mailbox.imap.host: 'mail.anglesey.gov.uk/owa' is not a server's name; write the "
         'name alone, host = "mail.anglesey.gov.uk"'),
    ],
    ids=["url", "port", "path"],
)
def test_a_mail_server_written_as_a_url_names_the_host_to_write(
    tmp_path: Path, section: str, written: str, expected: str
) -> None:
    """check-config said OK to host = "imaps://mail...", and only --connect (or the first
    poll) found that 'the host name does not resolve', without saying why."""
    config = _council(tmp_path, f'[mailbox.{section}]\nhost = "{written}"\n')
    code, lines = _run(["check-config"], config)
    assert code == 2
    assert lines == [f"mailbot: error: {config.resolve()}: {expected}"]


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        ('processed = "INBOX"\n',
         "mailbox.imap.processed: 'INBOX' is the folder mailbot reads (inbox); handled mail "
         "must be moved out of it, to a folder of its own such as \"Processed\""),
        ('inbox = "Member Enquiries"\nprocessed = "Member Enquiries"\n',
         "mailbox.imap.processed: 'Member Enquiries' is the folder mailbot reads (inbox); "
         "handled mail must be moved out of it, to a folder of its own such as \"Processed\""),
        ('sent = "inbox"\n',
         "mailbox.imap.sent: 'inbox' is the folder mailbot reads (inbox); copies of what it "
         "sends must be kept in another, such as \"Sent\""),
        ('processed = "Sent"\n',
         "mailbox.imap.processed: 'Sent' is also sent; handled mail and the copies of what "
         "mailbot sends go to folders of their own"),
    ],
    ids=["processed is the inbox", "shared inbox", "sent is the inbox", "processed is sent"],
)
def test_imap_folders_that_are_one_folder_are_refused(
    tmp_path: Path, folders: str, expected: str
) -> None:
    """processed = "INBOX": each poll moved every handled message into the inbox again, to
    be read again as new (50 duplicates a poll, for ever); sent = "INBOX": mailbot's own
    acknowledgements came back to it. check-config said OK to both."""
    config = _council(tmp_path, f"[mailbox.imap]\n{folders}")
    code, lines = _run(["check-config"], config)
    assert code == 2
    assert lines == [f"mailbot: error: {config.resolve()}: {expected}"]


def test_a_relative_path_meant_from_the_current_folder_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """members = "etc/members.csv" written as the admin's shell sees it from /srv/mailbot,
    with the config in /srv/mailbot/etc: mailbot looks beside the config, and says so."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config = _council(etc)
    config.write_text(config.read_text().replace('members = "members.csv"',
                                                 'members = "etc/members.csv"'))
    monkeypatch.chdir(tmp_path)
    code, lines = _run(["check-config"], config)
    assert code == 2
    assert lines == [
        f"mailbot: error: {config.resolve()}: directory.members: file "
        f"{etc.resolve()}/etc/members.csv does not exist; did you mean "
        f"{tmp_path.resolve()}/etc/members.csv? A relative path in the config is taken from "
        f"the config's own folder, {etc.resolve()}: write members = \"members.csv\" (or the "
        "whole path)"
    ]


@pytest.mark.own_database  # about the SQLite file in data_dir
def test_a_data_dir_meant_from_the_current_folder_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data_dir = "var" with the council's database in ./var of the folder the admin works
    in, not beside the config: a start would make a new, empty database, its references
    starting again at MB-...-00001. check-config says which folder holds the database."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config = _council(etc)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "mailbot.db").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    code, lines = _run(["check-config"], config)
    assert code == 0, lines
    assert (
        f"mailbot: warning: {config.resolve()}: council.data_dir: {etc.resolve()}/var holds "
        "no database yet, so the first start makes a new, empty one; did you mean "
        f"{tmp_path.resolve()}/var? A relative path in the config is taken from the config's "
        f"own folder, {etc.resolve()}: write data_dir = \"../var\" (or the whole path)"
    ) in lines


@pytest.mark.parametrize(("extra", "key"), [
    ('[directory]\nadmins = ["Ymholiadau@anglesey.gov.uk"]\n', "directory.admins"),
    ('[digest]\nrecipients = ["ymholiadau@anglesey.gov.uk"]\n', "digest.recipients"),
])
def test_the_shared_mailbox_named_as_a_recipient_is_a_warning(
    tmp_path: Path, extra: str, key: str
) -> None:
    """Alerts (mailbox down, a directory edit that cannot be read) or the digest sent to
    the shared mailbox itself come back to mailbot as its own mail, recorded as automatic
    and moved to Processed: nobody reads them. check-config said OK."""
    config = _council(tmp_path)
    text = config.read_text()
    if extra.startswith("[directory]"):
        text = text.replace('members = "members.csv"\n', 'members = "members.csv"\n'
                            + extra.split("\n", 1)[1])
    else:
        text += extra
    config.write_text(text)
    code, lines = _run(["check-config"], config)
    assert code == 0, lines
    assert (
        f"mailbot: warning: {config.resolve()}: {key}: ymholiadau@anglesey.gov.uk is the "
        "shared mailbox itself: what mailbot sends there comes back to it as its own mail "
        "and is moved to the processed folder unread; name the people who should read it"
    ) in lines


@pytest.mark.own_database
@pytest.mark.parametrize("command", [*COMMANDS[:4], ["outbox", "list"]], ids=" ".join)
def test_a_sqlite_database_with_a_file_in_its_way_names_the_key(
    tmp_path: Path, command: list[str]
) -> None:
    """[database] url = "sqlite:///members.csv/mailbot.db" (a file where its folder would be):
    check-config said OK, and every other command 'FileExistsError: [Errno 17] File exists',
    exit 1, naming neither the key nor the file."""
    config = _council(tmp_path, '[database]\nurl = "sqlite:///members.csv/mailbot.db"\n')
    code, lines = _run(command, config)
    assert code == 2, lines
    errors = [line for line in lines if line.startswith("mailbot: error:")]
    members = tmp_path.resolve() / "members.csv"
    assert errors == [
        f"mailbot: error: {config.resolve()}: database.url: the SQLite database "
        f"{members / 'mailbot.db'} cannot be made: {members} is a file, not a folder; name a "
        f"file in a folder, or leave url empty for {tmp_path.resolve() / 'var' / 'mailbot.db'}"
    ]
