"""Maildir specifics the contract suite does not cover: layout, outbox files, errors."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest

from mailbot.backends.base import BackendError, CursorExpired
from mailbot.backends.maildir import EPOCH_FILE, MaildirMailbox
from mailbot.model import OutgoingMail

ACK = OutgoingMail(
    message_id="<ack-1@council.test.invalid>",
    recipients=("cllr@members.test.invalid",),
    mime=b"From: Member Enquiries <enquiries@council.test.invalid>\r\n"
    b"To: cllr@members.test.invalid\r\nSubject: Thanks\r\n"
    b"Message-ID: <ack-1@council.test.invalid>\r\n\r\nWe have it.\r\n",
)


def test_layout_is_maildir_plus_plus_and_check_connection_lists_it(tmp_path: Path) -> None:
    backend = MaildirMailbox(tmp_path / "mailbox", outbox=tmp_path / "outbox")
    for folder in ("mailbox", "mailbox/.Processed", "mailbox/.Sent"):
        for sub in ("tmp", "new", "cur"):
            assert (tmp_path / folder / sub).is_dir()
    listed = backend.check_connection()
    assert listed[0].endswith("(inbox)")
    assert any(name.endswith("/.Processed") for name in listed)
    assert listed[-1] == f"{tmp_path / 'outbox'} (outbox)"


def test_outbox_send_is_idempotent_and_keeps_the_envelope(tmp_path: Path) -> None:
    backend = MaildirMailbox(tmp_path / "mailbox", outbox=tmp_path / "outbox")
    backend.send(ACK)
    backend.send(ACK)  # a retried flush: the same two files, one Sent copy
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "ack-1@council.test.invalid.eml",
        "ack-1@council.test.invalid.envelope.json",
    ]
    envelope = json.loads(
        (tmp_path / "outbox" / "ack-1@council.test.invalid.envelope.json").read_text()
    )
    assert envelope["recipients"] == ["cllr@members.test.invalid"]
    assert envelope["from"] == "enquiries@council.test.invalid"
    assert len(mailbox.Maildir(tmp_path / "mailbox").get_folder("Sent")) == 1


def test_a_missing_maildir_is_named_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="does not exist"):
        MaildirMailbox(tmp_path / "nowhere", outbox=tmp_path / "outbox", create=False)


def test_deleting_the_epoch_file_expires_cursors(tmp_path: Path) -> None:
    backend = MaildirMailbox(tmp_path / "mailbox", outbox=tmp_path / "outbox")
    mailbox.Maildir(tmp_path / "mailbox").add(b"Subject: one\r\nMessage-ID: <1@x>\r\n\r\nx\r\n")
    fetched, cursor = backend.fetch_new(None)
    assert len(fetched) == 1
    (tmp_path / "mailbox" / EPOCH_FILE).unlink()
    with pytest.raises(CursorExpired):
        backend.fetch_new(cursor)
    again, _ = backend.fetch_new(None)
    assert [m.ref for m in again] == [m.ref for m in fetched]
