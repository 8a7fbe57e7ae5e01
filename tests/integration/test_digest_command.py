"""`mailbot digest` run by hand says what it did and what happens next: queued digests
go out with the outbox flush, not at once, and a disabled digest names its key."""

from __future__ import annotations

from pathlib import Path

from helpers import make_app
from typer.testing import CliRunner

from mailbot.cli import app as cli


def digest(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["digest", "--config", str(config)])
    return result.exit_code, result.output.splitlines()


def council(tmp_path: Path, digest_table: str) -> Path:
    app, _ = make_app(tmp_path)
    app.close()
    config = app.settings.config_path
    assert config is not None
    config.write_text(config.read_text() + digest_table)
    return config


def test_queued_digests_say_when_they_are_sent(tmp_path: Path) -> None:
    config = council(tmp_path, '[digest]\nday = "monday"\ntime = "00:00"\n'
                               'recipients = ["chief.executive@wiltshire.gov.uk"]\n'
                               "managers = false\n")
    code, lines = digest(config)
    assert code == 0, lines
    assert lines == [
        "queued the digest for chief.executive@wiltshire.gov.uk",
        "queued mail is sent by the daemon's next outbox flush, or now by "
        "`mailbot poll --once`",
    ]
    code, lines = digest(config)
    assert lines == ["this week's digests were already queued"]


def test_a_disabled_digest_names_the_key(tmp_path: Path) -> None:
    config = council(tmp_path, "[digest]\nenabled = false\n")
    code, lines = digest(config)
    assert code == 0, lines
    assert lines == [f"no digest queued: [digest] enabled = false in {config}"]
