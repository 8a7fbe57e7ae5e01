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
mailbot's kinds in ews_explain.

exchangelib runs with its fail-fast policy; every server call goes through
`call_with_retry` with our Backoff, which honours ErrorServerBusy's
BackOffMilliseconds and takes an injected sleep (tests run at full speed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from functools import partial
from typing import Any, TypeVar

from exchangelib import UTC, Account, Message, OAuth2Credentials
from exchangelib import Mailbox as EwsAddress
from exchangelib import errors as ews_errors
from exchangelib.folders import SHALLOW, Folder, FolderCollection
from exchangelib.items import ID_ONLY
from exchangelib.protocol import Protocol
from exchangelib.services import SyncFolderItems

from mailbot.addresses import address_key, ascii_address
from mailbot.backends import byte_budget, folder_cursor
from mailbot.backends.base import BackendError, MaybeSent, SendingBlocked, TransientError
from mailbot.backends.ews_config import build_configuration
from mailbot.backends.ews_explain import (
    NO_PERMISSION,
    REFUSES_EVERY_MAIL,
    answer_lost,
    chain,
    explain,
    http_status,
)
from mailbot.backends.ews_sent import CATCH_UP_PAGES, NewItem, SentItems, new_item
from mailbot.backends.retry import Backoff, Cooldown, call_with_retry
from mailbot.backends.unreadable import FetchRound, LeftUnread, ReadFailures
from mailbot.model import FetchedMessage, OutgoingMail

T = TypeVar("T")

log = logging.getLogger(__name__)

REF_SEPARATOR = "|"  # EWS ids and change keys are base64: they never contain "|"
# GetItem's answers for an item whose MIME Exchange cannot make (damaged, or from a broken
# import): they come back the same on every try.
UNCONVERTIBLE = (
    ews_errors.ErrorMimeContentConversionFailed,
    ews_errors.ErrorContentConversionFailed,
    ews_errors.ErrorCorruptData,
    ews_errors.ErrorItemCorrupt,
)
SENT_REF_PREFIX = "sent:"  # marks refs of Sent Items, which mark_processed leaves alone
MIME_BATCH = 20  # GetItem chunk: keeps one response small even with large messages
MIME_BYTES = 16 * 1024 * 1024  # and at most this much mail per GetItem (a bigger one alone)
SYNC_PAGE = 512  # the most SyncFolderItems returns per call
FETCH_BATCH = 100  # new messages per fetch_new: what one poll batch holds in memory


class EwsMailbox:
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

    def close(self) -> None:
        if self._account is not None:
            protocol = self._account.protocol
            protocol.close()
            # exchangelib caches one Protocol per endpoint + credentials; drop ours
            with suppress(KeyError):
                del Protocol[protocol.config]
        self._account = None
        self._processed = None

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

    def _connect(self) -> Account:
        if self._account is None:
            if self.autodiscover:
                self._account = Account(
                    self.address,
                    credentials=self.config.credentials,
                    autodiscover=True,
                    access_type=self.access_type,
                    default_timezone=UTC,
                )
            else:
                self._account = Account(
                    self.address,
                    config=self.config,
                    autodiscover=False,
                    access_type=self.access_type,
                    default_timezone=UTC,
                )
        return self._account

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

    def _download_all(
        self, ids: list[NewItem], *, folder: str, held: int
    ) -> tuple[list[FetchedMessage], list[NewItem]]:
        """The MIME of as many of `ids` as fit in the batch beside the `held` bytes it has
        (see byte_budget), in GetItem calls of bounded size; and the ids left for the next
        fetch. Ids come from the sync, or back from a cursor's JSON as lists. Items given up
        on are passed over; once a GetItem of several has failed, they are asked for one at
        a time, so the one at fault is found; an item that fails alone is noted and the rest
        read, and FetchRound decides (it fails the fetch until the item has failed
        UNREADABLE_AFTER times, then leaves it for a person)."""
        due = self._due_again(folder)
        again = {str(found[0]) for found in due}
        ids = [*due, *(found for found in ids if str(found[0]) not in again)]
        taken = byte_budget.within(ids, _size, held, self.batch_bytes)
        messages: list[FetchedMessage] = []
        reads = FetchRound(self._failures, "ews")
        for run in byte_budget.runs(taken, _size, MIME_BATCH, MIME_BYTES):
            # (a change key of None: an item tried again by its id alone, see _due_again)
            pairs = [(str(found[0]), str(found[1]) if found[1] else None) for found in run
                     if not self._failures.given_up(_key(str(found[0]), folder))]
            if any(self._failures.suspected(_key(item_id, folder)) for item_id, _ in pairs):
                pieces = [[pair] for pair in pairs]
            else:
                pieces = [pairs] if pairs else []
            for piece in pieces:
                messages += self._download_run(piece, folder, reads)
        reads.close()
        return messages, ids[len(taken) :]

    def _due_again(self, folder: str) -> list[NewItem]:
        """Inbox items left for a person whose time to be tried again has come (see
        unreadable.TRY_AGAIN_AFTER): the sync has moved past them, so they are asked for
        again by id, first. One a person moved or deleted meanwhile has another id now
        (Exchange gives an item a new one in another folder): not found, it is forgotten,
        never read. Sent Items left unread are not tried again, and forgotten."""
        if folder != "inbox":
            return []
        due: list[NewItem] = []
        for key in self._failures.due_again():
            if key.startswith(SENT_REF_PREFIX):
                self._failures.settled(key)
            else:
                due.append((key, "", 0))  # no change key, no size: asked for by id alone
        return due

    def _download_run(
        self, pairs: list[tuple[str, str | None]], folder: str, reads: FetchRound
    ) -> list[FetchedMessage]:
        """One GetItem of `pairs`; the items Exchange fails on alone (an unexpected fault
        for that item, a whole request that fails with it alone in it) noted in `reads`. A
        busy or unreachable server is no item's fault and counts against none."""
        try:
            found, failed = self._retry(
                "download messages", partial(self._download, pairs, folder=folder)
            )
        except TransientError:
            raise
        except BackendError as whole:
            if len(pairs) > 1:
                self._failures.suspect([_key(item_id, folder) for item_id, _ in pairs])
                raise
            found, failed = [], [(pairs[0][0], whole)]
        place = "Sent Items" if folder == "sent" else "Inbox"
        for item_id, problem in failed:
            key = _key(item_id, folder)
            said = f"Exchange failed to give it, each time: {problem}"
            reads.fail(key, problem, partial(
                self._described, item_id, LeftUnread(key, folder, place, said)))
        for message in found:
            reads.ok(message.ref.split(REF_SEPARATOR, 1)[0])
        return found

    def _download(
        self, ids: list[tuple[str, str | None]], *, folder: str
    ) -> tuple[list[FetchedMessage], list[tuple[str, BackendError]]]:
        """The messages Exchange gave, and the items it answered with an unexpected error
        (noted by _download_run, outside the retries)."""
        account = self._connect()
        found = []
        failed: list[tuple[str, BackendError]] = []
        place = "Sent Items" if folder == "sent" else "Inbox"
        for (item_id, changekey), item in zip(
            ids, account.fetch(ids=ids, only_fields=["mime_content"]), strict=True
        ):
            key = _key(item_id, folder)
            if isinstance(item, ews_errors.ErrorItemNotFound):
                self._failures.settled(key)
                log.info("message %s was deleted before we could download it", item_id)
                continue
            if isinstance(item, UNCONVERTIBLE):
                # Exchange says so every time: raising would fail every poll at this item,
                # and the mail behind it would never be read.
                log.error(
                    "ews: Exchange cannot convert %s item %s to MIME (%s: %s); it is left "
                    "there for a person to look at, and the messages after it are read",
                    place, item_id, type(item).__name__, item,
                )  # fmt: skip
                problem = f"Exchange cannot convert it to MIME ({type(item).__name__}: {item})"
                self._failures.leave(self._described(item_id, LeftUnread(key, folder, place,
                                                                          problem)))
                continue
            if isinstance(item, Exception):
                failed.append((item_id, BackendError(
                    f"ews: Exchange could not give {place} item {item_id} "
                    f"({type(item).__name__}: {item})"
                )))
                continue
            prefix = SENT_REF_PREFIX if folder == "sent" else ""
            # An item tried again by its id alone (see _due_again) has its change key here.
            changekey = changekey or str(item.changekey)
            found.append(
                FetchedMessage(
                    ref=f"{prefix}{item_id}{REF_SEPARATOR}{changekey}",
                    raw=bytes(item.mime_content),
                    folder=folder,
                )
            )
        return found, failed

    def _described(self, item_id: str, left: LeftUnread) -> LeftUnread:
        """`left` with its sender and subject, which Exchange gives as properties even when
        it cannot give the MIME, so a person can find it; as it was if it will not."""
        try:
            (item,) = self._connect().fetch(ids=[(item_id, None)],
                                            only_fields=["subject", "sender"])
        except Exception:  # noqa: BLE001 - a description is a courtesy; the report goes on
            return left
        if isinstance(item, Exception):
            return left
        sender = getattr(item.sender, "email_address", None) if item.sender else None
        return replace(left, sender=str(sender or ""), subject=str(item.subject or ""))

    def take_left_unread(self) -> list[LeftUnread]:
        """Items left for a person since the last call (see ReportsUnread)."""
        return self._failures.take_left()

    def read_failures(self) -> ReadFailures:
        """The downloads that failed, kept by the poll (see KeepsReadFailures)."""
        return self._failures

    def _move(self, item_id: str, changekey: str) -> None:
        account = self._connect()
        for attempt in (1, 2):
            target = self._processed_folder()
            try:
                (result,) = account.bulk_move(ids=[(item_id, changekey)], to_folder=target)
            except ews_errors.ErrorFolderNotFound as error:
                result = error
            if isinstance(result, ews_errors.ErrorItemNotFound):
                log.info("message %s already moved or deleted by a person", item_id)
                return
            if isinstance(result, ews_errors.ErrorFolderNotFound) and attempt == 1:
                self._processed = None  # deleted by a person: find or create it again
                continue
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
        message.send_and_save()

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

    # --- errors ----------------------------------------------------------------------

    def _retry(self, what: str, operation: Callable[[], T], *, once: bool = False) -> T:
        """`operation` with retries for what passes. With `once` (sending), a request that
        went out and got no answer is MaybeSent, never tried again: Exchange may have sent
        it, and a second try would give the member a second copy."""

        def attempt() -> T:
            try:
                return self._with_fresh_token(operation)
            except BackendError:
                raise
            except Exception as error:  # exchangelib, requests and oauthlib raise many kinds
                if once and answer_lost(error):
                    status = http_status(error)
                    answer = (f"the web server in front of Exchange answered {status}"
                              if status else "the connection closed with no answer")
                    raise MaybeSent(
                        f"{answer} after the request to {what} went out; not tried again, "
                        "in case Exchange sent it (Sent Items will tell)"
                    ) from error
                raise explain(
                    error,
                    what,
                    config=self.config,
                    access_type=self.access_type,
                    address=self.address,
                ) from error

        return call_with_retry(attempt, self.backoff, what=f"ews: {what}", cooldown=self.cooldown)

    def _with_fresh_token(self, operation: Callable[[], T]) -> T:
        """Run `operation`; if Exchange refuses an app's token (401), get a new token and run
        it once more. exchangelib renews a token only when its own clock says it expired,
        so a token revoked or refused early would otherwise fail every poll until a
        restart. A 401 means nothing was done, so running it again sends nothing twice."""
        try:
            return operation()
        except ews_errors.UnauthorizedError:
            credentials = self.config.credentials
            if not isinstance(credentials, OAuth2Credentials):
                raise  # a password is not renewed by asking again
            log.info("ews: Exchange refused the app's token; getting a new one")
            credentials.access_token = None
            self.close()  # the next connection starts a session, and so fetches a token
            return operation()


def _header_addresses(mime: bytes) -> set[str]:
    headers = BytesHeaderParser(policy=compat32).parsebytes(mime)
    values = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    return {address_key(addr) for _name, addr in getaddresses(values) if addr}


def _size(found: NewItem | list[Any]) -> int:
    """The size Exchange gave the item (0 if none): what its MIME will about weigh."""
    size = found[2] if len(found) > 2 else 0
    return size if isinstance(size, int) else 0


def _key(item_id: str, folder: str) -> str:
    """How the memory of failed downloads knows an item: as its ref starts."""
    return (SENT_REF_PREFIX if folder == "sent" else "") + item_id


def _parse_ref(ref: str) -> tuple[str, str]:
    item_id, sep, changekey = ref.partition(REF_SEPARATOR)
    if not sep or not item_id:
        raise BackendError(f"not an EWS message reference: {ref!r}")
    return item_id, changekey
