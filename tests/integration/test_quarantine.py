"""A quarantined message is kept, and a person can look at it and run it again once
the cause is fixed: it is then handled like new mail, once, with its clock counted from
when it first arrived."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import JO, NOW, AppFactory, rows, run, sent_to
from typer.testing import CliRunner

from mailbot import pipeline
from mailbot.app import App
from mailbot.cli import app as command_line
from mailbot.pipeline import Intake, Outcome
from mailbot.quarantine import NotQuarantined, retry
from mailbot.store.tables import CaseRow, EventRow, MessageRow

MEMBER_MAIL = (
    f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
    "Subject: Fly-tipping in Mill Lane\r\nMessage-ID: <flytip@wiltshire.gov.uk>\r\n"
    "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nA sofa has been dumped again.\r\n"
).encode()


def cli(app: App, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command_line, [*args, "--config", str(app.settings.config_path)])
    return result.exit_code, result.output


def broken_stage(it: Intake) -> Outcome | None:
    raise KeyError("a bug in this version")


@pytest.fixture
def quarantined(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> tuple[App, object, MessageRow]:
    """The member's mail meets a bug (an internal error) and is quarantined, kept."""
    app, server = app_factory()
    server.deliver(MEMBER_MAIL)
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "STAGES", (broken_stage,))
        run(app)
    [row] = rows(app, MessageRow)
    assert row.status == "quarantined" and "KeyError" in row.reason
    assert rows(app, CaseRow) == [] and sent_to(server, JO[1]) == []
    return app, server, row


def test_after_the_fix_a_retry_opens_the_case_once_with_the_original_clock(
    quarantined: tuple[App, object, MessageRow],
) -> None:
    app, server, row = quarantined
    later = NOW + timedelta(days=10)
    outcome = retry(app, row.id, later, by="admin:test")
    assert outcome.status == "processed" and outcome.case_ref == "MB-2026-00001"
    assert "ack" in outcome.queued
    [case] = rows(app, CaseRow)
    # Received Wednesday 25 November, not on the day of the retry: the clock is not reset.
    assert case.received_at.date().isoformat() == "2026-11-25"
    [message] = rows(app, MessageRow)
    assert (message.status, message.case_id) == ("processed", case.id)
    assert any(e.action == "quarantine retry" and e.actor == "admin:test"
               for e in rows(app, EventRow))
    run(app, later)
    assert len(sent_to(server, JO[1])) == 1  # type: ignore[arg-type]
    with pytest.raises(NotQuarantined, match="is processed, not quarantined"):
        retry(app, row.id, later, by="admin:test")
    assert len(rows(app, CaseRow)) == 1


def test_the_cli_lists_saves_and_retries(
    quarantined: tuple[App, object, MessageRow], tmp_path: Path
) -> None:
    app, _server, row = quarantined
    code, output = cli(app, "status")
    assert code == 0 and f"row {row.id}" in output and "mailbot quarantine retry ROW" in output
    code, output = cli(app, "quarantine", "list")
    assert code == 0 and f"row {row.id}" in output and JO[1] in output and "KeyError" in output

    saved = tmp_path / "kept.eml"
    code, output = cli(app, "quarantine", "save", str(row.id), str(saved))
    assert code == 0 and saved.read_bytes() == MEMBER_MAIL

    code, output = cli(app, "quarantine", "retry", str(row.id))
    assert code == 0, output
    assert "processed as MB-2026-00001" in output and "queued: ack" in output
    assert "no message is quarantined" in cli(app, "quarantine", "list")[1]
    code, output = cli(app, "quarantine", "retry", "999")
    assert code == 1 and "there is no message row 999" in output


def test_mail_that_still_cannot_be_handled_is_quarantined_again_with_the_reason(
    app_factory: AppFactory,
) -> None:
    app, server = app_factory()
    server.deliver(b"\r\n\r\n")
    run(app)
    [row] = rows(app, MessageRow)
    outcome = retry(app, row.id, NOW + timedelta(hours=1), by="admin:test")
    assert outcome.status == "quarantined" and outcome.reason == "empty message"
    [again] = rows(app, MessageRow)
    assert (again.status, again.reason) == ("quarantined", "empty message")
    assert rows(app, CaseRow) == []


def test_the_cli_retry_that_quarantines_again_exits_1(app_factory: AppFactory) -> None:
    # Exit 0 and "row 1: quarantined: ..." read as done to a script or a tired eye.
    app, server = app_factory()
    server.deliver(b"\r\n\r\n")
    run(app)
    [row] = rows(app, MessageRow)
    code, output = cli(app, "quarantine", "retry", str(row.id))
    assert code == 1, output
    assert f"row {row.id}: quarantined: empty message" in output
    assert f"row {row.id}" in cli(app, "quarantine", "list")[1]


def test_save_writes_a_new_file_for_its_owner_alone_and_never_over_another(
    quarantined: tuple[App, object, MessageRow], tmp_path: Path
) -> None:
    app, _server, row = quarantined
    saved = tmp_path / "kept.eml"
    code, output = cli(app, "quarantine", "save", str(row.id), str(saved))
    assert code == 0, output
    assert saved.stat().st_mode & 0o777 == 0o600  # personal data: not for the group or world

    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"keep me")
    link = tmp_path / "innocent.eml"
    link.symlink_to(precious)
    for target in (saved, precious, link):
        code, output = cli(app, "quarantine", "save", str(row.id), str(target))
        assert code == 1 and "already exists" in output and output.count("\n") == 1
    assert precious.read_bytes() == b"keep me"
    assert saved.read_bytes() == MEMBER_MAIL
