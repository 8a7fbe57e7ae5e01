"""A loopback fake Exchange Web Services endpoint for the ews backend's tests.

It answers the SOAP operations exchangelib sends for our backend (ConvertId for
version probing, GetFolder, FindFolder, CreateFolder, SyncFolderItems on the
Inbox and Sent Items, GetItem with MimeContent, MoveItem, CreateItem with
SendAndSaveCopy) from an in-memory
mailbox, with the faults a real Exchange server gives: ErrorServerBusy with
BackOffMilliseconds, ErrorInvalidSyncStateData, ErrorItemNotFound, HTTP 401 for
a wrong password, ErrorImpersonateUserDenied, ErrorNonExistentMailbox.

Authentication: HTTP Basic (on-premises style) checked against `users`, or a
Bearer token issued by the fake's own OAuth2 token endpoint (POST /token, client
credentials grant) for the Exchange Online style, where an app must impersonate the
mailbox (ExchangeImpersonation SOAP header) and name it in X-AnchorMailbox. NTLM is
spoken when `ntlm` is set.

This is a test fake: one class for the mailbox, one HTTP handler, XML built from
small string templates. Namespaces are the real EWS ones.
"""

from __future__ import annotations

import base64
import email.utils
import itertools
import json
import secrets
import ssl
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"

# Exchange Server 2016 CU-style build; exchangelib maps 15.1 to API "Exchange2016".
SERVER_VERSION = (
    f'<h:ServerVersionInfo xmlns:h="{T}" MajorVersion="15" MinorVersion="1"'
    ' MajorBuildNumber="2507" MinorBuildNumber="6" Version="Exchange2016"/>'
)

ERROR_TEXT = {
    "ErrorItemNotFound": "The specified object was not found in the store.",
    "ErrorFolderNotFound": "The specified folder could not be found in the store.",
    "ErrorFolderExists": "A folder with the specified name already exists.",
    "ErrorInvalidSyncStateData": "Synchronization state data is corrupt or otherwise invalid.",
    "ErrorNonExistentMailbox": "The SMTP address has no mailbox associated with it.",
    "ErrorAccessDenied": "Access is denied. Check credentials and try again.",
    "ErrorSendAsDenied": "The user account which was used to submit this request does not "
    "have the right to send mail on behalf of the specified sending account.",
    "ErrorInvalidIdMalformed": "Id is malformed.",
    "ErrorInvalidOperation": "The operation is not supported by this fake.",
    "ErrorServerBusy": "The server cannot service this request right now. Try again later.",
    "ErrorMimeContentConversionFailed": "Content conversion failed.",
}


class SoapFault(Exception):
    """Raised inside a handler to answer with an HTTP 500 SOAP fault."""

    def __init__(self, code: str, text: str, back_off_ms: int | None = None) -> None:
        super().__init__(code)
        self.code, self.text, self.back_off_ms = code, text, back_off_ms


