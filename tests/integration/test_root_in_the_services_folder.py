"""docs/deployment.md runs the daemon as its own user and its install steps as root. A
command run by root in the service's data folder (the first `mailbot adopt`, a
`poll --once`, `cases`...) made the database, lock files and outbox folder as root, mode
0600, and the service then stopped with "unable to open database file". What root makes
there is now the folder owner's when the command ends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_app

pytestmark = [
    pytest.mark.own_database,  # about the files in the data folder
    pytest.mark.skipif(os.geteuid() != 0, reason="about commands run by root"),
]
SERVICE = 4242  # the mailbot user's uid and gid; no such user need exist


def _mailbot(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    return subprocess.run([sys.executable, "-m", "mailbot", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", [["adopt"], ["poll", "--once"], ["cases"]], ids=" ".join)
def test_what_root_makes_in_the_services_folder_is_the_services(
    tmp_path: Path, command: list[str]
) -> None:
    app, _ = make_app(tmp_path / "council")
    config, data = app.settings.config_path, app.settings.data_dir
    app.close()
    shutil.rmtree(data)  # as `install -d -o mailbot` leaves it, before the first command
    data.mkdir()
    os.chown(data, SERVICE, SERVICE)

    done = _mailbot(*command, "--config", str(config))

    assert done.returncode == 0, done.stderr
    made = list(data.rglob("*"))
    assert data / "mailbot.db" in made
    assert [(str(p), p.stat().st_uid, p.stat().st_gid) for p in made] == [
        (str(p), SERVICE, SERVICE) for p in made
    ]


def test_roots_own_folder_stays_roots(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path / "council")
    config, data = app.settings.config_path, app.settings.data_dir
    app.close()
    done = _mailbot("cases", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert {p.stat().st_uid for p in data.rglob("*")} == {0}


def test_a_hard_link_in_the_services_folder_is_not_given_away(tmp_path: Path) -> None:
    """The folder's owner could link one of root's files into it (where the kernel lets
    them): root, handing over what it made there, must not hand that file over too."""
    app, _ = make_app(tmp_path / "council")
    config, data = app.settings.config_path, app.settings.data_dir
    app.close()
    roots = tmp_path / "roots-secret"
    roots.write_text("root's alone")
    os.link(roots, data / "planted")
    os.chown(data, SERVICE, SERVICE)

    done = _mailbot("cases", "--config", str(config))

    assert done.returncode == 0, done.stderr
    assert roots.stat().st_uid == 0
    assert (data / "mailbot.db").stat().st_uid == SERVICE
