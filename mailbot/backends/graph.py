"""Exchange Online through Microsoft Graph v1.0 (httpx for HTTP, msal for app-only tokens).

How the Mailbox contract maps onto Graph:

- fetch_new: a delta query on the shared mailbox's Inbox. The cursor is the
  `@odata.deltaLink` URL Graph hands back at the end of a round; Graph says to treat it
  as opaque and replay it as is. Each new message's MIME comes from `/$value`, one at a
  time; Graph tells no size before, so a fetch stops reading once it holds
  `batch_bytes` of mail, and the ids of the delta page not read yet wait in the cursor
  for the next fetch (see folder_cursor).
- mark_processed: move the message into a "Processed" folder under the Inbox (found or
  created on first use). We ask for immutable IDs (`Prefer: IdType="ImmutableId"`), so
  the ID we saw in the delta stays valid until we move it, whatever Outlook does.
- send: `sendMail` with the MIME message base64-encoded as a text/plain body. Graph
  saves MIME sends to Sent Items itself.
- 429/503/504 are retried after the server's Retry-After (graph_http); a 410 (or
  syncStateNotFound) on a delta link becomes CursorExpired so the caller starts a fresh
  round (graph_delta). With watch_sent, Sent Items are read too (graph_sent), an expired
  Inbox link comes with a `resume_cursor` that resyncs the Inbox and keeps the Sent
  Items link, so no officer's reply is skipped; an expired Sent Items link restarts
  Sent Items alone.

Tokens come from graph_tokens: msal with a client secret or a certificate, or given.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from mailbot.addresses import address_key, ascii_address
from mailbot.backends import byte_budget, folder_cursor
from mailbot.backends.base import BackendError, SendingBlocked
from mailbot.backends.graph_delta import DeltaQuery
from mailbot.backends.graph_http import ITEM_FAULTS, GraphBusy, GraphClient
from mailbot.backends.graph_sent import SEEN, SEEN_SEPARATOR, SentItems
from mailbot.backends.graph_tokens import (
    MsalTokenProvider,
    SignInRefused,
    TokenProvider,
    graph_scope,
)
from mailbot.backends.retry import Backoff, Cooldown
from mailbot.backends.unreadable import FetchRound, LeftUnread, ReadFailures
from mailbot.model import FetchedMessage, OutgoingMail
from mailbot.settings.mailbox import DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL

log = logging.getLogger(__name__)

SENT_REF_PREFIX = "sent:"  # marks refs of Sent Items, which mark_processed leaves alone
# Graph's message ids are base64: never the "|" of an EWS ref ("id|changekey") nor the ":"
# of an IMAP one ("UIDVALIDITY:UID").
_OTHER_BACKENDS_REF = re.compile(r"[|:]")


class GraphMailbox:
    """The shared mailbox in Exchange Online, through Microsoft Graph.

    Credentials: either `token_provider` (tests, or tokens from elsewhere), or
    tenant_id + client_id with a client secret or a certificate, from which an
    msal-backed provider is built.

    With `watch_sent`, new Sent Items are fetched too (folder "sent"): an officer who
    answers a member from the shared mailbox leaves the answer there. The cursor is then
    a small JSON object holding both delta links.
    """

    kind = "graph"  # marks the cursor and refs it writes (see kind_of)

    def __init__(
        self,
        *,
        mailbox: str,
        tenant_id: str = "",
        client_id: str = "",
        client_secret: str | None = None,
        certificate_path: str | Path | None = None,
        certificate_thumbprint: str | None = None,
        processed_folder: str = "Processed",
        base_url: str = DEFAULT_GRAPH_BASE_URL,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        token_provider: TokenProvider | None = None,
        backoff: Backoff | None = None,
        page_size: int = 50,
        batch_bytes: int = byte_budget.BATCH_BYTES,
        timeout: float = 30.0,
        watch_sent: bool = False,
        cooldown: Cooldown | None = None,
    ) -> None:
        if not mailbox:
            raise BackendError("graph: the shared mailbox address is empty")
        if not processed_folder:
            raise BackendError("graph: the processed folder name is empty")
        if token_provider is None:
            if not tenant_id or not client_id:
                raise BackendError("graph: tenant_id and client_id are both required")
            token_provider = MsalTokenProvider(
                tenant_id=tenant_id,
                client_id=client_id,
                client_secret=client_secret,
                certificate_path=certificate_path,
                certificate_thumbprint=certificate_thumbprint,
                authority_host=authority_host,
                scope=graph_scope(base_url),
            )
        self.mailbox = mailbox
        self.processed_folder = processed_folder
        self.watch_sent = watch_sent
        self.base_url = base_url.rstrip("/")
        self.batch_bytes = batch_bytes
        self._client = GraphClient(
            mailbox=mailbox,
            base_url=self.base_url,
            tokens=token_provider,
            backoff=backoff if backoff is not None else Backoff(),
            cooldown=cooldown if cooldown is not None else Cooldown(),
            timeout=timeout,
        )
        self._user = self._client.user
        self._delta = DeltaQuery(self._client, page_size)
        self._sent = SentItems(self._client, self._delta)
        self._processed_id: str | None = None
        self._inbox: str | None = None
        self._failures = ReadFailures()  # downloads that failed, by message

    # ----------------------------------------------------------------- the contract

    def fetch_new(self, cursor: str | None) -> tuple[list[FetchedMessage], str | None]:
        # Look for Processed by name again before this batch's moves: a folder a person
        # deleted is in Deleted Items with the same id (mail moved there would be binned),
        # and one they renamed is theirs now.
        self._processed_id = None
        return folder_cursor.fetch_both(
            cursor,
            "graph",
            watch_sent=self.watch_sent,
            inbox_round=lambda link: self._delta.round("inbox", link),
            sent_round=self._sent.new_items,
            download=lambda ids, folder, held: self._download(ids, folder=folder, held=held),
        )

    def mark_processed(self, ref: str) -> None:
        if ref.startswith(SENT_REF_PREFIX):
            return  # Sent Items stay where they are; the delta cursor keeps our place there
        if _OTHER_BACKENDS_REF.search(ref):
            # An EWS "id|changekey" or an IMAP "UIDVALIDITY:UID" remembered before the mailbox
            # moved to Graph: Graph would refuse it on every poll. The message, if still in
            # the Inbox, comes back in the fresh delta round and is moved then.
            log.info("%r is not a Graph message id (another backend's); not moved", ref)
            return
        # An immutable id follows the message wherever it goes: moving it blindly would pull
        # it out of Deleted Items, or out of the folder a person filed it in, after they
        # dealt with it between our fetch and this move. Only a message still in the Inbox
        # is moved.
        where = self._folder_of(ref)
        if where is None:
            log.info("message %s already gone from the mailbox; nothing to move", ref)
            return
        if where != self._inbox_id():
            if where != self._processed_id:
                log.info("message %s was moved out of the Inbox by a person; left there", ref)
            return
        folder_id = self._processed_folder_id()
        reply = self._client.call(
            "POST",
            f"{self._user}/messages/{quote(ref, safe='')}/move",
            what="move to Processed",
            json={"destinationId": folder_id},
        )
        if reply.status in (200, 201):
            return
        if reply.status == 404:
            # The message was there a moment ago, so the folder is what went missing.
            self._processed_id = None
            folder_id = self._processed_folder_id()
            reply = self._client.call(
                "POST",
                f"{self._user}/messages/{quote(ref, safe='')}/move",
                what="move to Processed",
                json={"destinationId": folder_id},
            )
            if reply.status in (200, 201, 404):
                return
        raise self._client.failure(reply, "move a message to Processed")

    def send(self, mail: OutgoingMail) -> None:
        mime = _with_all_recipients(mail.mime, mail.recipients)
        try:
            reply = self._client.call(
                "POST",
                f"{self._user}/sendMail",
                what="send mail",
                content=base64.b64encode(mime),
                headers={"Content-Type": "text/plain"},
                once=True,
            )
        except SignInRefused as refused:  # an expired secret: hold every mail, fail none
            raise SendingBlocked(str(refused)) from refused
        if reply.status not in (200, 202):
            raise self._client.failure(reply, "send mail", sending=True)

    def fresh_cursor(self, since: datetime) -> str | None:
        """The cursor for a first poll after another backend's last one at `since` (the
        mailbox moved from EWS or IMAP): the whole Inbox, and with watch_sent, Sent Items
        from `since` on, so a reply an officer sent while mailbot was stopped, or while
        EWS was already switched off, is still seen. What was seen before is a duplicate."""
        if not self.watch_sent:
            return None
        when = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return folder_cursor.join(None, f"{SEEN}{SEEN_SEPARATOR}{when}{SEEN_SEPARATOR}")

    def was_sent(self, message_id: str, since: datetime | None = None) -> bool | None:
        """After a crash mid-send: is the copy in Sent Items? (see SentItems.was_sent)"""
        return self._sent.was_sent(message_id, since)

    def close(self) -> None:
        self._client.close()

    # ----------------------------------------------------------------- administration

    def check_connection(self) -> list[str]:
        """Sign in and list the mailbox's folders (the Inbox's own as "Inbox/<name>"),
        or raise BackendError saying in words what is wrong."""
        names = self._folder_names(f"{self._user}/mailFolders?$select=displayName&$top=100")
        checked = self._check_may_change()
        children = self._folder_names(
            f"{self._user}/mailFolders/inbox/childFolders?$select=displayName&$top=100"
        )
        missing = [] if checked else [
            f"Inbox/{self.processed_folder} (missing: created on first poll, which is when "
            "the app's right to change the mailbox (Mail.ReadWrite) is first tried; if the "
            "poll cannot make it, handled mail stays in the Inbox and mailbot status says why)"
        ]
        return names + [f"Inbox/{name}" for name in children] + missing

    def _check_may_change(self) -> bool:
        """Listing folders needs only Mail.Read; moving mail needs Mail.ReadWrite, and an app
        granted the first alone would pass the check and then fail every move. So the
        Processed folder's name is saved unchanged: a write that changes nothing. (When
        the folder is missing, the first poll's creating it is the test, with its own
        words for a 403.) False when there was no folder to try it on."""
        found = self._find_processed()
        if found is None:
            return False
        folder_id, name = found
        reply = self._client.call(
            "PATCH",
            f"{self._user}/mailFolders/{quote(folder_id, safe='')}",
            what="check the right to change the mailbox",
            json={"displayName": name},
        )
        if reply.status == 403:
            raise BackendError(
                f"Graph lets the app read {self.mailbox} but not change it "
                f"({reply.status} {reply.error_code()}): it has Mail.Read where it needs "
                "Mail.ReadWrite (as an application permission with admin consent, or the "
                "'Application Mail.ReadWrite' RBAC role) to move handled mail to Processed"
            )
        if reply.status != 200:
            raise self._client.failure(reply, f"check the folder {self.processed_folder!r}")
        return True

    def _folder_names(self, url: str | None) -> list[str]:
        names: list[str] = []
        while url:
            reply = self._client.call("GET", url, what="list folders")
            if reply.status != 200:
                raise self._client.failure(reply, "list the mailbox's folders")
            page = reply.json()
            names += [str(f.get("displayName", "")) for f in page.get("value", [])]
            next_link = page.get("@odata.nextLink")
            url = next_link if isinstance(next_link, str) else None
        return names

    # ----------------------------------------------------------------- steps

    def _download(
        self, ids: list[str], *, folder: str, held: int
    ) -> tuple[list[FetchedMessage], list[str]]:
        """The MIME of `ids` in order until the batch holds `batch_bytes` of mail with the
        `held` bytes it had (at least one message if it had none, however big); and the
        ids left for the next fetch. Graph gives no size before the download, so a batch
        can go over by the last message read."""
        prefix = SENT_REF_PREFIX if folder == "sent" else ""
        # Messages left for a person a day ago (see unreadable.TRY_AGAIN_AFTER): the delta
        # has moved past them, so they are asked for again by id, first.
        due = self._due_again() if folder == "inbox" else []
        ids = [*due, *(i for i in ids if i not in due)]
        messages: list[FetchedMessage] = []
        total = held
        reads = FetchRound(self._failures, "graph")
        left: list[str] = []
        for done, message_id in enumerate(ids):
            if (held or messages) and total >= self.batch_bytes:
                left = [str(rest) for rest in ids[done:]]
                break
            raw = self._mime(str(message_id), folder, reads)
            if raw is not None:
                messages.append(FetchedMessage(ref=prefix + message_id, raw=raw, folder=folder))
                total += len(raw)
        reads.close()  # raises while a message failing alone may yet be read
        return messages, left

    def _due_again(self) -> list[str]:
        """Inbox messages left for a person whose time to be tried again has come (see
        unreadable.TRY_AGAIN_AFTER), still in the Inbox: one a person moved out, or
        deleted, was dealt with by them, and is forgotten, never read. (Sent Items left
        unread are forgotten, not tried again: only the Inbox is checked for a person's
        move, and the row in `mailbot status` already asks a person to see to that case.)"""
        due: list[str] = []
        for key in self._failures.due_again():
            if key.startswith(SENT_REF_PREFIX) or self._folder_of(key) != self._inbox_id():
                self._failures.settled(key)
                continue
            due.append(key)
        return due

    def _mime(self, message_id: str, folder: str, reads: FetchRound) -> bytes | None:
        """The message's MIME; None if it is gone, or not given. Exchange cannot make the
        MIME of S/MIME encrypted mail or a damaged item (see ITEM_FAULTS), and says so every
        time: such a message is left for a person at once. Another failure of this message
        alone (a 500 for it, poll after poll) is noted in `reads`, which lets the rest be
        read and decides (see FetchRound). Failing outright would stop every poll at that
        message, and the mail behind it with it."""
        key = (SENT_REF_PREFIX if folder == "sent" else "") + message_id
        if self._failures.given_up(key):
            return None  # left for a person, and reported, when it was given up on
        place = "Sent Items" if folder == "sent" else "Inbox"
        try:
            reply = self._client.call(
                "GET",
                f"{self._user}/messages/{quote(message_id, safe='')}/$value",
                what="download a message",
            )
        except GraphBusy as busy:
            if busy.status != 500:  # throttled, or a gateway: the server's, not the message's
                raise
            self._failed(reads, key, place, folder, busy)
            return None
        if reply.status == 200:
            reads.ok(key)
            return reply.content
        if reply.status == 404:  # deleted by a person between the delta and now
            self._failures.settled(key)
            log.info("message %s vanished before it could be downloaded", message_id)
            return None
        if reply.error_code() in ITEM_FAULTS:
            problem = (f"Exchange cannot convert it to MIME ({reply.status} "
                       f"{reply.error_code()}: {reply.error_message()})")
            log.error(
                "graph: Exchange cannot convert %s message %s to MIME (%s %s: %s); it is "
                "left there for a person to look at, and the messages after it are read",
                place, message_id, reply.status, reply.error_code(), reply.error_message(),
            )  # fmt: skip
            self._failures.leave(self._described(LeftUnread(key, folder, place, problem)))
            return None
        failure = self._client.failure(reply, "download a message")
        if reply.status in (401, 403):  # refused for the app: every message would be
            raise failure
        self._failed(reads, key, place, folder, failure)
        return None

    def _failed(
        self, reads: FetchRound, key: str, place: str, folder: str, error: BackendError
    ) -> None:
        problem = f"Graph failed to give it, each time: {error}"
        reads.fail(key, error,
                   lambda: self._described(LeftUnread(key, folder, place, problem)))

    def _described(self, left: LeftUnread) -> LeftUnread:
        """`left` with its sender and subject, which Graph gives as properties even when
        it cannot give the MIME, so a person can find it; as it was if Graph will not."""
        message_id = left.ref.removeprefix(SENT_REF_PREFIX)
        try:
            reply = self._client.call(
                "GET",
                f"{self._user}/messages/{quote(message_id, safe='')}"
                "?$select=subject,from,receivedDateTime",
                what="describe a message left unread",
            )
        except BackendError:
            return left
        if reply.status != 200:
            return left
        found = reply.json()
        sender = found.get("from")
        address = sender.get("emailAddress") if isinstance(sender, dict) else None
        who = str(address.get("address", "")) if isinstance(address, dict) else ""
        return replace(left, sender=who, subject=str(found.get("subject") or ""))

    def take_left_unread(self) -> list[LeftUnread]:
        """Messages left for a person since the last call (see ReportsUnread)."""
        return self._failures.take_left()

    def read_failures(self) -> ReadFailures:
        """The downloads that failed, kept by the poll (see KeepsReadFailures)."""
        return self._failures

    def _folder_of(self, message_id: str) -> str | None:
        """The id of the folder the message is in now; None if it is gone."""
        reply = self._client.call(
            "GET",
            f"{self._user}/messages/{quote(message_id, safe='')}?$select=parentFolderId",
            what="look up a message",
        )
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise self._client.failure(reply, "look up a message")
        return str(reply.json().get("parentFolderId", ""))

    def _inbox_id(self) -> str:
        if self._inbox is None:
            reply = self._client.call(
                "GET", f"{self._user}/mailFolders/inbox?$select=id", what="find the Inbox"
            )
            if reply.status != 200:
                raise self._client.failure(reply, "find the Inbox")
            self._inbox = str(reply.json().get("id", ""))
        return self._inbox

    def _processed_folder_id(self) -> str:
        if self._processed_id is None:
            self._processed_id = self._find_or_create_processed()
        return self._processed_id

    def _find_processed(self) -> tuple[str, str] | None:
        """(id, display name) of the Processed folder under the Inbox, None if missing."""
        children = f"{self._user}/mailFolders/inbox/childFolders"
        name = self.processed_folder
        # An OData string ('' for '), then percent-encoded: "&", "#", "%" or "+" in a name
        # would otherwise end or garble the URL's query, and Graph refuse the lookup.
        odata_name = quote(name.replace("'", "''"), safe="")
        reply = self._client.call(
            "GET",
            f"{children}?$filter=displayName eq '{odata_name}'&$select=id,displayName",
            what="find the Processed folder",
        )
        if reply.status != 200:
            raise self._client.failure(reply, f"find the folder {name!r} under the Inbox")
        for folder in reply.json().get("value", []):
            shown = str(folder.get("displayName", ""))
            if shown.casefold() == name.casefold() and folder.get("id"):
                return str(folder["id"]), shown
        return None

    def _find_or_create_processed(self) -> str:
        children = f"{self._user}/mailFolders/inbox/childFolders"
        name = self.processed_folder
        for _ in range(2):  # a second look covers losing a race to create it
            found = self._find_processed()
            if found is not None:
                return found[0]
            reply = self._client.call(
                "POST",
                children,
                what="create the Processed folder",
                json={"displayName": name},
            )
            if reply.status == 201:
                folder_id = reply.json().get("id")
                if folder_id:
                    log.info("created the folder %r under the Inbox", name)
                    return str(folder_id)
            elif reply.status != 409:  # 409: someone created it meanwhile; look again
                raise self._client.failure(reply, f"create the folder {name!r} under the Inbox")
        raise BackendError(f"graph: cannot find or create the folder {name!r} under the Inbox")


def _with_all_recipients(mime: bytes, recipients: tuple[str, ...]) -> bytes:
    """Graph's MIME send delivers to the To/Cc/Bcc headers, not to an envelope.

    Any envelope recipient missing from those headers is added as Bcc, so what we
    asked for is what happens. Exchange does not show Bcc to the other recipients.
    """
    message = email.message_from_bytes(mime, policy=email.policy.compat32)
    listed = {
        address_key(address)
        for _, address in email.utils.getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in message.get_all(h, [])]
        )
    }
    # A recipient on caerdydd-ŵ.cymru is named in To as xn--caerdydd--j9b.cymru (compose):
    # the same person, who must not be sent a second copy, nor a Bcc of '?'s.
    missing = [ascii_address(r) for r in recipients if address_key(r) not in listed]
    if not missing:
        return mime
    newline = b"\r\n" if b"\r\n" in mime[:2000] else b"\n"
    return f"Bcc: {', '.join(missing)}".encode("ascii", "replace") + newline + mime
