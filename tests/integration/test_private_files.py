"""What holds secrets or members' mail is not left readable by every user of the machine:
check-config says when a password sits in a config file others can read, and a new
SQLite database (raw mail, names, addresses) is made readable by its owner alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers import JO, make_app, run
from typer.testing import CliRunner

from mailbot.cli import app as cli

CONFIG = """\
[council]
name = "Example Council"
[mailbox]
backend = "imap"
address = "memberenquiries@example.gov.uk"
[mailbox.imap]
host = "imap.example.gov.uk"
username = "memberenquiries"
{password}
[mailbox.smtp]
host = "smtp.example.gov.uk"
[database]
url = "{url}"
"""


def check(config: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(cli, ["check-config", "--config", str(config)])
    return result.exit_code, result.output


def write(tmp_path: Path, mode: int, password: str, url: str) -> Path:
    config = tmp_path / "mailbot.toml"
    config.write_text(CONFIG.format(password=password, url=url), encoding="utf-8")
    config.chmod(mode)
    return config


@pytest.mark.own_database  # sets [database] url itself
def test_a_password_in_a_config_file_everyone_can_read_is_a_warning(tmp_path: Path) -> None:
    url = "postgresql+psycopg://mailbot:Spr1ng@db.example.gov.uk/mailbot"
    config = write(tmp_path, 0o644, 'password = "Winter2026!"', url)
    code, output = check(config)
    assert code == 0, output
    (line,) = [line for line in output.splitlines() if "every user of this machine" in line]
    assert line.startswith(f"mailbot: warning: {config}: mailbox.imap.password, database.url:")
    assert "(mode 0644); chmod o-r" in line
    assert "MAILBOT_MAILBOX__IMAP__PASSWORD, MAILBOT_DATABASE__URL" in line
    assert "Winter2026!" not in output and "Spr1ng" not in output

    config.chmod(0o640)  # root:mailbot 0640, as a packaged service's config often is
    assert "every user of this machine" not in check(config)[1]


@pytest.mark.own_database  # sets [database] url itself
def test_secrets_from_the_environment_need_no_warning(tmp_path: Path) -> None:
    config = write(tmp_path, 0o644, "", "postgresql+psycopg://mailbot@db.example.gov.uk/mailbot")
    code, output = check(config, env={"MAILBOT_MAILBOX__IMAP__PASSWORD": "Winter2026!"})
    assert code == 0, output
    assert "every user of this machine" not in output


@pytest.mark.own_database  # about the SQLite file itself
def test_a_new_sqlite_database_is_readable_by_its_owner_alone(tmp_path: Path) -> None:
    app, server = make_app(tmp_path)
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Noise from the depot\r\nMessage-ID: <private@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nLorries start at 5am.\r\n").encode()
    )
    try:
        run(app)
        database = Path(app.settings.database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            assert stat.S_IMODE(Path(f"{database}{suffix}").stat().st_mode) == 0o600, suffix
    finally:
        app.close()


@pytest.mark.own_database  # about the SQLite file itself
def test_a_database_an_earlier_release_left_readable_by_everyone_is_a_warning(
    tmp_path: Path,
) -> None:
    """Installed by the instructions of 25 November 2026 (mkdir, no UMask), mailbot made
    its database 0644: every member's mail readable by every user of the machine. An
    upgrade leaves an existing file's mode as it was, so check-config (and the daemon's
    start) says so, with the files and the command that puts it right."""
    app, server = make_app(tmp_path)
    server.deliver(
        (f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
         "Subject: Noise from the depot\r\nMessage-ID: <private@wiltshire.gov.uk>\r\n"
         "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nLorries start at 5am.\r\n").encode()
    )
    try:
        run(app)
        database = Path(app.settings.database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").chmod(0o644)  # as the release of 25 November made it
        config = tmp_path / "mailbot.toml"
        code, output = check(config)
        assert code == 0, output
        (line,) = [line for line in output.splitlines() if "holds every member's mail" in line]
        assert line == (
            f"mailbot: warning: {config}: council.data_dir: the database {database} holds "
            "every member's mail and every user of this machine can read it (mode 0644: "
            "mailbot made it so before 26 November 2026, and an upgrade keeps a file's "
            "mode); chmod 600 "
            f"{database} {database}-wal {database}-shm"
        )

        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").chmod(0o600)
        assert "holds every member's mail" not in check(config)[1]
        database.chmod(0o640)  # the service's group may read it: not everyone
        assert "holds every member's mail" not in check(config)[1]
    finally:
        app.close()
