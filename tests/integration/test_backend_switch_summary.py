"""What `mailbot poll --once` tells the administrator who has just changed [mailbox]
backend on purpose: that the backend changed and the Inbox is read afresh, once; not that
"the cursor expired", which reads as a fault to chase (docs/backends/switching.md)."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.cli import app as cli

pytestmark = pytest.mark.timeout(120)

ADDRESS = "memberenquiries@example.gov.uk"
MEMBER = "jo.bloggs@councillors.example.gov.uk"
DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"


def enquiry(label: str) -> bytes:
    return (
        f"From: Cllr Jo Bloggs <{MEMBER}>\r\nTo: Member Enquiries <{ADDRESS}>\r\n"
        f"Subject: Pothole on Mill Lane ({label})\r\nDate: Tue, 24 Nov 2026 09:12:00 +0000\r\n"
        f"Message-ID: <{label}@councillors.example.gov.uk>\r\n\r\n"
        "Could highways please look at the pothole outside 14 Mill Lane?\r\n"
    ).encode("ascii")


def maildir_config(path: Path) -> Path:
    """The same data_dir (so the same database), the mailbox now read as a maildir."""
    path.write_text(
        f'[council]\npolicy = "wiltshire"\ndata_dir = "var"\n\n'
        f'[mailbox]\nbackend = "maildir"\naddress = "{ADDRESS}"\n\n'
        f'[directory]\nmembers = "{DEMO / "members.csv"}"\nofficers = "{DEMO / "officers.csv"}"\n\n'
        "[classifier]\ntrain_if_missing = false\n",
        encoding="utf-8",
    )
    return path


def poll_once(config: Path) -> str:
    result = CliRunner().invoke(cli, ["poll", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.dovecot
def test_poll_says_the_backend_changed_not_that_the_cursor_expired(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    admin.append("INBOX", enquiry("first"))
    admin.logout()
    imap = mailbot_config(
        tmp_path / "imap.toml", dovecot, user, (smtp_server.host, smtp_server.port),
        address=ADDRESS, directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )
    assert "changed" not in poll_once(imap)

    # The council moves the mailbox; its Inbox (with "first" in it again) is now a maildir.
    inbox = mailbox.Maildir(str(tmp_path / "mailbox"), create=True)
    inbox.add(enquiry("first"))
    inbox.add(enquiry("second"))
    config = maildir_config(tmp_path / "maildir.toml")
    shown = poll_once(config)
    assert (
        "[mailbox] backend changed from imap to maildir: the Inbox was read afresh, once "
        "(mail already recorded is not answered again)"
    ) in shown
    assert "1 duplicate, 1 processed" in shown
    assert "expired" not in shown

    inbox.add(enquiry("third"))
    again = poll_once(config)
    assert "changed" not in again and "expired" not in again and "afresh" not in again
    assert "1 processed" in again
