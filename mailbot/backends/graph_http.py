"""One conversation with Microsoft Graph as the app: a request with a bearer token (a
fresh one after a 401), retried after Retry-After while Graph is busy, never repeated
when it may have sent a mail (MaybeSent), and an answer Graph refused put in words an
administrator can act on."""

from __future__ import annotations

import email.utils
import io
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from mailbot.backends.base import (
    BackendError,
    MaybeSent,
    SendingBlocked,
    TransientError,
    Unreachable,
)
from mailbot.backends.graph_reach import cannot_reach
from mailbot.backends.graph_tokens import TokenProvider
from mailbot.backends.retry import Backoff, Cooldown, call_with_retry

IMMUTABLE_IDS = 'IdType="ImmutableId"'

# Statuses Graph uses for "busy, come back later". 500/502 are included because a
# gateway hiccup in front of Exchange looks like that and passes on its own.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# ... but not for sendMail: a gateway that gave up waiting (504) or failed (500, 502) may
# stand in front of an Exchange that went on and sent the mail; sending again doubles it.
# 429 and 503 are throttling, answered before anything is done.
UNSURE_STATUSES = frozenset({500, 502, 504})
# Error codes Graph answers (with a 500) for one item it cannot convert: S/MIME encrypted
# or opaque-signed mail, S/MIME non-delivery reports, a damaged item. The same answer
# comes on every try, so they are not retried: see GraphMailbox._mime.
ITEM_FAULTS = frozenset({
    "ErrorMimeContentConversionFailed", "ErrorContentConversionFailed", "ErrorCorruptData",
    "ErrorItemCorrupt",
})
# Transport failures that prove the request never reached Graph whole.
NEVER_ARRIVED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
                 httpx.WriteTimeout)


class GraphBusy(TransientError):
    """Graph answered a status it uses for "busy" (RETRYABLE_STATUSES), `status`, until the
    retries ran out. A 500 that comes back every time for one message is that message's
    fault, not a busy server: the reader counts it against the message (see
    GraphMailbox._mime)."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status


@dataclass(frozen=True)
class Reply:
    """What Graph answered: any status but the busy ones, which are retried."""

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


class GraphClient:
    """Requests to Graph for one shared mailbox; `user` is the URL of that mailbox."""

    def __init__(
        self,
        *,
        mailbox: str,
        base_url: str,
        tokens: TokenProvider,
        backoff: Backoff,
        cooldown: Cooldown,
        timeout: float,
    ) -> None:
        self.mailbox = mailbox
        self.user = f"{base_url}/users/{quote(mailbox, safe='@')}"
        self._tokens = tokens
        self._backoff = backoff
        self._cooldown = cooldown
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, url: str, *, what: str, **kwargs: Any) -> Reply:
        """One request with retries for transient failures; other statuses are returned."""
        return call_with_retry(
            lambda: self._attempt(method, url, what=what, **kwargs),
            self._backoff,
            what=f"graph {what}",
            cooldown=self._cooldown,
        )

    def _attempt(
        self, method: str, url: str, *, what: str, once: bool = False, **kwargs: Any
    ) -> Reply:
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
        if reply.status in RETRYABLE_STATUSES and reply.error_code() not in ITEM_FAULTS:
            raise GraphBusy(
                f"Graph is busy ({reply.status} {reply.error_code() or 'no code'}) during {what}",
                reply.status,
                retry_after=_retry_after(reply.headers),
            )
        return reply

    def _send_once(
        self, method: str, url: str, *, what: str, once: bool = False, **kwargs: Any
    ) -> Reply:
        headers = {"Authorization": f"Bearer {self._tokens.token()}", **kwargs.pop("headers", {})}
        if "Prefer" not in headers:
            headers["Prefer"] = IMMUTABLE_IDS
        try:
            with self._http.stream(method, url, headers=headers, **kwargs) as response:
                content = _body(response)
        except httpx.TransportError as error:
            if once and not isinstance(error, NEVER_ARRIVED):
                raise MaybeSent(
                    f"no answer from Graph after the request to {what} went out "
                    f"({type(error).__name__}); not tried again, in case it was done"
                ) from None
            words = cannot_reach("Graph", url, f"({what})", "base_url", error)
            if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
                raise Unreachable(words) from None
            raise TransientError(words) from None
        return Reply(response.status_code, response.headers, content)

    def failure(self, reply: Reply, doing: str, *, sending: bool = False) -> BackendError:
        """The error for an answer that is not what `doing` wanted, in words an
        administrator can act on; SendingBlocked when every mail would meet it."""
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
            graph_says = f". Graph says: {server_says}" if server_says else ""
            return refused(
                f"Graph refused to {doing} in {self.mailbox} ({detail}): the app lacks the "
                f"{permission} application permission, or the Exchange RBAC for Applications "
                f"scope (or an Application Access Policy, New-ApplicationAccessPolicy) does "
                f"not include this mailbox{graph_says}"
            )
        if reply.status == 404 and code in (
            "ErrorInvalidUser",
            "MailboxNotEnabledForRESTAPI",
            "ResourceNotFound",
            "MailboxNotFound",
        ):
            return BackendError(
                f"Graph cannot find the mailbox {self.mailbox} ({detail}): check [mailbox] "
                f"address and that it is an Exchange Online mailbox"
            )
        suffix = f": {server_says}" if server_says else ""
        return BackendError(f"Graph could not {doing} in {self.mailbox} ({detail}){suffix}")


def _body(response: httpx.Response) -> bytes:
    """The answer's body, read as it streams in. httpx's own `content` is kept by the
    Response, which sits in a reference cycle: a member's 35 MB message downloaded with it
    stayed in memory after mailbot was done with it, until Python's cycle collector ran,
    and a poll could pile up batch after batch of them. Collected here in one buffer, the
    body is only ours, and never needs a second copy to join its pieces."""
    buffer = io.BytesIO()
    for chunk in response.iter_bytes():
        buffer.write(chunk)
    return buffer.getvalue()


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
