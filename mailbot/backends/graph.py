"""Exchange Online through Microsoft Graph v1.0 (httpx for HTTP, msal for app-only tokens).

How the Mailbox contract maps onto Graph:

- fetch_new: a delta query on the shared mailbox's Inbox. The cursor is the
  `@odata.deltaLink` URL Graph hands back at the end of a round; Graph says to treat it
  as opaque and replay it as is. Each new message's MIME comes from `/$value`.
- mark_processed: move the message into a "Processed" folder under the Inbox (found or
  created on first use). We ask for immutable IDs (`Prefer: IdType="ImmutableId"`), so
  the ID we saw in the delta stays valid until we move it, whatever Outlook does.
- send: `sendMail` with the MIME message base64-encoded as a text/plain body. Graph
  saves MIME sends to Sent Items itself.
- 429/503/504 are retried after the server's Retry-After; a 410 (or syncStateNotFound)
  on a delta link becomes CursorExpired so the caller starts a fresh round. With
  watch_sent, an expired Inbox link comes with a `resume_cursor` that resyncs the Inbox
  and keeps the Sent Items link, so no officer's reply is skipped; an expired Sent Items
  link restarts Sent Items alone, from now.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

import httpx

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

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
IMMUTABLE_IDS = 'IdType="ImmutableId"'
SENT_REF_PREFIX = "sent:"  # marks refs of Sent Items, which mark_processed leaves alone
SEEN = "seen"  # a Sent Items place: seen|<newest receivedDateTime seen>|<delta link>
SEEN_SEPARATOR = "|"  # only the first two are split off: the link keeps any of its own

# Statuses Graph uses for "busy, come back later". 500/502 are included because a
# gateway hiccup in front of Exchange looks like that and passes on its own.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# ... but not for sendMail: a gateway that gave up waiting (504) or failed (500, 502) may
# stand in front of an Exchange that went on and sent the mail; sending again doubles it.
# 429 and 503 are throttling, answered before anything is done.
UNSURE_STATUSES = frozenset({500, 502, 504})
# Transport failures that prove the request never reached Graph whole.
NEVER_ARRIVED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
                 httpx.WriteTimeout)
# Error codes Graph uses when a delta token can no longer be replayed.
EXPIRED_SYNC_CODES = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired"})


# --------------------------------------------------------------------------- tokens


@runtime_checkable
class TokenProvider(Protocol):
    """Hands out a bearer token for Microsoft Graph."""

    def token(self) -> str: ...

    def invalidate(self) -> None:
        """Forget a cached token (Graph said 401: it may have been revoked early)."""
        ...


class StaticTokenProvider:
    """A fixed token: for tests against the loopback fake, and for tokens minted elsewhere."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self) -> str:
        return self._token

    def invalidate(self) -> None:
        """A fixed token cannot be renewed."""


class ConfidentialClient(Protocol):
    """The part of msal.ConfidentialClientApplication we use (tests pass a stub)."""

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]: ...


class SignInRefused(BackendError):
    """Entra ID will not issue a token for these credentials: every request, and every
    mail, would be refused the same way until an administrator changes something."""


# OAuth error codes (RFC 6749) and AADSTS codes that pass on their own: try again later.
_PASSING_SIGN_IN_ERRORS = ("temporarily_unavailable", "server_error", "AADSTS90033",
                           "AADSTS50196")

# AADSTS codes an administrator is likely to meet, in words they can act on.
_AADSTS_HINTS = {
    "AADSTS7000215": "the client secret is wrong (copy the secret's Value, not its ID)",
    "AADSTS7000222": "the client secret has expired; create a new one",
    "AADSTS700016": "no app with this client_id exists in the tenant",
    "AADSTS90002": "the tenant_id does not name an existing tenant",
    "AADSTS700027": "the certificate is not the one uploaded to the app registration, "
    "or the thumbprint does not match the private key",
    "AADSTS700024": "the certificate assertion is not valid at this time; check the clock",
}


