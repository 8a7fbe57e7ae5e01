"""The shared mailbox on Exchange, through Exchange Web Services (exchangelib).

For on-premises Exchange Server (NTLM or basic auth as a service account with
FullAccess, or impersonation) and for Exchange Online only until Microsoft retires
EWS there (disablement phased from 1 October 2026, off on 1 April 2027); Exchange
Online councils should use the graph backend.

- fetch_new: SyncFolderItems on the Inbox; the cursor is EWS's own sync state, so
  Exchange remembers what we have seen. A sync state Exchange no longer accepts is
  CursorExpired (the caller resyncs from None; Message-ID dedup keeps that safe).
  Each new item's MIME content is fetched with GetItem. One fetch returns at most
  about `batch` messages with the sync state after them (a good cursor: the poll asks
  again), so a first run over 10,000 items never holds them all in memory; and at most
  `batch_bytes` of mail, by the size Exchange gives each item in the sync: the items
  found but not read yet wait in the cursor for the next fetch (see folder_cursor).
- mark_processed: MoveItem into a "Processed" folder under the Inbox (created on
  first use). An item a person deleted or moved meanwhile is not an error.
- send: CreateItem from the rendered MIME with SendAndSaveCopy, as the shared
  mailbox, so the copy lands in its Sent Items.
- watch_sent: Sent Items are watched too, so a reply an officer sends as the shared
  mailbox is seen (folder "sent", never moved; see ews_sent). The cursor is then a JSON
  object holding both places (see folder_cursor); a plain Inbox sync state is still
  accepted. When only the Inbox state is refused, CursorExpired carries a
  `resume_cursor` that resyncs the Inbox and keeps the Sent Items place, so no
  officer's reply is skipped.

Settings become exchangelib's Configuration in ews_config; exchangelib's errors become
mailbot's kinds in ews_explain. The session with Exchange, and its retries, is
ews_connection; reading the new items' MIME, around those Exchange cannot give,
ews_download (EwsMailbox is both).

exchangelib runs with its fail-fast policy; every server call goes through
`call_with_retry` with our Backoff, which honours ErrorServerBusy's
BackOffMilliseconds and takes an injected sleep (tests run at full speed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

from exchangelib import Account, Message
from exchangelib import Mailbox as EwsAddress
from exchangelib import errors as ews_errors
from exchangelib.folders import SHALLOW, Folder, FolderCollection
from exchangelib.items import ID_ONLY
from exchangelib.services import SyncFolderItems

from mailbot.addresses import address_key, ascii_address
from mailbot.backends import byte_budget, folder_cursor
from mailbot.backends.base import BackendError, MaybeSent, SendingBlocked, TransientError
from mailbot.backends.ews_config import build_configuration
from mailbot.backends.ews_download import REF_SEPARATOR, SENT_REF_PREFIX, EwsDownloads
from mailbot.backends.ews_explain import (
    NO_PERMISSION,
    REFUSES_EVERY_MAIL,
    chain,
    move_refused,
    send_refused,
)
from mailbot.backends.ews_sent import CATCH_UP_PAGES, NewItem, SentItems, new_item
from mailbot.backends.retry import Backoff, Cooldown
from mailbot.backends.unreadable import ReadFailures
from mailbot.model import FetchedMessage, OutgoingMail

log = logging.getLogger(__name__)

SYNC_PAGE = 512  # the most SyncFolderItems returns per call
FETCH_BATCH = 100  # new messages per fetch_new: what one poll batch holds in memory


class EwsMailbox(EwsDownloads):
    """The shared mailbox over EWS. Connects lazily on first use."""

    kind = "ews"  # marks the cursor and refs it writes (see kind_of)

    def __init__(
        self,
        *,
        primary_smtp_address: str,
        service_endpoint: str | None = None,
        auth_type: str = "ntlm",
        username: str | None = None,
        password: str | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_endpoint: str | None = None,
        access_type: str | None = None,
        processed_folder: str = "Processed",
        create_processed_folder: bool = True,
        backoff: Backoff | None = None,
        watch_sent: bool = False,
        batch: int = FETCH_BATCH,
        batch_bytes: int = byte_budget.BATCH_BYTES,
        sync_page: int = SYNC_PAGE,
        catch_up_pages: int = CATCH_UP_PAGES,
        cooldown: Cooldown | None = None,
    ) -> None:
        self.config, self.access_type, self.autodiscover = build_configuration(
            primary_smtp_address=primary_smtp_address,
            service_endpoint=service_endpoint,
            auth_type=auth_type,
            username=username,
            password=password,
            tenant_id=tenant_id,
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint=token_endpoint,
            access_type=access_type,
        )
        self.address = primary_smtp_address
        self.processed_name = processed_folder
        self.create_processed_folder = create_processed_folder
        self.watch_sent = watch_sent
        self.backoff = backoff if backoff is not None else Backoff()
        self.cooldown = cooldown if cooldown is not None else Cooldown()
        self.batch = batch
        self.batch_bytes = batch_bytes
        self.sync_page = min(sync_page, SYNC_PAGE)
        self._account: Account | None = None
        self._processed: Folder | None = None
        self._failures = ReadFailures()  # downloads that failed, by item
        self._sent = SentItems(
            retry=self._retry,
            folder=lambda: self._folder("sent"),
            page=self._sync_page,
            batch=batch,
            page_size=self.sync_page,
            catch_up_pages=catch_up_pages,
        )

    # --- the Mailbox protocol ----------------------------------------------------

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        # Look for Processed by name again before this batch's moves: a folder a person
        # deleted is in Deleted Items with the same id (mail moved there would be binned),
        # and one they renamed is theirs now.
        self._processed = None
        return folder_cursor.fetch_both(
            cursor,
            "ews",
            watch_sent=self.watch_sent,
            inbox_round=lambda state: self._retry(
                "sync the Inbox", lambda: self._sync("inbox", state)
            ),
            sent_round=self._sent.new_items,
            download=lambda ids, folder, held: self._download_all(ids, folder=folder, held=held),
        )

    def mark_processed(self, ref: str) -> None:
        if ref.startswith(SENT_REF_PREFIX):
            return  # Sent Items stay where they are; the sync state keeps our place there
        item_id, changekey = _parse_ref(ref)
        self._retry(
            f"move a message to {self.processed_name!r}", lambda: self._move(item_id, changekey)
        )

    def send(self, mail: OutgoingMail) -> None:
        try:
            self._retry(f"send {mail.message_id}", lambda: self._send(mail), once=True)
        except (MaybeSent, TransientError):
            raise
        except BackendError as error:
            # Refused for the account itself (login, rights): every mail would be refused.
            if any(isinstance(e, REFUSES_EVERY_MAIL) for e in chain(error)):
                raise SendingBlocked(str(error)) from error.__cause__
            raise

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: is the copy in Sent Items? (see SentItems.was_sent)"""
        return self._sent.was_sent(message_id, since)

    # --- for `mailbot check-config --connect` -------------------------------------

    def check_connection(self) -> list[str]:
        """Log in and list the folders mailbot uses; BackendError in plain words if not."""

        def look() -> list[str]:
            account = self._connect()
            inbox = account.inbox
            names = [inbox.name, f"{inbox.name}/{self.processed_name}"]
            children = self._children(inbox)
            if self._processed_among(children) is None:
                if not self.create_processed_folder:
                    raise BackendError(
                        f"folder {self.processed_name!r} is missing under the Inbox of "
                        f"{self.address}; create it, or set create_processed_folder = true"
                    )
                names[1] += " (missing: created on first poll)"
            names += [
                f"{inbox.name}/{c.name}"
                for c in children
                if c.name.lower() != self.processed_name.lower()
            ]
            names.append(account.sent.name)
            return names

        return self._retry("connect", look)

    # --- one server conversation each ---------------------------------------------

    def _sync(self, which: str, state: str | None) -> tuple[list[NewItem], str | None]:
        """Items created in the Inbox or Sent Items since `state`, at most about `batch` of
        them, with their sizes, and the state after them: the end of the folder, or a state
        part way that the next fetch goes on from."""
        folder = self._folder(which)
        created: dict[str, NewItem] = {}
        while len(created) < self.batch:
            size = min(self.sync_page, self.batch - len(created))
            changes, state, done = self._sync_page(folder, state, ["id", "size"], size)
            for change, item in changes:
                if change == "create":
                    created[item.id] = new_item(item)
                elif change == "delete":  # gone before we saw it (moved on by us or a person)
                    created.pop(item.id, None)
            if done:
                break
        return list(created.values()), state

    def _sync_page(
        self, folder: Folder, state: str | None, fields: list[str], size: int
    ) -> tuple[list[tuple[str, Any]], str | None, bool]:
        """One SyncFolderItems call: its changes, the state after it, and whether that state
        is the end of the folder (exchangelib's sync_items would page on to the end)."""
        service = SyncFolderItems(account=self._connect())
        additional = {f for f in folder.normalize_fields(fields=fields) if not f.field.is_attribute}
        changes = []
        for change in service.call(
            folder=folder,
            shape=ID_ONLY,
            additional_fields=additional,
            sync_state=state,
            ignore=None,
            max_changes_returned=size,
            sync_scope=None,
        ):
            if isinstance(change, Exception):
                raise change
            changes.append(change)
        after = service.sync_state
        # Exchange can hand back the same state with IncludesLastItemInRange false: stop there
        done = bool(service.includes_last_item_in_range) or after == state
        return changes, after, done

    def _folder(self, which: str) -> Folder:
        account = self._connect()
        return account.inbox if which == "inbox" else account.sent

    def _move(self, item_id: str, changekey: str) -> None:
        account = self._connect()
        for attempt in (1, 2):
            target = self._processed_folder()
            try:
                (result,) = account.bulk_move(ids=[(item_id, changekey)], to_folder=target)
            except (ews_errors.ErrorFolderNotFound, ews_errors.ErrorAccessDenied) as error:
                result = error
            if isinstance(result, ews_errors.ErrorItemNotFound):
                log.info("message %s already moved or deleted by a person", item_id)
                return
            if isinstance(result, ews_errors.ErrorFolderNotFound) and attempt == 1:
                self._processed = None  # deleted by a person: find or create it again
                continue
            if isinstance(result, ews_errors.ErrorAccessDenied):
                raise move_refused(result, config=self.config, access_type=self.access_type,
                                   address=self.address, processed=self.processed_name
                                   ) from result
            if isinstance(result, Exception):
                raise result
            return

    def _send(self, mail: OutgoingMail) -> None:
        account = self._connect()
        message = Message(account=account, folder=account.sent, mime_content=mail.mime)
        # Exchange sends to the MIME To/Cc; envelope recipients not named there go as Bcc.
        named = _header_addresses(mail.mime)
        # In either form of a domain beyond ASCII (compose writes To in the ASCII form).
        hidden = [r for r in mail.recipients if address_key(r) not in named]
        if hidden:
            message.bcc_recipients = [EwsAddress(email_address=ascii_address(r)) for r in hidden]
        try:
            message.send_and_save()
        except ews_errors.ErrorAccessDenied as error:  # it opened the mailbox: sending is denied
            raise send_refused(error, config=self.config, access_type=self.access_type,
                               address=self.address) from error

    def _processed_folder(self) -> Folder:
        if self._processed is not None:
            return self._processed
        inbox = self._connect().inbox
        folder = self._processed_among(self._children(inbox))
        if folder is None:
            if not self.create_processed_folder:
                raise BackendError(
                    f"folder {self.processed_name!r} is missing under the Inbox of "
                    f"{self.address}; create it, or set create_processed_folder = true"
                )
            folder = self._create_processed(inbox)
        self._processed = folder
        return folder

    def _create_processed(self, inbox: Folder) -> Folder:
        folder = Folder(parent=inbox, name=self.processed_name)
        try:
            folder.save()
        except ews_errors.ErrorFolderExists:  # another client made it just now
            found = self._processed_among(self._children(inbox))
            if found is None:
                raise
            return found
        except NO_PERMISSION as error:
            raise BackendError(
                f"cannot create folder {self.processed_name!r} under the Inbox of "
                f"{self.address} ({type(error).__name__}): create it by hand, or give "
                "the account FullAccess on the mailbox"
            ) from error
        log.info("created folder %r under the Inbox of %s", self.processed_name, self.address)
        return folder

    def _children(self, inbox: Folder) -> list[Folder]:
        return list(
            FolderCollection(account=self._connect(), folders=[inbox]).find_folders(depth=SHALLOW)
        )

    def _processed_among(self, folders: Iterable[Folder]) -> Folder | None:
        wanted = self.processed_name.lower()
        return next((f for f in folders if (f.name or "").lower() == wanted), None)


def _header_addresses(mime: bytes) -> set[str]:
    headers = BytesHeaderParser(policy=compat32).parsebytes(mime)
    values = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    return {address_key(addr) for _name, addr in getaddresses(values) if addr}


def _parse_ref(ref: str) -> tuple[str, str]:
    item_id, sep, changekey = ref.partition(REF_SEPARATOR)
    if not sep or not item_id:
        raise BackendError(f"not an EWS message reference: {ref!r}")
    return item_id, changekey
