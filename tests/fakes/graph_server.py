"""A loopback fake of the few Microsoft Graph v1.0 mail endpoints mailbot uses.

It answers on 127.0.0.1 with the request and response shapes Microsoft documents:

    GET  /v1.0/users/{mailbox}/mailFolders
    GET  /v1.0/users/{mailbox}/mailFolders/{folder}/childFolders[?$filter=displayName eq '..']
    POST /v1.0/users/{mailbox}/mailFolders/{folder}/childFolders      {"displayName": ..}
    GET  /v1.0/users/{mailbox}/mailFolders/{folder}/messages/delta   (+ $skiptoken/$deltatoken)
    GET  /v1.0/users/{mailbox}/messages/{id}[?$select=..]
    GET  /v1.0/users/{mailbox}/messages/{id}/$value
    POST /v1.0/users/{mailbox}/messages/{id}/move                    {"destinationId": ..}
    POST /v1.0/users/{mailbox}/sendMail                              base64 MIME, text/plain

The mailbox lives in memory. Delta tokens remember which messages a folder held when
they were issued, so a replayed deltaLink reports what arrived and what left since; the
token cache is bounded like Exchange's, and `expire_delta_tokens` forgets them all (410
syncStateNotFound). Faults can be injected: throttling with Retry-After, dropped
connections, a revoked token, a missing permission.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import itertools
import json
import re
import socket
import ssl
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

WELL_KNOWN = ("inbox", "sentitems", "drafts", "deleteditems")
DISPLAY_NAMES = {
    "inbox": "Inbox",
    "sentitems": "Sent Items",
    "drafts": "Drafts",
    "deleteditems": "Deleted Items",
}
DEFAULT_PAGE_SIZE = 10  # what Graph sends per delta page when the client states no preference


@dataclass
class FakeFolder:
    id: str
    display_name: str
    parent_id: str | None


@dataclass
class FakeMessage:
    id: str
    folder_id: str
    mime: bytes
    internet_message_id: str
    arrival: int
    received: datetime  # receivedDateTime: when it reached this mailbox


@dataclass
class Fault:
    status: int  # 0: drop the connection without answering
    retry_after: str | None = None


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]


@dataclass
class _DeltaRound:
    """Pages still to be served for one delta round, and the state it ends in."""

    folder_id: str
    pages: list[list[dict[str, Any]]]
    final_snapshot: frozenset[str]
    id_type_immutable: bool
    received_from: datetime | None = None  # $filter=receivedDateTime ge ...: kept by the token


@dataclass
class FakeGraphState:
    mailbox: str
    folders: dict[str, FakeFolder] = field(default_factory=dict)
    messages: dict[str, FakeMessage] = field(default_factory=dict)
    # token -> (folder id, ids it has reported, its receivedDateTime filter)
    delta_tokens: OrderedDict[str, tuple[str, frozenset[str], datetime | None]] = field(
        default_factory=OrderedDict
    )
    skip_tokens: dict[str, _DeltaRound] = field(default_factory=dict)
    outgoing: list[tuple[tuple[str, ...], bytes]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # answers lost after the request was carried out: 0 drops the connection, else a status
    lost_answers: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


class FakeGraph:
    """The fake Graph service. Use as a context manager, or call start() and close()."""

    def __init__(
        self,
        mailbox: str = "memberenquiries@council.example",
        *,
        token: str = "fake-graph-token",
        token_capacity: int = 500,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.state = FakeGraphState(mailbox=mailbox.lower())
        self.valid_tokens = {token}
        self.token = token
        self.token_capacity = token_capacity
        # "read" (no Mail.* at all), "write" (Mail.Read only: no moves, no new folders)
        # and/or "send" (no Mail.Send): those requests get 403 ErrorAccessDenied
        self.denied: set[str] = set()
        # True: an Application Access Policy (New-ApplicationAccessPolicy ... -AccessRight
        # RestrictAccess) leaves this mailbox out; every request gets Exchange's 403 for it
        self.access_policy_blocks = False
        self.delta_filter = True  # False: refuse $filter on message delta with a 400
        # message ids whose MIME Exchange cannot make: /$value answers 500
        # ErrorMimeContentConversionFailed, every time (as Exchange Online does for S/MIME
        # encrypted or opaque-signed items and S/MIME non-delivery reports)
        self.unconvertible: set[str] = set()
        # message ids whose /$value answers a plain 500 on every try (a store fault for
        # that one message), with no error code mailbot knows
        self.broken: set[str] = set()
        # Called with each request before it is answered: lets a test act "in between".
        self.before_request: Callable[[Request], None] | None = None
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._arrivals = itertools.count(1)
        self.clock = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # each delivery a second later
        self._well_known_ids: dict[str, str] = {}
        for name in WELL_KNOWN:
            self._add_folder(DISPLAY_NAMES[name], parent_id=None, well_known=name)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._scheme = "http"
        if tls is not None:  # (certificate, key): https, as [mailbox.graph] base_url must be
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}/v1.0"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ server-side controls

    def deliver(
        self, raw: bytes, folder: str = "inbox", *, received: datetime | None = None
    ) -> str:
        """Put a message into a folder (as Exchange transport would) and return its id."""
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
        internet_id = str(parsed.get("Message-ID", "")).strip()
        with self.lock:
            folder_id = self._resolve_folder(folder)
            assert folder_id is not None, f"no folder {folder!r}"
            if received is None:
                self.clock += timedelta(seconds=1)
            message = FakeMessage(
                id=self._new_id("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A"),
                folder_id=folder_id,
                mime=raw,
                internet_message_id=internet_id,
                arrival=next(self._arrivals),
                received=received or self.clock,
            )
            self.state.messages[message.id] = message
            return message.id

    def fill(self, folder: str, count: int, raw: bytes) -> None:
        """`count` copies of one message that reached `folder` a year ago (old sent mail)."""
        for _ in range(count):
            self.deliver(raw, folder, received=self.clock - timedelta(days=365))

    def messages_in(self, folder: str) -> list[bytes]:
        """Raw messages in a folder: a well-known name, an id, or a child of the Inbox by name."""
        with self.lock:
            folder_id = self._resolve_folder(folder) or self._child_of_inbox(folder)
            if folder_id is None:
                return []
            found = [m for m in self.state.messages.values() if m.folder_id == folder_id]
            return [m.mime for m in sorted(found, key=lambda m: m.arrival)]

    def delete_message(self, internet_message_id: str, folder: str = "inbox") -> None:
        """A person deletes the message with this Message-ID from the folder."""
        with self.lock:
            folder_id = self._resolve_folder(folder)
            for message in list(self.state.messages.values()):
                if (
                    message.internet_message_id == internet_message_id
                    and message.folder_id == folder_id
                ):
                    del self.state.messages[message.id]

    def move_message(self, internet_message_id: str, to: str, from_: str = "inbox") -> None:
        """A person moves the message to another folder (Outlook's Delete moves it to
        "deleteditems"). Immutable ids do not change on a move."""
        with self.lock:
            source = self._resolve_folder(from_)
            target = self._resolve_folder(to) or self._child_of_inbox(to)
            assert target is not None, f"no folder {to!r}"
            for message in self.state.messages.values():
                if message.internet_message_id == internet_message_id and (
                    message.folder_id == source
                ):
                    message.folder_id = target

    def expire_delta_tokens(self, folder: str | None = None) -> None:
        """Forget the delta and skip tokens (of one folder, or all): replaying one gets
        410 syncStateNotFound."""
        with self.lock:
            folder_id = self._resolve_folder(folder) if folder else None
            for token, (token_folder, _, _) in list(self.state.delta_tokens.items()):
                if folder_id is None or token_folder == folder_id:
                    del self.state.delta_tokens[token]
            for token, round_ in list(self.state.skip_tokens.items()):
                if folder_id is None or round_.folder_id == folder_id:
                    del self.state.skip_tokens[token]

    def fail_next(self, n: int, status: int = 503, retry_after: str | None = "1") -> None:
        """The next n requests get `status` (0: the connection drops without an answer)."""
        with self.lock:
            self.state.faults.extend(Fault(status, retry_after) for _ in range(n))

    def lose_next_answers(self, n: int, status: int = 0) -> None:
        """The next n requests are carried out, but their answer never arrives: the
        connection drops (status 0), or a gateway answers `status` instead (504: the
        front end gave up waiting while Exchange went on and did it)."""
        with self.lock:
            self.state.lost_answers.extend([status] * n)

    def revoke_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def delete_folder(self, display_name: str, *, hard: bool = False) -> None:
        """A person deletes a folder under the Inbox. Outlook moves it, with its mail and its
        id, into Deleted Items (emptied later by the retention policy); `hard` is
        Shift+Delete: gone at once."""
        with self.lock:
            folder_id = self._child_of_inbox(display_name)
            if folder_id is None:
                return
            if not hard:
                self.state.folders[folder_id].parent_id = self._well_known_ids["deleteditems"]
                return
            del self.state.folders[folder_id]
            for message in list(self.state.messages.values()):
                if message.folder_id == folder_id:
                    del self.state.messages[message.id]

    def in_deleted_items(self, display_name: str) -> list[bytes]:
        """Raw messages in a folder of that name inside Deleted Items."""
        with self.lock:
            trash = self._well_known_ids["deleteditems"]
            for folder in self.state.folders.values():
                if folder.parent_id == trash and folder.display_name == display_name:
                    return [m.mime for m in self._in_folder(folder.id)]
            return []

    def add_folder(self, display_name: str) -> str:
        """A person makes a folder under the Inbox; returns its id."""
        with self.lock:
            inbox = self._resolve_folder("inbox")
            return self._add_folder(display_name, inbox).id

    def rename_folder(self, old: str, new: str) -> None:
        with self.lock:
            folder_id = self._child_of_inbox(old)
            assert folder_id is not None, f"no folder {old!r} under the Inbox"
            self.state.folders[folder_id].display_name = new

    @property
    def outgoing(self) -> list[tuple[tuple[str, ...], bytes]]:
        with self.lock:
            return list(self.state.outgoing)

    @property
    def requests(self) -> list[Request]:
        with self.lock:
            return list(self.state.requests)

    # ------------------------------------------------------------------ internals

    def _new_id(self, prefix: str) -> str:
        # Real ids are long base64url strings ending in "="; keep that so quoting is tested.
        return f"{prefix}{next(self._ids):07d}_x-AAA="

    def _add_folder(self, name: str, parent_id: str | None, well_known: str = "") -> FakeFolder:
        folder = FakeFolder(
            id=self._new_id("AQMkADAwATM0MDAAMS1"), display_name=name, parent_id=parent_id
        )
        self.state.folders[folder.id] = folder
        if well_known:
            self._well_known_ids[well_known] = folder.id
        return folder

    def _resolve_folder(self, name_or_id: str) -> str | None:
        if name_or_id.lower() in self._well_known_ids:
            return self._well_known_ids[name_or_id.lower()]
        return name_or_id if name_or_id in self.state.folders else None

    def _child_of_inbox(self, display_name: str) -> str | None:
        inbox = self._resolve_folder("inbox")
        for folder in self.state.folders.values():
            if folder.parent_id == inbox and folder.display_name == display_name:
                return folder.id
        return None

    def _in_folder(self, folder_id: str) -> list[FakeMessage]:
        found = [m for m in self.state.messages.values() if m.folder_id == folder_id]
        return sorted(found, key=lambda m: m.arrival)

    def _issue_delta_token(
        self, folder_id: str, snapshot: frozenset[str], received_from: datetime | None
    ) -> str:
        token = uuid.uuid4().hex
        self.state.delta_tokens[token] = (folder_id, snapshot, received_from)
        while len(self.state.delta_tokens) > self.token_capacity:  # Exchange drops the oldest
            self.state.delta_tokens.popitem(last=False)
        return token


# ---------------------------------------------------------------------- HTTP handling


class GraphReply(Exception):
    """Raised inside a route to answer with this status and body."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def graph_error(status: int, code: str, message: str) -> GraphReply:
    return GraphReply(
        status,
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "request-id": str(uuid.uuid4()),
                    "client-request-id": str(uuid.uuid4()),
                },
            }
        },
    )


