"""How an IMAP server names and guards its folders: the layout LIST and NAMESPACE show,
where a configured folder name lands on this server, and which rights (RFC 4314) the
login lacks in the folders mailbot uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.backends.imap_errors import error_text, transient

# RFC 4314 rights mailbot needs: read, flag \Deleted and expunge in the inbox (what a
# MOVE out of it does), insert into Processed and Sent, read Sent (its dedup search).
SENT = "\\Sent"
SPECIAL_USES = (SENT,)  # the RFC 6154 uses mailbot looks for
RIGHT_NAMES = {"r": "read", "t": "delete messages", "e": "expunge", "i": "add messages"}


@dataclass(frozen=True)
class FolderLayout:
    """How one server names its folders: what LIST showed, the hierarchy separator,
    the personal namespace's prefix ("INBOX." on Courier and Cyrus, where every folder
    lives under the inbox; "" on Dovecot and Exchange), and the prefixes of the other
    users' and shared namespaces ("shared/", "Other Users/"), where a shared mailbox
    reached with a person's own login lives."""

    names: list[str]
    delimiter: str
    prefix: str
    others: tuple[str, ...] = ()
    # Folders by the special use the server marks them with (RFC 6154): {"\\Sent":
    # ("Sent Items",)} on Exchange, ("[Gmail]/Sent Mail",) on Gmail.
    marked: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def marked_as(self, use: str, home: str) -> str | None:
        """The one folder of the mailbox at `home` the server marks for `use` ("\\Sent");
        None if there is none, or more than one."""
        found = [name for name in self.marked.get(use, ()) if self._lives_in(name, home)]
        return found[0] if len(found) == 1 else None

    def _lives_in(self, name: str, home: str) -> bool:
        if home != self.prefix:
            return name.startswith(home)
        return not any(other and name.startswith(other) for other in self.others)

    def home(self, inbox: str) -> str:
        """Where the folders of the mailbox that owns `inbox` live. Bare names such as
        "Processed" are read there: mail of a shared mailbox must stay in it, not go
        to the personal folders of whoever mailbot logs in as."""
        for other in self.others:
            if other and inbox.startswith(other) and self.delimiter:
                if inbox.upper().endswith(self.delimiter + "INBOX"):  # shared/bob/INBOX
                    return inbox[: -len("INBOX")]
                return inbox + self.delimiter  # Other Users/bob: its folders are below it
        return self.prefix

    def find(self, name: str, home: str | None = None) -> str | None:
        """The listed folder a configured name means, as the server spells it."""
        for candidate in self.candidates(name, home):
            if candidate.upper() == "INBOX":
                return next((n for n in self.names if n.upper() == "INBOX"), None)
            if candidate in self.names:
                return candidate
        return None

    def spelling(self, name: str, home: str | None = None) -> str:
        """The name to create a configured folder under: in its mailbox's home and
        with the server's separator, since "Processed" cannot be created on a server
        that keeps every folder under "INBOX."."""
        return self.candidates(name, home)[-1]

    def candidates(self, name: str, home: str | None = None) -> list[str]:
        """The name as written, then with "/" read as the server's separator (so one
        config reads "INBOX/Processed" right on "/" and "." servers), each placed in
        `home` (default: the personal namespace); the last is the most server-shaped."""
        home = self.prefix if home is None else home
        spellings = [name]
        if self.delimiter and self.delimiter != "/" and "/" in name:
            spellings.append(name.replace("/", self.delimiter))
        candidates: list[str] = []
        for spelling in spellings:
            if self._qualified(spelling):
                candidates.append(spelling)
            elif home == self.prefix:
                candidates.append(spelling)
                if self.prefix and spelling.upper() != "INBOX":
                    candidates.append(self.prefix + spelling)
            else:  # a shared mailbox: only its own folders will do
                candidates.append(home + spelling)
        return candidates

    def _qualified(self, name: str) -> bool:
        """Already names its namespace: under the personal prefix or another's."""
        upper = name.upper()
        prefixes = [p.upper() for p in (self.prefix, *self.others) if p]
        return any(upper.startswith(p) for p in prefixes)


def read_layout(client: IMAPClient) -> FolderLayout:
    """The layout the server shows this login: one LIST, and NAMESPACE where offered."""
    listed = client.list_folders()
    delimiters = {delimiter for _flags, delimiter, _name in listed if delimiter}
    delimiter = delimiters.pop().decode() if len(delimiters) == 1 else ""
    prefix = ""
    others: tuple[str, ...] = ()
    if client.has_capability("NAMESPACE"):
        spaces = client.namespace()
        if spaces.personal:
            prefix = _decoded(spaces.personal[0][0])
            delimiter = _decoded(spaces.personal[0][1]) or delimiter
        others = tuple(
            _decoded(space[0]) for space in (*(spaces.other or ()), *(spaces.shared or ()))
        )
    names = [str(name) for _flags, _delimiter, name in listed]
    marked: dict[str, tuple[str, ...]] = {}
    for flags, _delimiter, name in listed:
        for flag in flags:
            use = _decoded(flag)
            if use in SPECIAL_USES:
                marked[use] = (*marked.get(use, ()), str(name))
    return FolderLayout(names, delimiter, prefix, others, marked)


def locate(client: IMAPClient, layout: FolderLayout, name: str, home: str) -> str | None:
    """The folder a configured name means: one LIST showed, else one the server
    answers STATUS for (servers often leave shared folders out of LIST)."""
    found = layout.find(name, home)
    if found is not None:
        return found
    for candidate in layout.candidates(name, home):
        try:
            client.folder_status(candidate, [b"UIDVALIDITY"])
        except IMAPClientError as error:
            if transient(error_text(error)):
                raise
            continue
        return candidate
    return None


def lacking_rights(
    client: IMAPClient, inbox: str, processed: str | None, sent: str | None
) -> list[str]:
    """On servers with ACLs (RFC 4314), what the login may not do in each folder
    that exists, e.g. "'INBOX': expunge"; [] where the server cannot tell us."""
    if not client.has_capability("ACL"):
        return []
    lacking = []
    for folder, needed in ((inbox, "rte"), (processed, "i"), (sent, "ri")):
        if folder is None:
            continue
        missing = _missing_rights(client, folder, needed)
        if missing:
            names = ", ".join(RIGHT_NAMES[right] for right in missing)
            lacking.append(f"{folder!r}: {names}")
    return lacking


def _missing_rights(client: IMAPClient, folder: str, needed: str) -> str:
    """The letters of `needed` (RFC 4314 rights) that MYRIGHTS does not grant."""
    try:
        # IMAPClient has no myrights(); the command is plain (RFC 4314 3.5).
        data = client._command_and_check("myrights", client._normalise_folder(folder))
    except IMAPClientError:
        return ""  # cannot tell: say nothing rather than guess
    granted = _decoded(data[0]).rsplit(" ", 1)[-1] if data else ""
    if "d" in granted:  # RFC 2086 servers: one "delete" right for both
        granted += "te"
    return "".join(right for right in needed if right not in granted)


def _decoded(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