class ItemError(Exception):
    """One response message in a batch is an error (the others still succeed)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class FakeFolder:
    id: str
    name: str
    parent_id: str | None
    distinguished: str | None = None
    folder_class: str | None = "IPF.Note"
    items: dict[str, bytes] = field(default_factory=dict)  # item id -> MIME, arrival order


@dataclass
class FakeExchange:
    """The mailbox and the rules of the fake server. Tests drive it directly."""

    mailbox_address: str = "memberenquiries@council.example"
    users: dict[str, str] = field(default_factory=lambda: {"svc-mailbot": "s3cret"})
    # who may open the shared mailbox: basic-auth users with FullAccess (delegate) ...
    full_access: set[str] = field(default_factory=lambda: {"svc-mailbot"})
    # service accounts with Send As on the shared mailbox (Add-ADPermission -ExtendedRights
    # "Send As"): FullAccess alone reads the mailbox but may not send from its address
    send_as: set[str] = field(default_factory=lambda: {"svc-mailbot"})
    # ... and OAuth apps (client id -> secret); apps and service accounts (user names)
    # holding ApplicationImpersonation for the mailbox
    apps: dict[str, str] = field(default_factory=lambda: {"app-id": "app-secret"})
    impersonation: set[str] = field(default_factory=lambda: {"app-id"})
    ews_enabled: bool = True  # False: answer like Exchange Online with EWS turned off
    # False: every bearer token gets 401, as Exchange answers a token of another tenant,
    # or one for the wrong resource
    accept_tokens: bool = True
    token_endpoint_down: bool = False  # True: the token endpoint says temporarily_unavailable
    busy_back_off_ms: int = 200  # BackOffMilliseconds in the ErrorServerBusy faults
    can_create_folders: bool = True  # False: CreateFolder is refused with ErrorAccessDenied
    # False: MoveItem is refused, item by item, with ErrorAccessDenied (an account that may
    # read the mailbox but not change it, such as a FullAccess grant cut back to Reviewer)
    can_move: bool = True
    # an error code CreateItem answers for each mail it is asked to send, whoever asks
    # (ErrorAccessDenied: an RBAC role or policy that takes away sending); None: sends
    refuse_sending: str | None = None
    # True: speak NTLM (on-premises IIS style) instead of Basic; the passwords come from
    # the file in $NTLM_USER_FILE, see ntlm_user_file()
    ntlm: bool = False
    domain: str = "COUNCIL"
    # the store's clock: each delivery is created one second after the one before
    clock: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self.folders: dict[str, FakeFolder] = {}
        self.root = self._add_folder("root", None, "root", folder_class=None)
        top = self._add_folder("Top of Information Store", self.root.id, "msgfolderroot")
        self.inbox = self._add_folder("Inbox", top.id, "inbox")
        self.sent = self._add_folder("Sent Items", top.id, "sentitems")
        self._add_folder("Deleted Items", top.id, "deleteditems")
        self.created: dict[str, datetime] = {}  # item id -> DateTimeCreated (kept on a move)
        self.sync_states: dict[str, tuple[str, ...]] = {}  # token -> item ids known
        self.sync_folders: dict[str, str] = {}  # token -> id of the folder it belongs to
        self.tokens: dict[str, str] = {}  # bearer token -> client id
        self.delivered: list[tuple[tuple[str, ...], bytes]] = []
        self.failures_left = 0
        self.operations: list[str] = []  # SOAP operation names in arrival order
        self.mime_answers: list[int] = []  # bytes of MIME in each GetItem answer, in order
        # item ids whose MIME Exchange cannot make: GetItem answers each of them with
        # ErrorMimeContentConversionFailed (a damaged item, or one from a broken import)
        self.unconvertible: set[str] = set()
        # item ids Exchange fails on every time with something unexpected: a GetItem of
        # the MIME of any of them answers a SOAP fault for the whole request (HTTP 500),
        # or, for those in item_errors, that error code for the item alone
        self.broken: set[str] = set()
        self.item_errors: dict[str, str] = {}
        # op name -> something a person does just before the server handles that op
        self.before: dict[str, Callable[[], None]] = {}
        # op name -> what replaces its answer once, after it was carried out: 0 drops the
        # connection, else an HTTP status (a load balancer that gave up waiting)
        self.lost_answers: dict[str, int] = {}

    # --- what tests call -------------------------------------------------------------

    def deliver(self, raw: bytes, folder: FakeFolder | None = None) -> str:
        with self.lock:
            item_id = self._new_id("AAMkItem")
            (folder or self.inbox).items[item_id] = raw
            self.clock += timedelta(seconds=1)
            self.created[item_id] = self.clock
            return item_id

    def fill(self, folder: FakeFolder, count: int, raw: bytes) -> None:
        """`count` copies of one message created in `folder` long ago (years of sent mail),
        without a second each on the clock."""
        with self.lock:
            old = self.clock - timedelta(days=365)
            for _ in range(count):
                item_id = self._new_id("AAMkOld")
                folder.items[item_id] = raw
                self.created[item_id] = old

    def fail_next(self, n: int) -> None:
        with self.lock:
            self.failures_left = n

    def expire_sync_states(self, folder: FakeFolder | None = None) -> None:
        """Forget the sync states of one folder, or of every folder."""
        with self.lock:
            for token, folder_id in list(self.sync_folders.items()):
                if folder is None or folder.id == folder_id:
                    self.sync_states.pop(token, None)
                    del self.sync_folders[token]

    def delete_message_id(self, message_id: str) -> None:
        with self.lock:
            for item_id, raw in list(self.inbox.items.items()):
                if _header(raw, "Message-ID") == message_id:
                    del self.inbox.items[item_id]

    def folder_named(self, name: str, parent: FakeFolder | None = None) -> FakeFolder | None:
        parent_id = (parent or self.inbox).id
        for folder in self.folders.values():
            if folder.parent_id == parent_id and folder.name.lower() == name.lower():
                return folder
        return None

    def delete_folder(self, folder: FakeFolder) -> None:
        """A person deletes a folder: Outlook moves it, with its items and its id, into
        Deleted Items (emptied later by the retention policy)."""
        with self.lock:
            folder.parent_id = next(
                f.id for f in self.folders.values() if f.distinguished == "deleteditems"
            )

    def add_folder(self, name: str, parent: FakeFolder | None = None) -> FakeFolder:
        with self.lock:
            return self._add_folder(name, (parent or self.inbox).id, None)

    def ntlm_user_file(self) -> str:
        """`users` in the DOMAIN:USER:PASSWORD lines pyspnego's NTLM acceptor reads."""
        return "".join(f"{self.domain}:{user}:{pw}\n" for user, pw in self.users.items())

    # --- internals -------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return base64.b64encode(f"{prefix}{next(self._ids):08d}".encode()).decode()

    def _add_folder(
        self, name: str, parent_id: str | None, distinguished: str | None,
        folder_class: str | None = "IPF.Note",
    ) -> FakeFolder:
        folder = FakeFolder(self._new_id("AQMkFolder"), name, parent_id, distinguished,
                            folder_class)
        self.folders[folder.id] = folder
        return folder

    def _find_item(self, item_id: str) -> FakeFolder | None:
        return next((f for f in self.folders.values() if item_id in f.items), None)

    def _item_bytes(self, item_id: str) -> bytes:
        folder = self._find_item(item_id)
        return folder.items[item_id] if folder is not None else b""


