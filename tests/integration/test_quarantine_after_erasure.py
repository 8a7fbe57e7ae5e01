"""A quarantined message whose content the retention purge (after quarantined_mail_days)
or an erasure on request has blanked has nothing left to look at: `mailbot status` still
listed it under 'quarantined (latest N; raw bytes kept)', and `mailbot quarantine list`
too, each pointing at `quarantine save` and `retry`, which then refuse ('its content
was erased'). A DPO reading status after an erasure was told the bytes were kept. Now
both list only quarantined mail whose bytes are still held. Judged by the commands'
output."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers import NOW, Council
from typer.testing import CliRunner, Result

from mailbot import retention
from mailbot.cli import app as cli

D = "wiltshire.gov.uk"
UNREADABLE = (b"From: Pat Quinn <>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
              b"Subject: Noise from next door\r\nMessage-ID: <no-sender@example.net>\r\n\r\n"
              b"Pat Quinn, 4 Elm Row, 07700 900123\r\n")
READABLE_LATER = UNREADABLE.replace(b"no-sender@", b"no-sender-2@")


def command(place: Council, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(place.home / "mailbot.toml")])


def test_quarantined_mail_erased_is_no_longer_listed_as_kept(tmp_path: Path) -> None:
    with Council(tmp_path, mailbox=f"memberenquiries@{D}",
                 members=[("Cllr Jo Bloggs", f"jo@{D}", "Castle", "en")],
                 officers=[("Sam Patel", f"sam.patel@{D}", "Highways", "", "")],
                 config=f'[routing]\ndefault_officer = "sam.patel@{D}"\n') as place:
        place.deliver(UNREADABLE)
        place.deliver(READABLE_LATER, NOW + timedelta(days=60))
        listed = command(place, "quarantine", "list")
        assert "<no-sender@example.net>" in listed.output
        assert "<no-sender-2@example.net>" in listed.output

        report = retention.purge(place.app, NOW + timedelta(days=91))
        assert report.quarantined_mail == 1
        listed = command(place, "quarantine", "list")
        assert listed.exit_code == 0, listed.output
        assert "<no-sender@example.net>" not in listed.output
        assert "<no-sender-2@example.net>" in listed.output
        status = command(place, "status").output
        assert "<no-sender@example.net>" not in status
        assert "quarantined (latest 1; raw bytes kept):" in status

        erased = command(place, "person", "erase", "--name", "Pat Quinn", "--yes")
        assert erased.exit_code == 0, erased.output
        assert command(place, "quarantine", "list").output == "no message is quarantined\n"
        assert "quarantined (latest" not in command(place, "status").output
