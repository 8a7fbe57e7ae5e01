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
  again), so a first run over 10,000 items never holds them all in memory.
- mark_processed: MoveItem into a "Processed" folder under the Inbox (created on
  first use). An item a person deleted or moved meanwhile is not an error.
- send: CreateItem from the rendered MIME with SendAndSaveCopy, as the shared
  mailbox, so the copy lands in its Sent Items.
- watch_sent: SyncFolderItems on Sent Items too, so a reply an officer sends as the
  shared mailbox is seen (folder "sent", never moved). The cursor is then a JSON
  object holding both sync states; a plain Inbox sync state is still accepted. The
  first sync of Sent Items only finds our place there: old sent mail is history.
  EWS cannot start a sync "from now", and paging through 200,000 sent items in one
  poll is slow and heavy, so that first sync is spread over polls (a few pages each,
  only ids and creation times) and, meanwhile, reports the items created after the
  newest one it found at the start: no officer's reply is missed while it catches up.
  When only the Inbox state is refused, CursorExpired carries a `resume_cursor` that
  resyncs the Inbox and keeps the Sent Items state, so no officer's reply is skipped.

exchangelib runs with its fail-fast policy; every server call goes through
`call_with_retry` with our Backoff, which honours ErrorServerBusy's
BackOffMilliseconds and takes an injected sleep (tests run at full speed).
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from functools import partial
from typing import Any, TypeVar

import requests.exceptions
import urllib3.exceptions
from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    UTC,
    Account,
    Configuration,
    Credentials,
    FailFast,
    Message,
    OAuth2Credentials,
)
from exchangelib import Mailbox as EwsAddress
from exchangelib import errors as ews_errors
from exchangelib.folders import SHALLOW, Folder, FolderCollection
from exchangelib.items import ID_ONLY
from exchangelib.protocol import Protocol
from exchangelib.services import SyncFolderItems
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from mailbot.backends import folder_cursor
from mailbot.backends.base import (
    BackendError,
    CursorExpired,
    MaybeSent,
    SendingBlocked,
    TransientError,
)
from mailbot.backends.retry import Backoff, Cooldown, call_with_retry
from mailbot.model import FetchedMessage, OutgoingMail

T = TypeVar("T")

log = logging.getLogger(__name__)

EXCHANGE_ONLINE_ENDPOINT = "https://outlook.office365.com/EWS/Exchange.asmx"
AUTH_TYPES = {"ntlm": NTLM, "basic": BASIC, "oauth2": OAUTH2, "oauth": OAUTH2}
ACCESS_TYPES = {"delegate": DELEGATE, "impersonation": IMPERSONATION}
REF_SEPARATOR = "|"  # EWS ids and change keys are base64: they never contain "|"
SENT_REF_PREFIX = "sent:"  # marks refs of Sent Items, which mark_processed leaves alone
MIME_BATCH = 20  # GetItem chunk: keeps one response small even with large messages
SYNC_PAGE = 512  # the most SyncFolderItems returns per call
FETCH_BATCH = 100  # new messages per fetch_new: what one poll batch holds in memory
CATCH_UP_PAGES = 8  # SyncFolderItems pages per poll while the first Sent Items sync catches up
CATCH_UP = "catchup"  # a Sent Items place still catching up: catchup|since|sync state
WATCHING = "seen"  # a Sent Items place caught up: seen|newest creation time seen|sync state

RETIREMENT = (
    "Microsoft is retiring EWS in Exchange Online (disablement phased from 1 October 2026, "
    'fully off on 1 April 2027): for Exchange Online set [mailbox] backend = "graph"'
)

# Server states that pass: worth waiting and trying again.
TRANSIENT = (
    ews_errors.ErrorServerBusy,
    ews_errors.ErrorTimeoutExpired,
    ews_errors.ErrorInternalServerTransientError,
    ews_errors.ErrorTooManyObjectsOpened,
    ews_errors.ErrorMailboxStoreUnavailable,
    ews_errors.ErrorMailboxMoveInProgress,
    ews_errors.ErrorConnectionFailedTransientError,
    ews_errors.RateLimitError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)
NO_PERMISSION = (
    ews_errors.ErrorAccessDenied,
    ews_errors.ErrorImpersonateUserDenied,
    ews_errors.ErrorImpersonationDenied,
)