@dataclass
class Caller:
    """Who is calling and as which mailbox, from the HTTP and SOAP headers."""

    user: str
    is_app: bool
    impersonating: str | None


class Operations:
    """One method per SOAP operation: (request element, caller) -> response body XML."""

    def __init__(self, exchange: FakeExchange) -> None:
        self.x = exchange

    # -- folders --

    def _folder_ref(self, elem: ET.Element | None, caller: Caller) -> FakeFolder:
        if elem is None:
            raise ItemError("ErrorFolderNotFound")
        if elem.tag == f"{{{T}}}DistinguishedFolderId":
            address = elem.findtext(f"{{{T}}}Mailbox/{{{T}}}EmailAddress")
            self._check_mailbox(address or caller.impersonating, caller)
            wanted = elem.get("Id")
            found = [f for f in self.x.folders.values() if f.distinguished == wanted]
        else:
            found = [self.x.folders[elem.get("Id", "")]] if elem.get("Id") in self.x.folders else []
        if not found:
            raise ItemError("ErrorFolderNotFound")
        return found[0]

    def _check_mailbox(self, address: str | None, caller: Caller) -> None:
        if address is None:
            raise ItemError("ErrorNonExistentMailbox")
        if address.lower() != self.x.mailbox_address.lower():
            raise ItemError("ErrorNonExistentMailbox")
        # An impersonating service account needs no FullAccess: its role was checked.
        delegate = not caller.is_app and caller.impersonating is None
        if delegate and caller.user not in self.x.full_access:
            raise ItemError("ErrorAccessDenied")

    def _folder_xml(self, folder: FakeFolder) -> str:
        parent = (f'<t:ParentFolderId Id="{folder.parent_id}" ChangeKey="AQAAAA=="/>'
                  if folder.parent_id else "")
        folder_class = f"<t:FolderClass>{folder.folder_class}</t:FolderClass>" \
            if folder.folder_class else ""
        children = sum(1 for f in self.x.folders.values() if f.parent_id == folder.id)
        return (
            f'<t:Folder><t:FolderId Id="{folder.id}" ChangeKey="AQAAAA=="/>{parent}'
            f"{folder_class}<t:DisplayName>{escape(folder.name)}</t:DisplayName>"
            f"<t:TotalCount>{len(folder.items)}</t:TotalCount>"
            f"<t:ChildFolderCount>{children}</t:ChildFolderCount>"
            "<t:UnreadCount>0</t:UnreadCount></t:Folder>"
        )

    def GetFolder(self, req: ET.Element, caller: Caller) -> str:
        messages = []
        for ref in _kids(req, "FolderIds"):
            try:
                folder = self._folder_ref(ref, caller)
                folder_xml = self._folder_xml(folder)
                messages.append(_ok("GetFolder", f"<m:Folders>{folder_xml}</m:Folders>"))
            except ItemError as error:
                messages.append(_error("GetFolder", error.code, "<m:Folders/>"))
        return _response("GetFolder", messages)

    def FindFolder(self, req: ET.Element, caller: Caller) -> str:
        parents = [self._folder_ref(ref, caller) for ref in _kids(req, "ParentFolderIds")]
        view = req.find(f"{{{M}}}IndexedPageFolderView")
        offset = int(view.get("Offset", "0")) if view is not None else 0
        limit = int(view.get("MaxEntriesReturned", "1000")) if view is not None else 1000
        messages = []
        for parent in parents:
            children = [f for f in self.x.folders.values() if f.parent_id == parent.id]
            page = children[offset:offset + limit]
            last = "true" if offset + len(page) >= len(children) else "false"
            body = (f'<m:RootFolder IndexedPagingOffset="{offset + len(page)}" '
                    f'TotalItemsInView="{len(children)}" IncludesLastItemInRange="{last}">'
                    f"<t:Folders>{''.join(self._folder_xml(f) for f in page)}</t:Folders>"
                    "</m:RootFolder>")
            messages.append(_ok("FindFolder", body))
        return _response("FindFolder", messages)

    def CreateFolder(self, req: ET.Element, caller: Caller) -> str:
        parent_ref = req.find(f"{{{M}}}ParentFolderId")
        parent = self._folder_ref(parent_ref[0] if parent_ref is not None else None, caller)
        if not self.x.can_create_folders:
            raise ItemError("ErrorAccessDenied")
        messages = []
        for new in _kids(req, "Folders"):
            name = new.findtext(f"{{{T}}}DisplayName") or ""
            if self.x.folder_named(name, parent) is not None:
                messages.append(_error("CreateFolder", "ErrorFolderExists", "<m:Folders/>"))
                continue
            folder = self.x.add_folder(name, parent)
            messages.append(_ok("CreateFolder", f'<m:Folders><t:Folder><t:FolderId Id="{folder.id}"'
                                                ' ChangeKey="AQAAAA=="/></t:Folder></m:Folders>'))
        return _response("CreateFolder", messages)

    # -- items --

    def SyncFolderItems(self, req: ET.Element, caller: Caller) -> str:
        sync_ref = req.find(f"{{{M}}}SyncFolderId")
        folder = self._folder_ref(sync_ref[0] if sync_ref is not None else None, caller)
        if folder is not self.x.inbox and folder is not self.x.sent:
            raise ItemError("ErrorInvalidOperation")
        token = req.findtext(f"{{{M}}}SyncState")
        if token:
            # A state is only good for the folder it came from, as on a real server.
            if self.x.sync_folders.get(token) != folder.id:
                raise ItemError("ErrorInvalidSyncStateData")
            known = list(self.x.sync_states[token])
        else:
            known = []
        limit = int(req.findtext(f"{{{M}}}MaxChangesReturned") or "512")
        current = list(folder.items)
        current_set, known_set = set(current), set(known)
        changes = [("Delete", i) for i in known if i not in current_set]
        changes += [("Create", i) for i in current if i not in known_set]
        page, more = changes[:limit], len(changes) > limit
        for kind, item_id in page:
            if kind == "Create":
                known.append(item_id)
            else:
                known.remove(item_id)
        new_token = base64.b64encode(secrets.token_bytes(18)).decode()
        self.x.sync_states[new_token] = tuple(known)
        self.x.sync_folders[new_token] = folder.id
        fields = _asked_fields(req)
        xml = []
        for kind, item_id in page:
            ref = f'<t:ItemId Id="{item_id}" ChangeKey="CQAAAA=="/>'
            xml.append(f"<t:Create>{self._item_xml(item_id, fields)}</t:Create>"
                       if kind == "Create" else f"<t:Delete>{ref}</t:Delete>")
        body = (f"<m:SyncState>{new_token}</m:SyncState>"
                f"<m:IncludesLastItemInRange>{'false' if more else 'true'}"
                f"</m:IncludesLastItemInRange><m:Changes>{''.join(xml)}</m:Changes>")
        return _response("SyncFolderItems", [_ok("SyncFolderItems", body)])

    def _item_xml(self, item_id: str, fields: set[str]) -> str:
        created = ""
        if "item:DateTimeCreated" in fields:
            when = self.x.created[item_id].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            created = f"<t:DateTimeCreated>{when}</t:DateTimeCreated>"
        size = ""
        if "item:Size" in fields:  # Exchange's size of the item: here, its MIME's
            size = f"<t:Size>{len(self.x._item_bytes(item_id))}</t:Size>"
        return (f'<t:Message><t:ItemId Id="{item_id}" ChangeKey="CQAAAA=="/>{size}{created}'
                "</t:Message>")

    def FindItem(self, req: ET.Element, caller: Caller) -> str:
        """Only what mailbot asks: the items of a folder whose InternetMessageId is X, or
        a folder's items sorted by DateTimeCreated (Exchange keeps a view index for that)."""
        wanted, created_from = self._message_id_restriction(req)
        order = req.find(f"{{{M}}}SortOrder/{{{T}}}FieldOrder")
        view = req.find(f"{{{M}}}IndexedPageItemView")
        offset = int(view.get("Offset", "0")) if view is not None else 0
        limit = int(view.get("MaxEntriesReturned", "1000")) if view is not None else 1000
        fields = _asked_fields(req)
        messages = []
        for parent in (self._folder_ref(ref, caller) for ref in _kids(req, "ParentFolderIds")):
            found = [i for i, raw in parent.items.items()
                     if (wanted is None or _header(raw, "Message-ID") == wanted)
                     and (created_from is None or self.x.created[i] >= created_from)]
            if order is not None:
                found.sort(key=lambda i: self.x.created[i],
                           reverse=order.get("Order") == "Descending")
            page = found[offset:offset + limit]
            last = "true" if offset + len(page) >= len(found) else "false"
            items = "".join(self._item_xml(i, fields) for i in page)
            body = (f'<m:RootFolder IndexedPagingOffset="{offset + len(page)}" '
                    f'TotalItemsInView="{len(found)}" IncludesLastItemInRange="{last}">'
                    f"<t:Items>{items}</t:Items></m:RootFolder>")
            messages.append(_ok("FindItem", body))
        return _response("FindItem", messages)

    def _message_id_restriction(
        self, req: ET.Element
    ) -> tuple[str | None, datetime | None]:
        """(InternetMessageId, earliest DateTimeCreated) of the one restriction mailbot
        sends: IsEqualTo on message:InternetMessageId, alone or in an And with
        IsGreaterThanOrEqualTo on item:DateTimeCreated. Compared as Exchange does: the
        whole value, angle brackets included. Any other restriction is refused, so a
        change in what mailbot asks shows here instead of passing unnoticed."""
        restriction = req.find(f"{{{M}}}Restriction")
        if restriction is None:
            return None, None
        conditions = list(restriction)
        if len(conditions) == 1 and conditions[0].tag == f"{{{T}}}And":
            conditions = list(conditions[0])
        wanted: str | None = None
        created_from: datetime | None = None
        for condition in conditions:
            uri = condition.find(f"{{{T}}}FieldURI")
            constant = condition.find(f".//{{{T}}}Constant")
            field_uri = uri.get("FieldURI") if uri is not None else None
            if constant is None:
                raise ItemError("ErrorInvalidOperation")
            value = constant.get("Value", "")
            if condition.tag == f"{{{T}}}IsEqualTo" and field_uri == "message:InternetMessageId":
                wanted = value
            elif (condition.tag == f"{{{T}}}IsGreaterThanOrEqualTo"
                  and field_uri == "item:DateTimeCreated"):
                created_from = datetime.fromisoformat(value.replace("Z", "+00:00"))
            else:
                raise ItemError("ErrorInvalidOperation")
        if wanted is None:
            raise ItemError("ErrorInvalidOperation")
        return wanted, created_from

    def GetItem(self, req: ET.Element, caller: Caller) -> str:
        self._check_mailbox(caller.impersonating or self.x.mailbox_address, caller)
        wants_mime = any(
            uri.get("FieldURI") == "item:MimeContent"
            for uri in req.iter(f"{{{T}}}FieldURI")
        )
        messages = []
        mime_bytes = 0
        asked = [ref.get("Id", "") for ref in _kids(req, "ItemIds")]
        if wants_mime and self.x.broken.intersection(asked):
            raise SoapFault("ErrorInternalServerError",
                            "An internal server error occurred. The operation failed.")
        for ref in _kids(req, "ItemIds"):
            item_id = ref.get("Id", "")
            if wants_mime and item_id in self.x.item_errors:
                messages.append(_error("GetItem", self.x.item_errors[item_id], "<m:Items/>"))
                continue
            folder = self.x._find_item(item_id)
            if folder is None:
                messages.append(_error("GetItem", "ErrorItemNotFound", "<m:Items/>"))
                continue
            mime = ""
            if wants_mime and item_id in self.x.unconvertible:
                messages.append(_error("GetItem", "ErrorMimeContentConversionFailed",
                                       "<m:Items/>"))
                continue
            if wants_mime:
                encoded = base64.b64encode(folder.items[item_id]).decode()
                mime_bytes += len(folder.items[item_id])
                mime = f'<t:MimeContent CharacterSet="UTF-8">{encoded}</t:MimeContent>'
            about = _about(folder.items[item_id], _asked_fields(req))
            messages.append(_ok("GetItem", f'<m:Items><t:Message>{mime}<t:ItemId Id="{item_id}"'
                                           f' ChangeKey="CQAAAA=="/>{about}</t:Message></m:Items>'))
        if wants_mime:
            self.x.mime_answers.append(mime_bytes)
        return _response("GetItem", messages)

    def MoveItem(self, req: ET.Element, caller: Caller) -> str:
        to_ref = req.find(f"{{{M}}}ToFolderId")
        target = self._folder_ref(to_ref[0] if to_ref is not None else None, caller)
        messages = []
        for ref in _kids(req, "ItemIds"):
            item_id = ref.get("Id", "")
            source = self.x._find_item(item_id)
            if source is None:
                messages.append(_error("MoveItem", "ErrorItemNotFound", "<m:Items/>"))
                continue
            if not self.x.can_move:
                messages.append(_error("MoveItem", "ErrorAccessDenied", "<m:Items/>"))
                continue
            new_id = self.x._new_id("AAMkMoved")  # like Exchange: a moved item gets a new id
            target.items[new_id] = source.items.pop(item_id)
            self.x.created[new_id] = self.x.created.pop(item_id)
            messages.append(_ok("MoveItem", f'<m:Items><t:Message><t:ItemId Id="{new_id}"'
                                            ' ChangeKey="CQAAAA=="/></t:Message></m:Items>'))
        return _response("MoveItem", messages)

    def CreateItem(self, req: ET.Element, caller: Caller) -> str:
        self._check_mailbox(caller.impersonating or self.x.mailbox_address, caller)
        disposition = req.get("MessageDisposition", "SaveOnly")
        messages = []
        for item in _kids(req, "Items"):
            raw = base64.b64decode(item.findtext(f"{{{T}}}MimeContent") or "")
            extra = [a.text or "" for a in item.iter(f"{{{T}}}EmailAddress")]
            if disposition in ("SendOnly", "SendAndSaveCopy"):
                if self.x.refuse_sending is not None:
                    messages.append(_error("CreateItem", self.x.refuse_sending, "<m:Items/>"))
                    continue
                delegate = not caller.is_app and caller.impersonating is None
                if delegate and caller.user not in self.x.send_as:
                    messages.append(_error("CreateItem", "ErrorSendAsDenied", "<m:Items/>"))
                    continue
                self.x.delivered.append((_recipients(raw, extra), raw))
            if disposition in ("SaveOnly", "SendAndSaveCopy"):
                saved = req.find(f"{{{M}}}SavedItemFolderId")
                folder = self._folder_ref(saved[0], caller) if saved is not None else self.x.sent
                self.x.deliver(raw, folder)
            messages.append(_ok("CreateItem", "<m:Items/>"))
        return _response("CreateItem", messages)

    def ConvertId(self, req: ET.Element, caller: Caller) -> str:
        # exchangelib sends ConvertId with a dummy id only to read ServerVersionInfo.
        return _response("ConvertId", [_error("ConvertId", "ErrorInvalidIdMalformed", "")])


