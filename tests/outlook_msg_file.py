"""Outlook .msg files for tests, written from scratch: an OLE2 compound file (MS-CFB,
version 3: 512-byte sectors, 64-byte mini sectors below 4096 bytes) holding the MAPI
property streams Outlook writes (MS-OXMSG). No .msg can be downloaded in the tests, and
olefile only reads, so this writes the handful of small streams a letter needs."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1


@dataclass(eq=False)  # entries are told apart by identity: two may hold the same
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams`, each named by its path ("a/b" is stream b in
    storage a)."""
    root = _Entry("Root Entry", ROOT)
    for path, data in streams.items():
        node = root
        *storages, name = path.split("/")
        for storage in storages:
            found = next((c for c in node.children if c.name == storage), None)
            if found is None:
                found = _Entry(storage, STORAGE)
                node.children.append(found)
            node = found
        node.children.append(_Entry(name, STREAM, data))
    entries = [root]
    _number(root, entries)

    mini = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != STREAM:
            continue
        entry.size = len(entry.data)
        if entry.size >= MINI_CUTOFF:
            big.append(entry)
        elif entry.size:
            entry.start = len(mini_fat)
            count = -(-entry.size // MINI_SECTOR)
            mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini += entry.data + b"\0" * (count * MINI_SECTOR - entry.size)

    def sectors(size: int) -> int:
        return -(-size // SECTOR)

    dir_count = sectors(len(entries) * 128)
    mini_fat_count = sectors(len(mini_fat) * 4)
    mini_count = sectors(len(mini))
    big_counts = [sectors(e.size) for e in big]
    others = dir_count + mini_fat_count + mini_count + sum(big_counts)
    fat_count = 1
    while fat_count * (SECTOR // 4) < fat_count + others:
        fat_count += 1
    assert fat_count <= 109, "test files stay small"

    fat: list[int] = [FATSECT] * fat_count
    body = bytearray()

    def chain(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        start = len(fat)
        count = sectors(len(data))
        fat.extend([start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN])
        body.extend(data + b"\0" * (count * SECTOR - len(data)))
        return start

    # The directory is written last but its sectors come first: fill it in afterwards.
    dir_start = len(fat)
    fat.extend([dir_start + i + 1 for i in range(dir_count - 1)] + [ENDOFCHAIN])
    body.extend(b"\0" * (dir_count * SECTOR))
    mini_fat_start = chain(b"".join(struct.pack("<I", n) for n in mini_fat))
    root.start = chain(bytes(mini))
    root.size = len(mini)
    for entry in big:
        entry.start = chain(entry.data)
    fat.extend([FREESECT] * (fat_count * (SECTOR // 4) - len(fat)))

    directory = b"".join(_directory_entry(e) for e in entries)
    directory += b"\0" * (dir_count * SECTOR - len(directory))
    offset = (dir_start - fat_count) * SECTOR
    body[offset : offset + len(directory)] = directory

    header = bytearray(SECTOR)
    struct.pack_into(
        "<8s16sHHHHH6sIIIIIIIII", header, 0,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6,
        b"\0" * 6, 0, fat_count, dir_start, 0, MINI_CUTOFF,
        mini_fat_start if mini_fat else ENDOFCHAIN, mini_fat_count, ENDOFCHAIN, 0,
    )
    difat = list(range(fat_count)) + [FREESECT] * (109 - fat_count)
    struct.pack_into("<109I", header, 76, *difat)
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat)
    return bytes(header) + fat_bytes + bytes(body)


def _number(storage: _Entry, entries: list[_Entry]) -> None:
    """Give every entry its directory index; siblings form a binary tree in the order the
    format sorts names (shorter first, then case-blind)."""
    ordered = sorted(storage.children, key=lambda e: (len(e.name), e.name.upper()))
    for entry in ordered:
        entries.append(entry)
    storage.child = _tree(ordered, entries)
    for entry in ordered:
        if entry.kind == STORAGE:
            _number(entry, entries)


def _tree(ordered: list[_Entry], entries: list[_Entry]) -> int:
    if not ordered:
        return NOSTREAM
    middle = len(ordered) // 2
    node = ordered[middle]
    node.left = _tree(ordered[:middle], entries)
    node.right = _tree(ordered[middle + 1 :], entries)
    return entries.index(node)


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, BLACK, entry.left, entry.right, entry.child,
        b"\0" * 16, 0, 0, 0, 0 if entry.kind == STORAGE else entry.start, entry.size,
    )


PT_LONG, PT_SYSTIME, PT_STRING8, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001E, 0x001F, 0x0102


def _filetime(when: datetime) -> int:
    return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def outlook_msg(**fields: Any) -> bytes:
    """A .msg file as Outlook saves an email (see outlook_msg_streams for the fields)."""
    return compound_file(outlook_msg_streams(**fields))


def outlook_msg_streams(
    *,
    subject: str = "",
    sender_name: str = "",
    sender_email: str = "",
    sender_smtp: str = "",
    sent: datetime | None = None,
    body: str | None = None,
    html: bytes | None = None,
    rtf_compressed: bytes | None = None,
    string8: dict[int, bytes] | None = None,
    codepage: int | None = None,
    internet_codepage: int | None = None,
    message_class: str = "IPM.Note",
    attached: tuple[dict[str, bytes], ...] = (),
    embedded: bool = False,
) -> dict[str, bytes]:
    """The streams of an email saved by Outlook: strings as UTF-16 streams (or 8-bit ones
    from `string8`), the fixed-size properties (date, code pages) in the properties stream,
    and `attached` items (other outlook_msg_streams(embedded=True)) as Outlook embeds them."""
    streams: dict[str, bytes] = {}
    fixed: list[tuple[int, int, bytes]] = []

    def unicode(prop_id: int, value: str) -> None:
        if value:
            streams[f"__substg1.0_{prop_id:04X}{PT_UNICODE:04X}"] = value.encode("utf-16-le")

    unicode(0x001A, message_class)
    unicode(0x0037, subject)
    unicode(0x0C1A, sender_name)
    unicode(0x0042, sender_name)
    unicode(0x0C1F, sender_email)
    unicode(0x5D01, sender_smtp)
    if body is not None:
        unicode(0x1000, body)
    if html is not None:
        streams[f"__substg1.0_1013{PT_BINARY:04X}"] = html
    if rtf_compressed is not None:
        streams[f"__substg1.0_1009{PT_BINARY:04X}"] = rtf_compressed
    for prop_id, value in (string8 or {}).items():
        streams[f"__substg1.0_{prop_id:04X}{PT_STRING8:04X}"] = value
    if sent is not None:
        fixed.append((0x0039, PT_SYSTIME, struct.pack("<Q", _filetime(sent))))
    if codepage is not None:
        fixed.append((0x3FFD, PT_LONG, struct.pack("<II", codepage, 0)))
    if internet_codepage is not None:
        fixed.append((0x3FDE, PT_LONG, struct.pack("<II", internet_codepage, 0)))
    # The file's own item has a 32-byte header; an attached item's is 24 bytes.
    properties = b"\0" * 8 + struct.pack("<IIII", 1, len(attached), 1, len(attached))
    properties += b"" if embedded else b"\0" * 8
    for prop_id, prop_type, value in fixed:
        properties += struct.pack("<II", (prop_id << 16) | prop_type, 6) + value
    streams["__properties_version1.0"] = properties
    # A recipient, as every sent item has: a storage the reader must step over.
    streams["__recip_version1.0_#00000000/__substg1.0_3001001F"] = "Cllr Jo Bloggs".encode(
        "utf-16-le"
    )
    streams["__recip_version1.0_#00000000/__properties_version1.0"] = b"\0" * 8
    for number, item in enumerate(attached):
        storage = f"__attach_version1.0_#{number:08X}"
        # PR_ATTACH_METHOD 5: an embedded message, in the PR_ATTACH_DATA_OBJ storage.
        streams[f"{storage}/__properties_version1.0"] = b"\0" * 8 + struct.pack(
            "<II", (0x3705 << 16) | PT_LONG, 6) + struct.pack("<II", 5, 0)
        for path, data in item.items():
            streams[f"{storage}/__substg1.0_3701000D/{path}"] = data
    return streams
