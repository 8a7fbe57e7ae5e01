"""`mailbot check-config`, run as the service runs (deployment.md: systemd-run with
User=mailbot), said OK for a data folder that user cannot make or write, such as the
example config's `data_dir = "var"` left as it is (/etc/mailbot/var, in root's folder);
the service then stopped at start with "cannot create /etc/mailbot/var"."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailbot.diagnose import config_problems
from mailbot.settings import load_settings

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="changes to another user to check")
SERVICE = 4242  # the service's uid and gid; no such user need exist


@pytest.fixture
def etc() -> Iterator[Path]:
    """A folder like /etc/mailbot: root's, that others may read and enter but not write
    (pytest's tmp_path is root's alone, which no other user can enter at all)."""
    folder = Path(tempfile.mkdtemp(prefix="mailbot-etc-"))
    folder.chmod(0o755)
    (folder / "mailbot.toml").write_text(
        '[council]\nname = "Test Council"\npolicy = "wiltshire"\ndata_dir = "var"\n'
        '[mailbox]\nbackend = "maildir"\naddress = "memberenquiries@wiltshire.gov.uk"\n',
        encoding="utf-8",
    )
    yield folder
    shutil.rmtree(folder)


def _problems_as_service(config: Path, key: str = "council.data_dir") -> list[str]:
    """config_problems about `key`, in a child process that runs as the service's user."""
    settings = load_settings(config, environment=False)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (reported through the pipe)
        os.close(read)
        os.setgroups([])
        os.setgid(SERVICE)
        os.setuid(SERVICE)
        lines = [p for p in config_problems(settings) if key in p]
        os.write(write, "\n".join(lines).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read().decode()
    os.waitpid(child, 0)
    return said.splitlines()


def test_a_data_folder_the_service_cannot_make_is_an_error(etc: Path) -> None:
    assert _problems_as_service(etc / "mailbot.toml") == [
        f"{etc / 'mailbot.toml'}: council.data_dir: uid {SERVICE} cannot create {etc / 'var'} "
        f"(it may not write in {etc}); the database, the model and the lock file go there: "
        "set an absolute data_dir such as /var/lib/mailbot, made for this user"
    ]


def test_a_data_folder_the_service_cannot_write_is_an_error(etc: Path) -> None:
    (etc / "var").mkdir(mode=0o755)  # made by root
    assert _problems_as_service(etc / "mailbot.toml") == [
        f"{etc / 'mailbot.toml'}: council.data_dir: uid {SERVICE} cannot write in "
        f"{etc / 'var'}; the database, the model and the lock file go there: "
        "set an absolute data_dir such as /var/lib/mailbot, made for this user"
    ]


def test_the_services_own_data_folder_is_fine(etc: Path) -> None:
    (etc / "var").mkdir(mode=0o700)
    os.chown(etc / "var", SERVICE, SERVICE)
    assert _problems_as_service(etc / "mailbot.toml") == []


@pytest.mark.own_database  # names its own SQLite file
def test_a_database_folder_the_service_cannot_write_is_an_error(etc: Path) -> None:
    """[database] url naming a SQLite file in a folder of root's, beside a data folder made
    for the service: check-config said OK, and every command then stopped with
    "PermissionError: [Errno 13] Permission denied: '.../mailbot.db'"."""
    data = etc / "data"
    data.mkdir(mode=0o700)
    os.chown(data, SERVICE, SERVICE)
    config = etc / "mailbot.toml"
    config.write_text(config.read_text().replace('data_dir = "var"', f'data_dir = "{data}"')
                      + f'[database]\nurl = "sqlite:///{etc}/db/mailbot.db"\n')
    assert _problems_as_service(config, "database.url") == [
        f"{config}: database.url: uid {SERVICE} cannot create {etc / 'db' / 'mailbot.db'} "
        f"(it may not write in {etc}); name a SQLite file in a folder made for this user, or "
        f"leave url empty for {data / 'mailbot.db'}"
    ]
    assert _problems_as_service(config) == []  # the data folder itself is fine


def test_an_officers_file_the_service_cannot_read_is_an_error(etc: Path) -> None:
    """officers.csv copied in by root with mode 0600: check-config run as the service said
    OK, then `mailbot status` (and the daemon's start) stopped with 'cannot read:
    Permission denied'."""
    data = etc / "data"
    data.mkdir(mode=0o700)
    os.chown(data, SERVICE, SERVICE)
    (etc / "officers.csv").write_text("name,email\nSam Patel,sam.patel@wiltshire.gov.uk\n")
    (etc / "officers.csv").chmod(0o600)
    config = etc / "mailbot.toml"
    config.write_text(config.read_text().replace('data_dir = "var"', f'data_dir = "{data}"')
                      + '[directory]\nofficers = "officers.csv"\n')
    assert _problems_as_service(config, "officers.csv") == [
        f"{etc / 'officers.csv'}: cannot read: Permission denied (uid {SERVICE}); the "
        "service's user must be able to read it: give it to the service's group, mode "
        f"0640 (chgrp mailbot {etc / 'officers.csv'}; chmod 0640 {etc / 'officers.csv'})"
    ]


def _cli_as_service(*args: str) -> tuple[int, str]:
    """A mailbot command in a child process that runs as the service's user: its exit
    code and output."""
    import encodings.utf_8_sig  # noqa: F401 - read lazily, from a folder the user may not read

    from typer.testing import CliRunner

    from mailbot.cli import app

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (reported through the pipe)
        os.close(read)
        os.setgroups([])
        os.setgid(SERVICE)
        os.setuid(SERVICE)
        result = CliRunner().invoke(app, list(args))
        os.write(write, f"{result.exit_code}\n{result.output}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        code, _, said = pipe.read().decode().partition("\n")
    os.waitpid(child, 0)
    return int(code), said


def test_a_config_file_the_service_cannot_read_says_how_to_let_it(etc: Path) -> None:
    """mailbot.toml left 0600 by root (deployment.md installs it 0640, group mailbot):
    --config answered in Click's words ("Usage: ... Error: Invalid value for '--config':
    path ... is not readable."), $MAILBOT_CONFIG with 'cannot read: Permission denied',
    neither saying who could not read it or what to do."""
    config = etc / "mailbot.toml"
    config.chmod(0o600)
    code, said = _cli_as_service("check-config", "--config", str(config))
    assert code == 2, said
    assert said.splitlines() == [
        f"mailbot: error: {config}: cannot read: Permission denied (uid {SERVICE}); the "
        "service's user must be able to read it: give it to the service's group, mode 0640 "
        f"(chgrp mailbot {config}; chmod 0640 {config})"
    ]