def _about(raw: bytes, fields: set[str]) -> str:
    """The Subject and Sender of a message, as GetItem gives them when asked (Exchange
    gives them even for an item whose MIME it cannot make)."""
    xml = ""
    if "item:Subject" in fields:
        xml += f"<t:Subject>{escape(_header(raw, 'Subject') or '')}</t:Subject>"
    if "message:Sender" in fields:
        address = email.utils.parseaddr(_header(raw, "From") or "")[1]
        xml += (f"<t:Sender><t:Mailbox><t:EmailAddress>{escape(address)}</t:EmailAddress>"
                "</t:Mailbox></t:Sender>")
    return xml


def _kids(req: ET.Element, tag: str) -> list[ET.Element]:
    """The children of the request's m:<tag> element (none when it is absent)."""
    found = req.find(f"{{{M}}}{tag}")
    return list(found) if found is not None else []


def _asked_fields(req: ET.Element) -> set[str]:
    """The FieldURIs of the request's ItemShape AdditionalProperties."""
    props = req.find(f"{{{M}}}ItemShape/{{{T}}}AdditionalProperties")
    return {u.get("FieldURI", "") for u in props} if props is not None else set()


def _header(raw: bytes, name: str) -> str | None:
    value = BytesHeaderParser(policy=compat32).parsebytes(raw).get(name)
    return str(value).strip() if value is not None else None