def not_found() -> GraphReply:
    return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _handler_for(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle and delayed ACKs
            # add ~40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read fake.requests instead."""

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(method, self.path, dict(self.headers))
            if fake.before_request is not None:  # may inject a fault for this very request
                fake.before_request(request)
            with fake.lock:
                fake.state.requests.append(request)
                fault = fake.state.faults.pop(0) if fake.state.faults else None
            if fault is not None and fault.status == 0:
                self.close_connection = True  # the server "goes away" mid-request
                return
            try:
                if fault is not None:
                    raise _fault_reply(fault)
                self._authorise()
                with fake.lock:
                    route(fake, method, self.path, dict(self.headers), body)
            except GraphReply as reply:
                with fake.lock:
                    lost = fake.state.lost_answers.pop(0) if fake.state.lost_answers else None
                if lost == 0:
                    self.close_connection = True  # done, but the answer never leaves
                    return
                self._answer(reply if lost is None else _fault_reply(Fault(lost, None)))

        def _authorise(self) -> None:
            value = self.headers.get("Authorization", "")
            if not value.startswith("Bearer ") or value[7:] not in fake.valid_tokens:
                raise graph_error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token validation failure. Invalid audience.",
                )

        def _answer(self, reply: GraphReply) -> None:
            if isinstance(reply.body, bytes):
                payload = reply.body
                content_type = reply.headers.pop("Content-Type", "application/octet-stream")
            elif reply.body is None:
                payload = b""
                content_type = ""
            else:
                payload = json.dumps(reply.body).encode()
                content_type = "application/json;odata.metadata=minimal;charset=utf-8"
            self.send_response(reply.status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("request-id", str(uuid.uuid4()))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _fault_reply(fault: Fault) -> GraphReply:
    codes = {
        429: ("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
        503: ("ServiceUnavailable", "The service is temporarily unavailable."),
        504: ("GatewayTimeout", "The gateway did not receive a response in time."),
    }
    code, message = codes.get(fault.status, ("InternalServerError", "Internal server error."))
    reply = graph_error(fault.status, code, message)
    if fault.retry_after is not None:
        reply.headers["Retry-After"] = fault.retry_after
    return reply


# Routes below run with fake.lock held and end by raising GraphReply.

_USER = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)(?P<rest>/.*)$")
_FILTER = re.compile(r"^displayName eq '(?P<name>(?:[^']|'')*)'$")
_MESSAGE_ID_FILTER = re.compile(r"^internetMessageId eq '(?P<id>(?:[^']|'')*)'$")
# The one $filter message delta takes (Microsoft: receivedDateTime ge/gt only).
_RECEIVED_FILTER = re.compile(r"^receivedDateTime (?P<op>ge|gt) (?P<when>\S+)$")


def route(
    fake: FakeGraph, method: str, raw_path: str, headers: dict[str, str], body: bytes
) -> None:
    split = urlsplit(raw_path)
    query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    matched = _USER.match(split.path)
    if matched is None:
        raise graph_error(400, "BadRequest", f"Resource not found for the segment '{split.path}'.")
    user = unquote(matched["user"]).lower()
    if user != fake.state.mailbox:
        raise graph_error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
    parts = [unquote(p) for p in matched["rest"].strip("/").split("/")]
    immutable = 'idtype="immutableid"' in headers.get("Prefer", "").lower()
    kind = "send" if parts == ["sendMail"] else "read"
    writes = kind == "read" and method in ("POST", "PATCH")
    if fake.access_policy_blocks:
        raise graph_error(
            403, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by "
            "tenant configured AppOnly AccessPolicy settings."
        )
    if kind in fake.denied or (writes and "write" in fake.denied):
        raise graph_error(
            403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
        )

    match (method, parts):
        case ("GET", ["mailFolders"]):
            _list_folders(fake, None, query)
        case ("GET", ["mailFolders", folder]):
            found = fake.state.folders[_folder_or_404(fake, folder)]
            raise GraphReply(200, _folder_json(fake, found))
        case ("PATCH", ["mailFolders", folder]):
            found = fake.state.folders[_folder_or_404(fake, folder)]
            name = _json_body(body).get("displayName")
            if isinstance(name, str) and name:
                found.display_name = name
            raise GraphReply(200, _folder_json(fake, found))
        case ("GET", ["mailFolders", folder, "childFolders"]):
            _list_folders(fake, _folder_or_404(fake, folder), query)
        case ("POST", ["mailFolders", folder, "childFolders"]):
            _create_folder(fake, _folder_or_404(fake, folder), body)
        case ("GET", ["mailFolders", folder, "messages"]):
            _list_messages(fake, _folder_or_404(fake, folder), query)
        case ("GET", ["mailFolders", folder, "messages", "delta"]):
            _delta(fake, _folder_or_404(fake, folder), query, headers, immutable)
        case ("GET", ["messages", message_id]):
            message = _message_or_404(fake, message_id)
            raise GraphReply(200, _message_json(message, query.get("$select")))
        case ("GET", ["messages", message_id, "$value"]):
            message = _message_or_404(fake, message_id)
            if message.id in fake.unconvertible:
                raise graph_error(
                    500, "ErrorMimeContentConversionFailed", "MIME content conversion failed."
                )
            if message.id in fake.broken:
                raise graph_error(500, "ErrorInternalServerError", "An internal server error "
                                  "occurred. The operation failed.")
            raise GraphReply(200, message.mime, {"Content-Type": "message/rfc822"})
        case ("POST", ["messages", message_id, "move"]):
            _move(fake, _message_or_404(fake, message_id), body, immutable)
        case ("POST", ["sendMail"]):
            _send_mail(fake, headers, body)
    raise graph_error(400, "BadRequest", f"The fake does not serve {method} {split.path}")


def _folder_or_404(fake: FakeGraph, name_or_id: str) -> str:
    folder_id = fake._resolve_folder(name_or_id)
    if folder_id is None:
        raise not_found()
    return folder_id


def _message_or_404(fake: FakeGraph, message_id: str) -> FakeMessage:
    message = fake.state.messages.get(message_id)
    if message is None:
        raise not_found()
    return message


def _folder_json(fake: FakeGraph, folder: FakeFolder) -> dict[str, Any]:
    inside = [m for m in fake.state.messages.values() if m.folder_id == folder.id]
    return {
        "id": folder.id,
        "displayName": folder.display_name,
        "parentFolderId": folder.parent_id or "AQMkADAwATM0MDAAMS1root",
        "childFolderCount": sum(1 for f in fake.state.folders.values() if f.parent_id == folder.id),
        "unreadItemCount": len(inside),
        "totalItemCount": len(inside),
        "isHidden": False,
    }


def _list_folders(fake: FakeGraph, parent_id: str | None, query: dict[str, str]) -> None:
    folders = [f for f in fake.state.folders.values() if f.parent_id == parent_id]
    if "$filter" in query:
        matched = _FILTER.match(query["$filter"])
        if matched is None:
            raise graph_error(
                400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported."
            )
        wanted = matched["name"].replace("''", "'")
        # Exchange compares display names without regard to case.
        folders = [f for f in folders if f.display_name.lower() == wanted.lower()]
    raise GraphReply(200, {"value": [_folder_json(fake, f) for f in folders]})


def _list_messages(fake: FakeGraph, folder_id: str, query: dict[str, str]) -> None:
    """What mailbot asks: internetMessageId eq '<...>', or the newest few by receivedDateTime."""
    found = fake._in_folder(folder_id)
    if "$filter" in query:
        matched = _MESSAGE_ID_FILTER.match(query["$filter"])
        if matched is None:
            raise graph_error(
                400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported."
            )
        wanted = matched["id"].replace("''", "'")
        found = [m for m in found if m.internet_message_id == wanted]
    order = query.get("$orderby", "receivedDateTime desc")  # Graph's default order
    if order.replace(" ", "").lower() not in ("receiveddatetimedesc", "receiveddatetimeasc"):
        raise graph_error(400, "ErrorInvalidProperty", "The fake sorts by receivedDateTime only.")
    found.sort(key=lambda m: (m.received, m.arrival), reverse=order.lower().endswith("desc"))
    found = found[: int(query.get("$top", "10"))]
    select = query.get("$select")
    raise GraphReply(200, {"value": [_message_json(m, select) for m in found]})


def _create_folder(fake: FakeGraph, parent_id: str, body: bytes) -> None:
    name = _json_body(body).get("displayName")
    if not isinstance(name, str) or not name:
        raise graph_error(400, "ErrorInvalidRequest", "displayName is required.")
    if any(
        f.parent_id == parent_id and f.display_name.lower() == name.lower()
        for f in fake.state.folders.values()
    ):
        raise graph_error(
            409, "ErrorFolderExists", "A folder with the specified name already exists."
        )
    folder = fake._add_folder(name, parent_id)
    raise GraphReply(201, _folder_json(fake, folder))


def _message_json(message: FakeMessage, select: str | None) -> dict[str, Any]:
    full = {
        "@odata.etag": f'W/"CQAAABYAAAA{message.arrival:08d}"',
        "id": message.id,
        "internetMessageId": message.internet_message_id,
        "parentFolderId": message.folder_id,
        "receivedDateTime": message.received.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": str(email.message_from_bytes(message.mime).get("Subject", "")),
        "from": {"emailAddress": {"address": email.utils.parseaddr(
            str(email.message_from_bytes(message.mime).get("From", "")))[1]}},
    }
    if not select:
        return full
    wanted = {s.strip() for s in select.split(",")} | {"id", "@odata.etag"}
    return {k: v for k, v in full.items() if k in wanted}


def _delta(
    fake: FakeGraph, folder_id: str, query: dict[str, str], headers: dict[str, str], immutable: bool
) -> None:
    if "$skiptoken" in query:
        round_ = fake.state.skip_tokens.pop(query["$skiptoken"], None)
        if round_ is None:
            raise _sync_state_gone(fake, folder_id)
        _serve_page(fake, round_)
    select = query.get("$select")
    if "$deltatoken" in query:
        known = fake.state.delta_tokens.get(query["$deltatoken"])
        if known is None or known[0] != folder_id:
            raise _sync_state_gone(fake, folder_id)
        _, before, received_from = known
    else:
        before, received_from = frozenset(), _received_filter(fake, query)
    now = [
        m
        for m in fake._in_folder(folder_id)
        if received_from is None or m.received >= received_from
    ]
    now_ids = frozenset(m.id for m in now)
    entries: list[dict[str, Any]] = [_message_json(m, select) for m in now if m.id not in before]
    gone = sorted(before - now_ids)
    entries += [{"id": i, "@removed": {"reason": "deleted"}} for i in gone]
    size = _page_size(headers.get("Prefer", ""))
    pages = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
    _serve_page(fake, _DeltaRound(folder_id, pages, now_ids, immutable, received_from), size)


def _received_filter(fake: FakeGraph, query: dict[str, str]) -> datetime | None:
    """The start of a `$filter=receivedDateTime ge|gt T` delta (the filter the deltaLink keeps)."""
    if "$filter" not in query:
        return None
    matched = _RECEIVED_FILTER.match(query["$filter"])
    if matched is None or not fake.delta_filter:
        raise graph_error(
            400,
            "ErrorInvalidUrlQueryFilter",
            "Delta on messages takes only a receivedDateTime ge/gt filter.",
        )
    when = datetime.fromisoformat(matched["when"].replace("Z", "+00:00"))
    return when + timedelta(microseconds=1) if matched["op"] == "gt" else when


def _serve_page(fake: FakeGraph, round_: _DeltaRound, size: int | None = None) -> None:
    page = round_.pages.pop(0)
    base = f"{fake.base_url}/users/{fake.state.mailbox}/mailFolders/{round_.folder_id}"
    body: dict[str, Any] = {
        "@odata.context": f"{fake.base_url}/$metadata#Collection(message)",
        "value": page,
    }
    if round_.pages:
        skip = uuid.uuid4().hex
        fake.state.skip_tokens[skip] = round_
        body["@odata.nextLink"] = f"{base}/messages/delta?$skiptoken={skip}"
    else:
        token = fake._issue_delta_token(
            round_.folder_id, round_.final_snapshot, round_.received_from
        )
        body["@odata.deltaLink"] = f"{base}/messages/delta?$deltatoken={token}"
    headers = {"Preference-Applied": f"odata.maxpagesize={size}"} if size else {}
    raise GraphReply(200, body, headers)


def _page_size(prefer: str) -> int:
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "odata.maxpagesize" and value.isdigit():
            return max(1, int(value))
    return DEFAULT_PAGE_SIZE


def _sync_state_gone(fake: FakeGraph, folder_id: str) -> GraphReply:
    reply = graph_error(
        410, "syncStateNotFound", "The sync state could not be found. Start a new synchronization."
    )
    restart = f"{fake.base_url}/users/{fake.state.mailbox}/mailFolders/{folder_id}/messages/delta"
    reply.headers["Location"] = f"{restart}?$deltatoken="
    return reply


def _move(fake: FakeGraph, message: FakeMessage, body: bytes, immutable: bool) -> None:
    destination = _json_body(body).get("destinationId")
    folder_id = fake._resolve_folder(str(destination)) if destination else None
    if folder_id is None:
        raise not_found()
    del fake.state.messages[message.id]
    message.folder_id = folder_id
    if not immutable:  # default REST ids change when an item moves; immutable ids do not
        message.id = fake._new_id("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0B")
    fake.state.messages[message.id] = message
    raise GraphReply(201, _message_json(message, None))


def _send_mail(fake: FakeGraph, headers: dict[str, str], body: bytes) -> None:
    content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "text/plain":
        raise graph_error(400, "ErrorInvalidRequest", "The fake only accepts MIME sends.")
    try:
        mime = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise graph_error(
            400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
        ) from None
    parsed = email.message_from_bytes(mime, policy=email.policy.compat32)
    recipients = tuple(
        address
        for _, address in email.utils.getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in parsed.get_all(h, [])]
        )
        if address
    )
    if not recipients:
        raise graph_error(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because "
            "it contains no recipients.",
        )
    fake.state.outgoing.append((recipients, _without_bcc(mime)))
    fake.deliver(mime, folder="sentitems")  # MIME sends are always saved to Sent Items
    raise GraphReply(202)


def _without_bcc(mime: bytes) -> bytes:
    """What recipients see: Exchange removes the Bcc header before transmission."""
    newline = b"\r\n" if b"\r\n" in mime[:2000] else b"\n"
    head, sep, rest = mime.partition(newline + newline)
    kept: list[bytes] = []
    dropping = False
    for line in head.split(newline):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.lower().startswith(b"bcc:")
        if not dropping:
            kept.append(line)
    return newline.join(kept) + sep + rest


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise graph_error(400, "BadRequest", "Unable to read JSON request payload.") from None
    return data if isinstance(data, dict) else {}
