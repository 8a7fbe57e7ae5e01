"""Maildir backend: the embedded default for the demo and for local use.

The inbox is a Maildir at `path`; processed mail is moved to its `.Processed`
subfolder and sent copies kept in `.Sent` (Maildir++ layout, so Dovecot or a mail
client can open the same tree). Outgoing mail goes through SMTP when configured,
else it is written to a local `outbox` folder as `<message-id>.eml` plus
`<message-id>.envelope.json` (recipients and sender), which makes sending twice
the same message a harmless overwrite.

Cursor: "<epoch>|<key>/<key>/..." — the epoch from the file `mailbot-epoch` in the
maildir, and the keys that were in the inbox at the last fetch. Those are the
messages fetched but not yet marked processed: usually few, since marking moves
them out. Deleting `mailbot-epoch` (e.g. after restoring a backup) expires every
cursor, so the next poll resyncs from everything still in the inbox.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mailbox
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from mailbot.backends import byte_budget
from mailbot.backends.base import BackendError, CursorExpired, TransientError
from mailbot.backends.retry import Backoff, call_with_retry
from mailbot.backends.smtp import IDLE_TIMEOUT, SmtpSession, SmtpSettings, envelope_sender
from mailbot.backends.unreadable import FetchRound, LeftUnread, ReadFailures
from mailbot.model import FetchedMessage, OutgoingMail

log = logging.getLogger(__name__)

T = TypeVar("T")
EPOCH_FILE = "mailbot-epoch"
INFO_SEPARATOR = ":"  # Maildir's "key:2,flags"; the stdlib uses ':' on POSIX too


class MaildirMailbox:
    kind = "maildir"  # marks the cursor and refs it writes (see kind_of)

    def __init__(
        self,
        path: Path | str,
        *,
        outbox: Path | str | None = None,
        smtp: SmtpSettings | None = None,
        address: str = "",
        processed: str = "Processed",
        sent: str = "Sent",
        create: bool = True,
        backoff: Backoff | None = None,
        io_check: Callable[[], None] | None = None,
        smtp_idle_timeout: float = IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        batch_bytes: int = byte_budget.BATCH_BYTES,
    ) -> None:
        """`create` makes the maildir and its folders when missing. `io_check` runs
        before each filesystem operation; tests use it to make the disk fail (an
        OSError there is treated like any other I/O error). Sends share one SMTP
        connection, closed after `smtp_idle_timeout` seconds unused (by `clock`)
        or by close()."""
        self.path = Path(path)
        self.batch_bytes = batch_bytes
        self.outbox = Path(outbox) if outbox is not None else None
        self.smtp = smtp
        self._smtp_session = (
            SmtpSession(smtp, idle_timeout=smtp_idle_timeout, clock=clock) if smtp else None
        )
        self.address = address
        self.backoff = backoff if backoff is not None else Backoff(attempts=3, base=0.2)
        self._io_check = io_check
        self._failures = ReadFailures()  # message files that could not be read
        if smtp is None and self.outbox is None:
            raise BackendError("the maildir backend needs an outbox folder or [mailbox.smtp]")
        with self._io_errors("open the maildir"):
            if not create and not (self.path / "cur").is_dir():
                raise BackendError(f"maildir {self.path} does not exist (no cur/ folder)")
            self._inbox = mailbox.Maildir(self.path, create=create)
            self._create = create
            self._processed_name, self._sent_name = processed, sent
            self._processed = self._folder(processed, create)
            self._sent = self._folder(sent, create)
            if self.outbox is not None and create:
                self.outbox.mkdir(parents=True, exist_ok=True)

    def _folder(self, name: str, create: bool) -> mailbox.Maildir:
        if name in self._inbox.list_folders():
            return self._inbox.get_folder(name)
        if not create:
            raise BackendError(f"maildir {self.path} has no .{name} folder")
        return self._inbox.add_folder(name)

    # -- the Mailbox protocol -------------------------------------------------

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        if self._smtp_session is not None:
            # Polls come often and sends in bursts: a poll is when an SMTP connection
            # left over from the last flush gets closed, once unused long enough.
            self._smtp_session.close_if_idle()
        return self._retry("fetch from the maildir", lambda: self._fetch(cursor))

    def mark_processed(self, ref: str) -> None:
        self._retry("move to Processed", lambda: self._move(ref))

    def send(self, mail: OutgoingMail) -> None:
        if self._smtp_session is None:
            self._retry("write to the outbox", lambda: self._write_outbox(mail))
            self._retry("save to Sent", lambda: self._save_sent(mail))
            return
        session = self._smtp_session
        sender = self.address or envelope_sender(mail.mime)
        where = session.settings.where
        call_with_retry(lambda: session.send(mail, sender), self.backoff, what=f"send via {where}")
        # The SMTP server has it. Failing now would send it again (the member would get it
        # twice); a missing Sent copy is the lesser harm, so it is logged instead.
        try:
            self._retry("save to Sent", lambda: self._save_sent(mail))
        except BackendError as error:
            log.error("%s was sent, but no copy of it could be kept in Sent: %s",
                      mail.message_id, error)

    def close(self) -> None:
        """Only the SMTP connection is held open between calls."""
        if self._smtp_session is not None:
            self._smtp_session.close()

    def check_connection(self) -> list[str]:
        """The folders in use, or BackendError saying which path is missing or unreadable."""
        with self._io_errors("read the maildir"):
            for sub in ("new", "cur"):
                os.listdir(self.path / sub)
            folders = [f"{self.path} (inbox)"]
            folders += [f"{self.path}/.{name}" for name in sorted(self._inbox.list_folders())]
        if self.smtp is not None:
            folders.append(f"sending through {self.smtp.where}")
        elif self.outbox is not None:
            if not self.outbox.is_dir():
                raise BackendError(f"the outbox folder {self.outbox} does not exist")
            folders.append(f"{self.outbox} (outbox)")
        return folders

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: True if the Sent copy exists (it is written last); False
        when writing again is harmless (the .eml outbox is keyed by Message-ID); None when
        an SMTP server may or may not have taken it. (`since` does not matter: the copy is
        found by its file name.)"""
        if self._sent_copy_path(message_id).exists():
            return True
        return False if self.smtp is None else None

    # -- internals -------------------------------------------------------------

    def _retry(self, what: str, operation: Callable[[], T]) -> T:
        def attempt() -> T:
            with self._io_errors(what):
                return operation()

        return call_with_retry(attempt, self.backoff, what=f"{what} ({self.path})")

    @contextmanager
    def _io_errors(self, what: str) -> Iterator[None]:
        try:
            if self._io_check is not None:
                self._io_check()
            yield
        except BackendError:
            raise
        except PermissionError as error:
            raise BackendError(f"cannot {what}: permission denied on {error.filename}") from error
        except FileNotFoundError as error:
            raise BackendError(f"cannot {what}: {error.filename} does not exist") from error
        except OSError as error:  # EIO, ESTALE on NFS, EMFILE...: may pass
            raise TransientError(f"cannot {what} in {self.path}: {error}") from error

    def _epoch(self) -> str:
        epoch_file = self.path / EPOCH_FILE
        try:
            return epoch_file.read_text().strip()
        except FileNotFoundError:
            epoch = uuid.uuid4().hex[:12]
            temporary = epoch_file.with_suffix(".tmp")
            temporary.write_text(epoch + "\n")
            os.replace(temporary, epoch_file)
            return epoch

    def _keys(self) -> list[str]:
        # Keys start with the delivery time, so sorting them gives arrival order.
        return sorted(self._inbox.keys())

    def _fetch(self, cursor: str | None) -> tuple[list[FetchedMessage], str]:
        epoch = self._epoch()
        seen: set[str] = set()
        if cursor is not None:
            cursor_epoch, _, listed = cursor.partition("|")
            if cursor_epoch != epoch:
                raise CursorExpired(
                    f"maildir {self.path} was reset (epoch {cursor_epoch} -> {epoch})"
                )
            seen = set(filter(None, listed.split("/")))
        keys = self._keys()
        messages: list[FetchedMessage] = []
        present: list[str] = []
        held = 0
        reads = FetchRound(self._failures, f"maildir {self.path}")
        for key in keys:
            if key in seen:  # fetched before and left in the Inbox: not read again
                present.append(key)
                continue
            if held >= self.batch_bytes:
                # The batch is full (see byte_budget): left out of the cursor, so the next
                # fetch reads it. Members' drawings of 30 MB by the hundred are gigabytes.
                continue
            raw = self._read(key, reads)
            if raw is None:  # gone since the listing, failed, or left for a person
                continue
            present.append(key)
            messages.append(FetchedMessage(ref=key, raw=raw))
            held += len(raw)
        in_inbox = set(keys)
        for remembered in self._failures.remembered():
            if remembered not in in_inbox:  # moved or deleted by a person: no longer a worry
                self._failures.settled(remembered)
        reads.close()  # raises while a file failing alone may yet be read
        return messages, f"{epoch}|{'/'.join(present)}"

    def _read(self, key: str, reads: FetchRound) -> bytes | None:
        """The message file's bytes; None if it went since the listing (a person's client
        moved or deleted it), or if mailbot cannot read it (its owner or mode, a dangling
        symlink, a loop of them, a disk error on it): that is noted in `reads`, which lets
        the rest be read and decides (see FetchRound): after UNREADABLE_AFTER failures the
        file is left in the inbox for a person, named in the log and handed over for
        `mailbot status`. Raising at once would fail every poll at that file for good, and
        the mail behind it with it."""
        if self._failures.given_up(key):
            return None
        try:
            raw = self._inbox.get_bytes(key)
        except KeyError:  # moved or deleted since the listing
            return None
        except OSError as error:
            where = _find(self.path, key)
            if where is None:  # gone since the listing: a person's, not an error
                self._failures.settled(key)
                return None
            try:  # a client moved it from new/ to cur/ since the listing, as they do
                raw = where.read_bytes()
            except OSError:
                problem = (f"mailbot cannot read the file {where}: {error.strerror or error}; "
                           "check that it is a plain file the user mailbot runs as may read")
                shown = f"the maildir {self.path}"
                reads.fail(key, self._as_backend_error(error),
                           lambda: LeftUnread(key, "inbox", shown, problem))
                return None
        reads.ok(key)
        return raw

    def _as_backend_error(self, error: OSError) -> BackendError:
        """What _io_errors would have said of it; never a TransientError, which the retry
        would take for another failure of the file seconds later: a file counts one
        failure a poll."""
        try:
            with self._io_errors("fetch from the maildir"):
                raise error
        except BackendError as mine:
            return BackendError(str(mine))
        raise AssertionError("unreachable")  # pragma: no cover

    def take_left_unread(self) -> list[LeftUnread]:
        """Message files left for a person since the last call (see ReportsUnread)."""
        return self._failures.take_left()

    def read_failures(self) -> ReadFailures:
        """The files that failed to be read, kept by the poll (see KeepsReadFailures)."""
        return self._failures

    def _move(self, key: str) -> None:
        source = _find(self.path, key)
        if source is None:  # already moved, or deleted by a person: nothing to do
            return
        name = source.name if INFO_SEPARATOR in source.name else f"{source.name}{INFO_SEPARATOR}2,"
        try:
            os.rename(source, self._folder_path(self._processed) / "cur" / name)
        except FileNotFoundError:
            if not source.exists():
                return  # lost a race with a person deleting it
            # The Processed folder itself went away (a person, a clean-up script): make it
            # again, or every move fails until a restart.
            self._processed = self._folder_again(self._processed_name)
            os.rename(source, self._folder_path(self._processed) / "cur" / name)

    def _write_outbox(self, mail: OutgoingMail) -> None:
        assert self.outbox is not None
        stem = _safe_name(mail.message_id)
        envelope = {
            "message_id": mail.message_id,
            "recipients": list(mail.recipients),
            "from": self.address or envelope_sender(mail.mime),
        }
        _write_atomically(self.outbox / f"{stem}.eml", mail.mime)
        _write_atomically(
            self.outbox / f"{stem}.envelope.json", json.dumps(envelope, indent=1).encode()
        )

    def _sent_copy_path(self, message_id: str) -> Path:
        digest = hashlib.sha1(message_id.encode("utf-8", "replace")).hexdigest()[:24]
        sent_root = Path(self._sent._path)  # type: ignore[attr-defined]
        return sent_root / "cur" / f"mailbot-sent.{digest}{INFO_SEPARATOR}2,S"

    def _save_sent(self, mail: OutgoingMail) -> None:
        """Named after the Message-ID, so a retried send keeps a single copy."""
        target = self._sent_copy_path(mail.message_id)
        if target.exists():
            return
        if not (target.parent.parent / "tmp").is_dir():
            # The Sent folder went away (a person, a clean-up script): make it again, or
            # every copy is lost (and, without SMTP, every send fails) until a restart.
            self._sent = self._folder_again(self._sent_name)
        temporary = target.parent.parent / "tmp" / target.name.split(INFO_SEPARATOR)[0]
        temporary.write_bytes(mail.mime)
        os.replace(temporary, target)

    def _folder_again(self, name: str) -> mailbox.Maildir:
        """A folder that was there at start and is gone now, made again (if allowed)."""
        if not self._create:
            raise BackendError(f"maildir {self.path} has no .{name} folder any more")
        log.warning("maildir %s: the .%s folder was gone; making it again", self.path, name)
        return self._inbox.add_folder(name)

    @staticmethod
    def _folder_path(folder: mailbox.Maildir) -> Path:
        return Path(folder._path)  # type: ignore[attr-defined]


def _find(root: Path, key: str) -> Path | None:
    """The file holding `key` in new/ or cur/ (cur/ names carry ":2,flags")."""
    fresh = root / "new" / key
    if os.path.lexists(fresh):  # a symlink too, even one that leads nowhere
        return fresh
    prefix = key + INFO_SEPARATOR
    try:
        names = os.listdir(root / "cur")
    except FileNotFoundError:
        return None
    for name in names:
        if name == key or name.startswith(prefix):
            return root / "cur" / name
    return None


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _safe_name(message_id: str) -> str:
    bare = message_id.strip().strip("<>") or uuid.uuid4().hex
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", bare)[:200]


def _has_message_id(raw: bytes, message_id: str) -> bool:
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    return message_id.encode("ascii", "replace") in head
