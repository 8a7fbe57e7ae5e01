"""`mailbot poll --once` end to end against a real Dovecot and a real SMTP server.

The demo's mail (members, robots, a stranger) goes into the Dovecot INBOX; one poll
must acknowledge the members through SMTP, keep copies in Sent, answer no robot and no
stranger, and move every message to Processed. Polling again, or the same message
arriving twice, sends nothing more.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from fixtures.dovecot import DovecotServer, ImapUser, mailbot_config
from fixtures.smtpd import SmtpServer
from imapclient import IMAPClient
from typer.testing import CliRunner

from mailbot.cli import app

pytestmark = [pytest.mark.dovecot, pytest.mark.timeout(120)]

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo"
ADDRESS = "memberenquiries@example.gov.uk"
ROBOTS_AND_STRANGERS = {
    "mailer-daemon@mx.example.gov.uk",
    "bulletin@lists.example.org.uk",
    "lee.wong@example.gov.uk",  # 07: an officer's out-of-office reply
    "resident1987@mail.example.com",
}


def write_config(folder: Path, server: DovecotServer, user: ImapUser, smtp: SmtpServer) -> Path:
    return mailbot_config(
        folder / "mailbot.toml", server, user, (smtp.host, smtp.port), address=ADDRESS,
        directory=DEMO, extra="[classifier]\ntrain_if_missing = false",
    )


def folder_count(client: IMAPClient, folder: str) -> int:
    if not client.folder_exists(folder):
        return 0
    return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


def poll_once(config: Path) -> None:
    result = CliRunner().invoke(app, ["poll", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output


def test_poll_once_acknowledges_members_through_smtp_and_files_everything(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    admin = IMAPClient(dovecot.host, dovecot.port, ssl=False)
    admin.login(user.username, user.password)
    demo_mail = sorted(DEMO.glob("mail/*.eml"))
    for path in demo_mail:
        admin.append("INBOX", path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    config = write_config(tmp_path, dovecot, user, smtp_server)

    poll_once(config)

    sent = smtp_server.received
    recipients = {address.lower() for item in sent for address in item.recipients}
    assert "jo.bloggs@councillors.example.gov.uk" in recipients  # 01: a member's enquiry
    assert not recipients & ROBOTS_AND_STRANGERS
    for item in sent:
        assert item.mail_from == ADDRESS
        parsed = email.message_from_bytes(item.raw, policy=email.policy.compat32)
        assert parsed["X-Mailbot-Loop"]
        assert parsed["Auto-Submitted"] == "auto-replied"
    acks_to_members = [
        item for item in sent if item.recipients[0].endswith("@councillors.example.gov.uk")
    ]
    assert acks_to_members

    assert folder_count(admin, "INBOX") == 0
    assert folder_count(admin, "Processed") == len(demo_mail)
    assert folder_count(admin, "Sent") == len(sent)

    # Again: nothing new arrived, nothing more goes out.
    poll_once(config)
    assert len(smtp_server.received) == len(sent)

    # The same message delivered a second time (same Message-ID) is not acknowledged again.
    admin.append("INBOX", (DEMO / "mail" / "01-pothole.eml").read_bytes())
    poll_once(config)
    assert len(smtp_server.received) == len(sent)
    assert folder_count(admin, "INBOX") == 0
    admin.logout()


def test_check_config_connect_lists_folders_or_says_what_is_wrong(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    config = write_config(tmp_path, dovecot, user, smtp_server)
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert result.exit_code == 0, result.output
    assert "INBOX" in result.output

    config.write_text(config.read_text().replace(user.password, "not-the-password"))
    result = CliRunner().invoke(app, ["check-config", "--config", str(config), "--connect"])
    assert result.exit_code != 0
    assert "wrong username or password" in result.output
    assert "Traceback" not in result.output