# A request that went out and whose answer never came: Exchange may have carried it out.
ANSWER_LOST = (
    requests.exceptions.ReadTimeout,
    urllib3.exceptions.ProtocolError,
    http.client.RemoteDisconnected,
    ConnectionResetError,
)
# ... unless the connection was never made: then nothing reached Exchange.
NEVER_ARRIVED = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    requests.exceptions.ConnectTimeout,
)
# A load balancer or proxy in front of Exchange that gave up waiting or failed (500, 502,
# 504: Exchange may have gone on and done it) or has no server to offer (503).
GATEWAY_STATUSES = frozenset({500, 502, 503, 504})
UNSURE_STATUSES = frozenset({500, 502, 504})

REFUSES_EVERY_MAIL = (
    *NO_PERMISSION,
    ews_errors.ErrorSendAsDenied,
    ews_errors.UnauthorizedError,
    oauth_errors.OAuth2Error,
)


class TokenEndpointCredentials(OAuth2Credentials):
    """OAuth2 client credentials whose token endpoint can be set: a national cloud's
    authority, or a loopback endpoint in tests. None keeps Microsoft's global one."""

    def __init__(self, *, token_endpoint: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_endpoint = token_endpoint

    @property
    def token_url(self) -> str:
        return self.token_endpoint or super().token_url


def build_configuration(
    *,
    primary_smtp_address: str,
    service_endpoint: str | None,
    auth_type: str,
    username: str | None,
    password: str | None,
    tenant_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_endpoint: str | None,
    access_type: str | None,
) -> tuple[Configuration, str, bool]:
    """The exchangelib Configuration, access type and autodiscover flag for these settings.

    Pure: no network. Raises BackendError naming the missing or wrong setting.
    """
    kind = auth_type.lower()
    if kind not in AUTH_TYPES:
        raise BackendError(
            f"ews auth_type {auth_type!r} is not one of: {', '.join(sorted(AUTH_TYPES))}"
        )
    if "@" not in primary_smtp_address:
        raise BackendError(
            f"ews primary_smtp_address {primary_smtp_address!r} is not an email address"
        )
    credentials: Credentials | OAuth2Credentials
    endpoint: str | None
    if AUTH_TYPES[kind] == OAUTH2:
        missing = [
            name
            for name, value in (
                ("tenant_id", tenant_id),
                ("client_id", client_id),
                ("client_secret", client_secret),
            )
            if not value
        ]
        if missing:
            raise BackendError(f"ews auth_type {kind!r} needs {', '.join(missing)}")
        credentials = TokenEndpointCredentials(
            client_id=client_id,
            client_secret=client_secret,
            tenant_id=tenant_id,
            token_endpoint=token_endpoint,
        )
        # App-only tokens act for no user: the app must impersonate the shared mailbox.
        access = IMPERSONATION
        endpoint = service_endpoint or EXCHANGE_ONLINE_ENDPOINT
    else:
        missing = [
            name for name, value in (("username", username), ("password", password)) if not value
        ]
        if missing:
            raise BackendError(f"ews auth_type {kind!r} needs {', '.join(missing)}")
        credentials = Credentials(username=username, password=password)
        access = ACCESS_TYPES.get((access_type or "delegate").lower(), "")
        if not access:
            raise BackendError(
                f"ews access_type {access_type!r} is not one of: delegate, impersonation"
            )
        endpoint = service_endpoint
    autodiscover = endpoint is None
    config = Configuration(
        credentials=credentials,
        service_endpoint=endpoint,
        auth_type=AUTH_TYPES[kind],
        retry_policy=FailFast(),  # we retry ourselves, with our Backoff and sleep
    )
    return config, access, autodiscover


class EwsMailbox:
    """The shared mailbox over EWS. Connects lazily on first use."""

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
        self.sync_page = min(sync_page, SYNC_PAGE)
        self.catch_up_pages = catch_up_pages
        self._account: Account | None = None
        self._processed: Folder | None = None

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
            sent_round=self._sent_round,
            download=lambda ids, folder: self._download_all(ids, folder=folder),
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
            if any(isinstance(e, REFUSES_EVERY_MAIL) for e in _chain(error)):
                raise SendingBlocked(str(error)) from error.__cause__
            raise

    def was_sent(self, message_id: str) -> bool | None:
        """After a crash mid-send: True if the copy send_and_save files is in Sent Items.
        Exchange files it just after sending, so its absence proves nothing: None then."""
        found = self._retry(
            "look in Sent Items",
            lambda: self._connect().sent.filter(message_id=message_id).only("id").exists(),
        )
        return True if found else None

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

    def _sync(self, which: str, state: str | None) -> tuple[list[tuple[str, str]], str | None]:
        """Items created in the Inbox or Sent Items since `state`, at most about `batch` of
        them, and the state after them: the end of the folder, or a state part way that the
        next fetch goes on from."""
        folder = self._folder(which)
        created: dict[str, str] = {}
        while len(created) < self.batch:
            size = min(self.sync_page, self.batch - len(created))
            changes, state, done = self._sync_page(folder, state, ["id"], size)
            for change, item in changes:
                if change == "create":
                    created[item.id] = item.changekey
                elif change == "delete":  # gone before we saw it (moved on by us or a person)
                    created.pop(item.id, None)
            if done:
                break
        return list(created.items()), state

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

    def _sent_round(self, place: str | None) -> tuple[list[tuple[str, str]], str | None]:
        """New Sent Items (officers' replies sent as the shared mailbox).

        Without a place (first poll) old sent mail is history, not news: a catch-up starts
        from the newest item there now (see _catch_up). Once caught up, the place keeps the
        creation time of the newest item seen, so if Exchange later forgets the sync state
        (a mailbox move), the new catch-up starts from there and no reply sent in between
        is missed.
        """
        kind, _, rest = (place or "").partition(REF_SEPARATOR)
        if kind == WATCHING:
            newest_text, _, state = rest.partition(REF_SEPARATOR)
            try:
                return self._retry("sync Sent Items", lambda: self._watch(newest_text, state))
            except CursorExpired:
                log.warning(
                    "ews: Exchange no longer accepts the Sent Items sync state; reading Sent "
                    "Items again from the newest item seen before (the Inbox is unaffected)"
                )
                place = REF_SEPARATOR.join((CATCH_UP, newest_text, "")) if newest_text else None
        elif place is not None and kind != CATCH_UP:  # a plain sync state, as stored before
            plain = place
            try:
                return self._retry("sync Sent Items", lambda: self._watch("", plain))
            except CursorExpired:
                log.warning(
                    "ews: Exchange no longer accepts the Sent Items sync state; watching "
                    "Sent Items from now on (replies sent since the last poll may be "
                    "missed; the Inbox is unaffected)"
                )
                place = None
        if place is None:
            place = self._retry("find the newest item in Sent Items", self._start_catch_up)
        catch_up = place
        try:
            return self._retry("catch up with Sent Items", lambda: self._catch_up(catch_up))
        except CursorExpired:
            log.warning("ews: Exchange forgot the Sent Items sync state while catching up; "
                        "starting again")
            return [], None

    def _start_catch_up(self) -> str:
        by_age = self._folder("sent").all().order_by("-datetime_created")
        newest = list(by_age.only("datetime_created")[:1])
        if not newest:  # Sent Items is empty: everything that comes is new
            return REF_SEPARATOR.join((CATCH_UP, "", ""))
        return REF_SEPARATOR.join((CATCH_UP, newest[0].datetime_created.isoformat(), ""))

    def _catch_up(self, place: str) -> tuple[list[tuple[str, str]], str | None]:
        """A few pages of the first Sent Items sync (ids and creation times only). Items
        created after the newest one there when it started are new: reported. At the end
        of the folder the place becomes a watching one."""
        _, since_text, state_text = place.split(REF_SEPARATOR, 2)
        since = datetime.fromisoformat(since_text) if since_text else None
        state: str | None = state_text or None
        folder = self._folder("sent")
        new: dict[str, str] = {}
        newest = since
        for _ in range(self.catch_up_pages):
            changes, state, done = self._sync_page(
                folder, state, ["id", "datetime_created"], self.sync_page
            )
            for change, item in changes:
                if change == "create" and _created_after(item, since):
                    new[item.id] = item.changekey
                    newest = _later(newest, item)
                elif change == "delete":
                    new.pop(item.id, None)
            if done:
                return list(new.items()), _watching(newest, state)
        return list(new.items()), REF_SEPARATOR.join((CATCH_UP, since_text, state or ""))

    def _watch(self, newest_text: str, state: str) -> tuple[list[tuple[str, str]], str]:
        """Items created in Sent Items since `state` (at most about a batch), and the place
        after them, with the newest creation time seen so far."""
        newest = datetime.fromisoformat(newest_text) if newest_text else None
        folder = self._folder("sent")
        new: dict[str, str] = {}
        after: str | None = state
        while len(new) < self.batch:
            size = min(self.sync_page, self.batch - len(new))
            changes, after, done = self._sync_page(folder, after, ["id", "datetime_created"], size)
            for change, item in changes:
                if change == "create":
                    new[item.id] = item.changekey
                    newest = _later(newest, item)
                elif change == "delete":
                    new.pop(item.id, None)
            if done:
                break
        return list(new.items()), _watching(newest, after)

    def _download_all(self, ids: list[tuple[str, str]], *, folder: str) -> list[FetchedMessage]:
        messages: list[FetchedMessage] = []
        for start in range(0, len(ids), MIME_BATCH):
            batch = ids[start : start + MIME_BATCH]
            messages += self._retry(
                "download messages", partial(self._download, batch, folder=folder)
            )
        return messages

    def _download(self, ids: list[tuple[str, str]], *, folder: str) -> list[FetchedMessage]:
        account = self._connect()
        found = []
        for (item_id, changekey), item in zip(
            ids, account.fetch(ids=ids, only_fields=["mime_content"]), strict=True
        ):
            if isinstance(item, ews_errors.ErrorItemNotFound):
                log.info("message %s was deleted before we could download it", item_id)
                continue
            if isinstance(item, Exception):
                raise item
            prefix = SENT_REF_PREFIX if folder == "sent" else ""
            found.append(
                FetchedMessage(
                    ref=f"{prefix}{item_id}{REF_SEPARATOR}{changekey}",
                    raw=bytes(item.mime_content),
                    folder=folder,
                )
            )
        return found

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
        hidden = [r for r in mail.recipients if r.lower() not in named]
        if hidden:
            message.bcc_recipients = [EwsAddress(email_address=r) for r in hidden]
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
                if once and _answer_lost(error):
                    status = _http_status(error)
                    answer = (f"the web server in front of Exchange answered {status}"
                              if status else "the connection closed with no answer")
                    raise MaybeSent(
                        f"{answer} after the request to {what} went out; not tried again, "
                        "in case Exchange sent it (Sent Items will tell)"
                    ) from error
                raise self._explain(error, what) from error

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

    def _explain(self, error: Exception, what: str) -> Exception:
        """Turn an exchangelib/HTTP error into our error kinds, in words an admin can act on."""
        who = self.config.credentials
        where = self.config.service_endpoint or "the autodiscovered endpoint"
        if any(isinstance(e, requests.exceptions.SSLError) for e in _chain(error)):
            return BackendError(
                f"TLS certificate of {where} was not accepted: if Exchange uses the council's "
                "own certificate authority, set REQUESTS_CA_BUNDLE to its PEM file")
        if isinstance(error, (oauth_errors.TemporarilyUnavailableError, oauth_errors.ServerError)):
            return TransientError(
                f"Microsoft Entra ID could not issue a token just now ({error.error}): {what} "
                "is tried again later"
            )
        # exchangelib sometimes wraps the real cause (e.g. a refused connection while it
        # probes the server version) in a plain TransportError: look at the whole chain.
        cause = next((e for e in _chain(error) if isinstance(e, TRANSIENT)), None)
        if cause is not None and not isinstance(error, ews_errors.ErrorServerBusy):
            return TransientError(f"Exchange did not answer ({what}): {cause}")
        status = _http_status(error)
        if status in GATEWAY_STATUSES:
            return TransientError(f"the web server in front of Exchange answered {status} ({what})")
        if isinstance(error, ews_errors.ErrorInvalidSyncStateData):
            return CursorExpired(f"Exchange no longer accepts the stored sync state ({what})")
        if isinstance(error, ews_errors.ErrorServerBusy):
            return TransientError(
                f"Exchange is busy ({what}): {error}", retry_after=_server_hint(error)
            )
        if isinstance(error, ews_errors.UnauthorizedError) and self.access_type == IMPERSONATION \
                and isinstance(who, OAuth2Credentials):
            return BackendError(
                f"Exchange refused the token of app {who.client_id} (HTTP 401) at {where}, "
                "even a new one: the app lacks the full_access_as_app permission (or the "
                "Application EWS.AccessAsApp role), admin consent is missing, or tenant_id "
                "names another tenant"
            )
        if isinstance(error, ews_errors.UnauthorizedError):
            return BackendError(
                f"Exchange refused the login (HTTP 401) for {who} at {where}: "
                "wrong user name or password, or the account is locked"
            )
        if isinstance(error, oauth_errors.OAuth2Error):
            return BackendError(
                f"Microsoft Entra ID refused a token for app {who} ({error.error}): check "
                "tenant_id, client_id and client_secret (secrets expire)"
            )
        if isinstance(error, ews_errors.ErrorNonExistentMailbox):
            return BackendError(
                f"Exchange has no mailbox {self.address} (ErrorNonExistentMailbox): check "
                "the shared mailbox address ([mailbox] address)"
            )
        if isinstance(error, NO_PERMISSION):
            if isinstance(who, OAuth2Credentials):
                # Exchange Online removed the ApplicationImpersonation role in February 2025:
                # an app now needs full_access_as_app, or the RBAC for Applications role.
                how = (
                    "the app full_access_as_app (with admin consent), or the 'Application "
                    "EWS.AccessAsApp' role with a management scope that includes this mailbox"
                )
            elif self.access_type == IMPERSONATION:
                how = f"ApplicationImpersonation to {who}, with a scope that includes this mailbox"
            else:
                how = f"FullAccess and SendAs on the mailbox for {who}"
            return BackendError(
                f"{who} may not open the shared mailbox {self.address} "
                f"({type(error).__name__}): grant {how}"
            )
        if isinstance(error, ews_errors.ErrorFolderNotFound):
            return BackendError(f"a folder of {self.address} is missing ({what}): {error}")
        if isinstance(error, ews_errors.CASError) or _http_status(error) == 403:
            return BackendError(
                f"Exchange answered 403 Forbidden at {where}: EWS is switched off for this "
                f"mailbox or organisation. {RETIREMENT}; on-premises, ask for "
                "Set-CASMailbox -EwsEnabled $true on the mailbox"
            )
        if isinstance(error, ews_errors.EWSError):
            return BackendError(f"Exchange refused to {what}: {type(error).__name__}: {error}")
        return error


def _later(newest: datetime | None, item: Any) -> datetime | None:
    created = getattr(item, "datetime_created", None)
    if created is None or (newest is not None and created <= newest):
        return newest
    return created  # type: ignore[no-any-return]


def _watching(newest: datetime | None, state: str | None) -> str:
    when = newest.isoformat() if newest is not None else ""
    return REF_SEPARATOR.join((WATCHING, when, state or ""))


def _created_after(item: Any, since: datetime | None) -> bool:
    """Created after the catch-up began: later than the newest item seen then. (Not the
    same second: imported or migrated mail can share one creation time by the thousand.)"""
    if since is None:
        return True
    created = getattr(item, "datetime_created", None)
    return created is not None and bool(created > since)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = error
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _server_hint(error: ews_errors.ErrorServerBusy) -> float | None:
    """The server's BackOffMilliseconds, in seconds; None when exchangelib made one up
    (it fills in its own default wait when it re-raises other failures as busy)."""
    back_off = getattr(error, "back_off", None)
    text = str(error)
    if back_off is None or text.startswith(("Reraised from", "Caused by")):
        return None
    return float(back_off)


def _answer_lost(error: Exception) -> bool:
    chain = list(_chain(error))
    if any(isinstance(e, NEVER_ARRIVED) for e in chain):
        return False
    return any(isinstance(e, ANSWER_LOST) for e in chain) or _http_status(error) in UNSURE_STATUSES


def _http_status(error: Exception) -> int | None:
    text = str(error)
    marker = "Code: "
    if isinstance(error, ews_errors.MalformedResponseError) and marker in text:
        digits = text.split(marker, 1)[1][:3]
        return int(digits) if digits.isdigit() else None
    return None


def _header_addresses(mime: bytes) -> set[str]:
    headers = BytesHeaderParser(policy=compat32).parsebytes(mime)
    values = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    return {addr.lower() for _name, addr in getaddresses(values) if addr}


def _parse_ref(ref: str) -> tuple[str, str]:
    item_id, sep, changekey = ref.partition(REF_SEPARATOR)
    if not sep or not item_id:
        raise BackendError(f"not an EWS message reference: {ref!r}")
    return item_id, changekey