def _recipients(raw: bytes, extra: list[str]) -> tuple[str, ...]:
    """Envelope recipients: the MIME To/Cc/Bcc plus any recipients given as elements."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    values = [str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])]
    found = [addr for _name, addr in email.utils.getaddresses(values) if addr] + extra
    seen: dict[str, None] = {}
    for addr in found:
        seen.setdefault(addr.lower(), None)
    return tuple(seen)


def _ok(op: str, inner: str) -> str:
    return (f'<m:{op}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError'
            f"</m:ResponseCode>{inner}</m:{op}ResponseMessage>")


def _error(op: str, code: str, inner: str) -> str:
    return (f'<m:{op}ResponseMessage ResponseClass="Error"><m:MessageText>'
            f"{escape(ERROR_TEXT.get(code, code))}</m:MessageText><m:ResponseCode>{code}"
            f"</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>{inner}"
            f"</m:{op}ResponseMessage>")


def _response(op: str, messages: list[str]) -> str:
    return (f'<m:{op}Response xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages>'
            f"{''.join(messages)}</m:ResponseMessages></m:{op}Response>")


def envelope(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP}">'
            f"<s:Header>{SERVER_VERSION}</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


def fault(error: SoapFault) -> bytes:
    back_off = ""
    if error.back_off_ms is not None:
        back_off = (f'<t:MessageXml xmlns:t="{T}"><t:Value Name="BackOffMilliseconds">'
                    f"{error.back_off_ms}</t:Value></t:MessageXml>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault>'
        f'<faultcode xmlns:a="{T}">a:{error.code}</faultcode>'
        f'<faultstring xml:lang="en-US">{escape(error.text)}</faultstring><detail>'
        f'<e:ResponseCode xmlns:e="{E}">{error.code}</e:ResponseCode>'
        f'<e:Message xmlns:e="{E}">{escape(error.text)}</e:Message>{back_off}'
        "</detail></s:Fault></s:Body></s:Envelope>"
    ).encode()


def _make_handler(exchange: FakeExchange) -> type[BaseHTTPRequestHandler]:
    ops = Operations(exchange)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: tests read `exchange.operations` instead."""

        def _reply(self, status: int, body: bytes, content_type: str = "text/xml; charset=utf-8",
                   headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path.rstrip("/").endswith("/token"):
                self._token(data)
            elif self.path.lower().startswith("/ews/exchange.asmx"):
                self._soap(data)
            else:
                self._reply(404, b"not found", "text/plain")

        def _token(self, data: bytes) -> None:
            if exchange.token_endpoint_down:
                body = json.dumps({"error": "temporarily_unavailable",
                                   "error_description": "AADSTS90033: A transient error has "
                                                        "occurred. Please try again."})
                self._reply(503, body.encode(), "application/json")
                return
            form = dict(urllib.parse.parse_qsl(data.decode()))
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            granted = exchange.apps.get(client_id) == secret
            if form.get("grant_type") != "client_credentials" or not granted:
                body = json.dumps({"error": "invalid_client",
                                   "error_description": "AADSTS7000215: Invalid client secret."})
                self._reply(401, body.encode(), "application/json")
                return
            token = secrets.token_urlsafe(24)
            with exchange.lock:
                exchange.tokens[token] = client_id
            body = json.dumps({"token_type": "Bearer", "expires_in": 3599, "access_token": token})
            self._reply(200, body.encode(), "application/json")

        ntlm_context: Any = None  # per connection: NTLM authenticates the TCP connection
        ntlm_user: str | None = None

        def _caller(self) -> Caller | None:
            auth = self.headers.get("Authorization", "")
            scheme, _, value = auth.partition(" ")
            if not auth and self.ntlm_user is not None:
                return Caller(self.ntlm_user, False, None)
            if scheme.lower() == "basic":
                user, _, password = base64.b64decode(value).decode().partition(":")
                if exchange.users.get(user) == password:
                    return Caller(user, False, None)
            elif scheme.lower() == "bearer" and exchange.accept_tokens and value in exchange.tokens:
                return Caller(exchange.tokens[value], True, None)
            return None

        def _ntlm_step(self, value: str) -> Caller | None:
            """One leg of the NTLM handshake (pyspnego checks the password against
            NTLM_USER_FILE); a Caller once the connection is authenticated."""
            import spnego  # requests_ntlm's own dependency; only NTLM tests need it

            token = base64.b64decode(value)
            if token[8:12] == b"\x01\x00\x00\x00":  # NEGOTIATE: answer with a challenge
                self.ntlm_context = spnego.server(protocol="ntlm")
                challenge = base64.b64encode(self.ntlm_context.step(token)).decode()
                self._reply(401, b"", "text/html", {"WWW-Authenticate": f"NTLM {challenge}"})
                return None
            try:
                self.ntlm_context.step(token)
            except Exception:  # wrong password or a token out of order: a plain 401
                self._unauthorized()
                return None
            self.ntlm_user = str(self.ntlm_context.client_principal).split("\\")[-1]
            return Caller(self.ntlm_user, False, None)

        def _unauthorized(self) -> None:
            challenge = "NTLM" if exchange.ntlm else 'Basic realm="fake-exchange"'
            self._reply(401, b"", "text/html", {"WWW-Authenticate": challenge})

        def _soap(self, data: bytes) -> None:
            scheme, _, value = self.headers.get("Authorization", "").partition(" ")
            if exchange.ntlm and scheme.lower() == "ntlm":
                caller = self._ntlm_step(value)
                if caller is None:
                    return
            else:
                caller = self._caller()
            if caller is None:
                self._unauthorized()
                return
            if not exchange.ews_enabled:
                # Exchange Online answers a tenant with EWS switched off like this.
                self._reply(403, b"", "text/html")
                return
            root = ET.fromstring(data)
            header = root.find(f"{{{SOAP}}}Header")
            if header is not None:
                caller.impersonating = header.findtext(
                    f"{{{T}}}ExchangeImpersonation/{{{T}}}ConnectingSID/{{{T}}}PrimarySmtpAddress")
            body = root.find(f"{{{SOAP}}}Body")
            request = body[0] if body is not None and len(body) else None
            op = request.tag.split("}")[-1] if request is not None else ""
            try:
                with exchange.lock:
                    exchange.operations.append(op)
                    if op in exchange.before:
                        exchange.before.pop(op)()
                    self._check_faults(op, caller)
                    handler: Callable[[ET.Element, Caller], str] | None = getattr(ops, op, None)
                    if handler is None or request is None:
                        raise SoapFault("ErrorInvalidRequest", f"{op} is not implemented here.")
                    try:
                        response = handler(request, caller)
                    except ItemError as error:
                        # Exchange keeps SyncFolderItems' two required elements in errors too.
                        inner = ("<m:SyncState/><m:IncludesLastItemInRange>true"
                                 "</m:IncludesLastItemInRange>") if op == "SyncFolderItems" else ""
                        response = _response(op, [_error(op, error.code, inner)])
                    lost = exchange.lost_answers.pop(op, None)
                if lost == 0:
                    self.close_connection = True  # carried out; the answer never leaves
                    return
                if lost is not None:
                    self._reply(lost, b"<html>Gateway Timeout</html>", "text/html")
                    return
                self._reply(200, envelope(response))
            except SoapFault as error:
                self._reply(500, fault(error))

        def _check_faults(self, op: str, caller: Caller) -> None:
            if op != "ConvertId" and exchange.failures_left > 0:
                exchange.failures_left -= 1
                raise SoapFault("ErrorServerBusy", ERROR_TEXT["ErrorServerBusy"],
                                exchange.busy_back_off_ms)
            # ConvertId is the version probe: mailbox-less, so no impersonation check.
            if not caller.is_app and caller.impersonating is not None and op != "ConvertId" \
                    and caller.user not in exchange.impersonation:
                # On-premises: a service account without the ApplicationImpersonation role
                # (or whose management scope leaves this mailbox out).
                raise SoapFault("ErrorImpersonateUserDenied",
                                "The account does not have permission to impersonate the "
                                "requested user.")
            if caller.is_app and op != "ConvertId":
                if caller.impersonating is None:
                    raise SoapFault("ErrorAccessDenied", ERROR_TEXT["ErrorAccessDenied"])
                # Exchange Online routes an impersonated request by X-AnchorMailbox; without
                # it (or with another mailbox) the request lands on the wrong server.
                anchor = self.headers.get("X-AnchorMailbox", "")
                if anchor.lower() != caller.impersonating.lower():
                    raise SoapFault("ErrorProxyRequestNotAllowed",
                                    "X-AnchorMailbox must name the impersonated mailbox.")
                if caller.impersonating.lower() != exchange.mailbox_address.lower():
                    raise SoapFault("ErrorNonExistentMailbox",
                                    ERROR_TEXT["ErrorNonExistentMailbox"])
                if caller.user not in exchange.impersonation:
                    raise SoapFault("ErrorImpersonateUserDenied",
                                    "The account does not have permission to impersonate the "
                                    "requested user.")

    return Handler


@contextmanager
def running(
    exchange: FakeExchange | None = None, tls: tuple[str, str] | None = None
) -> Iterator[tuple[FakeExchange, str]]:
    """Serve a FakeExchange on 127.0.0.1 (free port); yields it and the base URL.

    `tls` is (certificate PEM path, key PEM path): serve https with that certificate.
    """
    exchange = exchange if exchange is not None else FakeExchange()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(exchange))
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, name="fake-ews", daemon=True)
    thread.start()
    try:
        yield exchange, f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


__all__ = ["FakeExchange", "running"]
