"""`mailbot db restore` as docs/deployment.md has it: run by root, between `systemctl stop
mailbot` and `systemctl start mailbot`, for a service that runs as its own user. The
restored database must be the service's, or the daemon cannot open it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import JO, make_app, run
from typer.testing import CliRunner

from mailbot.cli import app as cli

pytestmark = [
    pytest.mark.own_database,  # about the SQLite file itself
    pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user"),
]
SERVICE = 4242  # the mailbot user's uid and gid; no such user need exist


def _council(folder: Path) -> tuple[str, Path]:
    app, server = make_app(folder)
    server.deliver(
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        "Subject: Missed bins\r\nMessage-ID: <restore-owner@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nOur bins were missed.\r\n".encode()
    )
    run(app)
    config, database = str(app.settings.config_path), app.settings.data_dir / "mailbot.db"
    app.close()
    return config, database


def _cli(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def _give_to_service(folder: Path) -> None:
    for path in (folder, *folder.iterdir()):
        os.chown(path, SERVICE, SERVICE)


@pytest.mark.parametrize("replacing", [True, False], ids=["a database", "no database"])
def test_a_restore_by_root_leaves_the_database_to_the_services_user(
    tmp_path: Path, replacing: bool
) -> None:
    config, database = _council(tmp_path / "council")
    backup = tmp_path / "nightly.db"
    _cli("db", "backup", "--config", config, str(backup))
    if not replacing:  # lost with the disk: only the data folder, made for the service
        database.unlink()
    _give_to_service(database.parent)

    _cli("db", "restore", "--config", config, str(backup))

    restored = [p for p in database.parent.glob("mailbot.db*") if ".replaced-" not in p.name]
    assert database in restored
    assert {(p.name, p.stat().st_uid, p.stat().st_gid) for p in restored} == {
        (p.name, SERVICE, SERVICE) for p in restored
    }
