"""A person (or a clean-up script) deletes the maildir's .Processed or .Sent folder while
mailbot runs. Before, every move then failed until a restart (the mail stayed in the
inbox, and each poll logged the failure), and every send failed too (without SMTP: the
outbox row was retried and failed again), or lost its Sent copy (with SMTP). The folder
is now made again, as the IMAP backend does."""

from __future__ import annotations

import mailbox
import shutil
from pathlib import Path

from mailbot.backends.maildir import MaildirMailbox
from mailbot.backends.retry import Backoff
from mailbot.model import OutgoingMail


def member_mail(label: str) -> bytes:
    return (
        "From: Cllr Example <cllr@members.test.invalid>\n"
        f"Subject: {label}\nMessage-ID: <{label}@members.test.invalid>\n\nText.\n"
    ).encode()


def acknowledgement(label: str) -> OutgoingMail:
    message_id = f"<{label}@council.example>"
    mime = (
        "From: Member Enquiries <enquiries@council.example>\r\n"
        f"To: cllr@members.test.invalid\r\nMessage-ID: {message_id}\r\n\r\nThank you.\r\n"
    ).encode()
    return OutgoingMail(message_id, ("cllr@members.test.invalid",), mime)


def files_in(folder: Path) -> list[bytes]:
    """The messages in a maildir folder (its new/ and cur/, not its sub-folders)."""
    paths = sorted([*folder.glob("new/*"), *folder.glob("cur/*")])
    return [path.read_bytes() for path in paths]


def test_a_deleted_processed_folder_is_made_again_and_the_mail_moved(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "mail", outbox=tmp_path / "outbox",
                         backoff=Backoff(attempts=2, sleep=lambda _: None))
    mailbox.Maildir(tmp_path / "mail").add(member_mail("enquiry"))
    fetched, _ = box.fetch_new(None)
    shutil.rmtree(tmp_path / "mail" / ".Processed")
    box.mark_processed(fetched[0].ref)
    assert files_in(tmp_path / "mail" / ".Processed") == [member_mail("enquiry")]
    assert files_in(tmp_path / "mail") == []  # new/ and cur/ of the inbox
    box.close()


def test_a_deleted_sent_folder_is_made_again_with_the_copy(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "mail", outbox=tmp_path / "outbox",
                         backoff=Backoff(attempts=2, sleep=lambda _: None))
    shutil.rmtree(tmp_path / "mail" / ".Sent")
    mail = acknowledgement("ack")
    box.send(mail)
    assert files_in(tmp_path / "mail" / ".Sent") == [mail.mime]
    assert box.was_sent(mail.message_id) is True
    box.close()