class MsalTokenProvider:
    """App-only tokens from Microsoft Entra ID with the client-credentials grant.

    Give either `client_secret`, or `certificate_path`: a PEM file with the private key
    and, ideally, the certificate too, from which the thumbprint is worked out. With a
    key-only file, give `certificate_thumbprint` (the SHA-1 thumbprint the Entra portal
    shows). A certificate is preferred to a secret: it never travels, and it cannot be
    pasted into a chat. Tokens are cached until `refresh_margin` seconds before they
    expire. The msal application is built on the first token, not here, because
    building one contacts the authority.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate_path: str | Path | None = None,
        certificate_thumbprint: str | None = None,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        scope: str = GRAPH_SCOPE,
        app: ConfidentialClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: float = 300.0,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._credential: str | dict[str, str] | None = None
        if app is None:
            self._credential = client_credential(
                client_secret, certificate_path, certificate_thumbprint
            )
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._scopes = [scope]
        self._app = app
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._cached: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now < self._expires_at - self._refresh_margin:
                return self._cached
            result = self._acquire()
            access_token = result.get("access_token")
            if not isinstance(access_token, str):
                failure = _token_failure(result, self.tenant_id, self.client_id)
                said = f"{result.get('error', '')} {result.get('error_description', '')}"
                if any(code in said for code in _PASSING_SIGN_IN_ERRORS):
                    raise TransientError(failure)
                raise SignInRefused(failure)
            self._cached = access_token
            self._expires_at = now + float(result.get("expires_in", 3600))
            return access_token

    def invalidate(self) -> None:
        """Forget the token, ours and msal's: msal (1.23 on) answers from its own cache and
        refuses force_refresh for client credentials, so without this the 'fresh' token
        after a 401 would be the one Graph just refused."""
        with self._lock:
            self._cached = None
            cache = getattr(self._app, "token_cache", None)
            if cache is None:
                return
            import msal

            for token in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(token)

    def _acquire(self) -> dict[str, Any]:
        try:
            return self._application().acquire_token_for_client(scopes=self._scopes)
        except OSError as error:  # requests' connection errors are OSErrors
            raise TransientError(
                f"cannot reach Microsoft Entra ID to get a token: {error}"
            ) from None
        except ValueError as error:  # msal: bad authority or unreadable key
            raise SignInRefused(f"Microsoft Entra ID sign-in is misconfigured: {error}") from None

    def _application(self) -> ConfidentialClient:
        if self._app is None:
            import msal  # imported here so the rest of mailbot never pays for it

            self._app = msal.ConfidentialClientApplication(
                self.client_id, client_credential=self._credential, authority=self._authority
            )
        return self._app


_PEM_KEY = re.compile(r"-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----.+?-----END \1-----", re.DOTALL)
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL
)


def client_credential(
    secret: str | None, certificate_path: str | Path | None, thumbprint: str | None
) -> str | dict[str, str]:
    """The `client_credential` msal wants: the secret, or the private key and thumbprint."""
    if certificate_path:
        return _certificate_credential(Path(certificate_path), thumbprint)
    if secret:
        return secret
    raise BackendError(
        "graph: give either client_secret or certificate_path (a PEM file with the private key)"
    )


def _certificate_credential(path: Path, thumbprint: str | None) -> dict[str, str]:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise BackendError(f"graph: cannot read certificate_path {path}: {error}") from None
    key = _PEM_KEY.search(text)
    if key is None:
        raise BackendError(f"graph: certificate_path {path} holds no unencrypted PEM private key")
    given = (thumbprint or "").replace(":", "").replace(" ", "").upper()
    certificate = _PEM_CERTIFICATE.search(text)
    if certificate is not None:
        der = base64.b64decode("".join(certificate.group(1).split()))
        actual = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        if given and given != actual:
            raise BackendError(
                f"graph: certificate_thumbprint {given} does not match the certificate in "
                f"{path} (its thumbprint is {actual})"
            )
        given = actual
    if not given:
        raise BackendError(
            f"graph: {path} has no certificate in it; add it, or set certificate_thumbprint"
        )
    return {"private_key": key.group(0), "thumbprint": given}


def _token_failure(result: Mapping[str, Any], tenant_id: str, client_id: str) -> str:
    description = str(result.get("error_description") or result.get("error") or "no token")
    first_line = description.splitlines()[0] if description else ""
    for code, hint in _AADSTS_HINTS.items():
        if code in description:
            return (
                f"Microsoft Entra ID refused to sign in app {client_id} in tenant "
                f"{tenant_id}: {hint} ({code})"
            )
    return (
        f"Microsoft Entra ID refused to sign in app {client_id} in tenant {tenant_id}: {first_line}"
    )


# --------------------------------------------------------------------------- the mailbox


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.content or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def error_code(self) -> str:
        if not self.content[:64].lstrip().startswith(b"{"):
            return ""  # MIME, or no body: not an error document
        error = self.json().get("error")
        return str(error.get("code", "")) if isinstance(error, dict) else ""

    def error_message(self) -> str:
        error = self.json().get("error")
        return str(error.get("message", "")) if isinstance(error, dict) else ""


class GraphMailbox:
    """The shared mailbox in Exchange Online, through Microsoft Graph.

    Credentials: either `token_provider` (tests, or tokens from elsewhere), or
    tenant_id + client_id with a client secret or a certificate, from which an
    msal-backed provider is built.

    With `watch_sent`, new Sent Items are fetched too (folder "sent"): an officer who
    answers a member from the shared mailbox leaves the answer there. The cursor is then
    a small JSON object holding both delta links.
    """

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
        base_url: str = DEFAULT_BASE_URL,
        token_provider: TokenProvider | None = None,
        backoff: Backoff | None = None,
        page_size: int = 50,
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
            )
        self.mailbox = mailbox
        self.processed_folder = processed_folder
        self.watch_sent = watch_sent
        self.base_url = base_url.rstrip("/")
        self._tokens = token_provider
        self._backoff = backoff if backoff is not None else Backoff()
        self._cooldown = cooldown if cooldown is not None else Cooldown()
        self._page_size = page_size
        self._user = f"{self.base_url}/users/{quote(mailbox, safe='@')}"
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self._processed_id: str | None = None
        self._inbox: str | None = None

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
            inbox_round=lambda link: self._delta_round("inbox", link),
            sent_round=self._sent_round,
            download=lambda ids, folder: self._download(ids, folder=folder),
        )

    def mark_processed(self, ref: str) -> None:
        if ref.startswith(SENT_REF_PREFIX):
            return  # Sent Items stay where they are; the delta cursor keeps our place there
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
        reply = self._call(
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
            reply = self._call(
                "POST",
                f"{self._user}/messages/{quote(ref, safe='')}/move",
                what="move to Processed",
                json={"destinationId": folder_id},
            )
            if reply.status in (200, 201, 404):
                return
        raise self._failure(reply, "move a message to Processed")

    def send(self, mail: OutgoingMail) -> None:
        mime = _with_all_recipients(mail.mime, mail.recipients)
        try:
            reply = self._call(
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
            raise self._failure(reply, "send mail", sending=True)

    def was_sent(self, message_id: str) -> bool | None:
        """After a crash mid-send: True if the Sent Items copy is there. Exchange files it
        a moment after it accepts sendMail, so its absence proves nothing: None then."""
        quoted = message_id.replace("'", "''")
        reply = self._call(
            "GET",
            f"{self._user}/mailFolders/sentitems/messages",
            what="look in Sent Items",
            params={"$filter": f"internetMessageId eq '{quoted}'", "$select": "id"},
        )
        if reply.status != 200:
            raise self._failure(reply, "look in Sent Items")
        return True if reply.json().get("value") else None

    def close(self) -> None:
        self._http.close()

    # ----------------------------------------------------------------- administration

    def check_connection(self) -> list[str]:
        """Sign in and list the mailbox's folders (the Inbox's own as "Inbox/<name>"),
        or raise BackendError saying in words what is wrong."""
        names = self._folder_names(f"{self._user}/mailFolders?$select=displayName&$top=100")
        self._check_may_change()
        children = self._folder_names(
            f"{self._user}/mailFolders/inbox/childFolders?$select=displayName&$top=100"
        )
        return names + [f"Inbox/{name}" for name in children]

    def _check_may_change(self) -> None:
        """Listing folders needs only Mail.Read; moving mail needs Mail.ReadWrite, and an app
        granted the first alone would pass the check and then fail every move. So the
        Processed folder's name is saved unchanged: a write that changes nothing. (When
        the folder is missing, the first poll's creating it is the test, with its own
        words for a 403.)"""
        found = self._find_processed()
        if found is None:
            return
        folder_id, name = found
        reply = self._call(
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
            raise self._failure(reply, f"check the folder {self.processed_folder!r}")

    def _folder_names(self, url: str | None) -> list[str]:
        names: list[str] = []
        while url:
            reply = self._call("GET", url, what="list folders")
            if reply.status != 200:
                raise self._failure(reply, "list the mailbox's folders")
            page = reply.json()
            names += [str(f.get("displayName", "")) for f in page.get("value", [])]
            next_link = page.get("@odata.nextLink")
            url = next_link if isinstance(next_link, str) else None
        return names

    # ----------------------------------------------------------------- steps

    def _delta_round(
        self,
        folder: str,
        link: str | None,
        *,
        start: str = "",
        to_end: bool = False,
        times: list[str] | None = None,
    ) -> tuple[list[str], str]:
        """Ids now in the folder that are new since `link`, and the link to go on from.

        Unless `to_end`, this stops once a page's worth of ids is found and returns the
        round's nextLink: the poll asks again, so a first run over 10,000 messages never
        holds them all in memory. `start` is the first request of a fresh round. The
        receivedDateTime of each message found is added to `times`, if given.
        """
        url = link or start or self._delta_start(folder)
        present: dict[str, bool] = {}  # id -> still in the folder; the last word wins
        while True:
            page = self._delta_page(url, folder, replaying=link is not None)
            for item in page.get("value", []):
                if not isinstance(item, dict) or "id" not in item:
                    continue
                # "@removed": deleted or moved away; we have nothing to fetch for it.
                present[str(item["id"])] = "@removed" not in item
                received = item.get("receivedDateTime")
                if times is not None and "@removed" not in item and isinstance(received, str):
                    times.append(received)
            found = [i for i, here in present.items() if here]
            next_link = page.get("@odata.nextLink")
            if isinstance(next_link, str):
                if not to_end and len(found) >= self._page_size:
                    return found, next_link
                url = next_link
                continue
            delta_link = page.get("@odata.deltaLink")
            if not isinstance(delta_link, str):
                raise BackendError("Graph ended a delta round without a deltaLink")
            return found, delta_link

    def _delta_start(self, folder: str, received_after: str | None = None) -> str:
        url = (
            f"{self._user}/mailFolders/{folder}/messages/delta"
            "?$select=id,internetMessageId,receivedDateTime"
        )
        if received_after is not None:
            # gt, not ge: imported or migrated mail can share one time by the thousand
            url += f"&$filter=receivedDateTime gt {received_after}"
        return url

    def _sent_round(self, place: str | None) -> tuple[list[str], str]:
        """New Sent Items (officers' replies sent as the shared mailbox).

        The first round only finds our place: years of old sent mail are not news. Walking
        a whole delta round over 200,000 sent items would take thousands of requests, so
        it asks only for mail received after the newest item there now (the one filter
        message delta takes); the delta link keeps that filter, and everything sent from
        then on passes it. The place is `seen|<newest receivedDateTime seen>|<link>`: if
        Graph forgets the link (410), a new round from that time finds the replies sent
        in between. A plain link, as stored by earlier versions, goes on working.
        """
        kind, _, rest = (place or "").partition(SEEN_SEPARATOR)
        newest, link = rest.partition(SEEN_SEPARATOR)[::2] if kind == SEEN else ("", place)
        if link:
            times = [newest] if newest else []
            try:
                found, after = self._delta_round("sentitems", link, times=times)
                return found, _seen(times, after)
            except CursorExpired:
                if newest:
                    log.warning("graph: the Sent Items cursor expired; reading Sent Items "
                                "again from the newest item seen before")
                    return self._sent_since(newest)
                log.warning(
                    "graph: the Sent Items cursor expired; replies sent since the "
                    "last poll may be missed, the Inbox is unaffected"
                )
        return [], self._sent_start()

    def _sent_since(self, newest: str) -> tuple[list[str], str]:
        """Everything received in Sent Items after `newest`: replies sent while Graph
        forgot our place. Falls back to starting afresh if the filter is refused."""
        times = [newest]
        try:
            found, link = self._delta_round(
                "sentitems", None, start=self._delta_start("sentitems", newest), to_end=True,
                times=times,
            )
        except BackendError as error:
            if isinstance(error, TransientError):
                raise
            return [], self._sent_start()
        return found, _seen(times, link)

    def _sent_start(self) -> str:
        newest = self._newest_sent()
        try:
            _, place = self._delta_round(
                "sentitems", None, start=self._delta_start("sentitems", newest), to_end=True
            )
        except BackendError as error:
            if newest is None or isinstance(error, TransientError):
                raise
            log.warning("graph: Sent Items refused the receivedDateTime filter; reading the "
                        "whole folder once to find our place")
            _, place = self._delta_round("sentitems", None, to_end=True)
        return _seen([newest] if newest else [], place)

    def _newest_sent(self) -> str | None:
        """receivedDateTime of the newest item in Sent Items, None if it is empty."""
        reply = self._call(
            "GET",
            f"{self._user}/mailFolders/sentitems/messages",
            what="find the newest item in Sent Items",
            params={
                "$orderby": "receivedDateTime desc",
                "$top": "1",
                "$select": "receivedDateTime",
            },
        )
        if reply.status != 200:
            raise self._failure(reply, "read Sent Items")
        newest = reply.json().get("value") or [{}]
        when = newest[0].get("receivedDateTime") if isinstance(newest[0], dict) else None
        return when if isinstance(when, str) and when else None

    def _download(self, ids: list[str], *, folder: str) -> list[FetchedMessage]:
        prefix = SENT_REF_PREFIX if folder == "sent" else ""
        messages: list[FetchedMessage] = []
        for message_id in ids:
            raw = self._mime(message_id)
            if raw is not None:
                messages.append(FetchedMessage(ref=prefix + message_id, raw=raw, folder=folder))
        return messages

    def _delta_page(self, url: str, folder: str, *, replaying: bool) -> dict[str, Any]:
        shown = "the Inbox" if folder == "inbox" else "Sent Items"
        reply = self._call(
            "GET",
            url,
            what=f"delta query on {shown}",
            headers={"Prefer": f"{IMMUTABLE_IDS}, odata.maxpagesize={self._page_size}"},
        )
        if reply.status == 200:
            return reply.json()
        expired = reply.status == 410 or reply.error_code().lower() in EXPIRED_SYNC_CODES
        # A stored link is Graph's own URL: a 400 for it means its token is stale (a skip
        # token kept across a long stop, say). Starting afresh is always safe (Message-ID
        # dedup), where failing would fail every poll after it.
        if (expired or reply.status == 400) and replaying:
            raise CursorExpired(
                f"Graph no longer knows this delta token ({reply.status} "
                f"{reply.error_code() or 'Gone'}); a full resync is needed"
            )
        raise self._failure(reply, f"read {shown}")

    def _mime(self, message_id: str) -> bytes | None:
        reply = self._call(
            "GET",
            f"{self._user}/messages/{quote(message_id, safe='')}/$value",
            what="download a message",
        )
        if reply.status == 200:
            return reply.content
        if reply.status == 404:  # deleted by a person between the delta and now
            log.info("message %s vanished before it could be downloaded", message_id)
            return None
        raise self._failure(reply, "download a message")

    def _folder_of(self, message_id: str) -> str | None:
        """The id of the folder the message is in now; None if it is gone."""
        reply = self._call(
            "GET",
            f"{self._user}/messages/{quote(message_id, safe='')}?$select=parentFolderId",
            what="look up a message",
        )
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise self._failure(reply, "look up a message")
        return str(reply.json().get("parentFolderId", ""))

    def _inbox_id(self) -> str:
        if self._inbox is None:
            reply = self._call(
                "GET", f"{self._user}/mailFolders/inbox?$select=id", what="find the Inbox"
            )
            if reply.status != 200:
                raise self._failure(reply, "find the Inbox")
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
        odata_name = name.replace("'", "''")
        reply = self._call(
            "GET",
            f"{children}?$filter=displayName eq '{odata_name}'&$select=id,displayName",
            what="find the Processed folder",
        )
        if reply.status != 200:
            raise self._failure(reply, f"find the folder {name!r} under the Inbox")
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
            reply = self._call(
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
                raise self._failure(reply, f"create the folder {name!r} under the Inbox")
        raise BackendError(f"graph: cannot find or create the folder {name!r} under the Inbox")

    # ----------------------------------------------------------------- HTTP

    def _call(self, method: str, url: str, *, what: str, **kwargs: Any) -> _Reply:
        """One request with retries for transient failures; other statuses are returned."""
        return call_with_retry(
            lambda: self._attempt(method, url, what=what, **kwargs),
            self._backoff,
            what=f"graph {what}",
            cooldown=self._cooldown,
        )

    def _attempt(
        self, method: str, url: str, *, what: str, once: bool = False, **kwargs: Any
    ) -> _Reply:
        """One request (a second after a 401, with a fresh token). With `once` (sendMail),
        an answer lost after the request went out is MaybeSent: never tried again."""
        reply = self._send_once(method, url, what=what, once=once, **kwargs)
        if reply.status == 401:
            # A token can be revoked or expire early; one fresh token settles which.
            self._tokens.invalidate()
            reply = self._send_once(method, url, what=what, once=once, **kwargs)
        if once and (reply.status in UNSURE_STATUSES or reply.status == 200 and reply.error_code()):
            raise MaybeSent(
                f"Graph answered {reply.status} {reply.error_code() or ''} during {what}; "
                "Exchange may have done it all the same, so it is not tried again"
            )
        if reply.status == 200 and reply.error_code():
            # Graph's gateway now and then answers 200 with an error body; taken as the
            # content it would be a message's MIME (a message lost in quarantine) or a page.
            raise TransientError(
                f"Graph answered 200 with an error ({reply.error_code()}: "
                f"{reply.error_message()}) during {what}"
            )
        if reply.status in RETRYABLE_STATUSES:
            raise TransientError(
                f"Graph is busy ({reply.status} {reply.error_code() or 'no code'}) during {what}",
                retry_after=_retry_after(reply.headers),
            )
        return reply

    def _send_once(
        self, method: str, url: str, *, what: str, once: bool = False, **kwargs: Any
    ) -> _Reply:
        headers = {"Authorization": f"Bearer {self._tokens.token()}", **kwargs.pop("headers", {})}
        if "Prefer" not in headers:
            headers["Prefer"] = IMMUTABLE_IDS
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as error:
            if once and not isinstance(error, NEVER_ARRIVED):
                raise MaybeSent(
                    f"no answer from Graph after the request to {what} went out "
                    f"({type(error).__name__}); not tried again, in case it was done"
                ) from None
            raise TransientError(f"cannot reach Graph during {what}: {error}") from None
        return _Reply(response.status_code, response.headers, response.content)

    def _failure(self, reply: _Reply, doing: str, *, sending: bool = False) -> BackendError:
        code = reply.error_code()
        detail = f"{reply.status} {code}".strip()
        server_says = reply.error_message()
        permission = "Mail.Send" if sending else "Mail.ReadWrite"
        # Refused for the app itself: every other mail would be refused too.
        refused = SendingBlocked if sending else BackendError
        if reply.status == 401:
            return refused(
                f"Graph did not accept the app's token to {doing} in {self.mailbox} ({detail}): "
                f"check tenant_id and client_id, and that the app has the {permission} "
                f"application permission (with admin consent) or an Exchange RBAC for "
                f"Applications role that covers this mailbox"
            )
        if reply.status == 403:
            return refused(
                f"Graph refused to {doing} in {self.mailbox} ({detail}): the app lacks the "
                f"{permission} application permission, or the Exchange RBAC for Applications "
                f"scope does not include this mailbox"
            )
        if reply.status == 404 and code in (
            "ErrorInvalidUser",
            "MailboxNotEnabledForRESTAPI",
            "ResourceNotFound",
            "MailboxNotFound",
        ):
            return BackendError(
                f"Graph cannot find the mailbox {self.mailbox} ({detail}): check the address "
                f"and that it is an Exchange Online mailbox"
            )
        suffix = f": {server_says}" if server_says else ""
        return BackendError(f"Graph could not {doing} in {self.mailbox} ({detail}){suffix}")


# --------------------------------------------------------------------------- helpers


def _seen(times: list[str], link: str) -> str:
    """A Sent Items place: the newest receivedDateTime among `times`, and the link."""
    parsed = [(t, _instant(t)) for t in times]
    known = [(t, when) for t, when in parsed if when is not None]
    newest = max(known, key=lambda pair: pair[1])[0] if known else ""
    return SEEN_SEPARATOR.join((SEEN, newest, link))


def _instant(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    # Measured against the server's own Date header, so our clock does not matter.
    return max(0.0, (when - sent).total_seconds())


def _with_all_recipients(mime: bytes, recipients: tuple[str, ...]) -> bytes:
    """Graph's MIME send delivers to the To/Cc/Bcc headers, not to an envelope.

    Any envelope recipient missing from those headers is added as Bcc, so what we
    asked for is what happens. Exchange does not show Bcc to the other recipients.
    """
    message = email.message_from_bytes(mime, policy=email.policy.compat32)
    listed = {
        address.lower()
        for _, address in email.utils.getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in message.get_all(h, [])]
        )
    }
    missing = [r for r in recipients if r.lower() not in listed]
    if not missing:
        return mime
    newline = b"\r\n" if b"\r\n" in mime[:2000] else b"\n"
    return f"Bcc: {', '.join(missing)}".encode("ascii", "replace") + newline + mime
